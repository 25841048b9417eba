"""CSV exports of a cohort's results, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

from assessments.answer_options import chosen_option_texts
from assessments.models import PointMastery
from cohorts.models import Cohort, visible_to_cohort
from cohorts.selectors import cohort_report, cohort_responses

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The same after a ";" or "," (and any spaces): a spreadsheet opened with either as its list
# separator, or text pasted into one, splits the cell there and the piece becomes a formula.
_FORMULA_AFTER_SEPARATOR = re.compile(r"([;,][ ]*)(?=[=+\-@\t\r])")
# Excel reads a CSV without a byte-order mark in the machine's code page, mangling accents
# and curly quotes; with one it reads UTF-8.
BYTE_ORDER_MARK = "\ufeff"


def neutralise_cell(value) -> str:
    """Text a spreadsheet shows as text (OWASP CSV injection): an apostrophe before a formula
    character at the start of the cell and after every ";" or "," separator in it."""
    text = "" if value is None else str(value)
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", text)
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


def csv_response(rows: Iterable[Iterable], *, filename: str) -> StreamingHttpResponse:
    """``rows`` as a streamed CSV download: UTF-8 with a byte-order mark (so spreadsheets read
    accents and curly quotes), every cell neutralised. ``filename`` must be ASCII."""

    def body() -> Iterator[str]:
        yield BYTE_ORDER_MARK
        yield from csv_lines(rows)

    response = StreamingHttpResponse(body(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The columns of a marked answer (``Response``) that its question, answer and marks cells are
# written from (``answer_cell`` reads the first five); exports list them in ``.only()``.
ANSWER_FIELDS = (
    "question__kind",
    "answer_text",
    "selected_choice",
    "selected_choices",
    "rubric_snapshot",
    "question__prompt",
    "awarded",
    "override_awarded",
    "override_comment",
)


def learner_fields(path: str) -> tuple[str, ...]:
    """The columns a learner's username and full name cells are written from, for the learner
    at ``path`` (``"learner"``, ``"attempt__learner"``)."""
    return (f"{path}__username", f"{path}__first_name", f"{path}__last_name")


def learner_cells(learner) -> list[str]:
    """A learner's first two cells in every export: username and full name."""
    return [learner.username, learner.get_full_name()]


def credit_cell(value) -> str:
    """A yes/no or credit as a spreadsheet sums it: "1", "0", or empty when there is none."""
    return "" if value is None else str(int(value))


def answer_cell(response) -> str:
    """What the learner answered: their text, or the text of the option they chose."""
    if response.question.is_short_answer:
        return response.answer_text
    # The options as the learner saw them (kept with the mark), not as they read today.
    return chosen_option_texts(response.rubric_snapshot, response.chosen_positions)


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
            visible_to_cohort(cohort, learner_path="learner", when_path="answered_at"),
            cohort.in_scope("topic"),
            marking_point__retired_at__isnull=True,
        )
        .select_related("learner", "topic", "marking_point", "response")
        # Only the columns written: an answer row also carries its marker result and rubric
        # snapshot (JSON), most of the bytes the database would otherwise send per row.
        .only(
            "credited",
            "answered_at",
            *learner_fields("learner"),
            "topic__title",
            "marking_point__position",
            "marking_point__text",
            "response__override_awarded",
        )
        .order_by("learner__username", "topic__title", "marking_point__position")
    )
    for row in rows.iterator(chunk_size=2000):
        yield [
            *learner_cells(row.learner),
            row.topic.title,
            row.marking_point.position,
            row.marking_point.text,
            credit_cell(row.credited),
            credit_cell(row.response.override_awarded is not None),
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
        cohort_responses(cohort)
        .select_related("attempt__learner", "question__topic", "question__marking_point")
        .only(
            *ANSWER_FIELDS,
            *learner_fields("attempt__learner"),
            "attempt__submitted_at",
            "question__topic__title",
            "question__marking_point__position",
        )
        .order_by("attempt__learner__username", "attempt__submitted_at", "position")
    )
    for response in rows.iterator(chunk_size=2000):
        point = response.question.marking_point
        yield [
            *learner_cells(response.attempt.learner),
            response.attempt_id,
            response.attempt.submitted_at.isoformat(),
            response.question.topic.title,
            response.question.prompt,
            point.position if point else "",
            answer_cell(response),
            credit_cell(response.awarded),
            credit_cell(response.override_awarded),
            response.override_comment,
            credit_cell(response.credited),
        ]


def _percent_cell(cell) -> str:
    """A learner's figure on a topic: the percentage, or empty when they have not started it
    (0 would say they tried and missed everything)."""
    return "" if cell.not_started else str(cell.percent)


def report_rows(cohort: Cohort) -> Iterator[list]:
    """The cohort report (learners × topics, as the printable report shows it): one row per
    learner with their overall credit and their percentage on each topic in scope, read a page
    of learners at a time so a large cohort streams in bounded memory."""
    first = cohort_report(cohort, learner_page=1)
    topics = list(first.topics.object_list)
    yield [
        "username",
        "full_name",
        "points_credited",
        "points_total",
        "overall_percent",
        *[f"{topic.title} (%)" for topic in topics],
    ]
    pages = first.learners.paginator.num_pages if first.rows else 0
    for number in range(1, pages + 1):
        report = first if number == 1 else cohort_report(cohort, learner_page=number)
        for row in report.rows:
            yield [
                *learner_cells(row.learner),
                row.overall.credited,
                row.overall.total,
                row.overall.percent,
                *[_percent_cell(cell) for cell in row.cells],
            ]
