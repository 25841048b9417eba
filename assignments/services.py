"""Writes for assignments: setting, editing, closing and deleting them, and starting a
learner's attempt. Answering, submitting and marking are the quiz machinery's own
(``assessments.services``)."""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from assessments.models import Attempt, Question
from assessments.services import create_attempt_with_questions
from assignments.models import MAX_ATTEMPTS, MAX_QUESTIONS, Assignment, AssignmentAttempt
from assignments.models import AssignmentQuestion as Item
from cohorts.models import Cohort, CohortMembership
from notifications.services import forget_assignment, notify_assignment_set
from topics.models import MarkingPoint, Topic


class AssignmentError(Exception):
    """An assignment cannot be set, changed or started; the message is for people."""


def _check_dates_and_limits(
    *, opens_at: datetime.datetime, due_at: datetime.datetime, attempts_allowed: int
) -> None:
    if due_at <= opens_at:
        raise AssignmentError("The due date must be after the date the assignment opens.")
    if not 1 <= attempts_allowed <= MAX_ATTEMPTS:
        raise AssignmentError(f"Allow between 1 and {MAX_ATTEMPTS} attempts.")


def choose_questions(
    *, topics: Iterable[Topic], marking_points: Iterable[MarkingPoint], count: int, seed=None
) -> list[Question]:
    """``count`` active questions on the chosen marking points and topics, in a stable order
    (topic, then position). Marking points give their short-answer questions; topics give
    their auto-markable short answers and their multiple-choice questions. Role-play points
    (marked only by a tutor) are left out, as in the mixed quiz."""
    topic_ids = [t.pk for t in topics]
    point_ids = [p.pk for p in marking_points]
    if not topic_ids and not point_ids:
        raise AssignmentError("Choose at least one topic or marking point.")
    pool = list(
        Question.objects.active()
        .filter(
            Q(marking_point_id__in=point_ids, kind=Question.Kind.SHORT_ANSWER)
            | Q(topic_id__in=topic_ids)
        )
        .filter(auto_markable=True)
        .select_related("topic")
        .order_by("topic__title", "topic_id", "position", "pk")
    )
    if not pool:
        raise AssignmentError("There are no questions on those topics or marking points yet.")
    rng = random.Random(seed if seed is not None else secrets.randbits(32))  # noqa: S311
    if count < len(pool):
        # Every chosen marking point is asked before any topic-wide question is drawn.
        wanted = [q for q in pool if q.marking_point_id in point_ids]
        others = [q for q in pool if q.marking_point_id not in point_ids]
        if len(wanted) >= count:
            chosen = set(q.pk for q in rng.sample(wanted, count))
        else:
            chosen = {q.pk for q in wanted} | {
                q.pk for q in rng.sample(others, count - len(wanted))
            }
        pool = [q for q in pool if q.pk in chosen]
    return pool


def create_assignment(
    *,
    cohort: Cohort,
    tutor,
    title: str,
    opens_at: datetime.datetime,
    due_at: datetime.datetime,
    question_count: int,
    attempts_allowed: int = 1,
    topics: Iterable[Topic] = (),
    marking_points: Iterable[MarkingPoint] = (),
    instructions: str = "",
    seed=None,
) -> Assignment:
    """Set an assignment for ``cohort`` (whose access the caller has checked), fix its
    questions and notify the cohort's learners."""
    topics, marking_points = list(topics), list(marking_points)
    _check_dates_and_limits(opens_at=opens_at, due_at=due_at, attempts_allowed=attempts_allowed)
    if not 1 <= question_count <= MAX_QUESTIONS:
        raise AssignmentError(f"Ask between 1 and {MAX_QUESTIONS} questions.")
    questions = choose_questions(
        topics=topics, marking_points=marking_points, count=question_count, seed=seed
    )
    with transaction.atomic():
        assignment = Assignment(
            cohort=cohort,
            set_by=tutor,
            title=title.strip()[:200],
            instructions=instructions.strip(),
            opens_at=opens_at,
            due_at=due_at,
            question_count=len(questions),
            attempts_allowed=attempts_allowed,
        )
        assignment.full_clean(exclude=["cohort", "set_by"])
        assignment.save()
        assignment.topics.set(topics)
        assignment.marking_points.set(marking_points)
        Item.objects.bulk_create(
            Item(assignment=assignment, question=question, position=position)
            for position, question in enumerate(questions, start=1)
        )
        notify_assignment_set(
            assignment=assignment,
            learner_ids=CohortMembership.objects.active()
            .filter(cohort=cohort)
            .values_list("learner_id", flat=True),
        )
    return assignment


