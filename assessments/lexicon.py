"""The marker's lexicon: domain vocabulary loaded from data files, and the code that applies it.

The domain tables live in ``assessments/marking/lexicons/<name>.toml``, one file per lexicon
(``customer-service`` is the default). Each file's header comment is the reference for what the
tables mean and the rules for editing them; ``assessments/tests/test_lexicon_rules.py`` checks
those rules. In short:

* ``WORD_CLASSES``: single words that mean the same thing in the domain ("client" ≈ "customer"),
  each class with an id starting with "@". The marker expands every word of an answer into its
  classes, which is what lets everyday wording meet examiner wording.
* ``CONCEPTS``: ideas an examiner gives credit for, each with a label, categories and phrases. A
  phrase is matched word by word through the word classes, in any order, within a short window
  of the same sentence.
* ``CATEGORY_CUES`` and ``GENERIC_POINT_WORDS``: how a marking point says which kind of concept
  it asks for, and which words are too general to name a concept on their own.

General English (stopwords, function words, number words, stemming irregulars, the everyday
words the spelling corrector leaves alone) stays here in Python: it is part of how text is read
in every domain and changes only together with the code that reads it.

The module-level tables (``WORD_CLASSES``, ``CONCEPTS``…) and ``LEXICON_SHA256`` are those of
the default lexicon. Every function that reads the tables takes ``lexicon=`` (a name or a
loaded ``Lexicon``) so a caller can mark with another domain's vocabulary.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "CATEGORY_CUES",
    "DEFAULT_LEXICON",
    "GENERAL_LEXICON",
    "LEXICON_DIR",
    "LEXICON_SHA256",
    "CONCEPTS",
    "FUNCTION_WORDS",
    "STOPWORDS",
    "WORD_CLASSES",
    "GENERIC_POINT_WORDS",
    "CompiledPhrase",
    "Concept",
    "Lexicon",
    "PhraseMatch",
    "SpellingCorrector",
    "Token",
    "available_lexicons",
    "base_corrector",
    "bounded_edit_distance",
    "concept_wordings",
    "build_index",
    "canons_of",
    "compile_phrase",
    "compiled_concepts",
    "concept_by_key",
    "concepts_by_category",
    "concepts_in_text",
    "find_phrase",
    "choose_lexicon",
    "lexicon_for_qualification",
    "lexicon_vocabulary",
    "load_lexicon",
    "parse_lexicon",
    "read_lexicon_file",
    "stem",
    "tokenize",
    "topic_wording",
]


@dataclass(frozen=True)
class Concept:
    """An idea an examiner credits: ``key`` (stable id), ``label``, ``categories``, ``phrases``."""

    key: str
    label: str
    categories: tuple[str, ...]
    phrases: tuple[str, ...]


# Words dropped from phrases and ignored when matching: they carry no idea on their own.
STOPWORDS: frozenset[str] = frozenset(
    """
    a an the of to for and or nor in on at with by is are be been being was were am it its
    it's their they them this that these those as from into about than then there here also
    very can could will would should may might must do does did has have had i you we he she me
    us our your my his her what which who whom whose how when where why all any some each
    every such s e g eg etc
    """.split()
)

# Words that give a sentence its grammar. An answer made almost entirely of other words is a
# keyword list, not an explanation.
FUNCTION_WORDS: frozenset[str] = STOPWORDS | frozenset(
    """
    so because if but not no never because since while although though whether after before
    until unless yet just only more most less least much many few lot lots up down out off
    over under again once both either neither too well get gets got getting make makes made
    making let lets help helps keep keeps give gives go goes going way ways thing things
    one ones them themselves itself someone something anything everything nothing people
    """.split()
)


# =============================================================================================
# Lexicon files.
# =============================================================================================

LEXICON_DIR = Path(__file__).resolve().parent / "marking" / "lexicons"
DEFAULT_LEXICON = "customer-service"

GENERAL_LEXICON = "general"

_TOP_LEVEL_KEYS = frozenset({"generic_point_words", "word_classes", "category_cues", "concepts"})
# Optional: words that, found in a qualification's title, choose this lexicon for it; and a
# general-English thesaurus whose synonyms widen the point's own words ("wordnet"); and a
# sentence model that finds, by meaning, ideas the words did not ("all-MiniLM-L6-v2").
_OPTIONAL_KEYS = frozenset({"qualifications", "thesaurus", "sentence_model"})
THESAURUSES = ("wordnet",)
SENTENCE_MODELS = ("all-MiniLM-L6-v2",)
_CONCEPT_FIELDS = frozenset({"key", "label", "categories", "phrases"})
_CUE_FIELDS = frozenset({"pattern", "category"})
_CLASS_WORD = re.compile(r"[0-9a-z\u00c0-\u024f]+(?:-[0-9a-z\u00c0-\u024f]+)*")
_CONCEPT_KEY = re.compile(r"[a-z][a-z0-9_]*")


# eq=False: identity hashing, so a loaded lexicon can key the caches below.
@dataclass(frozen=True, eq=False)
class Lexicon:
    """One domain's tables, as read from ``source`` (whose bytes hash to ``sha256``)."""

    name: str
    source: str
    sha256: str
    word_classes: dict[str, tuple[str, ...]]
    concepts: tuple[Concept, ...]
    category_cues: tuple[tuple[str, str], ...]
    generic_point_words: frozenset[str]
    qualifications: tuple[str, ...] = ()
    thesaurus: str = ""
    sentence_model: str = ""


