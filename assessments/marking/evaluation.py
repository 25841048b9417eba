"""Measuring the marker on answers nobody here wrote: ``make eval-marker``.

Development sets (none of their wording is ever copied into the marker's data or tests):

* ``labelled``: the project's own labelled answers to the seed topics (flatters the marker:
  the same people wrote the answers and the marker);
* ``gold``: answers to the seed topics written and marked by independent examiners
  (``../shared/gold/``); never used for training; scored twice, once with the customer-service
  lexicon the question bank chooses for them and once with the general one, as a qualification
  without a lexicon of its own would be marked;
* ``semeval-beetle`` / ``semeval-sciEntsBank``: real students' answers to science questions
  (``../shared/semeval-2013/``), each question marked against its reference answer as a
  one-point topic.

The decision model is fitted on ``labelled`` and both SemEval sets; a set that is part of that
pool is scored by cross-validation that holds out whole questions (a question's answers are
never both fitted on and scored), which is the situation of a new topic. The word-overlap
baseline's threshold is fitted the same way.

Held-out questions still share their set's subject with the questions fitted on (beetle's are
all about circuits). So each pooled set is scored a second time as an *unseen set*: the decision
model fitted without any of its answers, and the baseline's threshold fitted on the other pooled
sets with the same kind of point: the situation of a new subject.
"""

from __future__ import annotations

import csv
import hashlib
import random
import statistics
import time
import xml.etree.ElementTree as ElementTree  # noqa: S405 - local, trusted data files
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from assessments import lexicon
from assessments.calibration import cohens_kappa
from assessments.marking.decision import DecisionModel, train_decision_model
from assessments.marking.exemplars import Exemplar, learn_from_exemplars
from assessments.marking.kinds import is_criterion
from assessments.marking.lexical import MAX_CHARS
from assessments.marking.overlap import token_f1
from assessments.marking.pipeline import (
    FEATURES,
    Evidence,
    PipelineMarker,
    references,
    restated_model_answer,
)
from assessments.marking.results import MarkResult, MisconceptionSpec
from assessments.marking.semantic import clauses, idea_similarity
from assessments.rubrics import Rubric, build_rubric, with_model_answer
from topics.parsing import parse_seed_text

__all__ = [
    "FOLDS",
    "Case",
    "DevSet",
    "Scores",
    "evaluate",
    "exemplar_curve",
    "load_development_sets",
    "off_point_similarity",
    "semantic_background",
    "scores",
    "training_pool",
]

FOLDS = 5


@dataclass(frozen=True)
class Case:
    """One marked answer: which question, its rubric, the answer and the examiner's credit."""

    question: str
    rubric: Rubric
    misconceptions: tuple[MisconceptionSpec, ...]
    answer: str
    credit: bool


@dataclass
class DevSet:
    """A named development set; ``trains_model`` says it is in the decision model's pool."""

    name: str
    cases: list[Case]
    trains_model: bool
    skipped: int = 0


@dataclass(frozen=True)
class Scores:
    """Agreement of predictions with the examiners' credit."""

    n: int
    accuracy: float
    macro_f1: float
    kappa: float

    def as_dict(self) -> dict[str, float]:
        """Rounded for printing and JSON."""
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 3),
            "macro_f1": round(self.macro_f1, 3),
            "kappa": round(self.kappa, 3),
        }


def scores(truth: Sequence[bool], predicted: Sequence[bool]) -> Scores:
    """Accuracy, macro-averaged F1 over both classes, and Cohen's kappa."""
    tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t and p)
    tn = sum(1 for t, p in zip(truth, predicted, strict=True) if not t and not p)
    fp = sum(1 for t, p in zip(truth, predicted, strict=True) if not t and p)
    fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t and not p)
    n = len(truth)

    def f1(hit: int, false_a: int, false_b: int) -> float:
        return 2 * hit / (2 * hit + false_a + false_b) if hit else 0.0

    return Scores(
        n=n,
        accuracy=(tp + tn) / n if n else 0.0,
        macro_f1=(f1(tp, fp, fn) + f1(tn, fn, fp)) / 2,
        kappa=cohens_kappa(tp, fp, fn, tn),
    )


