"""The marking pipeline: one way in, a recorded identity, structure's vetoes, the decision."""

import json
from dataclasses import replace
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from assessments.marking import MisconceptionSpec, get_marker, mark_answer
from assessments.marking.decision import (
    DECISION_MODEL_PATH,
    DecisionModel,
    load_decision_model,
    train_decision_model,
)
from assessments.marking.pipeline import (
    FEATURES,
    PipelineMarker,
    is_criterion,
    model_inputs,
    restated_model_answer,
)
from assessments.marking.semantic import THRESHOLD
from assessments.rubrics import build_rubric, with_model_answer

SHARED = Path(settings.BASE_DIR).parent / "shared"
needs_shared = pytest.mark.skipif(
    not (SHARED / "semeval-2013").is_dir(), reason="../shared/semeval-2013 is not beside the repo"
)

POINT = (
    "Award credit for identifying at least two safe working practices in a laboratory "
    "(e.g., wearing goggles, tying back long hair, keeping food out)."
)
MISCONCEPTION = MisconceptionSpec(
    statement="Believing that goggles are only needed when heating chemicals",
    correction="Eye protection is worn for every practical.",
)


def always(probability_sign: float) -> DecisionModel:
    """A model whose answer is fixed: +30 -> always credit, -30 -> never."""
    return DecisionModel(
        features=FEATURES, weights=(0.0,) * len(FEATURES), intercept=probability_sign
    )


def test_the_site_marker_is_the_configured_pipeline_and_results_record_it():
    assert get_marker().name == "pipeline"
    result = mark_answer("Wear goggles and tie back long hair.", build_rubric(POINT))
    assert result.marker["name"] == "pipeline"
    assert result.marker["version"] == PipelineMarker.version
    assert result.marker["files"]["decision"] == load_decision_model().sha256
    assert len(result.marker["files"]["lexicon"]) == 64
    assert result.to_dict()["marker"] == result.marker


def test_the_backend_is_chosen_in_settings():
    with override_settings(MARKER_BACKEND="assessments.marking.lexical.LexicalMarker"):
        assert get_marker().name == "lexical"
        assert mark_answer("Wear goggles.", build_rubric(POINT)).marker["name"] == "lexical"


def test_an_asserted_misconception_withholds_credit_whatever_the_model_says():
    marker = PipelineMarker(model=always(30.0))
    answer = "Goggles are only needed when heating chemicals, and you should tie back long hair."
    result = marker.mark(answer, build_rubric(POINT), [MISCONCEPTION])
    assert result.misconceptions
    assert not result.awarded


def test_the_decision_follows_the_model_and_explains_itself():
    rubric = build_rubric(POINT)
    answer = "Wear goggles and tie back long hair."
    credit = PipelineMarker(model=always(30.0)).mark(answer, rubric)
    refuse = PipelineMarker(model=always(-30.0)).mark(answer, rubric)
    assert credit.awarded and credit.score == credit.max_score
    assert not refuse.awarded and refuse.score < refuse.max_score
    assert any(r.startswith("decision: probability of credit 1.00") for r in credit.reasons)
    # The feedback never contradicts the decision.
    assert refuse.feedback.startswith("No credit")
    assert "Credit awarded" not in refuse.feedback


def test_unsure_probabilities_go_to_a_tutor():
    unsure = DecisionModel(features=FEATURES, weights=(0.0,) * len(FEATURES), intercept=0.0)
    result = PipelineMarker(model=unsure).mark("Wear goggles.", build_rubric(POINT))
    assert not result.confident


def test_points_a_tutor_marks_and_empty_answers_skip_the_decision():
    role_play = build_rubric(
        "Award credit for demonstrating appropriate tone in a simulated customer interaction."
    )
    marker = PipelineMarker(model=always(30.0))
    assert not marker.mark("Hello, how can I help?", role_play).awarded
    assert not marker.mark("   ", build_rubric(POINT)).awarded


def test_criterion_points_and_reference_answers_are_told_apart():
    assert is_criterion(POINT)
    assert is_criterion("Explaining the difference between open and closed questions.")
    assert not is_criterion("The other bulbs stay lit because they are in parallel.")
    inputs = model_inputs({"overlap_f1": 0.5}, criterion=False)
    assert inputs == {"criterion": 0.0, "reference_overlap_f1": 0.5}


def test_a_textbook_answer_naming_the_listed_ideas_is_credited_without_a_tutor():
    # Word overlap with a criterion's model answer is not an input: learned from answers that
    # parrot the point, it held back answers that simply name the ideas the point lists.
    assert not [f for f in FEATURES if f.startswith("criterion_overlap")]
    rubric = with_model_answer(
        build_rubric(
            "Credit any two of the following: wet floor signs, cable covers, good lighting.",
            lexicon_name="general",
        )
    )
    result = PipelineMarker().mark("Put out wet floor signs and use cable covers.", rubric)
    assert result.awarded and result.confident
    assert not PipelineMarker().mark("Wear gloves and a hard hat.", rubric).awarded


def test_no_feature_measures_length():
    banned = ("length", "words", "chars", "tokens")
    assert not [f for f in FEATURES if any(b in f for b in banned)]


def test_fitting_is_deterministic_and_learns_the_signal():
    rows = [{"criterion": 1.0, "criterion_lex_awarded": float(i % 2)} for i in range(40)]
    labels = [bool(i % 2) for i in range(40)]
    first = train_decision_model(rows, labels, FEATURES)
    second = train_decision_model(rows, labels, FEATURES)
    assert first.to_json() == second.to_json()
    assert first.probability({"criterion": 1.0, "criterion_lex_awarded": 1.0}) > 0.8
    assert first.probability({"criterion": 1.0, "criterion_lex_awarded": 0.0}) < 0.2


