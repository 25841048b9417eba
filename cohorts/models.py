"""Cohorts: a tutor's class of learners, joined with a code or added by the tutor."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from topics.models import Qualification

# No 0/O, 1/I/L: codes are read aloud in class and typed on phones.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class CohortQuerySet(models.QuerySet):
    def taught_by(self, user) -> "CohortQuerySet":
        """The cohorts a user may see as a tutor: the ones they teach (admins: all)."""
        if user.is_superuser:
            return self.all()
        return self.filter(tutors=user)


class Cohort(models.Model):
    name = models.CharField(max_length=150)
    qualification = models.ForeignKey(
        Qualification, on_delete=models.SET_NULL, null=True, blank=True, related_name="cohorts"
    )
    join_code = models.CharField(max_length=16, unique=True, default=new_join_code)
    tutors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="taught_cohorts")
    is_demo = models.BooleanField(default=False, help_text="Created by `make run` demo data.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cohorts:detail", kwargs={"pk": self.pk})


class MembershipQuerySet(models.QuerySet):
    def active(self) -> "MembershipQuerySet":
        return self.filter(removed_at__isnull=True)


class CohortMembership(models.Model):
    """A learner in a cohort. Removing them keeps the row (and all their work) for the record,
    but their tutors lose sight of them from that moment."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["cohort", "learner__username"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "learner"], name="membership_once")
        ]

    def __str__(self) -> str:
        return f"{self.learner} in {self.cohort}"