def fold_of(question: str) -> int:
    """A stable fold for a question, the same on every machine and run."""
    return int(hashlib.sha256(question.encode()).hexdigest(), 16) % FOLDS


# --- loading -----------------------------------------------------------------------------------


def _seed_rubrics(
    seeds_dir: Path, lexicon_name: str | None = None
) -> dict[tuple[str, int], tuple[Rubric, tuple]]:
    rubrics: dict[tuple[str, int], tuple[Rubric, tuple]] = {}
    for path in sorted(seeds_dir.glob("*.txt")):
        document = parse_seed_text(path.read_text(encoding="utf-8"))
        specs = tuple(
            MisconceptionSpec(statement=m.statement, correction=m.correction)
            for m in document.misconceptions
        )
        chosen = lexicon_name or _document_lexicon(document)
        for number, point in enumerate(document.marking_points, start=1):
            rubric = build_rubric(point, lexicon_name=chosen)
            rubrics[(path.name, number)] = (with_model_answer(rubric), specs)
    return rubrics


def _document_lexicon(document) -> str:
    """The lexicon the question bank would choose for this document's topic."""
    return lexicon.choose_lexicon(
        qualification=document.qualification.name if document.qualification else "",
        topic_text=lexicon.topic_wording(
            title=document.title,
            synopsis=document.synopsis,
            key_concepts=((c.term, c.explanation) for c in document.key_concepts),
            marking_points=document.marking_points,
        ),
    )


def load_seed_answers(
    name: str, csv_path: Path, seeds_dir: Path, *, trains: bool, lexicon_name: str | None = None
) -> DevSet:
    """Answers to seed marking points (``source``, ``point``, ``answer``, ``credit``).

    Rows for points a tutor marks (not auto-markable) are left out, as ``mark_answers`` does.
    ``lexicon_name`` reads every point with that lexicon instead of the one the question bank
    would choose.
    """
    rubrics = _seed_rubrics(seeds_dir, lexicon_name)
    dev = DevSet(name=name, cases=[], trains_model=trains)
    with csv_path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = (row["source"].strip(), int(row["point"]))
            rubric, specs = rubrics[key]
            if not rubric.auto_markable:
                dev.skipped += 1
                continue
            dev.cases.append(
                Case(
                    question=f"{key[0]}#{key[1]}",
                    rubric=rubric,
                    misconceptions=specs,
                    answer=row["answer"],
                    credit=row["credit"].strip() == "1",
                )
            )
    return dev


def semeval_rubric(question_text: str, reference: str) -> Rubric:
    """A SemEval question as a one-point topic: its reference answer is the marking point, and
    the lexicon is the one the question bank would choose for such a topic."""
    chosen = lexicon.choose_lexicon(
        topic_text=lexicon.topic_wording(
            title=question_text, synopsis="", marking_points=[reference]
        )
    )
    rubric = build_rubric(reference, lexicon_name=chosen)
    return Rubric(
        point_text=rubric.point_text,
        prompt=question_text,
        required_count=rubric.required_count,
        indicators=rubric.indicators,
        requires_explanation=False,
        auto_markable=True,
        model_answer=reference,
        requires_link=False,
        lexicon=rubric.lexicon,
    )


def load_semeval(name: str, folder: Path) -> DevSet:
    """Every ``*.xml`` question in ``folder``: the first reference answer is the point."""
    dev = DevSet(name=name, cases=[], trains_model=True)
    for path in sorted(folder.glob("*.xml")):
        root = ElementTree.parse(path).getroot()  # noqa: S314 - local, trusted data files
        question_text = (root.findtext("questionText") or "").strip()
        reference = next(
            (r.text.strip() for r in root.iter("referenceAnswer") if (r.text or "").strip()), ""
        )
        rubric = semeval_rubric(question_text, reference)
        for answer in root.iter("studentAnswer"):
            dev.cases.append(
                Case(
                    question=f"{name}:{root.get('id')}",
                    rubric=rubric,
                    misconceptions=(),
                    answer=(answer.text or "").strip(),
                    credit=answer.get("accuracy") == "correct",
                )
            )
    return dev


