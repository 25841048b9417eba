"""Mark a learner's free-text answer against a ``Rubric`` the way an examiner would.

Pure, deterministic, stdlib only. ``mark_answer(answer, rubric, misconceptions=...)`` returns a
``MarkResult`` with the decision, the evidence (character spans into the original answer, for
highlighting), what was missing, misconceptions stated as true, examiner-style feedback, a
``confident`` flag for the tutor review queue, and a reason for every decision.

The default backend, ``LexicalMarker``, works on words, not on overall similarity, because
similarity is a trap: an answer that reuses the question's words to deny them, or to talk about
something else, must earn nothing. What it does, in order:

1. Caps work at ``MAX_CHARS`` characters, blanks out HTML tags (keeping offsets), tokenises,
   stems, and reads misspellings of known words (5+ letters, bounded edit distance).
2. Finds each indicator's wordings (through ``assessments.lexicon`` synonyms), in any word order
   within one sentence.
3. Withdraws matches that are negated in their clause ("CRM is not about contact management",
   "never", "doesn't", "without", "rather than"…) or whose sentence denies a link ("there is no
   link between…").
4. Counts distinct ideas (the same words cannot count for two ideas; repeating an idea counts
   once) against ``required_count``.
5. For "explain/describe" points, a bare list or keyword stuffing earns nothing; for "link/
   justify" points, the answer also needs a connective ("because", "so", "which leads to"…).
6. Flags topic misconceptions stated as true (not when refuted), which also withholds credit.

This is the structural evidence channel of the marking pipeline (``assessments.marking``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from assessments import lexicon
from assessments.lexicon import CompiledPhrase, Token
from assessments.marking import feedback
from assessments.marking.results import (
    EvidenceMatch,
    FlaggedMisconception,
    MarkResult,
    MisconceptionSpec,
)
from assessments.rubrics import Rubric, needs_link

__all__ = [
    "MAX_CHARS",
    "LexicalMarker",
    "Link",
    "credited_score",
    "find_link",
    "ideas_to_show",
    "mentions_negation",
]

# Answers longer than this are marked on their first MAX_CHARS characters (and the reasons say
# so): a real short answer is a few hundred characters, and this bounds the work per answer.
MAX_CHARS = 5000


_NEGATORS = frozenset(
    """
    not no never none nothing neither nor without cannot nobody hardly ignore ignores ignored
    ignoring lack lacks lacking dont doesnt isnt cant wont arent didnt wasnt werent shouldnt
    couldnt wouldnt havent hasnt aint
    """.split()
)
_NEGATOR_WORD = re.compile(r"[a-z']+")


def mentions_negation(text: str) -> bool:
    """Whether ``text`` holds a word that denies ("not", "never", "without", "don't"…)."""
    for word in _NEGATOR_WORD.findall(text.lower().replace("\u2019", "'")):
        if word.endswith("n't") or word.replace("'", "") in _NEGATORS:
            return True
    return False


# Words that on their own deny what they describe ("service recovery is a waste of money").
_DENIAL_WORDS = frozenset(
    "waste pointless useless unrelated irrelevant unnecessary unimportant meaningless".split()
)
# A negated one of these denies the whole sentence's claim ("no link", "does not help").
_RELATION_WORDS = frozenset(
    """
    link links linked connection connected effect affect affects impact impacts influence
    matter matters difference contribute contributes lead leads relate related relevant
    bearing role help helps point
    """.split()
)
# Words skipped when looking for what a negator applies to, or for "X is not …".
_LIGHT = lexicon.STOPWORDS | frozenset(
    """
    really actually always necessarily just only use used using bring brings give gives offer
    offers provide provides involve involves include includes need needs any much many
    get gets got be been being make makes
    """.split()
)
# Clause boundaries for negation scope.
_BOUNDARY_WORDS = frozenset(
    """
    but because so although though however whereas while which who since as yet instead
    otherwise then when if unless therefore means meaning whilst thus hence
    """.split()
)
_CONTRAST_WORDS = frozenset("but however whereas although though yet instead".split())
_EQUATING = frozenset("is are was were means mean meaning equals equal same just basically".split())
_SAME_WORDS = frozenset("same identical interchangeable equivalent".split())
_CONTRASTING = frozenset(
    "than different differ differs difference distinguish rather instead whereas versus vs "
    "unlike opposed not".split()
)
_STRONG_CONNECTIVES = re.compile(
    r"\b(?:because|so|therefore|thus|hence|which\s+(?:means|leads|results|helps|makes|"
    r"increases|improves|reduces|builds|keeps|gives|brings|boosts|raises|lowers|stops|"
    r"encourages|shows|allows|lets)|this\s+(?:means|leads|results|helps|makes|increases|"
    r"improves|reduces|builds|keeps|gives|brings|boosts)|means?|meaning|leads?\s+to|led\s+to|"
    r"results?\s+in|resulting\s+in|as\s+a\s+result|due\s+to|thanks\s+to|in\s+order\s+to|"
    r"so\s+that|helps?|helping|allows?|enables?|lets?|makes?|ensures?|increases?|improves?|"
    r"reduces?|boosts?|builds?|drives?|raises?|lowers?|causes?|contributes?|encourages?|"
    r"stops?|prevents?|keeps?|brings?|gives?|creates?|turns?|wins?|earns?|grows?|"
    r"the\s+more|the\s+longer|since|why|(?:use|uses|used|using)\b[^.]{0,40}?\bto\s+\w+|"
    r"to\s+(?:build|improve|increase|keep|make|help|reduce|boost|find|spot|see|check|"
    r"target|personalise|personalize|tailor|retain|win|fix|show|measure|track))\b",
    re.IGNORECASE,
)
_WEAK_CONNECTIVES = re.compile(
    r"\b(?:as|when|if|by|through|after|then|via|following)\b", re.IGNORECASE
)
_HTML_TAG = re.compile(r"<[^<>]{0,300}>|&(?:[a-zA-Z]{2,8}|#\d{1,7});")


# --- compiled rubrics and misconceptions --------------------------------------------------------


@dataclass(frozen=True)
class _CompiledIndicator:
    label: str
    phrases: tuple[tuple[CompiledPhrase, bool], ...]  # (phrase, is the label's own wording)


@dataclass(frozen=True)
class _CompiledRubric:
    indicators: tuple[_CompiledIndicator, ...]
    corrector: lexicon.SpellingCorrector
    point_stems: frozenset[str]
    lex: lexicon.Lexicon


def _compile_rubric(rubric: Rubric) -> _CompiledRubric:
    lex = lexicon.load_lexicon(rubric.lexicon)
    vocabulary: set[str] = set()
    indicators = []
    point_stems = {
        t.stem
        for t in lexicon.tokenize(rubric.point_text + " " + rubric.prompt, strict=True, lexicon=lex)
    }
    for indicator in rubric.indicators:
        phrases: list[tuple[CompiledPhrase, bool]] = []
        wordings = [indicator.label, *indicator.alternatives]
        label_stems = {t.stem for t in lexicon.tokenize(indicator.label, strict=True, lexicon=lex)}
        point_stems |= label_stems
        for wording in dict.fromkeys(wordings):
            compiled = lexicon.compile_phrase(wording, lexicon=lex)
            if compiled is None:
                continue
            own = {t.stem for t in lexicon.tokenize(wording, strict=True, lexicon=lex)}
            own = own <= label_stems
            phrases.append((compiled, own))
            vocabulary.update(w.lower() for w in re.findall(r"[A-Za-z]{5,}", wording.lstrip("~")))
        indicators.append(_CompiledIndicator(indicator.label, tuple(phrases)))
    return _CompiledRubric(
        indicators=tuple(indicators),
        corrector=lexicon.SpellingCorrector(
            frozenset(vocabulary - lexicon.lexicon_vocabulary(lex)),
            base=lexicon.base_corrector(lex),
        ),
        point_stems=frozenset(point_stems),
        lex=lex,
    )


@lru_cache(maxsize=512)
def _compile_rubric_cached(rubric: Rubric) -> _CompiledRubric:
    return _compile_rubric(rubric)


def _compiled(rubric: Rubric) -> _CompiledRubric:
    try:
        return _compile_rubric_cached(rubric)
    except TypeError:  # an unhashable rubric built by hand with lists: compile without caching
        return _compile_rubric(rubric)


# --- analysis of one answer ---------------------------------------------------------------------


@dataclass
class _Analysis:
    text: str  # the (possibly truncated) original text
    tokens: list[Token]
    index: dict[str, list[int]]
    negated: list[bool]
    clause: list[int]
    negation_reason: dict[int, int]  # token position -> position of the negator
    lex: lexicon.Lexicon


def _is_negator(tokens: list[Token], i: int, text: str) -> bool:
    lower = tokens[i].lower
    nxt = tokens[i + 1].lower if i + 1 < len(tokens) else ""
    if lower in {"not", "no", "never"} or lower.endswith("n't") or lower in _NEGATORS:
        # "not only/just" adds rather than denies; "No, …" is an interjection.
        if nxt in {"only", "just", "simply", "merely", "solely"}:
            return False
        if lower == "no" and text[tokens[i].end : tokens[i].end + 1] in {",", "!"}:
            return False
        if lower == "no" and nxt in {"matter", "doubt"}:
            return False
        if lower == "without" and nxt == "doubt":
            return False
        return True
    if lower == "rather" and nxt == "than":
        return True
    if lower == "instead" and nxt == "of":
        return True
    if lower in {"fail", "fails", "failed", "failing"} and nxt == "to":
        return True
    return False


def _analyse(text: str, corrector: lexicon.SpellingCorrector, lex: lexicon.Lexicon) -> _Analysis:
    masked = _HTML_TAG.sub(lambda m: " " * len(m.group(0)), text)
    tokens = lexicon.tokenize(masked, corrector, lexicon=lex)
    clause = _clauses(tokens, masked)
    negated = [False] * len(tokens)
    reason: dict[int, int] = {}
    for i in range(len(tokens)):
        if not _is_negator(tokens, i, masked):
            continue
        _negate_clause_after(tokens, clause, masked, i, negated, reason)
        # A denied relation ("no link", "does not help", "never leads to") denies the
        # whole sentence's claim, up to a contrast ("but", "however").
        if _denies_relation(tokens, i):
            _deny_sentence(tokens, i, negated, reason)
    for i, token in enumerate(tokens):
        if token.lower in _DENIAL_WORDS:
            _deny_sentence(tokens, i, negated, reason)
    return _Analysis(text, tokens, lexicon.build_index(tokens), negated, clause, reason, lex)


def _clauses(tokens: list[Token], masked: str) -> list[int]:
    """Clause index of each token: punctuation or a boundary word starts a new clause."""
    clause = [0] * len(tokens)
    current = 0
    for i, token in enumerate(tokens):
        if i > 0:
            gap = masked[tokens[i - 1].end : token.start]
            if re.search(r"[,.;:!?()\n\r\u2022]", gap) or token.sentence != tokens[i - 1].sentence:
                current += 1
            elif token.lower in _BOUNDARY_WORDS:
                current += 1
        clause[i] = current
    return clause


def _negate_clause_after(
    tokens: list[Token],
    clause: list[int],
    masked: str,
    i: int,
    negated: list[bool],
    reason: dict[int, int],
) -> None:
    """Mark the negator at ``i``'s forward scope as negated (by ``i``, unless already negated).

    The scope runs to the end of the clause (a comma continues it when a list with "or"/"nor"
    follows: "not about A, B or C"), at most 12 tokens.
    """
    j = i + 1
    steps = 0
    while j < len(tokens) and steps < 12:
        if tokens[j].sentence != tokens[i].sentence:
            break
        if clause[j] != clause[j - 1]:
            gap = masked[tokens[j - 1].end : tokens[j].start]
            if tokens[j].lower in _BOUNDARY_WORDS or re.search(r"[.;:!?\n]", gap):
                break
            if not _list_continues(tokens, clause, j):
                break
        if not negated[j]:
            negated[j] = True
            reason[j] = i
        j += 1
        steps += 1


def _denies_relation(tokens: list[Token], i: int) -> bool:
    """Does the negator at ``i`` apply (past light words) to a relation word in its sentence?"""
    n = len(tokens)
    k = i + 1
    while k < n and tokens[k].lower in _LIGHT and k - i < 4:
        k += 1
    return k < n and tokens[k].lower in _RELATION_WORDS and tokens[k].sentence == tokens[i].sentence


def _list_continues(tokens: list[Token], clause: list[int], j: int) -> bool:
    """After a comma inside a negation: is this a list item ("A, B or C")?"""
    for k in range(j, min(j + 6, len(tokens))):
        if tokens[k].lower in {"or", "nor"}:
            return True
        if tokens[k].lower in _BOUNDARY_WORDS or (k > j and clause[k] != clause[k - 1]):
            return False
    return False


def _deny_sentence(tokens: list[Token], i: int, negated: list[bool], reason: dict[int, int]):
    sentence = tokens[i].sentence
    for direction in (-1, 1):
        k = i + direction
        while 0 <= k < len(tokens) and tokens[k].sentence == sentence:
            if tokens[k].lower in _CONTRAST_WORDS or tokens[k].lower in {"because", "so"}:
                break
            if not negated[k]:
                negated[k] = True
                reason[k] = i
            k += direction


def _post_negated(analysis: _Analysis, positions: tuple[int, ...], other: set[int]) -> int | None:
    """ "X is not …", "X does not matter": a negator right after the match, same clause."""
    tokens = analysis.tokens
    k = positions[-1] + 1
    steps = 0
    while k < len(tokens) and steps < 5:
        if analysis.clause[k] != analysis.clause[positions[-1]] and tokens[k].lower not in {
            "and",
            "or",
        }:
            return None
        if _is_negator(tokens, k, analysis.text) or tokens[k].lower in _DENIAL_WORDS:
            # "stay and not go elsewhere": a negator straight after "and"/"or" denies what
            # follows it, not the match before.
            if tokens[k - 1].lower in {"and", "or"}:
                return None
            return k
        if tokens[k].lower in _LIGHT or tokens[k].lower in {"and", "or"} or k in other:
            k += 1
            steps += 1
            continue
        return None
    return None


# --- matching indicators -----------------------------------------------------------------------


@dataclass
class _Found:
    indicator: str
    positions: tuple[int, ...]
    phrase: CompiledPhrase
    own_words: bool
    negated_by: int | None
    corrected: bool


def _find_indicator(
    compiled: _CompiledIndicator, analysis: _Analysis
) -> tuple[list[_Found], list[_Found]]:
    """All positive matches (best first) and the negated ones, for one indicator."""
    positive: list[_Found] = []
    denied: list[_Found] = []
    for phrase, own in compiled.phrases:
        for match in lexicon.find_phrase(phrase, analysis.tokens, analysis.index):
            positions = match.positions
            if _loose_class_match(phrase, analysis, positions):
                continue
            corrected = any(analysis.tokens[p].corrected_from for p in positions)
            negator = None
            if not phrase.polarity_free:
                for p in positions:
                    if analysis.negated[p]:
                        negator = analysis.negation_reason.get(p, p)
                        break
            found = _Found(compiled.label, positions, phrase, own, negator, corrected)
            (denied if negator is not None else positive).append(found)
    # Prefer exact over corrected spelling, longer phrases, then earliest.
    positive.sort(key=lambda f: (f.corrected, -len(f.positions), f.positions[0]))
    return positive, denied


def _loose_class_match(
    phrase: CompiledPhrase, analysis: _Analysis, positions: tuple[int, ...]
) -> bool:
    """A one-word match made only through the phrase's word class where the class says too
    little: the class holds a word too general to name an idea (``@customer`` holds
    "customer", so "regulars" would take any customer as retention; ``@staff`` holds
    "people"), or the phrase lost its meaning with its function words ("what they buy" is
    compiled to "buy", whose class would take "shop" as a buying behaviour)."""
    if len(phrase.units) != 1 or len(positions) != 1:
        return False
    if analysis.tokens[positions[0]].stem in phrase.units[0]:
        return False
    return len(phrase.text.split()) > 1 or bool(
        phrase.units[0] & lexicon.broad_classes(analysis.lex)
    )


def _span(analysis: _Analysis, positions: Sequence[int]) -> tuple[int, int]:
    return analysis.tokens[min(positions)].start, analysis.tokens[max(positions)].end


def _quote(analysis: _Analysis, positions: Sequence[int], pad: int = 0) -> str:
    lo = max(0, min(positions) - pad)
    hi = min(len(analysis.tokens) - 1, max(positions))
    start, end = analysis.tokens[lo].start, analysis.tokens[hi].end
    snippet = re.sub(r"[\s\x00-\x1f\x7f]+", " ", analysis.text[start:end]).strip()
    return snippet if len(snippet) <= 80 else snippet[:77] + "..."


# --- misconceptions ----------------------------------------------------------------------------
#
# A misconception is flagged only when the answer *asserts* its distinctive claim: the words
# that make it wrong ("every … fault of the customer", "only … software"), not the topic nouns
# it is about, all inside one clause of one sentence, with the same polarity, and not reported
# ("some people think…"), refuted ("it is a myth that…"), hedged, asked or made conditional.


@dataclass(frozen=True)
class _Part:
    """Words one side of a claim needs: concept slots (any of the keys) and single-word units."""

    concept_slots: tuple[frozenset[str], ...] = ()
    units: tuple[frozenset[str], ...] = ()

    @property
    def size(self) -> int:
        return len(self.concept_slots) + len(self.units)


@dataclass(frozen=True)
class _Claim:
    """One checkable claim. ``kind``: "predicate" (subject has predicate) or "equivalence"."""

    kind: str
    subject: _Part  # what the claim is about: one of its words (or a pronoun) must be there
    predicate: _Part  # what makes it wrong: all of it (most, when long) must be there
    quantifiers: frozenset[str]  # families ("all", "only"): the answer must use one of them
    negative: bool  # the mistaken idea is itself a denial ("patients never need…")
    own_words: frozenset[str]  # the statement's words, never read as hedges in the answer


# Framing that carries no claim of its own.
_MISCONCEPTION_LABEL = re.compile(
    r"^(?:common\s+)?(?:misconception|mistake|myth)\s*[:\-–]\s*", re.I
)
_EQUIVALENCE_FRAMING = re.compile(
    r"^(?:confusing|conflating|equating|mixing\s+up|muddling(?:\s+up)?)\s+(?P<a>.+?)\s+"
    r"(?:with|and)\s+(?P<b>[^,;]+)",
    re.I,
)
_SAME_AS = re.compile(
    r"^(?P<a>.+?)\s+(?:is|are|means?)\s+(?:just\s+|basically\s+|simply\s+|exactly\s+)?"
    r"(?:the\s+same(?:\s+thing)?\s+as|identical\s+to|equivalent\s+to|interchangeable\s+with|"
    r"another\s+(?:word|name|term)\s+for)\s+(?P<b>.+)$",
    re.I,
)
_BOTH_SAME = re.compile(
    r"^(?P<a>.+?)\s+and\s+(?P<b>.+?)\s+(?:are|mean)\s+(?:just\s+|basically\s+|exactly\s+)?"
    r"(?:the\s+same(?:\s+thing)?|identical|interchangeable|equivalent)$",
    re.I,
)
_AS_FRAMING = re.compile(
    r"^(?:treating|seeing|viewing|regarding|considering|thinking\s+of|looking\s+at|"
    r"describing|labelling|labeling)\s+(?P<x>.+?)\s+as\s+(?:if\s+|though\s+)?(?:being\s+)?"
    r"(?P<y>.+)$",
    re.I,
)
_BELIEF_FRAMING = re.compile(
    r"^(?:(?:wrongly|mistakenly)\s+)?(?:believing|thinking|assuming|expecting|presuming|"
    r"supposing|imagining|feeling|the\s+(?:belief|idea|assumption|view|notion)|a\s+belief)"
    r"\s+(?:that\s+)?(?P<x>.+)$",
    re.I,
)
_REPORTED_FRAMING = re.compile(
    r"^(?:(?:many|some|most)\s+)?(?:learners?|candidates?|students?|people|staff|it)\s+"
    r"(?:(?:may|might|often|sometimes|wrongly|mistakenly|can|is|are)\s+){0,2}"
    r"(?:think|thinks|believe|believes|assume|assumes|assumed|believed|thought)\s+"
    r"(?:that\s+)?(?P<x>.+)$",
    re.I,
)
_IT_MEANS = re.compile(r"^(?:it|this|that|they)\s+(?:means?|is|are)\s+(?P<x>.+)$", re.I)
_CLAIM_TRIM = re.compile(
    r"\s*(?:,\s*|\s)(?:rather\s+than|without\s+\w+ing|instead\s+of|leading\s+to|failing|"
    r"overlooking|missing|neglecting|learners\s+may|which\s+)\b.*$",
    re.IGNORECASE,
)
# Omissions ("Failing to…", "Overlooking…") cannot be seen in what an answer says.
_OMISSION = re.compile(
    r"^(?:failing|overlooking|neglecting|ignoring|forgetting|focusing|focussing|not\s|"
    r"lack\s+of|under-?estimating|missing|omitting|leaving\s+out)",
    re.IGNORECASE,
)
# Where a bare statement turns from its subject to what it says about it.
_PREDICATE_START = frozenset(
    """
    is are was were be means mean equals has have do does can cannot will should must need
    needs only just always never solely merely simply purely automatically exclusively alone
    guarantees ensures isnt arent doesnt dont cant wont
    """.split()
)
_QUANTIFIER_FAMILIES = {
    "all": frozenset("every all any each everyone everybody everything whatever whenever".split()),
    "always": frozenset(
        """
        always automatically guarantee guarantees guaranteed ensure ensures definitely
        certainly inevitably invariably never
        """.split()
    ),
    "only": frozenset(
        "only just solely merely simply purely exclusively alone enough nothing".split()
    ),
}
# "Every complaint is…" is also said as "complaints are always…"; "automatically" is not "every".
_QUANTIFIER_ACCEPTS = {"all": frozenset({"all", "always"})}
_QUANTIFIER_CLASS_FAMILY = {"@always": "always", "@only": "only"}
# Words that carry no claim: relation verbs and vague nouns ("indicates", "a tool", "a thing").
_WEAK_CLAIM_WORDS = frozenset(
    """
    indicate indicates indicated mean means meaning lead leads result results involve involves
    include includes use used using tool tools thing things piece way ways kind type sort form
    part matter matters something aspect high low really very about being treat treated
    treating see seen regard regarded consider considered
    """.split()
)
_PERSON_CLASSES = frozenset({"@customer", "@staff"})
_PERSON_STEMS = frozenset(
    "patient person peopl child client user learner pupil student resident individual".split()
)
_SUBJECT_PRONOUNS = frozenset("it they this these those he she".split())
_PERSON_PRONOUNS = frozenset("they them their theirs he she him her his themselves".split())
# A claim must sit within one of these: a new reason or contrast is a new claim.
_CLAIM_BOUNDARIES = frozenset(
    """
    but because although though however whereas while whilst yet so therefore thus hence
    unless instead which who otherwise
    """.split()
)
_CLAIM_HEDGES = frozenset(
    """
    may might could can sometimes possibly perhaps probably maybe occasionally likely unlikely
    tend tends often usually
    """.split()
)
_REFUTING = frozenset(
    """
    myth myths misconception misconceptions mistake mistaken mistakenly wrong wrongly incorrect
    incorrectly untrue false falsely fallacy misguided misunderstanding avoid avoiding beware
    contrary outdated nonsense
    """.split()
)
_QUALIFYING = frozenset(
    "minus plus less after before divided times multiplied over without excluding".split()
)
_TRUTH_WORDS = frozenset("true correct right accurate case fair".split())
_REPORTING = frozenset(
    """
    think thinks thought believe believes believed assume assumes assumed say says said claim
    claims claimed feel feels felt suppose supposes supposed imagine imagines reckon reckons
    argue argues suggest suggests see sees saw view views regard regards consider considers
    """.split()
)
_REPORT_SKIP = frozenset(
    """
    often sometimes may might still wrongly mistakenly do does did will would really strongly
    also personally genuinely honestly firmly can could should tend tends to usually always
    """.split()
)


def _part(text: str, lex: lexicon.Lexicon, *, concepts: bool = True) -> _Part:
    """The words of ``text`` that a claim needs, as concept slots and single-word units.

    ``concepts=False`` keeps every word as itself, for two terms the lexicon reads as one idea.
    """
    slots: list[frozenset[str]] = []
    covered: list[tuple[int, int]] = []
    for _concept, start, end, keys in lexicon.concepts_in_text(text, lex) if concepts else ():
        slots.append(frozenset(keys))
        covered.append((start, end))
    units: list[frozenset[str]] = []
    weak: list[frozenset[str]] = []
    for token in lexicon.tokenize(text, lexicon=lex):
        if any(start <= token.start < end for start, end in covered):
            continue
        lower = token.lower.replace("'", "")
        if lower in lexicon.FUNCTION_WORDS or lower in _NEGATORS or _quantifier_family(token):
            continue
        compiled = lexicon.compile_phrase(token.text, lexicon=lex)
        if compiled is None:
            continue
        (weak if lower in _WEAK_CLAIM_WORDS else units).append(compiled.units[0])
    if not slots and not units:
        units = weak  # "Thinking it means being used": the weak words are all there is
    return _Part(tuple(dict.fromkeys(slots)), tuple(dict.fromkeys(units)))


def _quantifier_family(token: Token) -> str:
    lower = token.lower.replace("'", "")
    for family, words in _QUANTIFIER_FAMILIES.items():
        if lower in words:
            return family
    for canon, family in _QUANTIFIER_CLASS_FAMILY.items():
        if canon in token.canons:
            return family
    return ""


def _statement_claim(
    kind: str, subject: str, predicate: str, whole: str, lex: lexicon.Lexicon
) -> _Claim | None:
    tokens = lexicon.tokenize(whole, lexicon=lex)
    sides = (_part(subject, lex), _part(predicate, lex))
    if kind == "equivalence":
        if set(sides[0].concept_slots) & set(sides[1].concept_slots):
            # "Confusing profit with revenue": one lexicon idea cannot be confused with itself.
            sides = (_part(subject, lex, concepts=False), _part(predicate, lex, concepts=False))
        sides = (_without_modifiers(sides[0]), _without_modifiers(sides[1]))
    elif not sides[1].size:
        # "Backing up once is enough": the quantifier is the claim, said of the whole subject.
        sides = (_Part(), sides[0])
    claim = _Claim(
        kind=kind,
        subject=sides[0],
        predicate=sides[1],
        quantifiers=frozenset(
            f for f in map(_quantifier_family, tokens) if f and kind != "equivalence"
        ),
        negative=kind == "predicate"
        and sum(1 for i in range(len(tokens)) if _is_negator(tokens, i, whole)) % 2 == 1,
        own_words=frozenset(t.lower for t in tokens),
    )
    if not claim.predicate.size or (kind == "equivalence" and not claim.subject.size):
        return None
    return claim


def _parse_claim(text: str, lex: lexicon.Lexicon) -> _Claim | None:
    """One clause of a misconception statement -> its claim, or None (an omission, or empty)."""
    text = _MISCONCEPTION_LABEL.sub("", text.strip()).strip()
    if not text or _OMISSION.match(text):
        return None
    confusing = _EQUIVALENCE_FRAMING.match(text)
    if confusing:
        a, b = (_CLAIM_TRIM.sub("", confusing.group(g)) for g in ("a", "b"))
        return _statement_claim("equivalence", a, b, f"{a} {b}", lex)
    treating = _AS_FRAMING.match(text)
    if treating:
        x, y = treating.group("x"), _CLAIM_TRIM.sub("", treating.group("y"))
        return _statement_claim("predicate", x, y, f"{x} {y}", lex)
    framed = _BELIEF_FRAMING.match(text) or _REPORTED_FRAMING.match(text)
    if framed:
        return _parse_claim(framed.group("x"), lex)
    text = _CLAIM_TRIM.sub("", text)
    same = _SAME_AS.match(text) or _BOTH_SAME.match(text)
    if same:
        return _statement_claim("equivalence", same.group("a"), same.group("b"), text, lex)
    it_means = _IT_MEANS.match(text)
    if it_means:
        x = it_means.group("x")
        return _statement_claim("predicate", "", x, x, lex)
    words = list(re.finditer(r"[\w'’-]+", text))
    for index, word in enumerate(words):
        lower = word.group(0).lower().replace("'", "").replace("’", "")
        if index and lower in _PREDICATE_START:
            subject = text[: word.start()]
            if any(w.group(0).lower() not in lexicon.FUNCTION_WORDS for w in words[:index]):
                return _statement_claim("predicate", subject, text[word.start() :], text, lex)
            break
    # No visible turn ("Antibiotics kill viruses"): every word is part of the claim.
    return _statement_claim("predicate", "", text, text, lex)


@lru_cache(maxsize=256)
def _claims_for(statement: str, lex: lexicon.Lexicon) -> tuple[_Claim, ...]:
    """Turn a misconception statement into checkable claims (possibly none).

    The framing verb is stripped ("Believing that X", "Thinking X", "Assuming X"), "Treating X
    as Y" says Y of X, "Confusing A with B" and "A is the same as B" say A is B, and a later
    "; learners may think it means X" adds X. Omissions ("Failing to…") give no claim.
    """
    text = re.sub(r"\s+", " ", statement or "").strip().rstrip(".")
    parts = [p.strip() for p in re.split(r";\s*", text) if p.strip()]
    if not parts:
        return ()
    claims = [_parse_claim(parts[0], lex)]
    for part in parts[1:]:
        reported = _REPORTED_FRAMING.match(part)
        if reported:
            claims.append(_parse_claim(reported.group("x"), lex))
    return tuple(c for c in claims if c is not None)


def _segments(analysis: _Analysis, positions: list[int]) -> list[list[int]]:
    """A sentence cut at reasons and contrasts ("because", "but", "which"…)."""
    segments: list[list[int]] = [[]]
    for p in positions:
        if analysis.tokens[p].lower in _CLAIM_BOUNDARIES and segments[-1]:
            segments.append([])
        segments[-1].append(p)
    return [s for s in segments if s]


def _part_positions(
    part: _Part, analysis: _Analysis, segment: list[int], taken: set[int], need: int
) -> list[int] | None:
    """Positions in ``segment`` realising at least ``need`` of ``part``'s slots and units."""
    inside = set(segment)
    taken = set(taken)  # grown below as items are found; the caller's set is left alone
    chosen: list[int] = []
    hits = 0
    for slot in part.concept_slots:
        best = _earliest_slot_match(slot, analysis, inside, taken)
        if best is not None:
            chosen.extend(best)
            taken |= set(best)
            hits += 1
    for unit in part.units:
        position = _unit_position(unit, analysis, segment, taken)
        if position is not None:
            chosen.append(position)
            taken.add(position)
            hits += 1
    return chosen if hits >= need else None