def available_lexicons() -> tuple[str, ...]:
    """Names of the lexicons that can be loaded (the ``.toml`` file stems), sorted."""
    return tuple(sorted(path.stem for path in LEXICON_DIR.glob("*.toml")))


def load_lexicon(name: str = DEFAULT_LEXICON) -> Lexicon:
    """The lexicon called ``name``, read once per process. ValueError if unknown or malformed."""
    return _load_lexicon(name)


# A topic document names a domain when it uses this many of the domain's distinct concepts, at
# this density per 100 words. Measured: the five customer-service seed documents name 21-38
# concepts (3.7-9.5 per 100 words); SemEval's science questions with their reference answers
# name 3 in 2,500 words (beetle) and 26 in 8,200 (sciEntsBank), 0.1-0.3 per 100 words.
_DOMAIN_MIN_CONCEPTS = 10
_DOMAIN_MIN_DENSITY = 1.5


def lexicon_for_qualification(title: str) -> str | None:
    """The lexicon whose ``qualifications`` words all appear in ``title``, or None."""
    words = set(re.findall(r"[a-z0-9]+", (title or "").lower()))
    for name in available_lexicons():
        for phrase in _load_lexicon(name).qualifications:
            if set(re.findall(r"[a-z0-9]+", phrase.lower())) <= words:
                return name
    return None


def topic_wording(
    *,
    title: str,
    synopsis: str,
    key_concepts: Iterable[tuple[str, str]] = (),
    marking_points: Iterable[str] = (),
) -> str:
    """The part of a topic that says what subject it is in, for ``choose_lexicon``: its title,
    synopsis, key concepts (term, explanation) and marking points."""
    parts = [title, synopsis, *(f"{term} {explanation}" for term, explanation in key_concepts)]
    return " ".join([*parts, *marking_points])


def choose_lexicon(*, qualification: str = "", topic_text: str = "") -> str:
    """The lexicon a topic's rubrics are built and marked with, when no editor has chosen one.

    The qualification's title decides first ("… Diploma in Customer Service"); failing that, the
    topic's own text decides when it plainly talks the domain's language; otherwise the general
    lexicon (no domain vocabulary), so one domain's synonyms never read another domain's
    answers ("solution" is not a refund in chemistry).
    """
    named = lexicon_for_qualification(qualification)
    if named:
        return named
    words = len(_WORD.findall(topic_text or ""))
    best, best_density = GENERAL_LEXICON, 0.0
    for name in available_lexicons():
        lex = _load_lexicon(name)
        if not lex.concepts or not words:
            continue
        distinct = {concept.key for concept, *_ in concepts_in_text(topic_text, lex)}
        density = 100 * len(distinct) / words
        if len(distinct) >= _DOMAIN_MIN_CONCEPTS and density >= _DOMAIN_MIN_DENSITY:
            if density > best_density:
                best, best_density = name, density
    return best


# Keyed on the name alone, so load_lexicon() and load_lexicon("customer-service") share a copy.
@lru_cache(maxsize=8)
def _load_lexicon(name: str) -> Lexicon:
    # Only names listed in the folder are read, so a name can never reach outside it.
    if name not in available_lexicons():
        raise ValueError(f"unknown lexicon {name!r}; available: {', '.join(available_lexicons())}")
    return read_lexicon_file(LEXICON_DIR / f"{name}.toml")


def read_lexicon_file(path: Path) -> Lexicon:
    """Read and check one lexicon file (not cached). ValueError names the file and the entry."""
    raw = Path(path).read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: not a valid TOML file: {exc}") from exc
    return parse_lexicon(
        data, name=Path(path).stem, source=str(path), sha256=hashlib.sha256(raw).hexdigest()
    )


def _fail(source: str, entry: str, problem: str) -> ValueError:
    return ValueError(f"{source}: {entry}: {problem}")


