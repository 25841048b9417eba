"""The editing rules in the header of each lexicon data file, checked on the data.

``rule_violations`` reads a loaded ``Lexicon`` and lists every broken rule; the data files must
have none, and each rule is shown to fire on a deliberately broken in-memory copy, so a rule
that silently stopped checking would fail here too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re

import pytest

from assessments import lexicon
from assessments.lexicon import Concept, Lexicon

# Single generic words that were phrases before the rule was written down. They still count in
# answers; concepts_in_text ignores them in examiner wording. The list may only shrink.
KNOWN_GENERIC_PHRASES = frozenset(
    {
        ("experience", "experience"),
        ("engagement", "engage"),
        ("service_improvement", "change"),
        ("service_improvement", "improve"),
        ("questioning", "ask"),
        ("preferences", "like"),
        ("preferences", "want"),
        ("staffing", "team"),
        ("premises", "building"),
        ("infrastructure", "building"),
        ("infrastructure", "design"),
        ("journey_touchpoints", "delivery"),
        ("customer_data", "data"),
    }
)
# Phrases made only of words of one of their own category's name, kept for the same reason.
KNOWN_CATEGORY_NAME_PHRASES = frozenset(
    {
        ("infrastructure", "infrastructure_element", "infrastructure"),
        ("teamwork", "teamwork_benefit", "teamwork"),
    }
)
# Generic in any domain, beyond each file's own generic_point_words.
ALWAYS_GENERIC = frozenset({"detail", "details", "system", "systems", "thing", "things"})
# Class ids assessments/marking/lexical.py reads by name (quantifiers: "always", "only").
CLASSES_THE_MARKER_READS = ("@always", "@only")
# Topic words once copied from a labelled set's off-topic answers into the spelling
# corrector's list of everyday words; they must not come back.
OFF_TOPIC_WORDS = frozenset(
    """
    guitar amplifier plumber umbrellas archery pillow detective garage truck electronics
    handbook textbook supermarket injuries players bread aisles london police crime
    """.split()
)

_CONTENT_WORD = re.compile(r"[0-9a-z\u00c0-\u024f]+", re.IGNORECASE)


def _content_stems(text: str) -> frozenset[str]:
    return frozenset(
        lexicon.stem(w) for w in _CONTENT_WORD.findall(text) if w.lower() not in lexicon.STOPWORDS
    )


def rule_violations(lex: Lexicon) -> list[str]:
    """Every broken editing rule in ``lex``, one readable line each."""
    problems = _word_class_violations(lex)
    generic = lex.generic_point_words | ALWAYS_GENERIC
    keys: set[str] = set()
    for concept in lex.concepts:
        if concept.key in keys:
            problems.append(f"concept {concept.key!r}: duplicate key")
        keys.add(concept.key)
        problems.extend(_concept_violations(concept, generic))
    categories = {category for concept in lex.concepts for category in concept.categories}
    problems.extend(_cue_violations(lex, categories))
    return problems


def _word_class_violations(lex: Lexicon) -> list[str]:
    problems: list[str] = []
    for class_id, words in lex.word_classes.items():
        if not class_id.startswith("@"):
            problems.append(f"word class {class_id!r}: id must start with '@'")
        for word in words:
            if word != word.lower() or " " in word:
                problems.append(f"word class {class_id}: {word!r} must be one lower-case word")
    return problems


def _concept_violations(concept: Concept, generic: frozenset[str]) -> list[str]:
    """The rules for one concept on its own (duplicate keys are checked across concepts)."""
    where = f"concept {concept.key!r}"
    problems: list[str] = []
    if not concept.label.strip():
        problems.append(f"{where}: no label")
    if not concept.categories:
        problems.append(f"{where}: no category")
    if not concept.phrases:
        problems.append(f"{where}: no phrase")
    if len(set(concept.phrases)) != len(concept.phrases):
        problems.append(f"{where}: a phrase is listed twice")
    for phrase in concept.phrases:
        problems.extend(f"{where}: {p}" for p in _phrase_violations(concept, phrase, generic))
    return problems


def _phrase_violations(concept: Concept, phrase: str, generic: frozenset[str]) -> list[str]:
    text = phrase.lstrip("~").strip()
    if not text:
        return [f"empty phrase {phrase!r}"]
    problems: list[str] = []
    # "IT" is the one capitalised word: it means information technology.
    if re.sub(r"\bIT\b", "", text) != re.sub(r"\bIT\b", "", text).lower():
        problems.append(f"phrase {phrase!r} must be lower case")
    if text in generic and (concept.key, text) not in KNOWN_GENERIC_PHRASES:
        problems.append(f"phrase {phrase!r} is a bare generic word")
    stems = _content_stems(text)
    if stems and all(s == "num" or s.isdigit() for s in stems):
        problems.append(f"phrase {phrase!r} is a bare number")
    for category in concept.categories:
        name_stems = _content_stems(category.replace("_", " "))
        known = (concept.key, category, text) in KNOWN_CATEGORY_NAME_PHRASES
        if stems and stems <= name_stems and not known:
            problems.append(f"phrase {phrase!r} names its category {category}")
    return problems


def _cue_violations(lex: Lexicon, categories: set[str]) -> list[str]:
    problems: list[str] = []
    for pattern, category in lex.category_cues:
        if category not in categories:
            problems.append(f"category cue {pattern!r}: no concept has category {category!r}")
        if pattern != pattern.lower():
            problems.append(f"category cue {pattern!r}: must be lower case")
    return problems


@pytest.fixture(params=lexicon.available_lexicons())
def data_lexicon(request) -> Lexicon:
    return lexicon.load_lexicon(request.param)


def test_the_default_lexicon_is_a_data_file_in_the_package():
    assert lexicon.DEFAULT_LEXICON in lexicon.available_lexicons()
    path = lexicon.LEXICON_DIR / f"{lexicon.DEFAULT_LEXICON}.toml"
    assert lexicon.LEXICON_DIR.parent.name == "marking"
    assert lexicon.LEXICON_SHA256 == hashlib.sha256(path.read_bytes()).hexdigest()
    default = lexicon.load_lexicon()
    assert default is lexicon.load_lexicon(lexicon.DEFAULT_LEXICON)
    assert lexicon.WORD_CLASSES is default.word_classes
    assert lexicon.CONCEPTS is default.concepts
    assert lexicon.CATEGORY_CUES is default.category_cues
    assert lexicon.GENERIC_POINT_WORDS is default.generic_point_words


def test_every_data_file_keeps_the_editing_rules(data_lexicon):
    assert rule_violations(data_lexicon) == []


def test_grandfathered_exceptions_still_exist(data_lexicon):
    # An exception whose phrase is gone must leave the list, so the list only ever shrinks.
    if data_lexicon.name != "customer-service":
        pytest.skip("the exceptions belong to the customer-service file")
    phrases = {(c.key, p) for c in data_lexicon.concepts for p in c.phrases}
    assert KNOWN_GENERIC_PHRASES <= phrases
    assert {(key, phrase) for key, _cat, phrase in KNOWN_CATEGORY_NAME_PHRASES} <= phrases


def test_class_ids_the_marker_reads_by_name_exist(data_lexicon):
    for class_id in CLASSES_THE_MARKER_READS:
        assert class_id in data_lexicon.word_classes, class_id


def test_everyday_words_are_not_topic_words_copied_from_answers():
    common = frozenset(lexicon._COMMON_WORDS)
    assert not common & OFF_TOPIC_WORDS
    assert len(common) == len(lexicon._COMMON_WORDS), "a word is listed twice"


def _broken(lex: Lexicon, **changes) -> Lexicon:
    return dataclasses.replace(lex, **changes)


def _with_concept(lex: Lexicon, concept: Concept) -> Lexicon:
    return _broken(lex, concepts=lex.concepts + (concept,))


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda lex: _broken(lex, word_classes={**lex.word_classes, "shop": ("shop",)}), "'@'"),
        (lambda lex: _with_concept(lex, Concept("x", "x", ("outcome",), ("details",))), "generic"),
        (lambda lex: _with_concept(lex, Concept("x", "x", ("outcome",), ("~system",))), "generic"),
        (
            lambda lex: _with_concept(lex, Concept("x", "x", ("segment_instance",), ("segments",))),
            "names its category",
        ),
        (
            lambda lex: _with_concept(lex, Concept("x", "x", ("loyalty_benefit",), ("benefits",))),
            "names its category",
        ),
        (lambda lex: _with_concept(lex, Concept("x", "x", ("outcome",), ("#num",))), "number"),
        (lambda lex: _with_concept(lex, Concept("x", "x", ("outcome",), ("by #num",))), "number"),
        (lambda lex: _with_concept(lex, lex.concepts[0]), "duplicate key"),
        (lambda lex: _with_concept(lex, Concept("x", " ", ("outcome",), ("fair price",))), "label"),
        (lambda lex: _with_concept(lex, Concept("x", "x", (), ("fair price",))), "no category"),
        (lambda lex: _with_concept(lex, Concept("x", "x", ("outcome",), ())), "no phrase"),
        (
            lambda lex: _with_concept(lex, Concept("x", "x", ("outcome",), ("Fair Price",))),
            "lower case",
        ),
        (
            lambda lex: _broken(lex, category_cues=lex.category_cues + (("x", "nowhere"),)),
            "no concept has category",
        ),
    ],
)
def test_each_rule_fails_on_a_broken_table(breakage, expected):
    violations = rule_violations(breakage(lexicon.load_lexicon()))
    assert violations, "the broken table passed"
    assert any(expected in v for v in violations), violations


def test_capitalised_it_is_allowed_in_a_phrase():
    assert "IT systems" in lexicon.concept_by_key("technology").phrases
    ok = _with_concept(lexicon.load_lexicon(), Concept("x", "x", ("outcome",), ("IT helpdesk",)))
    assert rule_violations(ok) == []


# --- the loader ---------------------------------------------------------------------------


def _tiny() -> dict:
    return {
        "generic_point_words": ["thing"],
        "word_classes": {"@pupil": ["pupil", "student", "learner"], "@always": ["always"]},
        "category_cues": [{"pattern": r"ways? to motivate", "category": "motivation"}],
        "concepts": [
            {
                "key": "praise",
                "label": "praise",
                "categories": ["motivation"],
                "phrases": ["praise pupils", "reward effort"],
            }
        ],
    }


@pytest.mark.parametrize(
    ("edit", "entry"),
    [
        (lambda d: d["word_classes"].update({"pupil": ["pupil"]}), "word_classes.pupil"),
        (lambda d: d["word_classes"].update({"@x": ["two words"]}), "word_classes.@x"),
        (lambda d: d["concepts"].append(dict(d["concepts"][0])), "concepts[2] (praise)"),
        (lambda d: d["concepts"][0].pop("label"), "concepts[1] (praise)"),
        (lambda d: d["concepts"][0].update(phrases=[]), "concepts[1] (praise).phrases"),
        (lambda d: d["concepts"][0].update(categories=["motivation", ""]), "categories"),
        (lambda d: d["category_cues"][0].update(pattern="(unclosed"), "category_cues[1]"),
        (lambda d: d["category_cues"][0].update(category="nowhere"), "category_cues[1]"),
        (lambda d: d.update(concepts_extra=[]), "concepts_extra"),
        (lambda d: d.pop("word_classes"), "word_classes"),
        (lambda d: d.update(thesaurus="roget"), "thesaurus"),
        (lambda d: d.update(sentence_model="bert-large"), "sentence_model"),
    ],
)
def test_a_bad_table_is_a_value_error_naming_the_source_and_entry(edit, entry):
    data = _tiny()
    edit(data)
    with pytest.raises(ValueError) as caught:
        lexicon.parse_lexicon(data, source="tiny.toml")
    assert str(caught.value).startswith("tiny.toml: ")
    assert entry in str(caught.value)


def test_a_bad_file_is_a_value_error_naming_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[word_classes]\n"@a" = ["a"]\n"@a" = ["b"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(str(path))):
        lexicon.read_lexicon_file(path)
    with pytest.raises(ValueError, match="unknown lexicon"):
        lexicon.load_lexicon("../../settings")


def test_functions_that_read_the_tables_take_another_lexicon():
    tiny = lexicon.parse_lexicon(_tiny(), name="tiny")
    text = "Teachers praise pupils."
    found = lexicon.concepts_in_text(text, lexicon=tiny)
    assert [(c.key, text[s:e]) for c, s, e, _keys in found] == [("praise", "praise pupils")]
    assert lexicon.concepts_in_text(text) == []
    assert "@pupil" in lexicon.canons_of("students", lexicon=tiny)
    assert "@pupil" not in lexicon.canons_of("students")
    assert "@customer" in lexicon.canons_of("clients")
    tokens = lexicon.tokenize("the learners", lexicon=tiny)
    assert "@pupil" in tokens[1].canons
    phrase = lexicon.compile_phrase("reward effort", lexicon=tiny)
    answer = lexicon.tokenize("we reward effort", lexicon=tiny)
    assert lexicon.find_phrase(phrase, answer, lexicon.build_index(answer))
    assert lexicon.concept_by_key("praise", lexicon=tiny).label == "praise"
    assert lexicon.concept_by_key("praise") is None
    assert lexicon.concepts_by_category("motivation", lexicon=tiny)[0].key == "praise"
    assert "learner" in lexicon.lexicon_vocabulary(lexicon=tiny)
    assert lexicon.base_corrector(tiny)("studdent") == "student"
    assert lexicon.compiled_concepts(lexicon=tiny)[0][0].key == "praise"
    # By name, too: the default is the same object whichever way it is asked for.
    assert lexicon.compiled_concepts() is lexicon.compiled_concepts(lexicon="customer-service")
