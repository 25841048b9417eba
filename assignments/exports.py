"""The CSV export of an assignment's results (streamed; cells neutralised by
``cohorts.exports.csv_lines``)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Exists, OuterRef, Subquery

from assessments.answer_options import chosen_option_texts
from assessments.models import Response
from assignments.models import Assignment, AssignmentAttempt
from cohorts.models import CohortMembership

HEADER = [
    "username",
    "full_name",
    "status",
    "attempts_used",
    "submitted_at",
    "late",
    "question_position",
    "topic",
    "question",
    "answer",
    "credited",
    "tutor_comment",
]


def _credit(value) -> str:
    return "" if value is None else str(int(value))


def assignment_rows(assignment: Assignment) -> Iterator[list]:
    """One row per learner and question of the attempt that counts (their latest submitted
    one, once marked); one row with the status alone for a learner with nothing marked yet.
    Three queries, streamed, whatever the cohort's size."""
    yield HEADER
    links = AssignmentAttempt.objects.filter(assignment=assignment, learner=OuterRef("learner"))
    counted = (
        links.filter(attempt__submitted_at__isnull=False)
        .order_by("-attempt__submitted_at", "-number")
        .values("attempt_id")[:1]
    )
    members = (
        CohortMembership.objects.active()
        .filter(cohort_id=assignment.cohort_id)
        .annotate(
            counted=Subquery(counted),
            used=Subquery(
                links.order_by().values("learner").annotate(n=Count("pk")).values("n")[:1]
            ),
            started=Exists(links),
        )
        .values(
            "learner__username",
            "learner__first_name",
            "learner__last_name",
            "counted",
            "used",
            "started",
        )
        .order_by("learner__username", "pk")
    )
    members = list(members)
    counted_ids = [m["counted"] for m in members if m["counted"]]
    responses = (
        Response.objects.filter(attempt_id__in=counted_ids, attempt__marked_at__isnull=False)
        .select_related("attempt", "question__topic")
        .only(
            "position",
            "answer_text",
            "selected_choice",
            "selected_choices",
            "rubric_snapshot",
            "awarded",
            "override_awarded",
            "override_comment",
            "question__prompt",
            "question__kind",
            "question__topic__title",
            "attempt__id",
            "attempt__submitted_at",
        )
        .order_by("attempt_id", "position")
    )
    by_attempt: dict[int, list[Response]] = {}
    for response in responses.iterator(chunk_size=2000):
        by_attempt.setdefault(response.attempt_id, []).append(response)
    for member in members:
        name = " ".join(
            part for part in (member["learner__first_name"], member["learner__last_name"]) if part
        )
        base = [member["learner__username"], name]
        answers = by_attempt.get(member["counted"], [])
        if not answers:
            status = (
                "submitted, awaiting marking"
                if member["counted"]
                else ("in progress" if member["started"] else "not started")
            )
            yield [*base, status, member["used"] or 0, "", "", "", "", "", "", "", ""]
            continue
        submitted_at = answers[0].attempt.submitted_at
        late = submitted_at > assignment.due_at
        for response in answers:
            answer = response.answer_text
            if not response.question.is_short_answer:
                # The options as the learner saw them (kept with the mark).
                answer = chosen_option_texts(response.rubric_snapshot, response.chosen_positions)
            yield [
                *base,
                "submitted late" if late else "submitted",
                member["used"] or 0,
                submitted_at.isoformat(),
                _credit(late),
                response.position,
                response.question.topic.title,
                response.question.prompt,
                answer,
                _credit(response.credited),
                response.override_comment,
            ]
