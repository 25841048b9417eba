"""Mark a batch of answers (rows of a CSV) with the marker the site uses, and measure
agreement with human marks when they are given. Reads only: nothing is stored."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from django.db.models import Prefetch

from assessments.calibration import agreement
from assessments.marking import MisconceptionSpec, mark_answer
from assessments.marking.exemplars import Learning
from assessments.models import Question
from topics.models import MarkingPoint, Topic

REQUIRED_COLUMNS = ("source", "point", "answer")


class BatchInputError(ValueError):
    """The CSV as a whole cannot be read (missing columns, not text)."""


@dataclass
class RowOutcome:
    row: int
    source: str
    point: str
    answer: str
    credit: bool | None = None
    result: dict | None = None
    auto_markable: bool = True
    error: str = ""

    def to_json(self) -> dict:
        data: dict = {"row": self.row, "source": self.source, "point": self.point}
        if self.error:
            data["error"] = self.error
            return data
        assert self.result is not None  # noqa: S101 - set whenever error is empty
        data.update(
            awarded=self.result["awarded"],
            score=self.result["score"],
            max=self.result["max_score"],
            auto_markable=self.auto_markable,
            evidence=[
                {
                    "indicator": m["indicator"],
                    "text": m["text"],
                    "start": m["start"],
                    "end": m["end"],
                }
                for m in self.result.get("matches", [])
            ],
            missing=self.result.get("missing", []),
            misconceptions=[m["statement"] for m in self.result.get("misconceptions", [])],
            confident=self.result.get("confident", True),
            feedback=self.result.get("feedback", ""),
        )
        if self.credit is not None:
            data["credit"] = int(self.credit)
        return data


@dataclass
class BatchReport:
    outcomes: list[RowOutcome] = field(default_factory=list)

    def summary(self) -> dict:
        marked = [o for o in self.outcomes if not o.error]
        summary: dict = {
            "rows": len(self.outcomes),
            "marked": len(marked),
            "errors": len(self.outcomes) - len(marked),
            "awarded": sum(1 for o in marked if o.result["awarded"]),
        }
        # Role-play points are the tutor's to mark: the auto-marker never credits them, so
        # counting them would measure nothing but that rule.
        labelled = [o for o in marked if o.credit is not None and o.auto_markable]
        if labelled:
            stats = agreement((o.credit, o.result["awarded"]) for o in labelled)
            summary["agreement"] = {
                "n": stats.n,
                "accuracy": round(stats.accuracy, 4),
                "kappa": round(stats.kappa, 4),
                "confusion": dict(stats.confusion),
                "excluded_not_auto_markable": sum(
                    1 for o in marked if o.credit is not None and not o.auto_markable
                ),
                "disagreements": [
                    {
                        "row": o.row,
                        "source": o.source,
                        "point": o.point,
                        "credit": int(o.credit),
                        "awarded": o.result["awarded"],
                        "answer": o.answer,
                    }
                    for o in labelled
                    if o.credit != o.result["awarded"]
                ],
            }
        return summary


def read_csv_bytes(raw: bytes) -> list[dict[str, str]]:
    """Decode an uploaded or read CSV file and parse it (``read_rows``); raises
    ``BatchInputError`` saying what is wrong with the file as a whole."""
    if b"\x00" in raw:
        raise BatchInputError("contains a NUL byte: it is not a text CSV file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BatchInputError("not UTF-8 text; save the CSV as UTF-8") from None
    try:
        return read_rows(text)
    except csv.Error as error:
        raise BatchInputError(f"not a readable CSV file ({error})") from None


def read_rows(text: str) -> list[dict[str, str]]:
    """Parse CSV text into rows; raises ``BatchInputError`` naming missing columns."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        found = ", ".join(columns) or "none"
        raise BatchInputError(
            f"the CSV has no {', '.join(missing)} column(s); expected columns "
            f"{', '.join(REQUIRED_COLUMNS)} and optionally credit (found: {found})"
        )
    rows = []
    for raw in reader:
        rows.append({(k or "").strip().lower(): (v or "") for k, v in raw.items()})
    return rows


def _parse_credit(value: str) -> bool | None | str:
    value = (value or "").strip().lower()
    if value == "":
        return None
    if value in {"1", "true", "yes"}:
        return True
    if value in {"0", "false", "no"}:
        return False
    return f"credit must be 0 or 1, not {value!r}"


def mark_rows(rows: Iterable[Mapping[str, str]]) -> BatchReport:
    """Mark each row against the question for its topic's Nth active marking point.

    ``point`` is 1-based, in document order. Unknown sources or points are reported on their
    row and the other rows are still marked. Queries: a fixed handful, however many rows.
    """
    report = BatchReport()
    for outcome, question, specs in resolve_rows(rows):
        report.outcomes.append(outcome)
        if question is None:
            continue
        result = mark_answer(
            outcome.answer,
            question.to_rubric(),
            misconceptions=specs,
            learning=Learning.from_dict(question.learning),
        )
        outcome.result = result.to_dict()
        outcome.auto_markable = question.auto_markable
    return report


def resolve_rows(
    rows: Iterable[Mapping[str, str]],
) -> Iterator[tuple[RowOutcome, Question | None, tuple[MisconceptionSpec, ...]]]:
    """Each row with its question (None, with ``outcome.error`` set, when it has none) and its
    topic's misconceptions. Reads only; a fixed handful of queries however many rows."""
    rows = list(rows)
    sources = {row.get("source", "").strip() for row in rows}
    topics = {
        topic.source_file: topic
        for topic in Topic.objects.filter(source_file__in=sources).prefetch_related(
            Prefetch(
                "marking_points",
                queryset=MarkingPoint.objects.active().order_by("position", "id"),
                to_attr="points",
            ),
            Prefetch(
                "questions",
                queryset=Question.objects.active()
                .filter(kind=Question.Kind.SHORT_ANSWER)
                .select_related("marking_point")
                .prefetch_related("indicators"),
                to_attr="short_answers",
            ),
            "misconceptions",
        )
    }
    for number, row in enumerate(rows, start=1):
        source = row.get("source", "").strip()
        point_text = row.get("point", "").strip()
        outcome = RowOutcome(
            row=number, source=source, point=point_text, answer=row.get("answer", "")
        )
        question, error = _question_for(row, topics, source, point_text, outcome)
        outcome.error = error
        topic = topics.get(source)
        specs = (
            tuple(
                MisconceptionSpec(statement=m.statement, correction=m.correction)
                for m in topic.misconceptions.all()
            )
            if topic is not None and question is not None
            else ()
        )
        yield outcome, question, specs


def _question_for(row, topics, source, point_text, outcome) -> tuple[Question | None, str]:
    credit = _parse_credit(row.get("credit", ""))
    if isinstance(credit, str):
        return None, credit
    outcome.credit = credit
    topic = topics.get(source)
    if topic is None:
        return None, f"unknown source {source!r}: no topic was imported from that file"
    try:
        index = int(point_text)
    except ValueError:
        return None, f"point must be a whole number, not {point_text!r}"
    if not 1 <= index <= len(topic.points):
        return None, f"{source} has {len(topic.points)} marking points; there is no point {index}"
    point = topic.points[index - 1]
    question = next((q for q in topic.short_answers if q.marking_point_id == point.pk), None)
    if question is None:
        return None, f"marking point {index} of {source} has no short-answer question"
    return question, ""