def load_development_sets(
    repo_dir: Path, shared_dir: Path, seeds: Path
) -> tuple[list[DevSet], list[str]]:
    """The sets that exist on this machine, and a note for each one that is missing; the
    labelled set's rubrics come from the seed documents in ``seeds``."""
    found: list[DevSet] = []
    missing: list[str] = []
    labelled = repo_dir / "assessments" / "tests" / "data" / "labelled_answers.csv"
    found.append(load_seed_answers("labelled (ours)", labelled, seeds, trains=True))
    gold = shared_dir / "gold" / "seed-topics-answers.csv"
    if gold.is_file():
        found.append(load_seed_answers("gold (examiners)", gold, seeds, trains=False))
        # The same answers as if customer service had no lexicon of its own: how the marker
        # fares on a qualification nobody wrote vocabulary for (most of them).
        found.append(
            load_seed_answers(
                "gold, general lexicon", gold, seeds, trains=False, lexicon_name="general"
            )
        )
    else:
        missing.append(f"{gold}: not found, gold set skipped")
    for corpus in ("beetle", "sciEntsBank"):
        folder = shared_dir / "semeval-2013" / "training-2way" / corpus
        if folder.is_dir():
            found.append(load_semeval(f"semeval-{corpus}", folder))
        else:
            missing.append(f"{folder}: not found, SemEval {corpus} skipped")
    return found, missing


# --- evaluating --------------------------------------------------------------------------------


@dataclass
class Measured:
    """Every case of a set with its channels' evidence and the time it took."""

    dev: DevSet
    lexical: list[MarkResult] = field(default_factory=list)
    evidence: list[Evidence | None] = field(default_factory=list)
    # The overlap with the model answer of answers that restate it (the marker credits them).
    restated: list[float | None] = field(default_factory=list)
    milliseconds: list[float] = field(default_factory=list)

    @cached_property
    def word_overlap(self) -> list[float]:
        """Each answer's token F1 with its reference: what the baseline thresholds."""
        return [token_f1(c.answer, references(c.rubric)) for c in self.dev.cases]


def measure(dev: DevSet, marker: PipelineMarker, progress: Callable[[str], None]) -> Measured:
    """Run every channel on every case of ``dev`` once, timing each answer with the marker's
    data already loaded (a process reads it once; the per-answer budget is for after that)."""
    measured = Measured(dev=dev)
    for lexicon_name in sorted({case.rubric.lexicon for case in dev.cases}):
        marker.load(lexicon_name)
    for number, case in enumerate(dev.cases, start=1):
        started = time.perf_counter()
        lexical, evidence = marker.evidence(case.answer, case.rubric, case.misconceptions)
        restated = None
        if evidence is not None:
            restated = restated_model_answer(case.answer[:MAX_CHARS], case.rubric, evidence)
            marker.decide(lexical, evidence, restated=restated)
        measured.restated.append(restated)
        measured.milliseconds.append((time.perf_counter() - started) * 1000)
        measured.lexical.append(lexical)
        measured.evidence.append(evidence)
        if number % 1000 == 0:
            progress(f"  {dev.name}: {number:,}/{len(dev.cases):,} answers")
    return measured


def training_pool(
    measured: Sequence[Measured], exclude: Callable[[DevSet, Case], bool] = lambda d, c: False
) -> tuple[list[dict[str, float]], list[bool], list[str]]:
    """Features, labels and set names of every pooled case that ``exclude`` keeps."""
    rows: list[dict[str, float]] = []
    labels: list[bool] = []
    groups: list[str] = []
    for m in measured:
        if not m.dev.trains_model:
            continue
        for case, evidence in zip(m.dev.cases, m.evidence, strict=True):
            if evidence is not None and not exclude(m.dev, case):
                rows.append(evidence.features)
                labels.append(case.credit)
                groups.append(m.dev.name)
    return rows, labels, groups


def _predict(
    model: DecisionModel, lexical: MarkResult, evidence: Evidence | None, restated: float | None
) -> bool:
    if evidence is None:
        return lexical.awarded
    if restated is not None:
        return not lexical.misconceptions
    return model.probability(evidence.features) >= model.threshold and not lexical.misconceptions


