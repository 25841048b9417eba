"""Meaning overlap with a reference answer: the sentence model's word vectors matched one by
one, and the pair's meaning pattern, as inputs of the decision model on reference-answer points
only."""

from dataclasses import replace

import numpy as np
import pytest

from assessments import lexicon
from assessments.marking.alignment import PATTERN_SIZE, MeaningOverlap, meaning_overlap
from assessments.marking.decision import load_decision_model
from assessments.marking.pipeline import PATTERN_FEATURES, PipelineMarker
from assessments.rubrics import build_rubric
from assessments.sentence_model import load_sentence_model, sentence_model_sha256

REFERENCE = "The shop refunds the customer within fourteen days of the return."
# Says the reference in other words: only "customer" is shared.
OTHER_WORDS = "Customers get their money back inside two weeks of sending it back."
UNRELATED = "The weather on the coast was sunny and warm yesterday afternoon."


@pytest.fixture(scope="module")
def model():
    return load_sentence_model()


def test_word_pieces_leave_out_markers_and_punctuation(model):
    hello, marks_only = model.word_pieces(["Hello, world!", "?!"])
    assert hello.vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(hello.vectors, axis=1), 1.0, atol=1e-5)
    assert marks_only.vectors.shape == (0, 384)


def test_other_words_for_the_reference_overlap_in_meaning_more_than_unrelated_words(model):
    said = meaning_overlap(OTHER_WORDS, (REFERENCE,), model)
    unrelated = meaning_overlap(UNRELATED, (REFERENCE,), model)
    assert said.recall > unrelated.recall + 0.1
    assert said.f1 > unrelated.f1 + 0.1
    same = meaning_overlap(REFERENCE, (REFERENCE,), model)
    assert same.recall == pytest.approx(1.0, abs=1e-4)
    assert same.f1 == pytest.approx(1.0, abs=1e-4)


def test_the_closest_reference_counts_and_nothing_to_compare_is_zero(model):
    closest = meaning_overlap(OTHER_WORDS, (UNRELATED, REFERENCE), model)
    assert closest == meaning_overlap(OTHER_WORDS, (REFERENCE,), model)
    assert meaning_overlap("", (REFERENCE,), model) == MeaningOverlap()
    assert meaning_overlap("...", (REFERENCE,), model) == MeaningOverlap()
    assert meaning_overlap(OTHER_WORDS, ("",), model) == MeaningOverlap()
    assert meaning_overlap(OTHER_WORDS, (), model) == MeaningOverlap()


def test_only_reference_answer_points_read_meaning_overlap():
    marker = PipelineMarker()
    reference_point = build_rubric(REFERENCE, lexicon_name="customer-service")
    _, evidence = marker.evidence(OTHER_WORDS, reference_point)
    for name in ("meaning_recall", "meaning_f1"):
        assert 0.0 < evidence.features[f"reference_{name}"] <= 1.0
    pattern = [evidence.features[f"reference_{name}"] for name in PATTERN_FEATURES]
    assert len(pattern) == PATTERN_SIZE and any(pattern)

    criterion = build_rubric(
        "Award credit for identifying at least two ways to handle a complaint (e.g., "
        "listening, apologising, offering a solution).",
        lexicon_name="customer-service",
    )
    _, evidence = marker.evidence("Listen and apologise.", criterion)
    assert not [f for f in evidence.features if "meaning" in f]


def test_a_mark_that_read_the_model_records_it_even_if_its_lexicon_names_none(monkeypatch):
    # The decision model was fitted with meaning overlap on every reference-answer point, so
    # it is read whatever the lexicon; the mark must say so to be explainable.
    plain = replace(lexicon.load_lexicon("customer-service"), sentence_model="")
    monkeypatch.setattr(lexicon, "load_lexicon", lambda name=None: plain)
    marker = PipelineMarker()
    reference_point = build_rubric(REFERENCE, lexicon_name="customer-service")
    result = marker.mark(OTHER_WORDS, reference_point)
    assert result.marker["files"]["sentence_model"] == sentence_model_sha256()
    criterion = build_rubric(
        "Award credit for identifying at least two ways to handle a complaint (e.g., "
        "listening, apologising, offering a solution).",
        lexicon_name="customer-service",
    )
    assert "sentence_model" not in marker.mark("Listen and apologise.", criterion).marker["files"]


def test_the_meaning_pattern_is_the_product_and_difference_of_the_sentence_vectors(model):
    answer, reference = model.encode([OTHER_WORDS, REFERENCE])
    pattern = np.array(meaning_overlap(OTHER_WORDS, (REFERENCE,), model).pattern)
    assert pattern.shape == (PATTERN_SIZE,)
    assert np.allclose(pattern[:384], answer * reference, atol=1e-6)
    assert np.allclose(pattern[384:], np.abs(answer - reference), atol=1e-6)
    # Saying the reference itself: nothing differs, and the product sums to the cosine, 1.
    same = np.array(meaning_overlap(REFERENCE, (REFERENCE,), model).pattern)
    assert np.allclose(same[384:], 0.0, atol=1e-6)
    assert same[:384].sum() == pytest.approx(1.0, abs=1e-4)


def test_the_decision_model_weighs_the_pattern_and_the_mark_sums_it_up():
    # The shipped model was fitted with the pattern: it must have learned something from it,
    # and a mark's reasons give what the 768 numbers added, not 768 lines.
    model = load_decision_model()
    weights = dict(zip(model.features, model.weights, strict=True))
    assert any(weights[f"reference_{name}"] for name in PATTERN_FEATURES)
    result = PipelineMarker().mark(OTHER_WORDS, build_rubric(REFERENCE))
    evidence = next(r for r in result.reasons if r.startswith("evidence: "))
    assert "meaning_pattern_" not in evidence
    assert "meaning pattern " in evidence and "(log-odds)" in evidence
    criterion = PipelineMarker().mark(
        "Listen and apologise.",
        build_rubric(
            "Award credit for identifying at least two ways to handle a complaint (e.g., "
            "listening, apologising, offering a solution)."
        ),
    )
    assert not [r for r in criterion.reasons if "meaning pattern" in r]
