"""Meaning overlap with a reference answer: the sentence model's word vectors matched one by
one, as an input of the decision model on reference-answer points only."""

from dataclasses import replace

import numpy as np
import pytest

from assessments import lexicon
from assessments.marking.alignment import MeaningOverlap, meaning_overlap
from assessments.marking.pipeline import REFERENCE_FEATURES, PipelineMarker
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
    vectors = model.token_vectors("Hello, world!")
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert model.token_vectors("?!").shape == (0, 384)


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
    for name in REFERENCE_FEATURES:
        assert 0.0 < evidence.features[f"reference_{name}"] <= 1.0

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