def _earliest_slot_match(
    slot: frozenset[str], analysis: _Analysis, inside: set[int], taken: set[int]
) -> tuple[int, ...] | None:
    """The earliest match, inside the segment and clear of ``taken``, of a concept in ``slot``."""
    best: tuple[int, ...] | None = None
    for concept, phrases in lexicon.compiled_concepts(lexicon=analysis.lex):
        if concept.key not in slot:
            continue
        for phrase in phrases:
            for match in lexicon.find_phrase(phrase, analysis.tokens, analysis.index):
                if not _can_be_an_idea(analysis, match.positions):
                    continue
                if set(match.positions) <= inside and not set(match.positions) & taken:
                    if best is None or match.positions[0] < best[0]:
                        best = match.positions
    return best


def _can_be_an_idea(analysis: _Analysis, positions: tuple[int, ...]) -> bool:
    tokens = analysis.tokens
    # A quantifier is the claim's own word, never part of an idea it qualifies.
    if any(_quantifier_family(tokens[p]) for p in positions):
        return False
    # Nor is a bare "customer" an idea ("regulars" reaches it via a word class).
    return not all(tokens[p].canons & _PERSON_CLASSES for p in positions)


def _unit_position(
    unit: frozenset[str], analysis: _Analysis, segment: list[int], taken: set[int]
) -> int | None:
    """The first free, non-quantifier token of ``segment`` standing for ``unit`` (a person
    unit also accepts a person pronoun)."""
    person = _is_person(unit)
    for p in segment:
        token = analysis.tokens[p]
        if p in taken or _quantifier_family(token):
            continue
        if token.canons & unit or (person and token.lower in _PERSON_PRONOUNS):
            return p
    return None