def _best_threshold(values: Sequence[float], truth: Sequence[bool]) -> float:
    candidates = sorted(set(round(v, 3) for v in values))
    return max(
        candidates or [0.5],
        key=lambda t: (scores(truth, [v >= t for v in values]).macro_f1, -t),
    )


def _baseline(m: Measured) -> list[bool]:
    overlap = m.word_overlap
    truth = [c.credit for c in m.dev.cases]
    predicted: list[bool] = [False] * len(overlap)
    for fold in range(FOLDS):
        train = [i for i, c in enumerate(m.dev.cases) if fold_of(c.question) != fold]
        threshold = _best_threshold([overlap[i] for i in train], [truth[i] for i in train])
        for i, c in enumerate(m.dev.cases):
            if fold_of(c.question) == fold:
                predicted[i] = overlap[i] >= threshold
    return predicted


def _unseen_baseline(m: Measured, others: Sequence[Measured]) -> list[bool]:
    """Word overlap with the threshold fitted on ``others``' answers only."""
    threshold = _best_threshold(
        [v for o in others for v in o.word_overlap], [c.credit for o in others for c in o.dev.cases]
    )
    return [v >= threshold for v in m.word_overlap]


def _criterion_set(m: Measured) -> bool:
    return sum(is_criterion(c.rubric.point_text) for c in m.dev.cases) * 2 > len(m.dev.cases)


def _marker_predictions(
    m: Measured, measured: Sequence[Measured], unseen: bool = False
) -> list[bool]:
    if unseen or not m.dev.trains_model:
        rows, labels, groups = training_pool(measured, lambda d, c: d is m.dev)
        model = train_decision_model(rows, labels, FEATURES, groups)
        return [
            _predict(model, lx, ev, rs)
            for lx, ev, rs in zip(m.lexical, m.evidence, m.restated, strict=True)
        ]
    predicted: list[bool] = [False] * len(m.dev.cases)
    for fold in range(FOLDS):
        rows, labels, groups = training_pool(
            measured, lambda d, c, f=fold: d is m.dev and fold_of(c.question) == f
        )
        model = train_decision_model(rows, labels, FEATURES, groups)
        for i, case in enumerate(m.dev.cases):
            if fold_of(case.question) == fold:
                predicted[i] = _predict(model, m.lexical[i], m.evidence[i], m.restated[i])
    return predicted


def evaluate(measured: Sequence[Measured]) -> list[dict]:
    """One row per set: majority class, word-overlap baseline and marker, with timings; then
    one per pooled set scored as an unseen set (the module's docstring), where another pooled
    set has its kind of point."""
    table = []
    for m in measured:
        scored_by = "held-out questions" if m.dev.trains_model else "never trained on"
        table.append(_row(m, m.dev.name, scored_by, _baseline(m), _marker_predictions(m, measured)))
    pooled = [m for m in measured if m.dev.trains_model]
    for m in pooled:
        others = [o for o in pooled if o is not m and _criterion_set(o) == _criterion_set(m)]
        if others:
            table.append(
                _row(
                    m,
                    f"{m.dev.name}, as an unseen set",
                    "fitted without the set",
                    _unseen_baseline(m, others),
                    _marker_predictions(m, measured, unseen=True),
                )
            )
    return table


def _row(m: Measured, name: str, scored_by: str, baseline: list[bool], marker: list[bool]) -> dict:
    truth = [c.credit for c in m.dev.cases]
    majority = sum(truth) * 2 >= len(truth)
    times = sorted(m.milliseconds)
    return {
        "set": name,
        "answers": len(truth),
        "questions": len({c.question for c in m.dev.cases}),
        "scored_by": scored_by,
        "majority": scores(truth, [majority] * len(truth)).as_dict(),
        "overlap_baseline": scores(truth, baseline).as_dict(),
        "lexical_channel": scores(truth, [r.awarded for r in m.lexical]).as_dict(),
        "marker": scores(truth, marker).as_dict(),
        "p50_ms": round(statistics.median(times), 2) if times else 0.0,
        "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 2) if times else 0.0,
    }


