"""Assignments: a quiz a tutor sets for one of their cohorts, with open and due dates.

An assignment fixes its questions when it is set (``AssignmentQuestion``), so every learner in
the cohort answers the same quiz and the tutor can compare them question by question. Each
attempt a learner starts is an ordinary ``assessments.Attempt`` (answered, submitted and marked
by the existing quiz machinery) linked to the assignment by an ``AssignmentAttempt`` row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from assessments.models import Attempt, Question
from cohorts.models import Cohort, active_membership
from topics.models import MarkingPoint, Topic

MAX_QUESTIONS = 50
MAX_ATTEMPTS = 10


class AssignmentQuerySet(models.QuerySet):
    def set_by_tutor_of(self, user) -> "AssignmentQuerySet":
        """Assignments of the cohorts ``user`` teaches (admins: all)."""
        return self.filter(cohort__in=Cohort.objects.taught_by(user))

    def for_learner(self, user) -> "AssignmentQuerySet":
        """Assignments of the cohorts ``user`` is an active member of."""
        return self.filter(
            active_membership("cohort__memberships"), cohort__memberships__learner=user
        )


class Assignment(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="assignments")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True, max_length=2000)
    # What the questions were chosen from, kept for the tutor's page and for editing.
    topics = models.ManyToManyField(Topic, blank=True, related_name="+")
    marking_points = models.ManyToManyField(MarkingPoint, blank=True, related_name="+")
    question_count = models.PositiveSmallIntegerField()
    opens_at = models.DateTimeField()
    due_at = models.DateTimeField()
    attempts_allowed = models.PositiveSmallIntegerField(default=1)
    # Closed early by the tutor: no new attempts, whatever the dates say.
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_at__gt=models.F("opens_at")), name="assignment_due_after_open"
            ),
            models.CheckConstraint(
                condition=Q(attempts_allowed__gte=1), name="assignment_at_least_one_attempt"
            ),
        ]
        indexes = [models.Index(fields=["cohort", "due_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assignments:detail", kwargs={"pk": self.pk})

    def tutor_url(self) -> str:
        return reverse("assignments:tutor_detail", kwargs={"pk": self.pk})

    def is_open(self, now=None) -> bool:
        """Whether a learner may start an attempt now (late attempts are allowed until the
        tutor closes the assignment; they are flagged late)."""
        now = now or timezone.now()
        return self.closed_at is None and self.opens_at <= now

    def is_overdue(self, now=None) -> bool:
        return (now or timezone.now()) > self.due_at


class AssignmentQuestion(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["assignment", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "question"], name="assignment_question_once"
            ),
            models.UniqueConstraint(
                fields=["assignment", "position"], name="assignment_question_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} #{self.position}"


class AssignmentAttempt(models.Model):
    """One of a learner's attempts at an assignment (``number`` 1, 2, … up to the allowance)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="links")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    attempt = models.OneToOneField(
        Attempt, on_delete=models.CASCADE, related_name="assignment_link"
    )
    number = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["assignment", "learner", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "learner", "number"], name="assignment_attempt_number"
            )
        ]
        indexes = [models.Index(fields=["learner", "assignment"])]

    def __str__(self) -> str:
        return f"{self.learner} on {self.assignment} (attempt {self.number})"
