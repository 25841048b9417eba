"""The marking pipeline: rubric -> evidence channels -> calibrated decision -> feedback.

``PipelineMarker`` is the site's marker (``settings.MARKER_BACKEND``). Its channels:

* structural (``lexical.LexicalMarker``): each idea's wording, negation, counting, explanation,
  misconceptions asserted as true;
* semantic (``semantic``), where the lexicon names a sentence model (both do): a criterion's
  ideas the structure did not find and no lexicon concept names, looked for by meaning, one
  clause of the answer each;
* overlap (``overlap``), on reference-answer points only: how much of the reference (model
  answer, else the point) the answer covers;
* meaning overlap (``alignment``), on reference-answer points only: the same question asked of
  the sentence model's contextual word vectors, so that other words for the reference's count;
  and the pair's meaning pattern, whose weights the decision model learned from marked answers;

and the shipped ``decision`` model turns their features into a probability of credit. A
misconception asserted as true always withholds credit; answers whose probability falls in the
unsure band go to the tutor's queue.

The sentence model helps only there: reading a criterion's ideas by meaning where a concept
names them, or a whole reference answer's meaning by one similarity of whole texts, did not
help (``docs/marking.md`` has the figures).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from assessments import lexicon
from assessments.marking.alignment import PATTERN_SIZE, meaning_overlap
from assessments.marking.decision import DecisionModel, load_decision_model
from assessments.marking.exemplars import Learning, apply_learning, remembered_mark
from assessments.marking.feedback import FeedbackFacts
from assessments.marking.kinds import is_criterion
from assessments.marking.lexical import MAX_CHARS, LexicalMarker
from assessments.marking.overlap import reference_recall, token_f1
from assessments.marking.results import MarkResult, MisconceptionSpec
from assessments.marking.semantic import complete_by_meaning
from assessments.rubrics import Rubric
from assessments.sentence_model import load_sentence_model, sentence_model_sha256

__all__ = [
    "CHANNEL_FEATURES",
    "FEATURES",
    "PATTERN_FEATURES",
    "PATTERN_INPUTS",
    "REFERENCE_FEATURES",
    "REFERENCE_INPUTS",
    "Evidence",
    "PipelineMarker",
    "is_criterion",
    "model_inputs",
    "references",
]

# What each channel reports. The decision model sees each under the kind of point it came from:
# a point written as an examiner's criterion ("Award credit for identifying…") or as a reference
# answer ("The other bulbs stay lit."). Structure carries the first kind and overlap with the
# reference the second, and one weight per feature cannot say both.
CHANNEL_FEATURES = (
    "lex_awarded",
    "lex_coverage",
    "lex_negated",
    "lex_explanation_failed",
    "misconception",
)
# Read only on reference-answer points. Word overlap with a criterion's model answer measured
# nothing on our or the examiners' sets (the same figures without it) and, as a penalty learned
# from answers that parrot the point, sent textbook answers naming every listed idea to a tutor.
# Meaning overlap and pattern: ``alignment``'s docstring says why.
PATTERN_FEATURES = tuple(f"meaning_pattern_{i:03d}" for i in range(PATTERN_SIZE))
REFERENCE_FEATURES = (
    "overlap_recall",
    "overlap_f1",
    "meaning_recall",
    "meaning_f1",
    *PATTERN_FEATURES,
)
# The decision model's names for them, looked up on every mark.
REFERENCE_INPUTS = frozenset(f"reference_{name}" for name in REFERENCE_FEATURES)
PATTERN_INPUTS = frozenset(f"reference_{name}" for name in PATTERN_FEATURES)
FEATURES = (
    "criterion",
    *(f"criterion_{name}" for name in CHANNEL_FEATURES),
    *(f"reference_{name}" for name in (*CHANNEL_FEATURES, *REFERENCE_FEATURES)),
)


@dataclass(frozen=True)
class Evidence:
    """What the channels found, as the decision model's inputs."""

    features: dict[str, float]


def model_inputs(channels: dict[str, float], criterion: bool) -> dict[str, float]:
    """The decision model's inputs: each channel feature under its kind of point."""
    kind = "criterion" if criterion else "reference"
    inputs = {"criterion": float(criterion)}
    inputs.update({f"{kind}_{name}": value for name, value in channels.items()})
    return inputs


def references(rubric: Rubric) -> tuple[str, ...]:
    """The reference text for an answer: the model answer, else the point, else the prompt."""
    for text in (rubric.model_answer, rubric.point_text, rubric.prompt):
        if text.strip():
            return (text,)
    return ()


# How closely (token F1) an answer must repeat the question's own model answer to be credited
# as a restatement of it, whatever the decision model weighs: the model answer is by definition
# creditworthy, while on examiner-style points the model learned that heavy overlap with the
# reference usually means parroting the point (measured: no change on any development set).
RESTATES_MODEL_ANSWER_F1 = 0.9