def _is_person(unit: frozenset[str]) -> bool:
    return bool(unit & _PERSON_CLASSES or unit & _PERSON_STEMS)


def _need(part: _Part) -> int:
    """How many of ``part``'s items must be found: all of a short part, most of a long one."""
    return part.size if part.size <= 5 else math.ceil(0.8 * part.size)


def _without_modifiers(part: _Part) -> _Part:
    """ "customer needs" -> "needs": a person word qualifying a term is not what is confused."""
    units = tuple(unit for unit in part.units if not _is_person(unit))
    return _Part(part.concept_slots, units) if part.concept_slots or units else part


def _predicate_hit(claim: _Claim, analysis: _Analysis, segment: list[int]) -> list[int] | None:
    tokens = analysis.tokens
    predicate = _part_positions(claim.predicate, analysis, segment, set(), _need(claim.predicate))
    if predicate is None:
        return None
    hit = list(predicate)
    if claim.quantifiers:
        accepted = set().union(*(_QUANTIFIER_ACCEPTS.get(f, {f}) for f in claim.quantifiers))
        quantifiers = [
            p
            for p in segment
            if _quantifier_family(tokens[p]) in accepted
            and not any(
                tokens[q].lower in {"not", "than", "beyond"} for q in range(max(0, p - 2), p)
            )
        ]
        if not quantifiers:
            return None
        hit.append(min(quantifiers, key=lambda p: abs(p - min(predicate))))
    if claim.subject.size:
        subject = _part_positions(claim.subject, analysis, segment, set(hit), 1)
        if subject is None:
            # "They always stay": a subject pronoun before the claim stands for its subject.
            pronouns = [
                p
                for p in segment
                if tokens[p].lower in _SUBJECT_PRONOUNS and p < min(predicate) and p not in hit
            ]
            if not pronouns:
                return None
            subject = [min(pronouns, key=lambda p: abs(p - min(predicate)))]
        hit.extend(subject)
    hit = sorted(set(hit))
    if hit[-1] - hit[0] > 12 + len(hit):
        return None
    return hit


