"""Meaning overlap: how much of a reference answer an answer says, word piece by word piece.

Word overlap counts the reference's words that the answer repeats; "the bulb is in a circuit
with no gap" and "the bulb is on a closed path" share few. Here each word piece of both texts
is read in context by the sentence model, and each piece of the reference is matched to the
closest piece of the answer (cosine of the contextual vectors, as BERTScore does): recall is the
mean over the reference, precision the mean over the answer.

Like word overlap it is weak evidence on its own (a wrong answer can use the reference's words),
so it is only ever an input of the decision model, beside the structure, and only on
reference-answer points: on criterion points the semantic channel reads ideas one by one. The
decision model was fitted with it; measured on SemEval with questions held out it adds about
0.01 macro-F1 on both sets (``docs/marking.md``, "Meaning overlap with the reference"). Pure
Python, no ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assessments.sentence_model import SentenceModel, piece_coverage, recurring_token_vectors

__all__ = ["MeaningOverlap", "meaning_overlap"]


@dataclass(frozen=True)
class MeaningOverlap:
    """Recall (share of the reference said) and F1 of the closest reference, each in [-1, 1]
    (cosines; in practice 0.1–1)."""

    recall: float = 0.0
    f1: float = 0.0


def meaning_overlap(answer: str, references: Sequence[str], model: SentenceModel) -> MeaningOverlap:
    """The meaning overlap of ``answer`` with the closest of ``references`` (by F1); zero when
    either side has no words."""
    best = MeaningOverlap()
    answer_vectors = model.token_vectors(answer) if answer.strip() else None
    if answer_vectors is None or not len(answer_vectors):
        return best
    for reference in references:
        reference_vectors = recurring_token_vectors(model, reference)
        if not len(reference_vectors):
            continue
        recall = piece_coverage(reference_vectors, answer_vectors)
        precision = piece_coverage(answer_vectors, reference_vectors)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        if f1 > best.f1:
            best = MeaningOverlap(recall=recall, f1=f1)
    return best