def _strings(value: Any, source: str, entry: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _fail(source, entry, "must be a non-empty list of strings")
    for item in value:
        if not isinstance(item, str) or not item or item != item.strip():
            raise _fail(source, entry, f"{item!r} must be a non-empty string without edge spaces")
    return tuple(value)


def parse_lexicon(
    data: Mapping[str, Any], *, name: str = "", source: str = "<memory>", sha256: str = ""
) -> Lexicon:
    """Build a ``Lexicon`` from parsed TOML, checking its shape.

    Raises ValueError naming ``source`` and the offending entry. Editorial rules (generic words,
    category names as phrases) are checked by the tests, not here, so a site never fails to
    start over a wording question.
    """
    _check_top_level_tables(data, source)
    word_classes = _parse_word_classes(data["word_classes"], source)
    generic = _strings(data["generic_point_words"], source, "generic_point_words")
    concepts = _parse_concepts(data["concepts"], source)
    qualifications = (
        _strings(data["qualifications"], source, "qualifications")
        if "qualifications" in data
        else ()
    )
    categories = {category for concept in concepts for category in concept.categories}
    cues = _parse_category_cues(data["category_cues"], categories, source)
    thesaurus = data.get("thesaurus", "")
    if thesaurus not in ("", *THESAURUSES):
        raise _fail(source, "thesaurus", f"{thesaurus!r} is not one of {', '.join(THESAURUSES)}")
    sentence_model = data.get("sentence_model", "")
    if sentence_model not in ("", *SENTENCE_MODELS):
        raise _fail(
            source,
            "sentence_model",
            f"{sentence_model!r} is not one of {', '.join(SENTENCE_MODELS)}",
        )
    return Lexicon(
        name=name,
        source=source,
        sha256=sha256,
        word_classes=word_classes,
        concepts=concepts,
        category_cues=cues,
        generic_point_words=frozenset(generic),
        qualifications=qualifications,
        thesaurus=thesaurus,
        sentence_model=sentence_model,
    )


def _check_top_level_tables(data: Mapping[str, Any], source: str) -> None:
    unknown = set(data) - _TOP_LEVEL_KEYS - _OPTIONAL_KEYS
    if unknown:
        raise _fail(source, ", ".join(sorted(unknown)), "unknown table")
    missing = _TOP_LEVEL_KEYS - set(data)
    if missing:
        raise _fail(source, ", ".join(sorted(missing)), "missing table")


def _parse_word_classes(classes: Any, source: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(classes, Mapping) or not classes:
        raise _fail(source, "word_classes", "must be a non-empty table")
    word_classes: dict[str, tuple[str, ...]] = {}
    for class_id, words in classes.items():
        entry = f"word_classes.{class_id}"
        if not class_id.startswith("@") or len(class_id) < 2:
            raise _fail(source, entry, 'a class id must start with "@"')
        checked = _strings(words, source, entry)
        for word in checked:
            if not _CLASS_WORD.fullmatch(word):
                raise _fail(source, entry, f"{word!r} is not one lower-case word")
        word_classes[class_id] = checked
    return word_classes


def _parse_concepts(items: Any, source: str) -> tuple[Concept, ...]:
    # Empty is allowed: the general lexicon names no domain concepts.
    if not isinstance(items, list):
        raise _fail(source, "concepts", "must be a list of [[concepts]] tables")
    concepts: list[Concept] = []
    seen: set[str] = set()
    for position, item in enumerate(items, 1):
        concept = _parse_concept(item, position, seen, source)
        seen.add(concept.key)
        concepts.append(concept)
    return tuple(concepts)


def _parse_concept(item: Any, position: int, seen: set[str], source: str) -> Concept:
    """One ``[[concepts]]`` table; ``seen`` holds the keys of the concepts before it."""
    entry = f"concepts[{position}]"
    if not isinstance(item, Mapping):
        raise _fail(source, entry, "must be a table")
    if isinstance(item.get("key"), str):
        entry = f"concepts[{position}] ({item['key']})"
    if set(item) != _CONCEPT_FIELDS:
        expected = ", ".join(sorted(_CONCEPT_FIELDS))
        raise _fail(source, entry, f"fields must be exactly {expected}; got {sorted(item)}")
    key, label = item["key"], item["label"]
    if not isinstance(key, str) or not _CONCEPT_KEY.fullmatch(key):
        raise _fail(source, entry, "key must be a snake_case id")
    if key in seen:
        raise _fail(source, entry, "duplicate concept key")
    if not isinstance(label, str) or not label.strip():
        raise _fail(source, entry, "label must be a non-empty string")
    cats = _strings(item["categories"], source, f"{entry}.categories")
    phrases = _strings(item["phrases"], source, f"{entry}.phrases")
    return Concept(key, label, cats, phrases)


def _parse_category_cues(
    items: Any, categories: set[str], source: str
) -> tuple[tuple[str, str], ...]:
    if not isinstance(items, list):
        raise _fail(source, "category_cues", "must be a list of [[category_cues]] tables")
    cues: list[tuple[str, str]] = []
    for position, item in enumerate(items, 1):
        entry = f"category_cues[{position}]"
        if not isinstance(item, Mapping) or set(item) != _CUE_FIELDS:
            raise _fail(source, entry, "fields must be exactly category, pattern")
        pattern, category = item["pattern"], item["category"]
        if not isinstance(pattern, str) or not isinstance(category, str):
            raise _fail(source, entry, "pattern and category must be strings")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _fail(source, entry, f"bad regular expression {pattern!r}: {exc}") from exc
        if category not in categories:
            raise _fail(source, entry, f"category {category!r} is not used by any concept")
        cues.append((pattern, category))
    return tuple(cues)


def _resolve(lexicon: str | Lexicon) -> Lexicon:
    return lexicon if isinstance(lexicon, Lexicon) else _load_lexicon(lexicon)


_DEFAULT = load_lexicon(DEFAULT_LEXICON)
# The default lexicon's tables under the names the rest of the code has always imported.
WORD_CLASSES: dict[str, tuple[str, ...]] = _DEFAULT.word_classes
CONCEPTS: tuple[Concept, ...] = _DEFAULT.concepts
CATEGORY_CUES: tuple[tuple[str, str], ...] = _DEFAULT.category_cues
GENERIC_POINT_WORDS: frozenset[str] = _DEFAULT.generic_point_words


# =============================================================================================
# Applying the lexicon: tokens, stems, spelling, phrase matching.
# =============================================================================================

# Words (with internal apostrophes or hyphens) in any Latin script; everything else separates.
_WORD = re.compile(r"[0-9A-Za-z\u00c0-\u024f]+(?:['\u2019\-][0-9A-Za-z\u00c0-\u024f]+)*")
_NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve fifteen twenty "
    "thirty forty fifty hundred half quarter".split()
)
# "like" is a verb (a preference) only after a subject; otherwise it is "such as".
_LIKE_SUBJECTS = frozenset(
    "i you we they who people customers clients would really also usually don't do does "
    "which that most all often generally might may students families parents pensioners "
    "shoppers buyers diners guests".split()
)
_VOWELS = frozenset("aeiouy")
# Irregular or too-short forms the suffix rules would get wrong.
_IRREGULAR = {
    "using": "use",
    "used": "use",
    "uses": "use",
    "having": "have",
    "has": "have",
    "making": "make",
    "made": "make",
    "taking": "take",
    "giving": "give",
    "being": "be",
    "bought": "buy",
    "told": "tell",
    "kept": "keep",
    "felt": "feel",
    "heard": "hear",
    "paid": "pay",
    "spent": "spend",
    "left": "leave",
    "brought": "bring",
    "taught": "teach",
    "won": "win",
}


# American spellings read as British ("organize" as "organise", "analyze" as "analyse").
_IZE = re.compile(r"iz(e|es|ed|ing|ation|ations|er|ers)$")
_YZE = re.compile(r"yz(e|es|ed|ing)$")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Light suffix stripper (Porter step 1 plus a few derivations), British spellings.

    Takes one word, returns its stem; deterministic and cached. Inflections collapse
    ("tracking", "tracked", "tracks" -> "track"); derivations such as "satisfaction" vs
    "satisfied" are left to ``WORD_CLASSES`` rather than over-stemmed here.
    """
    w = word.lower().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.strip("'")
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if "z" in w:  # most words have none: skip the patterns (WordNet's 150,000 lemmas at load)
        w = _IZE.sub(r"is\1", _YZE.sub(r"ys\1", w))
    if len(w) <= 3 or not w.isalpha():
        return w
    w = _strip_plural(w)
    w = _strip_verb_ending(w)
    return _strip_derivation(w)


def _strip_plural(w: str) -> str:
    """ "classes" -> "class", "replies" -> "repli", "tracks" -> "track"; "status", "basis" kept."""
    if w.endswith("sses"):
        return w[:-2]
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "i"
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def _strip_verb_ending(w: str) -> str:
    """ "tracking", "tracked", "knowingly" -> the base, when a syllable is left ("need" kept)."""
    for suffix in ("ingly", "edly", "ing", "ed"):
        if w.endswith(suffix) and not w.endswith("eed"):
            base = w[: -len(suffix)]
            if len(base) >= 3 and any(ch in _VOWELS for ch in base):
                w = base
                # Undouble "logg" -> "log", but keep "call", "miss", "buzz", "add".
                if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "lsz" + "aeiou":
                    w = w[:-1]
            break
    return w


def _strip_derivation(w: str) -> str:
    """ "-ment" and "-ly" off long words, then a final "y" -> "i" and a final "e" dropped."""
    if w.endswith("ment") and len(w) >= 8:
        w = w[:-4]
    elif w.endswith("ly") and len(w) >= 6:
        w = w[:-2]
    if w.endswith("y") and len(w) > 3 and w[-2] not in _VOWELS:
        w = w[:-1] + "i"
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


@lru_cache(maxsize=8)
def _class_index(lex: Lexicon) -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for class_id, words in lex.word_classes.items():
        for word in words:
            for part in _word_parts(word.lower()):
                index.setdefault(stem(part), set()).add(class_id)
    return {key: frozenset(value) for key, value in index.items()}


def _word_parts(word: str) -> list[str]:
    """A hyphenated class word is indexed whole and joined ("word-of-mouth", "wordofmouth");
    never by its parts, or "of" would become a synonym of "recommend"."""
    if "-" not in word:
        return [word]
    return [word, word.replace("-", "")]


@lru_cache(maxsize=8)
def _primary_class(lex: Lexicon) -> dict[str, str]:
    primary: dict[str, str] = {}
    for class_id, words in lex.word_classes.items():
        for word in words:
            for part in _word_parts(word.lower()):
                primary.setdefault(stem(part), class_id)
    return primary


@lru_cache(maxsize=16)
def broad_classes(lex: Lexicon) -> frozenset[str]:
    """Word classes with a word too general to name an idea among them (``@customer`` holds
    "customer", ``@staff`` "people"): one word of such a class says no more than that word."""
    generic = {stem(w) for w in lex.generic_point_words}
    return frozenset(
        class_id
        for class_id, words in lex.word_classes.items()
        if any(stem(part) in generic for word in words for part in _word_parts(word.lower()))
    )


# A phrase word stands for its *first* class only ("calls" in "track calls" means an
# interaction, not "contact" via the wider communication class); answer words keep them all.
@lru_cache(maxsize=65536)
def _phrase_canons(word: str, lex: Lexicon) -> frozenset[str]:
    s = stem(word)
    primary = _primary_class(lex).get(s)
    canons = frozenset({s, primary}) if primary else frozenset({s})
    return canons | thesaurus_synonyms(s, lex)


def data_files(lex: Lexicon) -> dict[str, str]:
    """SHA-256 of every data file marking with ``lex`` reads: the lexicon file, and the
    thesaurus's files when it has one (recorded on every mark, so a re-mark can say what
    changed). The sentence model's hash is recorded by the marker that runs it."""
    thesaurus = _thesaurus(lex)
    files = {"lexicon": lex.sha256}
    if thesaurus is not None:
        files["thesaurus"] = thesaurus.sha256
    return files


