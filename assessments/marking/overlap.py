"""The word-overlap evidence channel, and the plain word-overlap baseline it is measured against.

Overlap is weak evidence on its own (an answer can reuse the reference's words to say the
opposite), so the decision model only ever weighs it beside the structural channel. It never
looks at how long the answer is: recall asks how much of the *reference* the answer covers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from assessments import lexicon

__all__ = ["content_stems", "reference_recall", "token_f1"]

_WORD = re.compile(r"[a-z0-9]+")

# Words that say what to do rather than what the idea is: never evidence of the idea.
_COMMAND_WORDS = frozenset(
    """
    award credit identify identifying identifies explain explaining explains describe describing
    describes outline outlining outlines state stating states list listing give giving name naming
    define defining demonstrate demonstrating discuss discussing evaluate evaluating justify
    justifying analyse analysing compare comparing suggest suggesting accurately clearly correctly
    learner learners candidate candidates should must least example examples e g eg such including
    answer answers show showing
    """.split()
)


def content_stems(text: str, exclude: Iterable[str] = ()) -> frozenset[str]:
    """Stems of ``text``'s content words, leaving out function words, command words and
    ``exclude`` (for example the question's own prompt words)."""
    excluded = {lexicon.stem(w) for w in exclude}
    return frozenset(
        stem
        for word in _WORD.findall((text or "").lower())
        if word not in lexicon.FUNCTION_WORDS and word not in _COMMAND_WORDS
        for stem in [lexicon.stem(word)]
        if stem not in excluded
    )


def reference_recall(answer: str, references: Sequence[str], exclude: Iterable[str] = ()) -> float:
    """The largest share of one reference's content stems that the answer also uses."""
    answer_stems = content_stems(answer)
    best = 0.0
    for reference in references:
        wanted = content_stems(reference, exclude)
        if wanted:
            best = max(best, len(wanted & answer_stems) / len(wanted))
    return best


def _tokens(text: str) -> list[str]:
    return _WORD.findall((text or "").lower())


def token_f1(answer: str, references: Sequence[str]) -> float:
    """The baseline: lower-cased token F1 against the closest reference (bags of tokens)."""
    answer_tokens = _tokens(answer)
    best = 0.0
    for reference in references:
        ref_tokens = _tokens(reference)
        if not answer_tokens or not ref_tokens:
            continue
        remaining = list(ref_tokens)
        common = 0
        for token in answer_tokens:
            if token in remaining:
                remaining.remove(token)
                common += 1
        if common:
            precision, recall = common / len(answer_tokens), common / len(ref_tokens)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best
