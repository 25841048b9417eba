"""Reads for assignments. Every lookup goes through these: a tutor reaches only the
assignments of cohorts they teach, a learner only those of cohorts they belong to; anything
else is ``Http404``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    Max,
    OuterRef,
    Q,
    Subquery,
)
from django.utils import timezone

from assessments.models import Response
from assignments.models import Assignment, AssignmentAttempt, AssignmentQuestion
from cohorts.models import CohortMembership
from revision_portal.queries import count_of, get_or_404

# A response counts as credited when the tutor's mark says so, or the marker's if none.
CREDITED = Q(override_awarded=True) | Q(override_awarded__isnull=True, awarded=True)


# --- access ----------------------------------------------------------------------------------


def assignment_for_tutor(tutor, pk: int) -> Assignment:
    assignments = Assignment.objects.set_by_tutor_of(tutor).select_related("cohort", "set_by")
    return get_or_404(assignments, "No such assignment.", pk=pk)


def assignment_for_learner(learner, pk: int) -> Assignment:
    assignments = Assignment.objects.for_learner(learner).select_related("cohort")
    return get_or_404(assignments, "No such assignment.", pk=pk)


def assignments_for_tutor(tutor):
    """The tutor's assignments, soonest due first, with how many learners have submitted."""
    submitted = AssignmentAttempt.objects.filter(
        assignment=OuterRef("pk"), attempt__submitted_at__isnull=False
    )
    members = CohortMembership.objects.active().filter(cohort=OuterRef("cohort"))
    return (
        Assignment.objects.set_by_tutor_of(tutor)
        .select_related("cohort")
        .annotate(
            submitted_count=count_of(
                submitted, "assignment", counted=Count("learner", distinct=True)
            ),
            member_count=count_of(members, "cohort"),
        )
        .order_by("closed_at", "-due_at", "-pk")
    )


# --- learners --------------------------------------------------------------------------------


def _learner_annotations(learner):
    mine = AssignmentAttempt.objects.filter(assignment=OuterRef("pk"), learner=learner)
    in_progress = mine.filter(attempt__submitted_at__isnull=True)
    return {
        "attempts_used": count_of(mine, "assignment"),
        "open_attempt_id": Subquery(in_progress.order_by("number").values("attempt_id")[:1]),
        "last_submitted_at": Subquery(
            mine.filter(attempt__submitted_at__isnull=False)
            .order_by()
            .values("assignment")
            .annotate(at=Max("attempt__submitted_at"))
            .values("at"),
            output_field=DateTimeField(),
        ),
    }


def _decorate_for_learner(assignment: Assignment, now) -> Assignment:
    assignment.is_submitted = assignment.last_submitted_at is not None
    assignment.submitted_late = (
        assignment.is_submitted and assignment.last_submitted_at > assignment.due_at
    )
    assignment.overdue = not assignment.is_submitted and now > assignment.due_at
    assignment.not_open_yet = now < assignment.opens_at
    assignment.attempts_left = max(0, assignment.attempts_allowed - assignment.attempts_used)
    if assignment.open_attempt_id:
        assignment.status = "in progress"
    elif assignment.is_submitted:
        assignment.status = "submitted late" if assignment.submitted_late else "submitted"
    elif assignment.not_open_yet:
        assignment.status = "not open yet"
    else:
        assignment.status = "overdue" if assignment.overdue else "not started"
    return assignment


def _learner_assignments(user, *, closed: bool):
    """The assignments of the learner's cohorts, open or closed by the tutor, with the
    learner's attempt annotations (``_decorate_for_learner`` reads them)."""
    return (
        Assignment.objects.for_learner(user)
        .filter(closed_at__isnull=not closed)
        .select_related("cohort")
        .annotate(**_learner_annotations(user))
    )


