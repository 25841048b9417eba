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
    offers nothing true to set beside the mistake. Every option is phrased alike, as a practice
    (``as_practice``): as written, the mistakes begin "Confusing…", "Assuming…", "Failing…" and
    the tips "Use…", "Always…", so the first word alone gave the answer away.
    """
    source_key = f"misconception:{normalise_text(statement)}"[:255]
    distractors = _pick_distractors(
        statement, [true_statements], source_key, OPTIONS_PER_QUESTION - 1
    )
    if not distractors:
        return None
    correct = as_practice(statement, mistake=True)
    phrased = [as_practice(text) for text in distractors]
    # Two texts can phrase the same way; the question needs distinct options.
    seen = {normalise_text(correct)}
    unique = []
    for text in phrased:
        if normalise_text(text) not in seen:
            seen.add(normalise_text(text))
            unique.append(text)
    if not unique:
        return None
    return _assemble(source_key, MISCONCEPTION_PROMPT, correct, unique)


# --- phrasing every option alike -------------------------------------------------------------

# Verbs that double their last consonant before "-ing".
_DOUBLING = frozenset("map plan stop drop set get put refer prefer admit commit omit".split())
# Words that open a clause before the instruction: "When discussing X, provide Y".
_CLAUSE_OPENERS = frozenset("when for in if while where before after during".split())
_ADVERBS = frozenset("always consistently clearly".split())
# How the mistakes begin, and the same said in the frame every option shares ("Answering by…",
# "Answering without…", "Taking it that…"): a mistake's first word must not be a word that
# means "mistake", nor one that only mistakes begin with.
_MISTAKE_OPENERS = (
    (re.compile(r"^confusing (?P<a>.+?) with ", re.IGNORECASE), "Answering by treating {a} as "),
    (
        re.compile(r"^(?:assuming|believing|thinking|presuming)(?: that)? ", re.IGNORECASE),
        "Taking it that ",
    ),
    (re.compile(r"^(?:failing|neglecting|forgetting) to (?P<verb>\w+) ", re.IGNORECASE), None),
    (
        re.compile(r"^(?:overlooking|ignoring|neglecting|forgetting) ", re.IGNORECASE),
        "Answering without considering ",
    ),
)
# Every option opens with one of these (instructions and other "-ing" phrases with the first).
ANSWERING, TAKING_IT = "Answering by ", "Taking it that "


def gerund(verb: str) -> str:
    """ "use" → "using", "map" → "mapping", "link" → "linking" (capitalised like ``verb``)."""
    word = verb.lower()
    if word.endswith("ing") and len(word) > 4:
        result = word
    elif word == "be":
        result = "being"
    elif word in _DOUBLING:
        result = word + word[-1] + "ing"
    elif word.endswith("ie"):
        result = word[:-2] + "ying"
    elif word.endswith("e") and not word.endswith(("ee", "ye", "oe")):
        result = word[:-1] + "ing"
    else:
        result = word + "ing"
    return result.capitalize() if verb[:1].isupper() else result


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[1].isupper():  # an acronym: "CRM is…"
        return text
    return text[:1].lower() + text[1:]


def _is_adverb(word: str) -> bool:
    word = word.lower()
    return word in _ADVERBS or (word.endswith("ly") and len(word) > 4)


def _is_gerund(word: str) -> bool:
    return word.lower().endswith("ing") and len(word) > 4


def as_practice(text: str, *, mistake: bool = False) -> str:
    """``text`` (a misconception, an exam tip or a correction) as a practice in one shared
    frame, so a spot-the-mistake question's options read alike: each opens "Answering by…",
    "Answering without…" or "Taking it that…", whether it is the mistake or not.

    Mistakes lose their tell-tale opener ("Confusing A with B" → "Answering by treating A as
    B", "Failing to X" → "Answering without Xing", "Overlooking X" → "Answering without
    considering X", "Assuming that" → "Taking it that"); instructions become "Answering by …"
    ("Use X" → "Answering by using X", "When Y, provide X" → "Answering by providing X, when
    y"); statements of fact become "Taking it that …".
    """
    text = " ".join(text.split()).strip()
    if not text:
        return text
    return _mistake_as_practice(text) if mistake else _truth_as_practice(text)


def _mistake_as_practice(text: str) -> str:
    for pattern, replacement in _MISTAKE_OPENERS:
        match = pattern.match(text)
        if not match:
            continue
        rest = text[match.end() :]
        if replacement is None:
            return f"Answering without {gerund(match['verb'].lower())} {rest}"
        return replacement.format(**match.groupdict()) + rest
    first = text.split(" ", 1)[0]
    if _is_gerund(first):
        return ANSWERING + first.lower() + text[len(first) :]
    return TAKING_IT + _lower_first(text)


def _truth_as_practice(text: str) -> str:
    words = text.split(" ")
    first = words[0].strip(",:").lower()
    if _is_gerund(words[0]):
        return ANSWERING + _lower_first(text)
    if first in _CLAUSE_OPENERS and ", " in text:
        clause, rest = text.split(", ", 1)
        rest_words = rest.split(" ")
        if _is_adverb(rest_words[0]) and len(rest_words) > 1:
            rest_words = rest_words[1:]
        if rest_words[0].lower() in _STATEMENT_STARTERS:
            return TAKING_IT + _lower_first(text)
        body = " ".join([gerund(rest_words[0].lower()), *rest_words[1:]]).rstrip(".")
        return f"{ANSWERING}{body}, {_lower_first(clause)}."
    if _is_adverb(first) and len(words) > 1:
        words = words[1:]
        first = words[0].lower()
    if first in _STATEMENT_STARTERS:
        return TAKING_IT + _lower_first(" ".join(words))
    return ANSWERING + " ".join([gerund(words[0].lower()), *words[1:]])


# Corrections are statements, not instructions: "Complaints provide…", "This diploma covers…".
# Exam tips are instructions. A statement starts with a determiner, pronoun or a noun; the
# words below are the ones the topic documents use. Anything else is read as an instruction.
_STATEMENT_STARTERS = frozenset(
    "a an the this that these those it its there they we customer customers complaints "
    "complaint effective good friendliness service staff learners learner satisfaction "
    "retention crm feedback each every most many some all while although".split()
)


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