def sentence_model_for(lex: Lexicon):
    """The sentence model ``lex`` names (loaded once per process), or None."""
    if not lex.sentence_model:
        return None
    from assessments.sentence_model import load_sentence_model  # noqa: PLC0415 - heavy, lazy

    return load_sentence_model()


def thesaurus_synonyms(word_stem: str, lex: Lexicon) -> frozenset[str]:
    """Stems of the synonyms the lexicon's thesaurus gives ``word_stem`` (none without one)."""
    thesaurus = _thesaurus(lex)
    return thesaurus.of(word_stem) if thesaurus is not None else frozenset()


def _thesaurus(lex: Lexicon):
    """The thesaurus ``lex`` names (read once per process), or None."""
    if lex.thesaurus != "wordnet":
        return None
    # Imported here: the thesaurus module uses this module's stemmer.
    from assessments.thesaurus import load_thesaurus  # noqa: PLC0415

    return load_thesaurus()


@lru_cache(maxsize=65536)
def _canons(word: str, lex: Lexicon) -> frozenset[str]:
    s = stem(word)
    return frozenset({s}) | _class_index(lex).get(s, frozenset())


def canons_of(word: str, lexicon: str | Lexicon = DEFAULT_LEXICON) -> frozenset[str]:
    """Every id a word stands for: its stem plus the word classes of the stem."""
    return _canons(word, _resolve(lexicon))


