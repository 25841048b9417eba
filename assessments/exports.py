"""Exemplars out as the CSV ``import_marked_answers`` (and ``mark_answers``) read."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Prefetch
from django.http import StreamingHttpResponse

from cohorts.exports import csv_response
from topics.models import MarkingPoint


def exemplar_rows(queryset) -> Iterator[list]:
    """``source``, ``point``, ``answer``, ``credit`` for each exemplar with a marking point
    (the point's 1-based place among its topic's active points, as the importers count)."""
    yield ["source", "point", "answer", "credit"]
    exemplars = queryset.select_related("question__topic").prefetch_related(
        Prefetch(
            "question__topic__marking_points",
            queryset=MarkingPoint.objects.active().order_by("position", "id"),
            to_attr="active_points",
        )
    )
    for exemplar in exemplars.order_by("question__topic__source_file", "question_id", "id"):
        topic = exemplar.question.topic
        numbers = {p.pk: n for n, p in enumerate(topic.active_points, start=1)}
        number = numbers.get(exemplar.question.marking_point_id)
        if number is None:
            continue  # a question whose point was retired: the importers could not place it
        yield [topic.source_file, number, exemplar.answer_text, int(exemplar.credited)]


def exemplars_csv_response(queryset) -> StreamingHttpResponse:
    """The exemplars as a downloadable CSV, streamed, safe to open in a spreadsheet (UTF-8 with
    a byte-order mark, which the importers read past)."""
    return csv_response(exemplar_rows(queryset), filename="exemplars.csv")


__all__ = ["exemplar_rows", "exemplars_csv_response"]
