"""Meaning overlap: how much of a reference answer an answer says, word piece by word piece.

Word overlap counts the reference's words that the answer repeats; "the bulb is in a circuit
with no gap" and "the bulb is on a closed path" share few. Here each word piece of both texts
is read in context by the sentence model, and each piece of the reference is matched to the
closest piece of the answer (cosine of the contextual vectors, as BERTScore does): recall is the
mean over the reference, precision the mean over the answer.

The same reading also gives the *meaning pattern* of the pair: the elementwise product and
absolute difference of the answer's and the reference's sentence vectors, as sentence-pair
classifiers (InferSent, Sentence-BERT) read a pair. Each of its 768 numbers is a feature of the
decision model, which learns from marked answers which differences of meaning cost credit.
What it learns is about the subjects it was fitted on: with whole questions held out it adds
about 0.02 macro-F1 on SemEval beetle and 0.006 on sciEntsBank, and fitted without a set it
adds nothing on that set (``docs/marking.md``, "The meaning pattern of answer and reference").

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

import numpy as np

from assessments.sentence_model import SentenceModel, piece_coverage, recurring_word_pieces

__all__ = ["PATTERN_SIZE", "MeaningOverlap", "meaning_overlap"]

# The product and the difference of two 384-dimensional sentence vectors.
PATTERN_SIZE = 768


@dataclass(frozen=True)
class MeaningOverlap:
    """Recall (share of the reference said) and F1 of the closest reference, each in [-1, 1]
    (cosines; in practice 0.1–1), and the pair's meaning pattern (``PATTERN_SIZE`` numbers)."""

    recall: float = 0.0
    f1: float = 0.0
    pattern: tuple[float, ...] = (0.0,) * PATTERN_SIZE


def meaning_overlap(answer: str, references: Sequence[str], model: SentenceModel) -> MeaningOverlap:
    """The meaning overlap of ``answer`` with the closest of ``references`` (by F1); zero when
    either side has no words."""
    best = MeaningOverlap()
    said = model.word_pieces([answer])[0] if answer.strip() else None
    if said is None or not len(said.vectors):
        return best
    for reference in references:
        wanted = recurring_word_pieces(model, reference)
        if not len(wanted.vectors):
            continue
        recall = piece_coverage(wanted.vectors, said.vectors)
        precision = piece_coverage(said.vectors, wanted.vectors)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        if f1 > best.f1:
            pattern = np.concatenate(
                [said.sentence * wanted.sentence, np.abs(said.sentence - wanted.sentence)]
            )
            best = MeaningOverlap(recall=recall, f1=f1, pattern=tuple(pattern.tolist()))
    return best