@lru_cache(maxsize=65536)
def _strict_canons(word: str, lex: Lexicon | None = None) -> frozenset[str]:
    return frozenset({stem(word)})


@dataclass(frozen=True)
class Token:
    """One word of an answer: its exact span in the original text and what it stands for."""

    text: str
    lower: str
    start: int
    end: int
    stem: str
    canons: frozenset[str]
    sentence: int
    corrected_from: str = ""  # set when the word was read as a misspelling of a known word


_SENTENCE_BREAK = re.compile(r"[.!?;:\n\r\u2022]|(?:\s-\s)")


def tokenize(
    text: str, correct=None, *, strict: bool = False, lexicon: str | Lexicon = DEFAULT_LEXICON
) -> list[Token]:
    """Split ``text`` into ``Token``s with character offsets into ``text`` itself.

    ``correct`` is an optional callable ``(lower_word) -> corrected word or ""`` used for
    spelling; it is only consulted for unknown words of five letters or more.
    Hyphenated words become one token per part, each also standing for the joined word, so
    "pro-active" meets "proactive" and "follow-up" meets "follow up". ``strict`` leaves out
    the word classes (each token stands for its stem only): used for examiner wording.
    """
    lex = _resolve(lexicon)
    lookup = _strict_canons if strict else _canons
    tokens: list[Token] = []
    sentence = 0
    last_end = 0
    previous_lower = ""
    for match in _WORD.finditer(text):
        if _SENTENCE_BREAK.search(text, last_end, match.start()):
            sentence += 1
        last_end = match.end()
        raw = match.group(0)
        pieces: list[tuple[str, int]] = []
        if "-" in raw:
            offset = 0
            for part in raw.split("-"):
                pieces.append((part, match.start() + offset))
                offset += len(part) + 1
        else:
            pieces.append((raw, match.start()))
        joined = raw.lower().replace("-", "")
        whole = lookup(raw.lower(), lex) | lookup(joined, lex) if "-" in raw else frozenset()
        for part, start in pieces:
            if not part:
                continue
            lower = part.lower().replace("\u2019", "'")
            corrected = ""
            if part == "IT":
                canons = lookup("itsys", lex)
            elif lower.isdigit() or lower in _NUMBER_WORDS:
                canons = frozenset({lower, "#num"})
            elif lower == "like" and previous_lower not in _LIKE_SUBJECTS:
                canons = frozenset({"like_prep"})
            else:
                canons = lookup(lower, lex) | whole
                if correct is not None and len(lower) >= 5 and not whole:
                    corrected = correct(lower)
                    if corrected:
                        canons = canons | _canons(corrected, lex)
            tokens.append(
                Token(
                    text=part,
                    lower=lower,
                    start=start,
                    end=start + len(part),
                    stem=stem(lower),
                    canons=canons,
                    sentence=sentence,
                    corrected_from=corrected,
                )
            )
            previous_lower = lower
    return tokens


# --- spelling ---------------------------------------------------------------------------------


def bounded_edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count 1), or ``limit + 1`` once exceeded."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        row_min = i
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            row_min = min(row_min, value)
        if row_min > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class SpellingCorrector:
    """Reads a misspelt word as a known one, deterministically.

    Built from a vocabulary of known surface words. Only words of 5+ letters that are not
    already known are corrected, compared as written and by their stem when that has 5+ letters
    too; the allowed distance is 1 (5-7 letters) or 2 (8+ letters) of the form compared,
    the first letter must agree (learners rarely misspell it, and it halves false friends),
    and ties are broken by distance, then alphabetically, so results never depend on order.
    """

    def __init__(self, vocabulary: frozenset[str], base: SpellingCorrector | None = None) -> None:
        # ``base``: a shared corrector for the lexicon's own words, so its cache is filled once
        # per process rather than once per rubric; this one only adds the rubric's extra words.
        self._base = base
        self._known_stems = frozenset(stem(w) for w in vocabulary) | _COMMON_STEMS
        # Candidates are compared both as written and as stems ("redesined" -> "redesin"
        # is one letter from "redesign"), each remembering the vocabulary word it stands for.
        self._by_initial: dict[str, list[tuple[str, str]]] = {}
        for word in sorted(vocabulary):
            if len(word) >= 5 and word.isalpha():
                self._by_initial.setdefault(word[0], []).append((word, word))
                if stem(word) != word and len(stem(word)) >= 4:
                    self._by_initial[word[0]].append((stem(word), word))
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        result = ""
        known = stem(word) in self._known_stems or (
            self._base is not None and stem(word) in self._base._known_stems
        )
        if word.isalpha() and not known:
            best = (_allowed_edits(word) + 1, "")  # the word allows the most edits of its forms
            # The distance allowed goes by the length of the form compared, and a form shorter
            # than five letters is not compared: two edits on the 7-letter stem of "mentioning"
            # read it as "mentor", one on the 4-letter stem of "stopped" as "shopping".
            forms = {form: _allowed_edits(form) for form in {word, stem(word)} if len(form) >= 5}
            for candidate, original in self._by_initial.get(word[0], ()):
                for form, limit in forms.items():
                    if abs(len(candidate) - len(form)) > limit:
                        continue
                    distance = bounded_edit_distance(form, candidate, limit)
                    if distance <= limit and distance < best[0]:
                        best = (distance, original)
            result = best[1]
            if not result and self._base is not None:
                result = self._base(word)
        if len(self._cache) < 50_000:
            self._cache[word] = result
        return result