def assignments_for_learner(user, *, now: datetime.datetime | None = None) -> list[Assignment]:
    """The learner's current assignments: those of their cohorts not closed by the tutor,
    overdue ones (past due, not submitted) first, then by due date; each with ``status``
    ("not started", "in progress", "submitted", "submitted late", "overdue", "not open yet"),
    ``attempts_used``, ``attempts_left``, ``open_attempt_id`` and ``overdue``. One query,
    however many assignments and attempts."""
    if not user.is_authenticated:
        return []
    now = now or timezone.now()
    rows = _learner_assignments(user, closed=False).order_by("due_at", "pk")
    assignments = [_decorate_for_learner(a, now) for a in rows]
    # Overdue first (stable: each group keeps the due-date order).
    return sorted(assignments, key=lambda a: not a.overdue)


def past_assignments_for_learner(user, *, now=None) -> list[Assignment]:
    """Assignments of the learner's cohorts that the tutor has closed, latest due first."""
    now = now or timezone.now()
    rows = _learner_assignments(user, closed=True).order_by("-due_at", "-pk")[:50]
    return [_decorate_for_learner(a, now) for a in rows]


def learner_assignment_status(assignment: Assignment, learner, *, now=None) -> Assignment:
    """``assignment`` with the learner's status (as ``assignments_for_learner``) and their
    attempts (``my_attempts``)."""
    now = now or timezone.now()
    annotated = (
        Assignment.objects.filter(pk=assignment.pk)
        .select_related("cohort")
        .annotate(**_learner_annotations(learner))
        .get()
    )
    annotated = _decorate_for_learner(annotated, now)
    annotated.my_attempts = [
        link.attempt
        for link in AssignmentAttempt.objects.filter(assignment=assignment, learner=learner)
        .select_related("attempt")
        .order_by("number")
    ]
    return annotated


def due_soon_without_submission(*, now):
    """(assignment, learner ids) for each open assignment due in the next 24 hours, with the
    active members of its cohort who have not submitted it. Two queries."""
    assignments = list(
        Assignment.objects.filter(
            closed_at__isnull=True,
            opens_at__lte=now,
            due_at__gt=now,
            due_at__lte=now + datetime.timedelta(hours=24),
        ).select_related("cohort")
    )
    if not assignments:
        return []
    by_cohort: dict[int, list[int]] = {}
    submitted = AssignmentAttempt.objects.filter(
        assignment_id__in=[a.pk for a in assignments], attempt__submitted_at__isnull=False
    ).values_list("assignment_id", "learner_id")
    done = set(submitted)
    for cohort_id, learner_id in (
        CohortMembership.objects.active()
        .filter(cohort_id__in={a.cohort_id for a in assignments})
        .values_list("cohort_id", "learner_id")
    ):
        by_cohort.setdefault(cohort_id, []).append(learner_id)
    return [
        (a, [lid for lid in by_cohort.get(a.cohort_id, []) if (a.pk, lid) not in done])
        for a in assignments
    ]


# --- the tutor's page ------------------------------------------------------------------------


@dataclass
class LearnerRow:
    learner: object
    status: str  # "not started", "in progress", "submitted"
    attempts_used: int = 0
    submitted_at: datetime.datetime | None = None
    late: bool = False
    marked: bool = False
    credited: int = 0
    total: int = 0
    attempt_id: int | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.credited / self.total) if self.total else 0


@dataclass
class QuestionRow:
    position: int
    question: object
    credited: int = 0
    answered: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.credited / self.answered) if self.answered else None


@dataclass
class AssignmentReport:
    learners: Page
    rows: list[LearnerRow]
    questions: list[QuestionRow]
    counts: dict = field(default_factory=dict)


