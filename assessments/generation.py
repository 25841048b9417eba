"""Pure question generation: multiple-choice questions and exam-tip choice from topic content.

Distractors and option order come from a hash of the question's key, not from a random number
generator, so the same content always produces the same quiz.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from topics.parsing import normalise_text

OPTIONS_PER_QUESTION = 4
MISCONCEPTION_PROMPT = "Which of these is a common mistake to avoid?"

_STOPWORDS = frozenset(
    "a an and are as at be by for from how in is it of on or that the this to with your you "
    "award credit learners learner should must evidence demonstrate demonstrating".split()
)


@dataclass(frozen=True)
class ChoiceQuestion:
    source_key: str
    prompt: str
    choices: tuple[str, ...]
    correct_index: int


def stable_order(items: Sequence[str], salt: str) -> list[str]:
    """``items`` in an order that depends only on the items and ``salt``."""
    return sorted(items, key=lambda item: hashlib.sha256(f"{salt}|{item}".encode()).hexdigest())


def _pick_distractors(correct: str, pools: Sequence[Sequence[str]], salt: str, count: int):
    """Up to ``count`` options unlike ``correct``, nearest pool first (same topic, then wider)."""
    chosen: list[str] = []
    seen = {normalise_text(correct)}
    for pool in pools:
        for candidate in stable_order(list(pool), salt):
            key = normalise_text(candidate)
            if key and key not in seen:
                seen.add(key)
                chosen.append(candidate)
                if len(chosen) == count:
                    return chosen
    return chosen


def _assemble(source_key: str, prompt: str, correct: str, distractors: list[str]):
    options = stable_order([correct, *distractors], source_key + "|options")
    return ChoiceQuestion(
        source_key=source_key,
        prompt=prompt,
        choices=tuple(options),
        correct_index=options.index(correct),
    )


def concept_question(
    term: str, explanation: str, *, distractor_pools: Sequence[Sequence[str]]
) -> ChoiceQuestion | None:
    """ "Which key concept does this describe?" with the concept's explanation as the clue.

    ``distractor_pools`` are other concept terms, nearest first (same topic, same qualification,
    everything). Returns None when there is no explanation or not even one distractor.
    """
    if not explanation.strip():
        return None
    source_key = f"concept:{normalise_text(term)}"[:255]
    # The explanation must not give the answer away by naming it.
    clue = re.sub(re.escape(term), "…", explanation, flags=re.IGNORECASE).strip()
    distractors = _pick_distractors(term, distractor_pools, source_key, OPTIONS_PER_QUESTION - 1)
    if not distractors:
        return None
    prompt = f"Which key concept does this describe? “{clue}”"
    return _assemble(source_key, prompt, term, distractors)


def misconception_question(
    statement: str, *, true_statements: Sequence[str]
) -> ChoiceQuestion | None:
    """Spot the common mistake among good practice from the same topic.

    ``true_statements`` are the topic's exam tips and corrections. Returns None when the topic
    offers nothing true to set beside the mistake.
    """
    source_key = f"misconception:{normalise_text(statement)}"[:255]
    distractors = _pick_distractors(
        statement, [true_statements], source_key, OPTIONS_PER_QUESTION - 1
    )
    if not distractors:
        return None
    return _assemble(source_key, MISCONCEPTION_PROMPT, statement, distractors)


def _content_words(text: str) -> set[str]:
    words = set()
    for word in re.findall(r"[a-z]+", text.casefold()):
        if len(word) > 2 and word not in _STOPWORDS:
            # A crude stem is enough to match "retention"/"retain", "feedback"/"feedbacks".
            words.add(word[:6])
    return words


def relevant_exam_tip(text: str, tips: Sequence[str]) -> str | None:
    """The exam tip sharing most content words with ``text`` (a marking point), if any does."""
    wanted = _content_words(text)
    best, best_overlap = None, 0
    for tip in tips:
        overlap = len(wanted & _content_words(tip))
        if overlap > best_overlap:
            best, best_overlap = tip, overlap
    return best