def _allowed_edits(form: str) -> int:
    return 1 if len(form) <= 7 else 2


# Everyday English words that must never be "corrected" into a lexicon word ("story" -> "store",
# "water" -> "waiter"): the corrector treats any unknown word of five letters or more as a
# possible misspelling, so common words outside the lexicon must be known. General English
# only, the same for every domain: never add a word because an answer used it.
_COMMON_WORDS = """
about above after again against almost along already although always among another answer
around because become before begin behind being below better between bring brought build
business called cannot carry cause certain change check child children clean clear close
come could course cover daily different during early either enough every example family
father feel field final first follow friend friends front further given going great group
happen heard heavy helped house however important instead issue large later learn least leave
level light little local lovely making matter maybe might money month morning mother moved
music never night number often order other others paper party people perhaps person place
plant point power pretty problem quite rather ready really reason right round school second
seems sense several shall short should shown since small something sometimes sound start
state still story study such sure table taken their there these thing things think those
though thought three through today together trading train travel trying under until using
usually water where whether which while whole whose woman women working world would write
wrong years young
""".split()
_COMMON_STEMS = frozenset(stem(w) for w in _COMMON_WORDS) | frozenset(
    stem(w) for w in FUNCTION_WORDS
)


# --- phrases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledPhrase:
    """A phrase ready to match: one set of acceptable ids per content word, and its polarity."""

    text: str
    units: tuple[frozenset[str], ...]
    polarity_free: bool = False


def compile_phrase(
    phrase: str, strict: bool = False, *, lexicon: str | Lexicon = DEFAULT_LEXICON
) -> CompiledPhrase | None:
    """Turn "track interactions" into units ({track, @track}, {interact, @interaction}).

    Stopwords are dropped (unless nothing else is left); "#num" stands for any number; a
    leading "~" marks the phrase polarity-free. Returns None for a phrase with no words.
    ``strict`` units hold the stem only (no word classes), for reading examiner wording.
    """
    return _compile_phrase(phrase, strict, _resolve(lexicon))


@lru_cache(maxsize=16384)
def _compile_phrase(phrase: str, strict: bool, lex: Lexicon) -> CompiledPhrase | None:
    lookup = _strict_canons if strict else _phrase_canons
    polarity_free = phrase.startswith("~")
    text = phrase.lstrip("~").strip()
    units: list[frozenset[str]] = []
    content: list[frozenset[str]] = []
    for raw in re.findall(r"#num|[0-9A-Za-z\u00c0-\u024f]+(?:['\u2019\-][0-9A-Za-z]+)*", text):
        lower = raw.lower()
        if lower == "#num" or lower.isdigit() or lower in _NUMBER_WORDS:
            unit = frozenset({"#num"})
        elif raw == "IT":
            unit = lookup("itsys", lex)
        elif "-" in lower:
            unit = lookup(lower, lex) | lookup(lower.replace("-", ""), lex)
        else:
            unit = lookup(lower, lex)
        units.append(unit)
        if lower not in STOPWORDS or raw == "IT":
            content.append(unit)
    chosen = content or units
    if not chosen:
        return None
    return CompiledPhrase(text=text, units=tuple(chosen), polarity_free=polarity_free)


@dataclass(frozen=True)
class PhraseMatch:
    """Token positions (indices into the token list) that realise one phrase."""

    positions: tuple[int, ...]
    phrase: CompiledPhrase


def build_index(tokens: list[Token]) -> dict[str, list[int]]:
    """id -> sorted token positions carrying it; built once per answer."""
    index: dict[str, list[int]] = {}
    for position, token in enumerate(tokens):
        for canon in token.canons:
            index.setdefault(canon, []).append(position)
    return index


def find_phrase(
    phrase: CompiledPhrase,
    tokens: list[Token],
    index: dict[str, list[int]],
    *,
    window_slack: int = 3,
    limit: int = 8,
) -> list[PhraseMatch]:
    """Every place (up to ``limit``) where all the phrase's units occur close together.

    Units may come in any order ("tracking interactions" / "interaction tracking") but must be
    in one sentence and within ``len(units) + window_slack`` tokens of each other.
    """
    unit_positions = _unit_positions(phrase, index)
    if unit_positions is None:
        return []
    if len(unit_positions) == 1:
        return [PhraseMatch((p,), phrase) for p in unit_positions[0][:limit]]
    window = len(unit_positions) + window_slack
    # Anchor on the rarest unit; look for the others nearby.
    order = sorted(range(len(unit_positions)), key=lambda i: len(unit_positions[i]))
    matches: list[PhraseMatch] = []
    for anchor in unit_positions[order[0]]:
        positions = _positions_around(anchor, order, unit_positions, tokens, window)
        if positions is not None and positions[-1] - positions[0] <= window:
            matches.append(PhraseMatch(positions, phrase))
            if len(matches) >= limit:
                break
    return matches