def update_assignment(
    *,
    assignment: Assignment,
    title: str,
    opens_at: datetime.datetime,
    due_at: datetime.datetime,
    attempts_allowed: int,
    instructions: str = "",
) -> Assignment:
    """Change an assignment's title, instructions, dates and attempts (its questions are fixed
    once set: learners may already have answered them)."""
    _check_dates_and_limits(opens_at=opens_at, due_at=due_at, attempts_allowed=attempts_allowed)
    with transaction.atomic():
        assignment.title = title.strip()[:200]
        assignment.instructions = instructions.strip()
        assignment.opens_at = opens_at
        assignment.due_at = due_at
        assignment.attempts_allowed = attempts_allowed
        assignment.full_clean(exclude=["cohort", "set_by"])
        assignment.save(
            update_fields=["title", "instructions", "opens_at", "due_at", "attempts_allowed"]
        )
    return assignment


def close_assignment(*, assignment: Assignment) -> bool:
    """No new attempts from now on (attempts in progress can still be submitted, late if after
    the due date). Returns ``False`` if it was already closed."""
    return bool(
        Assignment.objects.filter(pk=assignment.pk, closed_at__isnull=True).update(
            closed_at=timezone.now()
        )
    )


def reopen_assignment(*, assignment: Assignment) -> bool:
    return bool(
        Assignment.objects.filter(pk=assignment.pk, closed_at__isnull=False).update(closed_at=None)
    )


def delete_assignment(*, assignment: Assignment) -> None:
    """Delete the assignment and its notifications. The learners' attempts stay theirs (in
    their quiz history), no longer linked to an assignment."""
    with transaction.atomic():
        forget_assignment(assignment_id=assignment.pk)
        assignment.delete()


def start_assignment_attempt(*, assignment: Assignment, learner, now=None) -> Attempt:
    """The learner's attempt at the assignment: the one in progress if there is one, else a
    new one if the assignment is open and attempts remain. Raises ``AssignmentError`` with the
    reason otherwise. One at a time per learner: their membership row is locked."""
    now = now or timezone.now()
    with transaction.atomic():
        membership = (
            CohortMembership.objects.active()
            .select_for_update()
            .filter(cohort_id=assignment.cohort_id, learner=learner)
            .first()
        )
        if membership is None:
            raise AssignmentError("This assignment is for another cohort.")
        links = list(
            AssignmentAttempt.objects.filter(assignment=assignment, learner=learner)
            .select_related("attempt")
            .order_by("number")
        )
        for link in links:
            if not link.attempt.is_submitted:
                return link.attempt
        if assignment.closed_at is not None:
            raise AssignmentError("Your tutor has closed this assignment.")
        if now < assignment.opens_at:
            opens = timezone.localtime(assignment.opens_at)
            raise AssignmentError(f"This assignment opens on {opens:%d %b %Y at %H:%M}.")
        if len(links) >= assignment.attempts_allowed:
            raise AssignmentError(
                f"You have used all {assignment.attempts_allowed} attempt"
                f"{'s' if assignment.attempts_allowed != 1 else ''} at this assignment."
            )
        questions = [item.question for item in assignment.items.select_related("question")]
        if not questions:
            raise AssignmentError("This assignment has no questions.")
        topic_ids = {q.topic_id for q in questions}
        single_topic = questions[0].topic if len(topic_ids) == 1 else None
        attempt = create_attempt_with_questions(
            learner=learner,
            kind=Attempt.Kind.TOPIC if single_topic else Attempt.Kind.MIXED,
            topic=single_topic,
            title=f"Assignment: {assignment.title}",
            questions=questions,
        )
        AssignmentAttempt.objects.create(
            assignment=assignment, learner=learner, attempt=attempt, number=len(links) + 1
        )
    return attempt