def _equivalence_hit(claim: _Claim, analysis: _Analysis, segment: list[int]) -> list[int] | None:
    tokens = analysis.tokens
    a = _part_positions(claim.subject, analysis, segment, set(), _need(claim.subject))
    if a is None:
        return None
    b = _part_positions(claim.predicate, analysis, segment, set(a), _need(claim.predicate))
    if b is None:
        return None
    lo, hi = sorted((max(a), min(b)) if max(a) < min(b) else (max(b), min(a)))
    if hi - lo > 10:
        return None
    between = {tokens[p].lower for p in range(lo, hi + 1)}
    after = {tokens[p].lower for p in range(hi, min(hi + 5, len(tokens)))}
    if not (between & _EQUATING or after & _SAME_WORDS):
        return None
    if not after & _SAME_WORDS and any(
        tokens[p].lower not in lexicon.FUNCTION_WORDS | _LIGHT | _EQUATING
        for p in range(lo + 1, hi)
    ):
        return None  # "needs are essentials and wants are extras" equates neither with the other
    blockers = between & ((_CONTRASTING | _BOUNDARY_WORDS) - _EQUATING)
    if blockers - ({"as"} if between & _SAME_WORDS else set()):
        return None
    end = max(max(a), max(b)) + 1
    if end < len(tokens) and tokens[end].lower in _QUALIFYING:
        return None  # "profit is revenue minus costs" defines one by the other
    return sorted(set(a) | set(b))


