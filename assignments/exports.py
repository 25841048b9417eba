"""The CSV export of an assignment's results (streamed; cells neutralised by
``cohorts.exports.csv_lines``)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Exists, OuterRef, Subquery

from assessments.models import Response
from assignments.models import Assignment, AssignmentAttempt
from cohorts.exports import ANSWER_FIELDS, answer_cell, credit_cell, learner_fields
from cohorts.models import CohortMembership
from revision_portal.queries import count_of

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
            used=count_of(links, "learner"),
            started=Exists(links),
        )
        .values(
            *learner_fields("learner"),
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
            *ANSWER_FIELDS,
            "position",
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
            yield [
                *base,
                "submitted late" if late else "submitted",
                member["used"] or 0,
                submitted_at.isoformat(),
                credit_cell(late),
                response.position,
                response.question.topic.title,
                response.question.prompt,
                answer_cell(response),
                credit_cell(response.credited),
                response.override_comment,
            ]