def restated_model_answer(text: str, rubric: Rubric, evidence: Evidence) -> float | None:
    """The token F1 with the question's model answer when ``text`` restates it (and denies
    nothing the rubric asks for); ``None`` otherwise or when the question has no model answer."""
    if not rubric.model_answer.strip():
        return None
    if any(v for k, v in evidence.features.items() if k.endswith("lex_negated")):
        return None
    f1 = token_f1(text, (rubric.model_answer,))
    return f1 if f1 >= RESTATES_MODEL_ANSWER_F1 else None


def _required(rubric: Rubric) -> int:
    return max(1, min(rubric.required_count, len(rubric.indicators) or 1))


def gather_evidence(
    text: str, rubric: Rubric, lexical: MarkResult, facts: FeedbackFacts
) -> Evidence:
    """Every channel's features for one answer. None of them measures the answer's length."""
    refs = references(rubric)
    criterion = is_criterion(rubric.point_text)
    channels = {
        "lex_awarded": float(lexical.awarded),
        "lex_coverage": min(1.0, lexical.score / _required(rubric)),
        "lex_negated": float(bool(facts.negated)),
        "lex_explanation_failed": float(not facts.explanation_ok),
        "misconception": float(bool(lexical.misconceptions)),
    }
    if not criterion:
        channels.update(
            overlap_recall=reference_recall(text, refs, rubric.prompt.split()),
            overlap_f1=token_f1(text, refs),
        )
        # Whatever the lexicon: the decision model was fitted with these on every such point.
        meaning = meaning_overlap(text, refs, load_sentence_model())
        channels.update(meaning_recall=meaning.recall, meaning_f1=meaning.f1)
        channels.update(zip(PATTERN_FEATURES, meaning.pattern, strict=True))
    return Evidence(features=model_inputs(channels, criterion))


class PipelineMarker:
    """Structure and overlap, weighed by the shipped decision model."""

    name = "pipeline"
    # 2: the semantic channel (2026-11-28). 3: meaning overlap on reference answers, and the
    # semantic channel's ideas read word by word. 4: the meaning pattern on reference answers.
    version = "4"
    learns_from_exemplars = True

    def __init__(self, model: DecisionModel | None = None) -> None:
        self._lexical = LexicalMarker()
        self._model = model

    @property
    def model(self) -> DecisionModel:
        """The decision model (the shipped file unless one was given)."""
        if self._model is None:
            self._model = load_decision_model()
        return self._model

    def identity(
        self, lexicon_name: str = lexicon.DEFAULT_LEXICON, *, read_sentence_model: bool = False
    ) -> dict:
        """Name, version and the hashes of every data file this marker read for a rubric built
        with ``lexicon_name`` (``read_sentence_model``: the mark read the sentence model even
        though the lexicon does not name it)."""
        lex = lexicon.load_lexicon(lexicon_name)
        files = {"decision": self.model.sha256, **lexicon.data_files(lex)}
        if lex.sentence_model or read_sentence_model:
            files["sentence_model"] = sentence_model_sha256()
        return {
            "name": self.name,
            "version": self.version,
            "files": files,
            "lexicon": lexicon_name,
            "channels": {self._lexical.name: self._lexical.version},
        }

    def load(self, lexicon_name: str = lexicon.DEFAULT_LEXICON) -> None:
        """Read now what marking with ``lexicon_name`` may read on first use (the decision
        model, the thesaurus, the sentence model, run once), so no answer's time includes it."""
        lex = lexicon.load_lexicon(lexicon_name)
        self.identity(lexicon_name)  # the decision model, the thesaurus and the files' hashes
        model = lexicon.sentence_model_for(lex)
        if model is not None:
            model.encode(["a first clause"])

    def evidence(
        self, answer: str, rubric: Rubric, misconceptions: Sequence[MisconceptionSpec] = ()
    ) -> tuple[MarkResult, Evidence | None]:
        """The structural result and, where there is something to weigh, every channel's
        evidence (``None`` when structure alone decides: a tutor's point, no answer)."""
        lexical, facts = self._lexical.mark_with_facts(answer, rubric, misconceptions)
        if facts is None:
            return lexical, None
        text = (answer if isinstance(answer, str) else str(answer or ""))[:MAX_CHARS]
        lexical, facts = complete_by_meaning(text, rubric, lexical, facts)
        return lexical, gather_evidence(text, rubric, lexical, facts)

    def probability(
        self, answer: str, rubric: Rubric, misconceptions: Sequence[MisconceptionSpec] = ()
    ) -> float:
        """The zero-shot probability of credit (1 or 0 where structure alone decides)."""
        lexical, evidence = self.evidence(answer, rubric, misconceptions)
        if evidence is None:
            return 1.0 if lexical.awarded else 0.0
        return self.model.probability(evidence.features)

    def mark(
        self,
        answer: str,
        rubric: Rubric,
        misconceptions: Sequence[MisconceptionSpec] = (),
        learning: Learning | None = None,
    ) -> MarkResult:
        """Mark ``answer``: see the module docstring. ``learning`` is what the question's
        tutor-marked exemplars taught (``exemplars.learn_from_exemplars``); none by default."""
        learning = learning or Learning()
        lexical, evidence = self.evidence(answer, apply_learning(rubric, learning), misconceptions)
        if evidence is None:
            return replace(lexical, marker=self.identity(rubric.lexicon))
        remembered = remembered_mark(answer, rubric, learning)
        text = (answer if isinstance(answer, str) else str(answer or ""))[:MAX_CHARS]
        return self.decide(
            lexical,
            evidence,
            lexicon_name=rubric.lexicon,
            learning=learning,
            remembered=remembered,
            restated=restated_model_answer(text, rubric, evidence),
        )

    def decide(
        self,
        lexical: MarkResult,
        evidence: Evidence,
        *,
        lexicon_name: str = lexicon.DEFAULT_LEXICON,
        learning: Learning | None = None,
        remembered: bool | None = None,
        restated: float | None = None,
    ) -> MarkResult:
        """Turn the channels' evidence into the final, explained result. ``remembered`` is a
        tutor's mark of an answer with the same content; ``restated`` the overlap with the model
        answer of an answer that restates it (both overrule the decision model)."""
        model = self.model
        learning = learning or Learning()
        probability = _shifted(model.probability(evidence.features), learning.bias)
        awarded = probability >= model.threshold and not lexical.misconceptions
        confident = not (model.unsure_low < probability < model.unsure_high)
        decision = (
            f"decision: probability of credit {probability:.2f} "
            f"(threshold {model.threshold:.2f}) -> {'credit' if awarded else 'no credit'}"
        )
        if restated is not None and not lexical.misconceptions:
            awarded, confident = True, True
            decision = (
                f"decision: the answer restates the question's model answer (word overlap "
                f"{restated:.2f}) -> credit"
            )
        if remembered is not None and not lexical.misconceptions:
            awarded, confident = remembered, True
            decision = (
                "decision: a tutor marked an answer with the same content words "
                + ("as credited" if remembered else "as not credited")
                + " -> "
                + ("credit" if awarded else "no credit")
            )
        reasons = (
            *lexical.reasons,
            *(f"learned: {change.describe()}" for change in _relevant(learning, lexical)),
            "evidence: " + _evidence_line(model, evidence),
            decision + ("" if confident else "; unsure, sent to a tutor"),
        )
        result = replace(
            lexical,
            awarded=awarded,
            score=lexical.max_score if awarded else min(lexical.score, lexical.max_score - 1),
            confident=confident and lexical.confident,
            reasons=reasons,
            marker=self.identity(
                lexicon_name,
                read_sentence_model=not REFERENCE_INPUTS.isdisjoint(evidence.features),
            ),
        )
        if awarded != lexical.awarded:
            result = replace(result, feedback=_overruled_feedback(result))
        return result