def test_each_set_weighs_the_same_however_many_answers_it_has():
    # A big set says feature on -> credit, a small one says the opposite: weighed equally,
    # neither wins; weighed by rows, the big one would.
    big = [({"criterion_lex_awarded": 1.0}, True), ({"criterion_lex_awarded": 0.0}, False)] * 45
    small = [({"criterion_lex_awarded": 1.0}, False), ({"criterion_lex_awarded": 0.0}, True)] * 5
    rows, labels = zip(*(big + small), strict=True)
    groups = ["big"] * 90 + ["small"] * 10
    balanced = train_decision_model(rows, labels, FEATURES, groups)
    pooled = train_decision_model(rows, labels, FEATURES)
    on = {"criterion_lex_awarded": 1.0}
    assert abs(balanced.probability(on) - 0.5) < 0.05
    assert pooled.probability(on) > 0.7


def test_a_bad_decision_file_is_named(tmp_path):
    bad = tmp_path / "decision.json"
    bad.write_text('{"features": ["a"], "weights": []}')
    with pytest.raises(ValueError, match="decision.json"):
        load_decision_model(bad)


@needs_shared
def test_make_train_marker_rebuilds_the_shipped_model_byte_for_byte(tmp_path):
    out = tmp_path / "decision.json"
    call_command("train_marker", output=str(out), stdout=StringIO(), stderr=StringIO())
    assert out.read_bytes() == DECISION_MODEL_PATH.read_bytes()


# Floors: the figures `make eval-marker` printed when this marker was finished, rounded down.
# Raise them as the marker improves; a fall below one means a change made it agree less with
# examiners.
FLOORS = {
    "labelled (ours)": {"kappa": 0.90},
    "gold (examiners)": {"kappa": 0.73, "accuracy": 0.86},
    # The same answers read as a qualification without a lexicon of its own would be.
    "gold, general lexicon": {"kappa": 0.50},
    "semeval-beetle": {"macro_f1": 0.71},
    "semeval-sciEntsBank": {"macro_f1": 0.66},
    # Fitted without any of the set's answers: a subject the decision model never saw.
    "semeval-beetle, as an unseen set": {"macro_f1": 0.66},
    "semeval-sciEntsBank, as an unseen set": {"macro_f1": 0.62},
}
SEMEVAL_ROWS = [name for name in FLOORS if name.startswith("semeval-")]


@needs_shared
def test_agreement_floors_from_eval_markers_own_output():
    out = StringIO()
    call_command("eval_marker", json=True, stdout=out, stderr=StringIO())
    table = {row["set"]: row for row in json.loads(out.getvalue())["sets"]}
    assert set(table) == set(FLOORS)
    for name, floors in FLOORS.items():
        for metric, floor in floors.items():
            assert table[name]["marker"][metric] >= floor, (name, metric, table[name]["marker"])
    for name in SEMEVAL_ROWS:
        row = table[name]
        # The pipeline must beat the structural channel alone where structure was not tuned,
        # and word overlap with its threshold fitted the same way.
        assert row["marker"]["macro_f1"] > row["lexical_channel"]["macro_f1"] + 0.05
        assert row["marker"]["macro_f1"] > row["overlap_baseline"]["macro_f1"], row
    assert all(row["majority"]["kappa"] == 0 for row in table.values())
    # The semantic channel's threshold is what it says it is: the 90th percentile of how close
    # clauses about other points come to an idea, on our own labelled set.
    background = json.loads(out.getvalue())["semantic_background"]
    assert round(background["90"], 3) == THRESHOLD
    assert background["50"] < background["90"] < background["95"]


def _with_model_answer(point: str, model_answer: str):
    return replace(build_rubric(point), model_answer=model_answer)


def test_an_answer_restating_the_model_answer_is_credited_whatever_the_model_weighs():
    # On examiner-style points the decision model learned that heavy overlap with the reference
    # usually means parroting; the question's own model answer must still earn credit.
    rubric = _with_model_answer(
        "Award credit for explaining that regular clients place orders again and again.",
        "Regular clients place orders again and again, so the firm can plan its stock.",
    )
    result = mark_answer(
        "regular clients place orders again and again, so the firm can plan its stock", rubric
    )
    assert result.awarded and result.confident
    assert "restates the question's model answer" in result.reasons[-1]


def test_a_denied_copy_of_the_model_answer_is_not_credited_as_a_restatement():
    rubric = _with_model_answer(
        "Award credit for explaining that regular clients place orders again and again.",
        "Regular clients place orders again and again, so the firm can plan its stock.",
    )
    evidence = PipelineMarker().evidence(
        "Regular clients do not place orders again and again, so the firm cannot plan its stock.",
        rubric,
    )[1]
    assert evidence is not None
    denied = (
        "Regular clients do not place orders again and again, so the firm cannot plan its stock."
    )
    assert restated_model_answer(denied, rubric, evidence) is None


def test_without_a_model_answer_repeating_the_point_is_not_a_restatement():
    rubric = build_rubric("Award credit for explaining that regular clients place orders again.")
    assert not rubric.model_answer.strip()
    text = "explaining that regular clients place orders again"
    evidence = PipelineMarker().evidence(text, rubric)[1]
    assert restated_model_answer(text, rubric, evidence) is None