def assignment_report(
    assignment: Assignment, *, page: str | int | None = 1, per_page: int = 50
) -> AssignmentReport:
    """Who has not started, is in progress or has submitted (late flagged), each learner's
    score on the attempt that counts (their latest submitted, once marked), and the share of
    the cohort credited on each question. A fixed number of queries however many learners:
    the cohort's counts, the member count and page, that page's attempts, their scores, the
    questions and the per-question figures."""
    members = (
        CohortMembership.objects.active()
        .filter(cohort_id=assignment.cohort_id)
        .select_related("learner")
        .only(
            "pk",
            "cohort_id",
            "learner__id",
            "learner__username",
            "learner__first_name",
            "learner__last_name",
        )
        .order_by("learner__username", "pk")
    )
    links = AssignmentAttempt.objects.filter(assignment=assignment, learner=OuterRef("learner"))
    counts = (
        CohortMembership.objects.active()
        .filter(cohort_id=assignment.cohort_id)
        .annotate(
            has_started=Exists(links),
            has_submitted=Exists(links.filter(attempt__submitted_at__isnull=False)),
            has_late=Exists(links.filter(attempt__submitted_at__gt=assignment.due_at)),
        )
        .aggregate(
            members=Count("pk"),
            started=Count("pk", filter=Q(has_started=True)),
            submitted=Count("pk", filter=Q(has_submitted=True)),
            late=Count("pk", filter=Q(has_submitted=True, has_late=True)),
        )
    )
    counts["not_started"] = counts["members"] - counts["started"]
    counts["in_progress"] = counts["started"] - counts["submitted"]

    learner_page = Paginator(members, per_page).get_page(page)
    memberships = list(learner_page.object_list)
    attempts_by_learner: dict[int, list] = {}
    for link in (
        AssignmentAttempt.objects.filter(
            assignment=assignment, learner_id__in=[m.learner_id for m in memberships]
        )
        .select_related("attempt")
        .only(
            "learner_id",
            "number",
            "attempt__id",
            "attempt__submitted_at",
            "attempt__marked_at",
        )
        .order_by("number")
    ):
        attempts_by_learner.setdefault(link.learner_id, []).append(link.attempt)

    rows: list[LearnerRow] = []
    counted_ids = []
    for membership in memberships:
        attempts = attempts_by_learner.get(membership.learner_id, [])
        submitted = [a for a in attempts if a.submitted_at]
        row = LearnerRow(learner=membership.learner, status="not started")
        row.attempts_used = len(attempts)
        if submitted:
            counted = max(submitted, key=lambda a: a.submitted_at)
            row.status = "submitted"
            row.submitted_at = counted.submitted_at
            row.late = counted.submitted_at > assignment.due_at
            row.marked = counted.marked_at is not None
            row.attempt_id = counted.pk
            if row.marked:
                counted_ids.append(counted.pk)
        elif attempts:
            row.status = "in progress"
        rows.append(row)

    scores = {}
    if counted_ids:
        scores = {
            attempt_id: (credited, total)
            for attempt_id, credited, total in Response.objects.filter(attempt_id__in=counted_ids)
            .values("attempt_id")
            .annotate(credited=Count("pk", filter=CREDITED), total=Count("pk"))
            .values_list("attempt_id", "credited", "total")
        }
    for row in rows:
        if row.attempt_id in scores:
            row.credited, row.total = scores[row.attempt_id]

    items = list(
        AssignmentQuestion.objects.filter(assignment=assignment)
        .select_related("question", "question__topic")
        .only("position", "question__prompt", "question__kind", "question__topic__title")
        .order_by("position")
    )
    # Over the whole cohort: each member's counted (latest submitted, marked) attempt.
    counted_attempts = (
        CohortMembership.objects.active()
        .filter(cohort_id=assignment.cohort_id)
        .annotate(
            counted=Subquery(
                AssignmentAttempt.objects.filter(
                    assignment=assignment,
                    learner_id=OuterRef("learner_id"),
                    attempt__submitted_at__isnull=False,
                )
                .order_by("-attempt__submitted_at", "-number")
                .values("attempt_id")[:1]
            )
        )
        .values("counted")
    )
    per_question = {
        question_id: (credited, answered)
        for question_id, credited, answered in Response.objects.filter(
            attempt_id__in=counted_attempts, attempt__marked_at__isnull=False
        )
        .values("question_id")
        .annotate(credited=Count("pk", filter=CREDITED), answered=Count("pk"))
        .values_list("question_id", "credited", "answered")
    }
    questions = []
    for item in items:
        credited, answered = per_question.get(item.question_id, (0, 0))
        questions.append(QuestionRow(item.position, item.question, credited, answered))
    return AssignmentReport(learners=learner_page, rows=rows, questions=questions, counts=counts)
