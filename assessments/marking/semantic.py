"""The semantic channel: ideas of a criterion found by meaning where its words were not.

Similarity never decides a mark on its own. Measured for issue 10, the cosine between a whole
answer and the marking point separates credited from uncredited answers no better than chance:
wrong, negated and off-topic answers reuse the point's words. So the structure goes first: it
says which ideas a criterion asks for, how many are needed, whether the answer explains, denies
or asserts a misconception. Only then does this channel ask, for each idea the structure did not
find, whether one clause of the answer says it in other words ("keeps everyone's phone numbers
in one place" for "contact management"), and each clause can stand for one idea only.

It runs only where the qualification's lexicon names a sentence model (the general lexicon:
qualifications nobody wrote vocabulary for) and only on criterion-style points: on the
customer-service lexicon, whose word classes already read everyday wording, and on SemEval's
reference answers it cost agreement or changed nothing (docs/marking.md, "Meaning for
qualifications without a lexicon", with the figures). Pure Python, no ORM.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from assessments import lexicon
from assessments.marking.feedback import NO_LINK, FeedbackFacts, compose_feedback
from assessments.marking.lexical import (
    credited_score,
    find_link,
    ideas_to_show,
    mentions_negation,
)
from assessments.marking.results import EvidenceMatch, MarkResult
from assessments.rubrics import Rubric, is_criterion
from assessments.sentence_model import (
    MAX_TOKENS,
    SentenceModel,
    piece_coverage,
    recurring_token_vectors,
)

__all__ = [
    "MAX_CLAUSES",
    "THRESHOLD",
    "MeaningMatch",
    "clauses",
    "complete_by_meaning",
    "idea_similarity",
]

# The similarity (``idea_similarity``) a clause needs with an idea to say it. Set, without
# looking at any evaluation set, at the 90th percentile of the similarity between an idea and
# the clauses of answers written for *other* points of the same topics (our labelled set read
# with the general lexicon: 50th percentile 0.158, 90th 0.337, 95th 0.467): a clause must be
# closer to the idea than nine in ten clauses about something else.
THRESHOLD = 0.337
# Clauses read per answer, at most: bounds the model's work (one batch) for a long answer.
MAX_CLAUSES = 12
_CLAUSE_BREAK = re.compile(r"[.;:!?\n]+|,|\b(?:and|so|because|then|but|while)\b", re.I)
_SENTENCE = re.compile(r"[^.!?\n]+")
_WORD = re.compile(r"[A-Za-z0-9']+")


@dataclass(frozen=True)
class MeaningMatch:
    """A clause of the answer (``answer[start:end] == text``) that says ``indicator``."""

    indicator: str
    text: str
    start: int
    end: int
    similarity: float


def _spans(text: str, breaks: re.Pattern[str]) -> list[tuple[int, int]]:
    spans, start = [], 0
    for found in breaks.finditer(text):
        spans.append((start, found.start()))
        start = found.end()
    spans.append((start, len(text)))
    trimmed = []
    for begin, end in spans:
        piece = text[begin:end]
        begin += len(piece) - len(piece.lstrip())
        end -= len(piece) - len(piece.rstrip())
        if len(_WORD.findall(text[begin:end])) >= 2:
            trimmed.append((begin, end))
    return trimmed


def clauses(text: str) -> list[tuple[int, int]]:
    """Spans of the answer's clauses (split at punctuation and at "and", "so", "because"…),
    each of two words or more, at most ``MAX_CLAUSES``.

    Whole sentences as well found a few more ideas (κ 0.379 against 0.368 on the examiners'
    answers read with the general lexicon) but doubled the model's work: p99 31 ms per answer,
    over the 25 ms budget (docs/marking.md)."""
    return _spans(text, _CLAUSE_BREAK)[:MAX_CLAUSES]


def idea_similarity(
    text: str, spans: Sequence[tuple[int, int]], labels: Sequence[str], model: SentenceModel
) -> np.ndarray:
    """How closely each clause (``text[start:end]``, columns) says each idea (rows): the mean,
    over the idea's word pieces, of the cosine with the closest word piece of the clause, the
    clause's pieces read in the context of the whole answer.

    Matching word by word keeps what one averaged vector per clause blurs: that the idea's
    own content is present in other words (docs/marking.md, "Ideas read word by word")."""
    matrix = np.zeros((len(labels), len(spans)), dtype=np.float32)
    windows = [
        window
        for window in _context_windows(text, model)
        if any(window[0] <= start < window[1] for start, _ in spans)
    ]
    read = model.word_pieces([text[begin:end] for begin, end in windows])
    ideas = [recurring_token_vectors(model, label) for label in labels]
    for column, (start, end) in enumerate(spans):
        clause = next(
            (
                pieces.within(start - begin, end - begin)
                for (begin, finish), pieces in zip(windows, read, strict=True)
                if begin <= start < finish
            ),
            None,
        )
        if clause is None or not len(clause):
            continue
        for row, idea in enumerate(ideas):
            if len(idea):
                matrix[row, column] = piece_coverage(idea, clause)
    return matrix


def _context_windows(text: str, model: SentenceModel) -> list[tuple[int, int]]:
    """The answer as runs of whole sentences (each with its full stop: it changes how the
    words before it are read), each as long as the model reads at once: for almost every
    answer, one run (the whole answer)."""
    starts = [found.start() for found in _SENTENCE.finditer(text)]
    sentences = list(zip(starts, [*starts[1:], len(text)], strict=True))
    lengths = [len(e.ids) for e in model.tokenizer.encode_batch([text[b:e] for b, e in sentences])]
    windows: list[tuple[int, int]] = []
    used = 0
    for (begin, end), length in zip(sentences, lengths, strict=True):
        # Each sentence's count includes the model's two markers, which a run holds once.
        if windows and used + length - 2 <= MAX_TOKENS:
            windows[-1] = (windows[-1][0], end)
            used += length - 2
        else:
            windows.append((begin, end))
            used = length
    return windows


def match_by_meaning(
    text: str,
    labels: Sequence[str],
    model: SentenceModel,
    threshold: float = THRESHOLD,
    taken: Sequence[tuple[int, int]] = (),
) -> list[MeaningMatch]:
    """For each idea in ``labels``, the clause of ``text`` that says it, if any: as many ideas as
    distinct clauses can say, each clause used once, never a clause that denies something or
    overlaps a span in ``taken`` (the words already credited to another idea)."""
    spans = [
        (s, e)
        for s, e in clauses(text)
        if not mentions_negation(text[s:e])
        and not any(s < end and start < e for start, end in taken)
    ]
    if not spans or not labels:
        return []
    similarity = idea_similarity(text, spans, labels, model)
    # The most ideas that distinct clauses can say (a maximum bipartite matching over the pairs
    # above the threshold; closest clause first), not the closest pair first: "wearing gloves"
    # is closer to hand hygiene than to protective equipment, but when another clause says hand
    # hygiene it is the protective equipment.
    candidates = [
        sorted(
            (j for j in range(len(spans)) if similarity[i, j] >= threshold),
            key=lambda j, i=i: (-similarity[i, j], j),
        )
        for i in range(len(labels))
    ]
    owner: dict[int, int] = {}
    for i in sorted(range(len(labels)), key=lambda i: -similarity[i].max()):
        _assign(i, candidates, owner, set())
    return [
        MeaningMatch(
            labels[i], text[spans[j][0] : spans[j][1]], *spans[j], round(float(similarity[i, j]), 3)
        )
        for j, i in sorted(owner.items(), key=lambda item: item[1])
    ]


def _assign(idea: int, candidates: list[list[int]], owner: dict[int, int], seen: set[int]) -> bool:
    """Kuhn's augmenting path: give ``idea`` a clause, moving other ideas to their next ones."""
    for clause in candidates[idea]:
        if clause in seen:
            continue
        seen.add(clause)
        if clause not in owner or _assign(owner[clause], candidates, owner, seen):
            owner[clause] = idea
            return True
    return False


