"""CSV exports of a cohort's results, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from assessments.models import PointMastery, Response
from cohorts.models import Cohort, CohortMembership

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value) -> str:
    """Text a spreadsheet shows as text: formula-like cells get a leading apostrophe (OWASP)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_TRIGGERS):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    """Stream rows as CSV text, every cell neutralised."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([neutralise_cell(cell) for cell in row])


def _members(cohort: Cohort):
    return CohortMembership.objects.active().filter(cohort=cohort).values("learner_id")


def _credit(value) -> str:
    return "" if value is None else str(int(value))


def point_rows(cohort: Cohort) -> Iterator[list]:
    """One row per learner × marking point they have answered: their latest answer's credit."""
    yield [
        "username",
        "full_name",
        "topic",
        "point_position",
        "marking_point",
        "credited",
        "overridden_by_tutor",
        "answered_at",
    ]
    rows = (
        PointMastery.objects.filter(
            learner__in=_members(cohort), marking_point__retired_at__isnull=True
        )
        .select_related("learner", "topic", "marking_point", "response")
        # Only the columns written: an answer row also carries its marker result and rubric
        # snapshot (JSON), most of the bytes the database would otherwise send per row.
        .only(
            "credited",
            "answered_at",
            "learner__username",
            "learner__first_name",
            "learner__last_name",
            "topic__title",
            "marking_point__position",
            "marking_point__text",
            "response__override_awarded",
        )
        .order_by("learner__username", "topic__title", "marking_point__position")
    )
    for row in rows.iterator(chunk_size=2000):
        yield [
            row.learner.username,
            row.learner.get_full_name(),
            row.topic.title,
            row.marking_point.position,
            row.marking_point.text,
            _credit(row.credited),
            _credit(row.response.override_awarded is not None),
            row.answered_at.isoformat(),
        ]


def answer_rows(cohort: Cohort) -> Iterator[list]:
    """One row per marked answer (an attempt still in the marking queue has no marks to
    export yet), with the auto mark, any tutor mark, and the credit used."""
    yield [
        "username",
        "full_name",
        "attempt_id",
        "submitted_at",
        "topic",
        "question",
        "point_position",
        "answer",
        "auto_awarded",
        "tutor_awarded",
        "tutor_comment",
        "credited",
    ]
    rows = (
        Response.objects.filter(
            attempt__learner__in=_members(cohort), attempt__marked_at__isnull=False
        )
        .select_related("attempt__learner", "question__topic", "question__marking_point")
        .only(
            "attempt__submitted_at",
            "attempt__learner__username",
            "attempt__learner__first_name",
            "attempt__learner__last_name",
            "question__prompt",
            "question__topic__title",
            "question__marking_point__position",
            "answer_text",
            "awarded",
            "override_awarded",
            "override_comment",
        )
        .order_by("attempt__learner__username", "attempt__submitted_at", "position")
    )
    for response in rows.iterator(chunk_size=2000):
        learner = response.attempt.learner
        point = response.question.marking_point
        yield [
            learner.username,
            learner.get_full_name(),
            response.attempt_id,
            response.attempt.submitted_at.isoformat(),
            response.question.topic.title,
            response.question.prompt,
            point.position if point else "",
            response.answer_text,
            _credit(response.awarded),
            _credit(response.override_awarded),
            response.override_comment,
            _credit(response.credited),
        ]
