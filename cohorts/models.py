"""Cohorts: a tutor's class of learners. Learners join with the cohort's code or by accepting a
tutor's invitation (or an admin adds them in the admin); no one else can put them in one."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
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

    @property
    def scope_label(self) -> str:
        """What every tutor page of the cohort covers: its qualification's topics, or all."""
        return self.qualification.name if self.qualification_id else "all topics"

    def in_scope(self, topic_path: str = "topic") -> Q:
        """A filter keeping rows whose topic (reached by ``topic_path``) is in the cohort's
        scope: its qualification's topics, or every topic when it has none."""
        if self.qualification_id:
            return Q(**{f"{topic_path}__qualification_id": self.qualification_id})
        return Q()


def active_membership(path: str = "") -> Q:
    """The one definition of an active member: a membership (reached by ``path``, e.g.
    ``"learner__cohort_memberships"``; empty for ``CohortMembership`` itself) that has not been
    ended by removal or leaving.

    Through a multi-valued relation, use it in the same ``filter()`` call as the other
    conditions on that membership, so that they all read the same row.
    """
    return Q(**{f"{path}__removed_at__isnull" if path else "removed_at__isnull": True})


class MembershipQuerySet(models.QuerySet):
    def active(self) -> "MembershipQuerySet":
        return self.filter(active_membership())


def visible_to_cohort(cohort, *, learner_path: str, when_path: str) -> Q:
    """A filter keeping rows (answers, attempts, mastery) that ``cohort``'s tutors may see: the
    learner (reached by ``learner_path``) is an active member and the row's time (``when_path``)
    is on or after the membership's ``history_visible_from`` (any time, if that is empty).

    Use it in a single ``filter()`` call so that every condition reads the same membership row.
    """
    membership = f"{learner_path}__cohort_memberships"
    return (
        Q(**{f"{membership}__cohort": cohort})
        & active_membership(membership)
        & (
            Q(**{f"{membership}__history_visible_from__isnull": True})
            | Q(**{f"{when_path}__gte": models.F(f"{membership}__history_visible_from")})
        )
    )


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
    # The cohort's tutors see the learner's answers from this moment on; empty means all of
    # them (the learner agreed to share earlier answers). Joining by code or accepting an
    # invitation sets it to the moment of joining unless the learner ticks to share.
    history_visible_from = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Tutors see answers given from this time; empty: every answer "
        "(only with the learner's agreement).",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["cohort", "learner__username"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "learner"], name="membership_once")
        ]

    def __str__(self) -> str:
        return f"{self.learner} in {self.cohort}"


class CohortInvitation(models.Model):
    """A tutor's offer of a place in a cohort. The learner sees it on their next visit and
    accepts (becoming a member) or declines; until then the tutor sees nothing of them."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the learner"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invitations")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "learner"],
                condition=Q(status="pending"),
                name="one_pending_invitation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner} invited to {self.cohort} ({self.get_status_display()})"