def complete_by_meaning(
    text: str,
    rubric: Rubric,
    result: MarkResult,
    facts: FeedbackFacts,
    model: SentenceModel | None = None,
) -> tuple[MarkResult, FeedbackFacts]:
    """``result`` and ``facts`` with the criterion's missing ideas looked for by meaning, with
    ``model`` or else the one the rubric's lexicon names (loaded only when there is an idea to
    look for: most answers never need it).

    Unchanged when the lexicon names no model, credit was already given, the point is a
    reference answer, or nothing new is found. An idea the point states as a negation is never
    looked for (a cosine does not read "not"). The structure's verdicts stand: its explanation
    check, denied ideas and asserted misconceptions still withhold credit; only its link check,
    which failed for want of ideas to link, is asked again with the ideas found here.
    """
    lex = lexicon.load_lexicon(rubric.lexicon)
    if (
        not (model or lex.sentence_model)
        or result.awarded
        or not facts.missing
        or not is_criterion(rubric.point_text)
    ):
        return result, facts
    readable = _ideas_to_read(rubric, lex)
    wanted = [label for label in facts.missing if label in readable]
    if not wanted:
        return result, facts
    model = model or lexicon.sentence_model_for(lex)
    taken = [(m.start, m.end) for m in result.matches]
    matches = match_by_meaning(text, wanted, model, taken=taken)
    if not matches:
        return result, facts
    return _with_matches(text, result, facts, matches)