def _comma_clause_start(analysis: _Analysis, position: int) -> int:
    tokens, start = analysis.tokens, position
    while start > 0 and tokens[start - 1].sentence == tokens[position].sentence:
        gap = analysis.text[tokens[start - 1].end : tokens[start].start]
        if re.search(r"[,;:()]", gap):
            break
        start -= 1
    return start


def _asserted(
    claim: _Claim, analysis: _Analysis, sentence: list[int], segment: list[int], hit: list[int]
) -> bool:
    """Whether the hit states the claim, rather than denying, hedging, reporting or asking it."""
    tokens, text = analysis.tokens, analysis.text
    region = range(_comma_clause_start(analysis, hit[0]), hit[-1] + 1)
    denials = sum(
        1
        for p in region
        if _is_negator(tokens, p, text)
        # "not only", "don't just" deny an "only" claim though they add to an indicator
        or (tokens[p].lower != "no" and tokens[p].lower.replace("'", "") in _NEGATORS)
    )
    if (denials % 2 == 1) != claim.negative:
        return False
    if any(tokens[p].lower in _CLAIM_HEDGES - claim.own_words for p in region):
        return False
    before = [p for p in sentence if p < hit[0]]
    after = [p for p in segment if p > hit[-1]]
    if any(tokens[p].lower in _REFUTING for p in before):
        return False
    for p in after:  # "… is a myth", "… is not true"
        lower = tokens[p].lower
        if lower in _REFUTING or (
            lower in _TRUTH_WORDS
            and any(_is_negator(tokens, q, text) for q in range(max(hit[-1] + 1, p - 3), p))
        ):
            return False
    if any(tokens[p].lower in {"if", "unless", "whether"} for p in region if p < hit[0]):
        return False
    if _reported(tokens, before):
        return False
    last = tokens[sentence[-1]]
    return text[last.end : last.end + 3].lstrip()[:1] != "?"


