"""Plain-English feedback for a marked answer: what was found, what is missing, what to do next.

Pure and deterministic. Feedback never says credit was given unless it was: every sentence of
a "no credit" message talks about what was found or what is still needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assessments.marking.results import FlaggedMisconception

__all__ = ["FeedbackFacts", "compose_feedback", "join_labels"]

# What the answer's shape was, when it could not count as an explanation.
LIST_OF_TERMS = "a list of terms"
SINGLE_TERM = "a single term"
KEYWORDS_ONLY = "the question's own keywords"
NO_LINK = "no link between the ideas"


@dataclass(frozen=True)
class FeedbackFacts:
    """What the marker decided, in the terms feedback needs."""

    awarded: bool
    required: int
    found: Sequence[str]  # labels of the ideas that counted
    missing: Sequence[str]  # labels of the ideas not found, in rubric order
    negated: Sequence[str]  # labels the answer mentioned only to deny
    explanation_ok: bool
    explanation_problem: str  # one of the constants above when not ``explanation_ok``
    link_required: bool
    misconceptions: Sequence[FlaggedMisconception] = ()


def join_labels(labels: Sequence[str], conjunction: str = "and") -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    labels = list(labels)
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + f" {conjunction} " + labels[-1]


def compose_feedback(facts: FeedbackFacts) -> str:
    """The learner-facing feedback sentence(s) for one marked answer."""
    found = join_labels(facts.found)
    if facts.awarded:
        parts = [f"Credit awarded. You covered {found}."]
        if facts.link_required:
            parts.append("You also explained how they are connected.")
        return " ".join(parts)
    parts = ["No credit yet."]
    parts.extend(_found_and_missing(facts, found))
    if facts.negated:
        parts.append(
            f"The answer mentions {join_labels(sorted(set(facts.negated)))} only to say it is "
            "not the case, so that did not count."
        )
    if not facts.explanation_ok:
        parts.append(_explanation_advice(facts))
    for item in facts.misconceptions:
        said = f"“{item.text}”" if item.text else "The answer"
        correction = f" {item.correction}" if item.correction else ""
        parts.append(
            f"{said} repeats a common mistake: {_sentence_part(item.statement)}.{correction}"
        )
    return " ".join(parts)


def _found_and_missing(facts: FeedbackFacts, found: str) -> list[str]:
    count, required = len(facts.found), facts.required
    examples = join_labels(facts.missing[:3], "or")
    if count == 0 and facts.negated:
        return []  # the sentence about what was denied says it all
    if count == 0:
        return [
            "The answer does not mention any of the ideas this question looks for, such as "
            f"{examples}."
        ]
    if count < required:
        return [
            f"You mentioned {found} ({count} of the {required} ideas needed). "
            f"Add {required - count} more, such as {examples}."
        ]
    return [f"You mentioned the right ideas ({found}), but see below."]


def _explanation_advice(facts: FeedbackFacts) -> str:
    if facts.link_required:
        return (
            "The question asks how the ideas are connected: say how one leads to the other, "
            "for example with 'because', 'so' or 'which means'."
        )
    if facts.explanation_problem == KEYWORDS_ONLY:
        return (
            "The answer mostly repeats the question's own words: say what they mean, in your "
            "own words and in full sentences."
        )
    return (
        f"The answer is {facts.explanation_problem}, and the question asks you to describe or "
        "explain: write it out in full sentences."
    )


def _sentence_part(statement: str) -> str:
    """ "Assuming X." -> "assuming X", to run on after a colon; "CRM is …" keeps its capitals."""
    statement = statement.strip().rstrip(".")
    if len(statement) > 1 and statement[0].isupper() and not statement[1].isupper():
        return statement[0].lower() + statement[1:]
    return statement