def _linked_now(
    text: str, result: MarkResult, facts: FeedbackFacts, matches: Sequence[MeaningMatch]
) -> str:
    """The structure's link check asked again with the ideas found by meaning: its reason line
    when the sentences holding the credited ideas now show a linking word, else ""."""
    if facts.explanation_ok or facts.explanation_problem != NO_LINK:
        return ""
    starts = [m.start for m in (*result.matches, *matches)]
    chunks = [
        sentence.group(0)
        for sentence in _SENTENCE.finditer(text)
        if any(sentence.start() <= start < sentence.end() for start in starts)
    ]
    link = find_link(chunks)
    return link.reason if link else ""


def _ideas_to_read(rubric: Rubric, lex: lexicon.Lexicon) -> set[str]:
    """The ideas this channel may look for: not one the point states as a negation, and not
    one the lexicon knows as a concept (its phrases already read everyday wording of it, and
    there the model only added wrong matches: docs/marking.md)."""
    concepts = lexicon.concept_wordings(lex)
    return {
        indicator.label
        for indicator in rubric.indicators
        if not any(a.startswith("~") for a in indicator.alternatives)
        and not any(w.lower() in concepts for w in (indicator.label, *indicator.alternatives))
    }


def _with_matches(
    text: str, result: MarkResult, facts: FeedbackFacts, matches: Sequence[MeaningMatch]
) -> tuple[MarkResult, FeedbackFacts]:
    linked = _linked_now(text, result, facts, matches)
    notes = [m for m in result.missing if m not in facts.missing]
    if linked:
        # The only note the structure adds for a failed link is the explanation it asks for.
        facts = replace(facts, explanation_ok=True, explanation_problem="")
        notes = []
    found = [*facts.found, *(m.indicator for m in matches)]
    count, required = len(found), facts.required
    awarded = (
        count >= required
        and facts.explanation_ok
        and not facts.negated
        and not facts.misconceptions
    )
    new_facts = replace(
        facts,
        awarded=awarded,
        found=found,
        missing=[label for label in facts.missing if label not in found],
    )
    # What the learner still needs: the ideas not found, then the structure's own notes on
    # the explanation (entries of its list that are not idea labels).
    missing = ideas_to_show(new_facts.missing, count, required)
    reasons = [
        *result.reasons,
        *(
            f"‘{m.text}’ says {m.indicator} in other words (meaning similarity "
            f"{m.similarity:.2f}, {THRESHOLD:.3g} needed)"
            for m in matches
        ),
        *([linked] if linked else []),
        f"meaning: {count} distinct idea(s) with those found by meaning, {required} needed"
        f" -> {'credit' if awarded else 'no credit'}",
    ]
    updated = replace(
        result,
        awarded=awarded,
        score=credited_score(count, required, explained=facts.explanation_ok),
        matches=(
            *result.matches,
            *(EvidenceMatch(m.indicator, m.text, m.start, m.end) for m in matches),
        ),
        missing=(*missing, *notes),
        feedback=compose_feedback(new_facts),
        reasons=tuple(reasons),
    )
    return updated, new_facts