def _reported(tokens: list[Token], before: list[int]) -> bool:
    """ "Some people think …": a reporting verb before the claim whose subject is not I or we."""
    for p in reversed(before):
        if tokens[p].lower not in _REPORTING:
            continue
        q = p - 1
        while q >= before[0] and tokens[q].lower in _REPORT_SKIP:
            q -= 1
        if q < before[0]:
            return False  # an imperative ("Assume that …") asserts
        return tokens[q].lower not in {"i", "we"}
    return False


def _flag_misconceptions(
    analysis: _Analysis, specs: Sequence[MisconceptionSpec]
) -> tuple[list[FlaggedMisconception], list[str]]:
    flagged: list[FlaggedMisconception] = []
    reasons: list[str] = []
    tokens = analysis.tokens
    if not tokens:
        return flagged, reasons
    sentences: dict[int, list[int]] = {}
    for position, token in enumerate(tokens):
        sentences.setdefault(token.sentence, []).append(position)
    for spec in specs:
        for claim in _claims_for(spec.statement, analysis.lex):
            hit = _claim_hit(claim, analysis, sentences)
            if hit is None:
                continue
            start, end = _span(analysis, hit)
            flagged.append(
                FlaggedMisconception(
                    spec.statement, spec.correction, analysis.text[start:end], start, end
                )
            )
            reasons.append(
                f"‘{_quote(analysis, hit)}’ states a misconception as true: {spec.statement}"
            )
            break
    return flagged, reasons


def _claim_hit(
    claim: _Claim, analysis: _Analysis, sentences: dict[int, list[int]]
) -> list[int] | None:
    """The positions of the first place the answer asserts ``claim``, or None."""
    find = _equivalence_hit if claim.kind == "equivalence" else _predicate_hit
    for sentence in sentences.values():
        for segment in _segments(analysis, sentence):
            hit = find(claim, analysis, segment)
            if hit is not None and _asserted(claim, analysis, sentence, segment, hit):
                return hit
    return None


# --- the marker --------------------------------------------------------------------------------


class LexicalMarker:
    """The dependency-free structural marker. Stateless apart from per-rubric caches."""

    name = "lexical"
    version = "3"

    def mark(
        self,
        answer: str,
        rubric: Rubric,
        misconceptions: Sequence[MisconceptionSpec] = (),
    ) -> MarkResult:
        """Mark ``answer`` against ``rubric``; see the module docstring for the procedure."""
        return self.mark_with_facts(answer, rubric, misconceptions)[0]

    def mark_with_facts(
        self,
        answer: str,
        rubric: Rubric,
        misconceptions: Sequence[MisconceptionSpec] = (),
    ) -> tuple[MarkResult, feedback.FeedbackFacts | None]:
        """``mark()``'s result and the facts its feedback was written from (what was found,
        denied, whether the explanation holds), for a pipeline that weighs them; ``None`` when
        there was nothing to analyse (a tutor's point, no words)."""
        result, facts = self._mark(answer, rubric, misconceptions)
        identity = {
            "name": self.name,
            "version": self.version,
            "files": lexicon.data_files(lexicon.load_lexicon(rubric.lexicon)),
            "lexicon": rubric.lexicon,
        }
        return replace(result, marker=identity), facts

    def _mark(
        self,
        answer: str,
        rubric: Rubric,
        misconceptions: Sequence[MisconceptionSpec],
    ) -> tuple[MarkResult, feedback.FeedbackFacts | None]:
        answer = "" if answer is None else answer if isinstance(answer, str) else str(answer)
        early = _unmarkable(rubric)
        if early is not None:
            return early, None
        max_score = max(1, rubric.required_count)
        compiled = _compiled(rubric)
        truncated = len(answer) > MAX_CHARS
        text = answer[:MAX_CHARS] if truncated else answer
        reasons: list[str] = []
        if truncated:
            reasons.append(
                f"answer is {len(answer):,} characters long: only the first {MAX_CHARS:,} "
                "were marked"
            )
        if _HTML_TAG.search(text):
            reasons.append("HTML tags and entities were ignored")
        analysis = _analyse(text, compiled.corrector, compiled.lex)
        if not analysis.tokens:
            empty = MarkResult(
                awarded=False,
                score=0,
                max_score=max_score,
                missing=tuple(ind.label for ind in rubric.indicators[: max(3, max_score)]),
                feedback="No credit: there is no written answer to mark.",
                confident=True,
                reasons=(*reasons, "the answer contains no words"),
            )
            return empty, None
        credited, negated_labels = _credited_evidence(compiled, analysis, reasons)
        explanation = _explanation(rubric, compiled, analysis, credited, reasons)
        flagged, misconception_reasons = _flag_misconceptions(analysis, misconceptions)
        reasons.extend(misconception_reasons)
        return _decide(
            rubric, analysis, credited, negated_labels, explanation, flagged, truncated, reasons
        )


