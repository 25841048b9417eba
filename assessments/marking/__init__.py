"""Marking free-text answers as an examiner would: one pipeline, one way in.

The pipeline is rubric -> evidence channels -> decision -> feedback:

* ``assessments.rubrics`` reads a marking point into the ideas it asks for;
* ``lexical`` finds each idea's wording in the answer (structure: negation, counting,
  explanation, misconceptions); other channels add evidence of their own;
* the configured backend decides and explains.

The site, batch marking and ``mark_answers`` all go through ``get_marker()``, whose backend is
chosen by ``settings.MARKER_BACKEND`` (a dotted path, read with ``import_string`` as
``AUTH_PASSWORD_VALIDATORS`` are). Every ``MarkResult`` records the marker's name and version so
a stored mark can be explained after the marker changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from assessments.marking.exemplars import Learning
from assessments.marking.results import (
    EvidenceMatch,
    FlaggedMisconception,
    Marker,
    MarkResult,
    MisconceptionSpec,
)
from assessments.rubrics import Rubric

__all__ = [
    "DEFAULT_MARKER_BACKEND",
    "EvidenceMatch",
    "FlaggedMisconception",
    "MarkResult",
    "Marker",
    "MisconceptionSpec",
    "get_marker",
    "mark_answer",
]

DEFAULT_MARKER_BACKEND = "assessments.marking.pipeline.PipelineMarker"


def _configured_backend() -> str:
    from django.conf import settings

    if not settings.configured:
        return DEFAULT_MARKER_BACKEND
    return getattr(settings, "MARKER_BACKEND", DEFAULT_MARKER_BACKEND)


@lru_cache(maxsize=4)
def _marker_for(path: str) -> Marker:
    from django.utils.module_loading import import_string

    return import_string(path)()


def get_marker() -> Marker:
    """The marker the site uses (one instance per backend per process, loaded on first use)."""
    return _marker_for(_configured_backend())


def mark_answer(
    answer: str,
    rubric: Rubric,
    *,
    misconceptions: Sequence[MisconceptionSpec] = (),
    learning: Learning | None = None,
) -> MarkResult:
    """Mark one free-text answer with the configured marker (see ``get_marker``).

    ``answer``: the learner's text (any string; hostile input is handled). ``rubric``: from
    ``build_rubric`` or ``Rubric.from_dict``. ``misconceptions``: the topic's misconceptions.
    ``learning``: what the question's tutor-marked exemplars taught, for a marker that learns.
    Returns a ``MarkResult``; never raises for odd answers.
    """
    marker = get_marker()
    if learning is not None and getattr(marker, "learns_from_exemplars", False):
        return marker.mark(answer, rubric, misconceptions, learning)
    return marker.mark(answer, rubric, misconceptions)