def _unit_positions(phrase: CompiledPhrase, index: dict[str, list[int]]) -> list[list[int]] | None:
    """Per unit, the sorted positions of tokens carrying any of its ids; None if one is absent."""
    unit_positions: list[list[int]] = []
    for unit in phrase.units:
        found: set[int] = set()
        for canon in unit:
            found.update(index.get(canon, ()))
        if not found:
            return None
        unit_positions.append(sorted(found))
    return unit_positions


def _positions_around(
    anchor: int,
    order: list[int],
    unit_positions: list[list[int]],
    tokens: list[Token],
    window: int,
) -> tuple[int, ...] | None:
    """The anchor plus, for every other unit, its nearest position in the anchor's sentence."""
    chosen = {order[0]: anchor}
    for unit_index in order[1:]:
        best = _nearest_in_sentence(anchor, unit_positions[unit_index], tokens, window)
        if best is None:
            return None
        chosen[unit_index] = best
    return tuple(sorted(set(chosen.values())))


def _nearest_in_sentence(
    anchor: int, candidates: list[int], tokens: list[Token], window: int
) -> int | None:
    """The candidate closest to ``anchor`` (earlier wins a tie) within ``window``, same sentence."""
    sentence = tokens[anchor].sentence
    lo = bisect_left(candidates, anchor - window)
    best = None
    for position in candidates[lo:]:
        if position > anchor + window:
            break
        if tokens[position].sentence != sentence:
            continue
        if best is None or abs(position - anchor) < abs(best - anchor):
            best = position
    return best


# --- concepts ---------------------------------------------------------------------------------


def compiled_concepts(
    strict: bool = False, *, lexicon: str | Lexicon = DEFAULT_LEXICON
) -> tuple[tuple[Concept, tuple[CompiledPhrase, ...]], ...]:
    """Every concept with its phrases compiled (``strict``: stems only, no word classes)."""
    return _compiled_concepts(strict, _resolve(lexicon))


@lru_cache(maxsize=16)
def _compiled_concepts(
    strict: bool, lex: Lexicon
) -> tuple[tuple[Concept, tuple[CompiledPhrase, ...]], ...]:
    compiled = []
    for concept in lex.concepts:
        phrases = tuple(p for p in (_compile_phrase(x, strict, lex) for x in concept.phrases) if p)
        compiled.append((concept, phrases))
    return tuple(compiled)


def concept_by_key(key: str, lexicon: str | Lexicon = DEFAULT_LEXICON) -> Concept | None:
    """The concept with this key, or None."""
    for concept in _resolve(lexicon).concepts:
        if concept.key == key:
            return concept
    return None


def concepts_by_category(
    category: str, lexicon: str | Lexicon = DEFAULT_LEXICON
) -> tuple[Concept, ...]:
    """All concepts in a category, in table order."""
    return tuple(c for c in _resolve(lexicon).concepts if category in c.categories)


def concepts_in_text(
    text: str, lexicon: str | Lexicon = DEFAULT_LEXICON
) -> list[tuple[Concept, int, int, tuple[str, ...]]]:
    """Concepts named in a short text (a marking point or a misconception).

    Returns ``(concept, start_char, end_char, overlapping_keys)`` in text order. Overlapping
    matches are resolved longest-first so "staff training" wins over "staff"; the keys of every
    concept that matched the same words are kept (``overlapping_keys``) because a misconception
    about "satisfaction scores" is also about "satisfaction".
    """
    lex = _resolve(lexicon)
    tokens = tokenize(text, strict=True, lexicon=lex)
    found = _concept_matches(text, tokens, lex)
    # Longest first; among equals, the concept for which the words are its own name (rank 0).
    table_order = _strict_phrase_index(lex).table_order
    found.sort(key=lambda item: (item[0], item[1], item[2], table_order[id(item[4])]))
    chosen = _longest_first(found)
    chosen.sort(key=lambda item: item[0])
    result = []
    for first, last, concept, keys in chosen:
        start = _whole_word_start(text, tokens, first)
        result.append((concept, start, tokens[last].end, tuple(sorted(keys))))
    return result


def _concept_matches(
    text: str, tokens: list[Token], lex: Lexicon
) -> list[tuple[int, int, int, int, Concept]]:
    """Every concept phrase in examiner wording, as ``(-length, rank, first, last, concept)``.

    Only the phrases whose first word occurs in the text are tried (``_strict_phrase_index``),
    in table order, so the result is the one a scan of every phrase would give.
    """
    index = build_index(tokens)
    phrase_index = _strict_phrase_index(lex)
    candidates: set[int] = set()
    for canon in index:
        candidates.update(phrase_index.by_first_unit.get(canon, ()))
    found: list[tuple[int, int, int, int, Concept]] = []
    for number in sorted(candidates):
        concept, rank, phrase = phrase_index.phrases[number]
        for match in find_phrase(phrase, tokens, index, window_slack=1):
            positions = match.positions
            if len(positions) == 1 and tokens[positions[0]].lower in lex.generic_point_words:
                continue
            if not _reads_as_one_phrase(text, tokens, positions):
                continue
            found.append((-(len(positions)), rank, positions[0], positions[-1], concept))
    return found