def _evidence_line(model: DecisionModel, evidence: Evidence) -> str:
    """Each feature and its value, except the meaning pattern's hundreds of numbers: those
    are summed into what they added to the decision's log-odds."""
    shown = [f"{k} {v:.2f}" for k, v in evidence.features.items() if k not in PATTERN_INPUTS]
    if not PATTERN_INPUTS.isdisjoint(evidence.features):
        added = model.contribution(evidence.features, PATTERN_INPUTS)
        shown.append(f"meaning pattern {added:+.2f} (log-odds)")
    return ", ".join(shown)


def _relevant(learning: Learning, lexical: MarkResult) -> list:
    """The learned rules that bore on this answer: wordings of ideas it matched or missed, and
    the question-wide ones (calibration, no explanation required)."""
    ideas = {m.indicator for m in lexical.matches} | set(lexical.missing)
    return [
        change
        for change in learning.changes
        if change.kind in ("calibration", "relaxed") or change.indicator in ideas
    ]


def _shifted(probability: float, bias: float) -> float:
    """``probability`` moved by ``bias`` on the logit scale (the question's calibration)."""
    if not bias:
        return probability
    p = min(max(probability, 1e-6), 1 - 1e-6)
    z = math.log(p / (1 - p)) + bias
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _overruled_feedback(result: MarkResult) -> str:
    """Feedback for a decision the structural channel alone would not have made: say what was
    found and what is missing without contradicting the decision."""
    found = sorted({m.indicator for m in result.matches})
    if result.awarded:
        parts = ["Credit awarded: your answer covers what the model answer says"]
        if found:
            parts[0] += f", including {_join(found)}"
        parts[0] += "."
    else:
        parts = ["No credit."]
        if found:
            parts.append(f"You mentioned {_join(found)}, but the answer as a whole falls short.")
        if result.missing:
            parts.append(f"Still needed: {_join(result.missing)}.")
    parts.append("A tutor may check this mark.")
    return " ".join(parts)


def _join(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
