"""What a marker returns, and the protocol every marker backend implements.

Pure data: no ORM, no request. A ``MarkResult`` is stored as JSON on each response, so a re-mark
months later can still be read and explained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from assessments.rubrics import Rubric

__all__ = [
    "EvidenceMatch",
    "FlaggedMisconception",
    "MarkResult",
    "Marker",
    "MisconceptionSpec",
]


@dataclass(frozen=True)
class MisconceptionSpec:
    """A topic misconception: the mistaken ``statement`` and, if known, its ``correction``."""

    statement: str
    correction: str = ""


@dataclass(frozen=True)
class EvidenceMatch:
    """Text that earned credit for ``indicator``; ``answer[start:end] == text``."""

    indicator: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class FlaggedMisconception:
    """A misconception the answer states as true, with the span that states it."""

    statement: str
    correction: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class MarkResult:
    """The outcome of marking one answer. JSON-safe via ``to_dict()`` / ``from_dict()``."""

    awarded: bool
    score: int
    max_score: int
    matches: tuple[EvidenceMatch, ...] = ()
    missing: tuple[str, ...] = ()
    misconceptions: tuple[FlaggedMisconception, ...] = ()
    feedback: str = ""
    confident: bool = True
    reasons: tuple[str, ...] = field(default=())
    # Which marker decided, and the hashes of any model or data file it read: {"name": ...,
    # "version": ..., "files": {...}}. Empty on results stored before markers recorded it.
    marker: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of str/int/bool/lists, suitable for a JSONField."""
        return {
            "awarded": self.awarded,
            "score": self.score,
            "max_score": self.max_score,
            "matches": [
                {"indicator": m.indicator, "text": m.text, "start": m.start, "end": m.end}
                for m in self.matches
            ],
            "missing": list(self.missing),
            "misconceptions": [
                {
                    "statement": m.statement,
                    "correction": m.correction,
                    "text": m.text,
                    "start": m.start,
                    "end": m.end,
                }
                for m in self.misconceptions
            ],
            "feedback": self.feedback,
            "confident": self.confident,
            "reasons": list(self.reasons),
            "marker": dict(self.marker),
        }

    @classmethod
    def from_dict(cls, data: Any) -> MarkResult:
        """Inverse of ``to_dict()``; raises ``ValueError`` naming the bad field."""
        if not isinstance(data, dict):
            raise ValueError(f"mark result: expected an object, got {type(data).__name__}")
        try:
            return cls(
                awarded=bool(data["awarded"]),
                score=int(data["score"]),
                max_score=int(data["max_score"]),
                matches=tuple(
                    EvidenceMatch(
                        str(m["indicator"]), str(m["text"]), int(m["start"]), int(m["end"])
                    )
                    for m in data.get("matches", [])
                ),
                missing=tuple(str(x) for x in data.get("missing", [])),
                misconceptions=tuple(
                    FlaggedMisconception(
                        str(m["statement"]),
                        str(m.get("correction", "")),
                        str(m["text"]),
                        int(m["start"]),
                        int(m["end"]),
                    )
                    for m in data.get("misconceptions", [])
                ),
                feedback=str(data.get("feedback", "")),
                confident=bool(data.get("confident", True)),
                reasons=tuple(str(x) for x in data.get("reasons", [])),
                marker=dict(data.get("marker") or {}),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"mark result: missing or invalid field ({error})") from error


class Marker(Protocol):
    """Anything that can mark an answer against a rubric.

    ``name`` and ``version`` are recorded on every result; ``version`` changes whenever the
    same answer could be marked differently (new rules, data or model).
    """

    name: str
    version: str

    def mark(
        self,
        answer: str,
        rubric: Rubric,
        misconceptions: Sequence[MisconceptionSpec] = (),
    ) -> MarkResult: ...


# --- word lists -------------------------------------------------------------------------------