@dataclass(frozen=True)
class _StrictPhraseIndex:
    """The strict phrases examiner wording is read with, indexed by their first unit's ids.

    A phrase can only match a text whose tokens carry one of its first unit's ids
    (``_unit_positions`` needs every unit), so looking phrases up by the text's ids finds every
    phrase a full scan would, without trying the thousands that cannot match.
    """

    # (concept, rank within the concept, phrase), in table order.
    phrases: tuple[tuple[Concept, int, CompiledPhrase], ...]
    # id -> numbers (into ``phrases``) of the phrases whose first unit carries it.
    by_first_unit: dict[str, tuple[int, ...]]
    # id(concept) -> the concept's position in the lexicon's table (``concepts.index``).
    table_order: dict[int, int]


@lru_cache(maxsize=16)
def _strict_phrase_index(lex: Lexicon) -> _StrictPhraseIndex:
    phrases: list[tuple[Concept, int, CompiledPhrase]] = []
    by_first_unit: dict[str, list[int]] = {}
    for concept, compiled in _compiled_concepts(True, lex):
        for rank, phrase in enumerate(compiled):
            if phrase.polarity_free:
                continue
            if all(unit == frozenset({"#num"}) for unit in phrase.units):
                continue  # a number in a marking point is a count, not a target
            for canon in phrase.units[0]:
                by_first_unit.setdefault(canon, []).append(len(phrases))
            phrases.append((concept, rank, phrase))
    table_order: dict[int, int] = {}
    for concept in lex.concepts:
        # ``list.index`` finds the first equal concept; an equal later one sorts the same.
        table_order.setdefault(id(concept), lex.concepts.index(concept))
    return _StrictPhraseIndex(
        phrases=tuple(phrases),
        by_first_unit={canon: tuple(numbers) for canon, numbers in by_first_unit.items()},
        table_order=table_order,
    )


def _reads_as_one_phrase(text: str, tokens: list[Token], positions: tuple[int, ...]) -> bool:
    """In examiner wording a phrase's words must be adjacent (only stopwords between) and must
    not straddle punctuation."""
    between = [tokens[i] for i in range(positions[0] + 1, positions[-1]) if i not in positions]
    if any(t.lower not in STOPWORDS for t in between):
        return False
    gap = text[tokens[positions[0]].end : tokens[positions[-1]].start]
    return not re.search(r"[,;:()]", gap)


def _longest_first(
    found: list[tuple[int, int, int, int, Concept]],
) -> list[tuple[int, int, Concept, set[str]]]:
    """Take sorted matches greedily, skipping any that overlap one already taken; a skipped
    match lying inside a taken one adds its concept's key to that one's keys."""
    taken: set[int] = set()
    chosen: list[tuple[int, int, Concept, set[str]]] = []
    for _negative_len, _rank, first, last, concept in found:
        span = set(range(first, last + 1))
        overlapping = [c for c in chosen if span & set(range(c[0], c[1] + 1))]
        if span & taken:
            for item in overlapping:
                if span <= set(range(item[0], item[1] + 1)):
                    item[3].add(concept.key)
            continue
        taken |= span
        chosen.append((first, last, concept, {concept.key}))
    return chosen


def _whole_word_start(text: str, tokens: list[Token], first: int) -> int:
    """Where token ``first``'s whole hyphenated word starts ("long-term", not "term")."""
    start = tokens[first].start
    while first > 0 and text[start - 1 : start] == "-" and tokens[first - 1].end == start - 1:
        first -= 1
        start = tokens[first].start
    return start


def concept_wordings(lexicon: str | Lexicon = DEFAULT_LEXICON) -> frozenset[str]:
    """Every concept label and phrase of the lexicon, lower-cased: the wordings a rubric's idea
    carries when the lexicon knows it as a concept."""
    return _concept_wordings(_resolve(lexicon))


@lru_cache(maxsize=8)
def _concept_wordings(lex: Lexicon) -> frozenset[str]:
    return frozenset(
        wording.lower().lstrip("~")
        for concept in lex.concepts
        for wording in (concept.label, *concept.phrases)
    )


def lexicon_vocabulary(lexicon: str | Lexicon = DEFAULT_LEXICON) -> frozenset[str]:
    """Every surface word the lexicon knows, for the spelling corrector."""
    return _vocabulary(_resolve(lexicon))


@lru_cache(maxsize=8)
def _vocabulary(lex: Lexicon) -> frozenset[str]:
    words: set[str] = set()
    for class_words in lex.word_classes.values():
        words.update(w.lower() for w in class_words)
    for concept in lex.concepts:
        for phrase in concept.phrases:
            words.update(w.lower() for w in _WORD.findall(phrase.lstrip("~")))
    return frozenset(w for w in words if w not in STOPWORDS)


def base_corrector(lexicon: str | Lexicon = DEFAULT_LEXICON) -> SpellingCorrector:
    """The process-wide spelling corrector for the lexicon's vocabulary (shared cache)."""
    return _base_corrector(_resolve(lexicon))


@lru_cache(maxsize=8)
def _base_corrector(lex: Lexicon) -> SpellingCorrector:
    return SpellingCorrector(_vocabulary(lex))


# Recorded on every mark, so a re-mark can say whether the lexicon changed in between: the hash
# of the data file's bytes, so any edit to the file counts.
LEXICON_SHA256 = _DEFAULT.sha256