# --- the semantic channel's threshold ----------------------------------------------------------


def off_point_similarity(dev: DevSet, model) -> dict[str, float]:
    """Percentiles (50th, 90th, 95th) of the similarity (``semantic.idea_similarity``) between
    each idea of a point and every clause of the answers written for *other* points of ``dev``:
    how close a clause about something else comes to an idea. The semantic channel's
    ``THRESHOLD`` is the 90th percentile on our labelled set read with the general lexicon (no
    evaluation set is used to set it)."""
    ideas = list(
        dict.fromkeys(
            (case.question, i.label) for case in dev.cases for i in case.rubric.indicators
        )
    )
    labels = [label for _, label in ideas]
    values: list[np.ndarray] = []
    for case in dev.cases:
        spans = clauses(case.answer)
        if not spans or not ideas:
            continue
        similarity = idea_similarity(case.answer, spans, labels, model)
        other = np.array([question != case.question for question, _ in ideas])
        values.append(similarity[other].ravel())
    if not values:
        return {}
    pooled = np.concatenate(values)
    return {str(p): round(float(np.percentile(pooled, p)), 3) for p in (50, 90, 95)}


def semantic_background(repo_dir: Path, seeds: Path) -> dict[str, float]:
    """``off_point_similarity`` on our labelled set read with the general lexicon, with the
    general lexicon's sentence model: what ``semantic.THRESHOLD`` is set from."""
    labelled = repo_dir / "assessments" / "tests" / "data" / "labelled_answers.csv"
    dev = load_seed_answers(
        "labelled, general lexicon", labelled, seeds, trains=False, lexicon_name="general"
    )
    model = lexicon.sentence_model_for(lexicon.load_lexicon(lexicon.GENERAL_LEXICON))
    return off_point_similarity(dev, model) if model is not None else {}


# --- learning from exemplars -------------------------------------------------------------------


def exemplar_curve(
    cases: Sequence[Case],
    marker_for: Callable[[Case], PipelineMarker],
    ks: Sequence[int],
    *,
    rounds: int = 5,
    seed: int = 0,
) -> list[dict]:
    """For each k: k answers of each question, drawn at random (seeded), become exemplars and
    the question's other answers are marked with what they taught. Summed over ``rounds``.

    Every k is scored on the same answers: each round draws the largest k's exemplars once and
    smaller k take the first of them, so k = 0 is the zero-shot marker on exactly the answers
    the others are scored on. Works only in memory: nothing is stored. ``marker_for`` gives the
    marker for a case (for a set the decision model was fitted on, the model of the fold that
    held it out).
    """
    by_question: dict[str, list[Case]] = {}
    for case in cases:
        by_question.setdefault(case.question, []).append(case)
    largest = max(ks)
    truth: dict[int, list[bool]] = {k: [] for k in ks}
    predicted: dict[int, list[bool]] = {k: [] for k in ks}
    for round_number in range(rounds):
        for question, answers in sorted(by_question.items()):
            if len(answers) <= largest:
                continue
            # Not security: a reproducible draw, the same for the same seed everywhere.
            rng = random.Random(f"{seed}:{round_number}:{question}")  # noqa: S311
            drawn = rng.sample(range(len(answers)), largest)
            rest = [c for i, c in enumerate(answers) if i not in set(drawn)]
            marker = marker_for(answers[0])
            for k in ks:
                learning = learn_from_exemplars(
                    answers[0].rubric,
                    [Exemplar(answers[i].answer, answers[i].credit) for i in drawn[:k]],
                    marker,
                )
                for case in rest:
                    result = marker.mark(case.answer, case.rubric, case.misconceptions, learning)
                    truth[k].append(case.credit)
                    predicted[k].append(result.awarded)
    table = []
    for k in ks:
        measured = scores(truth[k], predicted[k])
        table.append(
            {
                "k": k,
                "accuracy": round(measured.accuracy, 3),
                "kappa": round(measured.kappa, 3),
                "macro_f1": round(measured.macro_f1, 3),
                "n": measured.n,
            }
        )
    return table