def _unmarkable(rubric: Rubric) -> MarkResult | None:
    """The result for a rubric this marker cannot apply (sent to a tutor), else None."""
    max_score = max(1, rubric.required_count)
    if not rubric.auto_markable:
        return MarkResult(
            awarded=False,
            score=0,
            max_score=max_score,
            missing=(),
            feedback=(
                "This point can only be shown in practice (for example in a role-play or "
                "an observed customer interaction), so a tutor will mark it."
            ),
            confident=False,
            reasons=(
                "not auto-markable: the point asks for a live or simulated "
                "demonstration; sent to a tutor",
            ),
        )
    if not rubric.indicators or rubric.required_count <= 0:
        return MarkResult(
            awarded=False,
            score=0,
            max_score=max_score,
            feedback="This question has no marking guidance yet, so a tutor will mark it.",
            confident=False,
            reasons=("rubric has no indicators or a required count of 0; sent to a tutor",),
        )
    return None


def _outside_longer_ideas(candidates: list[tuple]) -> list[tuple]:
    """Drop the matches whose words all sit inside a longer match of another idea: in
    "customer lifetime value means…" the words "customer lifetime" name lifetime value, not
    long-term customers (retention)."""
    spans = [
        (indicator.label, frozenset(f.positions))
        for indicator, positive, _denied in candidates
        for f in positive
    ]
    return [
        (
            indicator,
            [
                f
                for f in positive
                if not any(
                    label != indicator.label and set(f.positions) < other for label, other in spans
                )
            ],
            denied,
        )
        for indicator, positive, denied in candidates
    ]


def _credited_evidence(
    compiled: _CompiledRubric, analysis: _Analysis, reasons: list[str]
) -> tuple[list[_Found], list[str]]:
    """Distinct, non-negated ideas found (in answer order), and the labels only denied."""
    candidates = [(ind, *_find_indicator(ind, analysis)) for ind in compiled.indicators]
    candidates = _outside_longer_ideas(candidates)
    # Indicators with fewer options choose first, so words are not shared between ideas.
    used: set[int] = set()
    credited: list[_Found] = []
    order = sorted(
        (c for c in candidates if c[1]),
        key=lambda c: (len(c[1]), compiled.indicators.index(c[0])),
    )
    for indicator, positive, _denied in order:
        choice = next((f for f in positive if not used & set(f.positions)), None)
        if choice is None:
            reasons.append(
                f"‘{_quote(analysis, positive[0].positions)}’ already counted for another "
                f"idea, so it does not also count for {indicator.label}"
            )
            continue
        used |= set(choice.positions)
        credited.append(choice)
        if any(not set(f.positions) & set(choice.positions) for f in positive):
            reasons.append(f"{indicator.label} is mentioned more than once: counted once")
    credited.sort(key=lambda f: f.positions[0])
    _explain_matches(analysis, credited, reasons)
    credited_labels = {f.indicator for f in credited}
    negated_labels: list[str] = []
    for indicator, _positive, denied in candidates:
        if indicator.label in credited_labels or not denied:
            continue
        found = denied[0]
        negator = found.negated_by if found.negated_by is not None else found.positions[0]
        quote = _quote(analysis, sorted({negator, *found.positions}))
        reasons.append(f"‘{quote}’ is negated: no credit for {indicator.label}")
        negated_labels.append(indicator.label)
    # Subject negation: "contact management is not a feature".
    kept: list[_Found] = []
    for found in credited:
        negator = _post_negated(analysis, found.positions, used)
        if negator is not None and not found.phrase.polarity_free:
            quote = _quote(analysis, [*found.positions, negator])
            reasons.append(f"‘{quote}’ is negated: no credit for {found.indicator}")
            negated_labels.append(found.indicator)
            continue
        kept.append(found)
    return kept, negated_labels


def _explain_matches(analysis: _Analysis, credited: list[_Found], reasons: list[str]) -> None:
    for found in credited:
        how = (
            "spelling read as the intended word"
            if found.corrected
            else "the point's own wording"
            if found.own_words
            else "synonym or paraphrase"
        )
        reasons.append(f"‘{_quote(analysis, found.positions)}’ matches {found.indicator} ({how})")
        for p in found.positions:
            token = analysis.tokens[p]
            if token.corrected_from:
                reasons.append(f"‘{token.text}’ read as ‘{token.corrected_from}’ (spelling)")


@dataclass(frozen=True)
class _ExplanationCheck:
    ok: bool
    problem: str  # a feedback.* constant when not ok
    borderline: bool
    link_required: bool


# Words that make a stretch of text a clause rather than a bare noun phrase.
_CLAUSE_MARKERS = frozenset(
    """
    i you he she it we they them him her us me this these those is are was were be been being
    am do does did has have had can could will would should may might must to because so if
    when which that who not no never dont doesnt isnt cant wont arent didnt please
    """.split()
)
_ITEM_BREAK = re.compile(r"[,;\n\r\u2022/|]")


def _answer_shape(analysis: _Analysis) -> str:
    """``LIST_OF_TERMS`` or ``SINGLE_TERM`` when the answer is bare noun phrases, else "".

    An answer is a list when its items (split at commas, line breaks, "and", "or") are short
    and have no verb-like word in them, or when almost none of its words are grammatical
    ones; its length alone says nothing ("Be nice to them." is a sentence, "NPS, CSAT,
    surveys" is a list).
    """
    items: list[list[Token]] = [[]]
    tokens = analysis.tokens
    for i, token in enumerate(tokens):
        gap = analysis.text[tokens[i - 1].end : token.start] if i else ""
        if i and (_ITEM_BREAK.search(gap) or token.sentence != tokens[i - 1].sentence):
            items.append([])
        if token.lower in {"and", "or"}:
            items.append([])
            continue
        items[-1].append(token)
    items = [item for item in items if item]

    def bare(item: list[Token]) -> bool:
        return not any(
            (t.lower.replace("'", "") in _CLAUSE_MARKERS and t.text != "IT")
            or t.lower.endswith("n't")
            for t in item
        )

    if all(bare(item) for item in items) and max(len(item) for item in items) <= 5:
        return feedback.LIST_OF_TERMS if len(items) > 1 else feedback.SINGLE_TERM
    function_ratio = sum(1 for t in tokens if t.lower in lexicon.FUNCTION_WORDS) / len(tokens)
    if len(tokens) >= 5 and function_ratio < 0.15:
        return feedback.LIST_OF_TERMS  # a string of keywords with nothing to join them
    return ""


def _explanation(
    rubric: Rubric,
    compiled: _CompiledRubric,
    analysis: _Analysis,
    credited: list[_Found],
    reasons: list[str],
) -> _ExplanationCheck:
    """Whether the answer explains as the point asks: sentences, and a causal link if asked."""
    tokens = analysis.tokens
    link_required = needs_link(rubric)
    if not rubric.requires_explanation:
        return _ExplanationCheck(True, "", False, link_required)
    function_ratio = sum(1 for t in tokens if t.lower in lexicon.FUNCTION_WORDS) / len(tokens)
    content = [t for t in tokens if t.lower not in lexicon.FUNCTION_WORDS]
    echo = sum(1 for t in content if t.stem in compiled.point_stems)
    echo_ratio = echo / len(content) if content else 0.0
    shape = _answer_shape(analysis)
    if shape:
        reasons.append(f"reads as {shape}, not an explanation (no verb joins the words)")
        return _ExplanationCheck(False, shape, False, link_required)
    if echo_ratio > 0.8 and function_ratio < 0.3:
        reasons.append(
            f"keyword stuffing: {echo_ratio:.0%} of the content words repeat the question"
        )
        return _ExplanationCheck(False, feedback.KEYWORDS_ONLY, False, link_required)
    borderline = function_ratio < 0.25
    if not link_required:
        return _ExplanationCheck(True, "", borderline, False)
    chunks = []
    for s in sorted({tokens[f.positions[0]].sentence for f in credited}):
        positions = [p for p, t in enumerate(tokens) if t.sentence == s]
        chunks.append(analysis.text[tokens[positions[0]].start : tokens[positions[-1]].end])
    link = find_link(chunks)
    if link is None:
        reasons.append(_NO_LINK_REASON)
        return _ExplanationCheck(False, feedback.NO_LINK, False, True)
    reasons.append(link.reason)
    return _ExplanationCheck(True, "", borderline or link.weak, True)


_NO_LINK_REASON = "no linking word (because, so, which leads to, means, helps…) connects the ideas"


@dataclass(frozen=True)
class Link:
    """The word that links an answer's ideas, and whether it only weakly does ("as", "when")."""

    word: str
    weak: bool

    @property
    def reason(self) -> str:
        """The marker's reason line for it."""
        if self.weak:
            return f"only a weak linking word (‘{self.word}’) connects the ideas"
        return f"explains the link: ‘{self.word}’"


def find_link(chunks: Sequence[str]) -> Link | None:
    """The linking word in ``chunks`` (the sentences that hold the credited ideas): a causal
    one ("because", "so", "leads to") if any, else a weak one ("as", "when"), else None."""
    weak = None
    for chunk in chunks:
        strong = _STRONG_CONNECTIVES.search(chunk)
        if strong:
            return Link(strong.group(0).strip(), weak=False)
        weak = weak or _WEAK_CONNECTIVES.search(chunk)
    return Link(weak.group(0), weak=True) if weak else None


def credited_score(found: int, required: int, *, explained: bool) -> int:
    """The mark's score: the ideas found, up to those needed, and none when the explanation the
    point asks for is missing."""
    return min(found, required) if explained else 0


def ideas_to_show(missing: Sequence[str], found: int, required: int) -> list[str]:
    """The missing ideas feedback names: none once enough were found, else the first of them,
    at least three (or as many as are still needed)."""
    return [] if found >= required else list(missing[: max(3, required - found)])


def _confident(
    credited: list[_Found],
    required: int,
    awarded: bool,
    explanation: _ExplanationCheck,
    flagged: bool,
    truncated: bool,
    reasons: list[str],
) -> bool:
    """Whether the decision can stand without a tutor's look (reasons say why not)."""
    count, enough = len(credited), len(credited) >= required
    confident = not truncated
    if awarded and sum(1 for f in credited if not f.corrected) < required:
        # Said, not queued: such marks agreed with examiners 8 of 8 times on the independent
        # set and 11 of 12 on ours (docs/marking.md), so a tutor's look adds nothing.
        reasons.append("credit relies on reading a misspelling")
    if not awarded and count == required - 1 and count and explanation.ok and not flagged:
        confident = False
        reasons.append("one idea short of the mark: flagged for review")
    if explanation.borderline and enough:
        confident = False
        reasons.append("the explanation is thin: flagged for review")
    if flagged and enough and explanation.ok:
        confident = False
    return confident


def _decide(
    rubric: Rubric,
    analysis: _Analysis,
    credited: list[_Found],
    negated_labels: list[str],
    explanation: _ExplanationCheck,
    flagged: list[FlaggedMisconception],
    truncated: bool,
    reasons: list[str],
) -> tuple[MarkResult, feedback.FeedbackFacts]:
    """The decision, score, confidence and feedback from the evidence gathered, and the facts
    the feedback was written from."""
    count, required = len(credited), rubric.required_count
    enough = count >= required
    awarded = enough and explanation.ok and not flagged
    credited_labels = {f.indicator for f in credited}
    missing_labels = [i.label for i in rubric.indicators if i.label not in credited_labels]
    missing = ideas_to_show(missing_labels, count, required)
    if not explanation.ok:
        missing.append(
            "an explanation of how the ideas are linked (why or how, not just what)"
            if explanation.link_required
            else "an explanation in sentences, not just a list of terms"
        )
    confident = _confident(
        credited, required, awarded, explanation, bool(flagged), truncated, reasons
    )
    reasons.append(
        f"decision: {count} distinct idea(s) credited, {required} needed"
        + ("; explanation required" if rubric.requires_explanation else "")
        + ("; linking explanation required" if explanation.link_required else "")
        + f" -> {'credit' if awarded else 'no credit'}"
    )
    facts = feedback.FeedbackFacts(
        awarded=awarded,
        required=required,
        found=[f.indicator for f in credited],
        missing=missing_labels,
        negated=negated_labels,
        explanation_ok=explanation.ok,
        explanation_problem=explanation.problem,
        link_required=explanation.link_required,
        misconceptions=flagged,
    )
    result = MarkResult(
        awarded=awarded,
        score=credited_score(count, required, explained=explanation.ok),
        max_score=max(1, required),
        matches=tuple(
            EvidenceMatch(f.indicator, analysis.text[s:e], s, e)
            for f in credited
            for s, e in [_span(analysis, f.positions)]
        ),
        missing=tuple(missing),
        misconceptions=tuple(flagged),
        feedback=feedback.compose_feedback(facts),
        confident=confident,
        reasons=tuple(reasons),
    )
    return result, facts
