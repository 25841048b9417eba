"""Turn an examiner marking point into a short-answer question and a rubric to mark it by.

Pure Python (no Django). ``build_rubric(point_text)`` reads a marking point such as

    "Award credit for accurately identifying at least three features of a CRM system
    (e.g., contact management, interaction tracking, data analysis)."

and returns a ``Rubric``: the learner-facing prompt ("Identify at least three features of a CRM
system."), how many distinct ideas earn the mark, the accepted ideas (``Indicator``s, each with
alternative wordings from ``assessments.lexicon``), whether a bare list is enough, and whether the
point can be marked from text at all (role-play cannot).

How indicators are chosen, in order:

1. An example list ("(e.g., …)", "such as …", "including …") gives one indicator per item. When
   the items are all of one kind (all CRM features, all satisfaction measures…) the other
   members of that kind in the lexicon are accepted too, because "e.g." means the list is not
   exhaustive and an examiner credits any valid feature.
2. A category named in the point ("benefits of customer loyalty", "retention strategies")
   accepts every concept of that category.
3. Otherwise the concepts the point names ("the link between customer lifetime value and
   retention rates") are the indicators, and all of them (at most three) are required.

``required_count`` defaults: an explicit number ("at least three", "two methods") wins; a
singular ask ("an appropriate tool", "a strategy") needs 1; a plural ask needs 2; a point that
links named concepts needs each of them (capped at 3).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from typing import Any

from assessments import lexicon

__all__ = [
    "Indicator",
    "Rubric",
    "build_rubric",
    "describe_rubric",
    "make_prompt",
    "needs_link",
    "question_words",
    "with_model_answer",
    "write_model_answer",
]


@dataclass(frozen=True)
class Indicator:
    """One creditworthy idea: a label for people and the wordings that express it."""

    label: str
    alternatives: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form: ``{"label": str, "alternatives": [str, ...]}``."""
        return {"label": self.label, "alternatives": list(self.alternatives)}

    @classmethod
    def from_dict(cls, data: Any) -> Indicator:
        """Accept a dict, or a bare string (the label, also its only wording)."""
        if isinstance(data, str):
            text = data.strip()
            if not text:
                raise ValueError("indicator: an indicator cannot be an empty string")
            return cls(label=text, alternatives=(text,))
        if not isinstance(data, dict):
            raise ValueError(
                f"indicator: expected an object with 'label' and 'alternatives', "
                f"got {type(data).__name__}"
            )
        label = data.get("label")
        if not isinstance(label, str) or not label.strip():
            raise ValueError("indicator: 'label' must be a non-empty string")
        raw = data.get("alternatives", [])
        if isinstance(raw, str):
            raw = [part for part in re.split(r"[;\n]", raw)]
        if not isinstance(raw, list | tuple):
            raise ValueError(
                f"indicator '{label}': 'alternatives' must be a list of strings, "
                f"got {type(raw).__name__}"
            )
        alternatives: list[str] = []
        for item in raw:
            if not isinstance(item, str):
                raise ValueError(
                    f"indicator '{label}': every alternative must be a string, "
                    f"got {type(item).__name__}"
                )
            if item.strip() and item.strip() not in alternatives:
                alternatives.append(item.strip())
        if not alternatives:
            alternatives = [label.strip()]
        return cls(label=label.strip(), alternatives=tuple(alternatives))


@dataclass(frozen=True)
class Rubric:
    """How one marking point is marked.

    ``requires_link`` (an addition to the original field list, default False) says the
    explanation must *connect* ideas with a causal word ("because", "so", "leads to"…), as for
    "explain the link between…" or "justify"; ``requires_explanation`` alone asks only for
    sentences rather than a bare list ("describe", "outline").
    """

    point_text: str
    prompt: str
    required_count: int
    indicators: tuple[Indicator, ...]
    requires_explanation: bool
    auto_markable: bool
    model_answer: str = ""
    requires_link: bool = field(default=False)
    # Content words of the question itself ("features", "CRM", "system"): repeating them is not
    # evidence of an idea. Empty for rubrics stored before this field; ``question_words()``
    # derives them from the point then.
    prompt_words: tuple[str, ...] = field(default=())
    # The qualification's domain vocabulary the rubric was built with and is marked with.
    # Rubrics stored before this field were all built with the default (customer service).
    lexicon: str = field(default=lexicon.DEFAULT_LEXICON)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (lists, str, int, bool only) for a JSONField snapshot."""
        return {
            "point_text": self.point_text,
            "prompt": self.prompt,
            "required_count": self.required_count,
            "indicators": [indicator.to_dict() for indicator in self.indicators],
            "requires_explanation": self.requires_explanation,
            "requires_link": self.requires_link,
            "auto_markable": self.auto_markable,
            "model_answer": self.model_answer,
            "prompt_words": list(self.prompt_words),
            "lexicon": self.lexicon,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Rubric:
        """Rebuild a rubric from ``to_dict()`` output, possibly edited by an admin.

        Forgiving about form (missing optional keys get defaults, numbers may be strings,
        booleans may be "yes"/"no"/0/1, indicators may be bare strings) but strict about
        meaning: raises ``ValueError`` naming the field when something cannot be used.
        """
        if not isinstance(data, dict):
            raise ValueError(f"rubric: expected an object, got {type(data).__name__}")
        point_text = _string(data, "point_text", default="")
        prompt = _string(data, "prompt", default="") or make_prompt(point_text)
        if not prompt:
            raise ValueError("rubric: 'prompt' (or 'point_text' to derive it from) is required")
        raw_indicators = data.get("indicators", [])
        if not isinstance(raw_indicators, list | tuple):
            raise ValueError(
                f"rubric: 'indicators' must be a list, got {type(raw_indicators).__name__}"
            )
        indicators = tuple(Indicator.from_dict(item) for item in raw_indicators)
        auto_markable = _boolean(data, "auto_markable", default=True)
        required = _integer(data, "required_count", default=1 if indicators else 0)
        if required < 0:
            raise ValueError("rubric: 'required_count' cannot be negative")
        if auto_markable and indicators and required == 0:
            raise ValueError("rubric: 'required_count' must be at least 1")
        if required > len(indicators) and auto_markable:
            raise ValueError(
                f"rubric: 'required_count' is {required} but there are only "
                f"{len(indicators)} indicators"
            )
        return cls(
            point_text=point_text,
            prompt=prompt,
            required_count=required,
            indicators=indicators,
            requires_explanation=_boolean(data, "requires_explanation", default=False),
            auto_markable=auto_markable,
            model_answer=_string(data, "model_answer", default=""),
            requires_link=_boolean(data, "requires_link", default=False),
            prompt_words=_words(data, "prompt_words"),
            lexicon=_lexicon_name(data),
        )


def _lexicon_name(data: dict) -> str:
    name = _string(data, "lexicon", default="") or lexicon.DEFAULT_LEXICON
    if name not in lexicon.available_lexicons():
        known = ", ".join(lexicon.available_lexicons())
        raise ValueError(f"rubric: 'lexicon' {name!r} is not one of {known}")
    return name


def _string(data: dict, key: str, *, default: str) -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValueError(f"rubric: '{key}' must be a string, got {type(value).__name__}")
    return value.strip()


def _words(data: dict, key: str) -> tuple[str, ...]:
    value = data.get(key) or ()
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list | tuple) or not all(isinstance(w, str) for w in value):
        raise ValueError(f"rubric: '{key}' must be a list of words")
    return tuple(dict.fromkeys(w.strip().lower() for w in value if w.strip()))


def _integer(data: dict, key: str, *, default: int) -> int:
    value = data.get(key, default)
    if isinstance(value, bool):
        raise ValueError(f"rubric: '{key}' must be a whole number, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise ValueError(f"rubric: '{key}' must be a whole number, got {value!r}")


def _boolean(data: dict, key: str, *, default: bool) -> bool:
    value = data.get(key, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUTHY | _FALSY:
        return value.strip().lower() in _TRUTHY
    raise ValueError(f"rubric: '{key}' must be true or false, got {value!r}")


_TRUTHY = frozenset({"true", "yes", "y", "1", "on"})
_FALSY = frozenset({"false", "no", "n", "0", "off", ""})

# --- reading the point ------------------------------------------------------------------------

_FRAMING = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^(?:award|give|allocate)\s+(?:credit|marks?)\s+(?:for|to|where|when|if)\s+",
        r"^(?:credit|marks?)\s+(?:should\s+be\s+|is\s+|are\s+|will\s+be\s+|can\s+be\s+)?"
        r"(?:given|awarded|allocated)\s+(?:for|to|where|when)\s+",
        # "Credit answers that explain…", "Accept responses which name…": the ask follows.
        r"^(?:credit|reward|accept)\s+(?:any\s+)?(?:answers?|responses?)\s+(?:that|which)\s+",
        # "Credit explanations of…", "Reward descriptions of…": the verb as a command.
        r"^(?:credit|reward)\s+(?!(?:should|is|are|will|can|may|must|given|awarded)\b)",
        r"^look\s+for\s+",
        r"^evidence\s+(?:must|should|will)\s+(?:demonstrate|show)\s+",
        r"^evidence\s+that\s+",
        r"^evidence\s+of\s+",
        r"^assess\s+(?:the\s+)?(?:learner'?s\s+)?(?:ability|capacity)\s+to\s+",
        r"^(?:the\s+)?learners?\s+(?:should|must|can|will|is\s+able\s+to|are\s+able\s+to)\s+"
        r"(?:be\s+able\s+to\s+)?",
        r"^(?:the\s+)?candidates?\s+(?:should|must|can|will)\s+(?:be\s+able\s+to\s+)?",
        r"^(?:demonstrating|demonstrates|demonstrate|showing|show)\s+(?:an?\s+|the\s+)?"
        r"(?:clear\s+|good\s+|sound\s+)?(?:ability|capacity)\s+to\s+",
        r"^(?:an?\s+|the\s+)?(?:clear\s+)?(?:ability|capacity)\s+to\s+",
        r"^that\s+the\s+learner\s+can\s+",
        # Nominal criteria ("Accurate explanation of…", "Clear identification of…"): the
        # adjective grades the work; it is never an idea to look for.
        r"^(?:an?\s+|the\s+)?(?:accurate|clear|correct|full|thorough|detailed|sound|good|"
        r"appropriate|effective)\s+(?=\w+(?:ion|ment|ing|al|sis)\s+(?:of|that|how|why)\b)",
    )
)
# "Accept any reasonable example of X": the ask is for an example of X.
_ACCEPT_ANY_EXAMPLE = re.compile(
    r"^accept\s+any\s+(?:(?:reasonable|valid|appropriate|suitable|relevant)\s+)?"
    r"(?:examples?|answers?|responses?)\s+(?:of|for)\s+",
    re.IGNORECASE,
)
_ADVERBS = re.compile(
    r"\b(?:accurately|clearly|correctly|fully|thoroughly|confidently|successfully|"
    r"effectively|competently|appropriately)\s+",
    re.IGNORECASE,
)
_NOMINAL = (
    (
        r"^(?:demonstrating|demonstrates|showing|shows|evidence\s+of)\s+(?:an?\s+|the\s+)?"
        r"(?:clear\s+|good\s+|sound\s+|thorough\s+)?understanding\s+of\s+",
        "Explain ",
    ),
    (
        r"^(?:demonstrating|demonstrates|showing)\s+(?:an?\s+)?(?:accurate\s+)?"
        r"identification\s+of\s+",
        "Identify ",
    ),
    (r"^(?:an?\s+|the\s+)?(?:clear\s+|good\s+|sound\s+)?understanding\s+of\s+", "Explain "),
    (r"^(?:an?\s+|the\s+)?(?:detailed|clear|full)\s+explanation\s+of\s+", "Explain in detail "),
    (r"^(?:an?\s+|the\s+)?explanations?\s+of\s+", "Explain "),
    (r"^(?:an?\s+|the\s+)?(?:detailed\s+)?descriptions?\s+of\s+", "Describe "),
    (r"^(?:an?\s+|the\s+)?(?:accurate\s+)?identification\s+of\s+", "Identify "),
    (r"^(?:an?\s+|the\s+)?analysis\s+of\s+", "Analyse "),
    (r"^(?:an?\s+|the\s+)?evaluation\s+of\s+", "Evaluate "),
    (r"^(?:an?\s+|the\s+)?justification\s+(?:of|for)\s+", "Justify "),
    (r"^providing\s+", "Give "),
    (r"^(?:practical|specific|relevant|real|clear|concrete|detailed)\s+examples\b", "Give \\g<0>"),
    (r"^examples\b", "Give examples"),
)
_GERUNDS: dict[str, str] = {
    "identifying": "identify",
    "explaining": "explain",
    "describing": "describe",
    "outlining": "outline",
    "linking": "link",
    "using": "use",
    "demonstrating": "demonstrate",
    "selecting": "select",
    "justifying": "justify",
    "analysing": "analyse",
    "analyzing": "analyse",
    "evaluating": "evaluate",
    "comparing": "compare",
    "discussing": "discuss",
    "suggesting": "suggest",
    "proposing": "propose",
    "listing": "list",
    "naming": "name",
    "stating": "state",
    "applying": "apply",
    "recommending": "recommend",
    "showing": "show",
    "giving": "give",
    "recognising": "recognise",
    "recognizing": "recognise",
    "assessing": "assess",
    "planning": "plan",
    "creating": "create",
    "producing": "produce",
    "interpreting": "interpret",
    "summarising": "summarise",
    "defining": "define",
    "illustrating": "illustrate",
    "handling": "handle",
    "calculating": "calculate",
    "measuring": "measure",
    "reviewing": "review",
    "making": "make",
    "developing": "develop",
    "choosing": "choose",
}
_IMPERATIVES = frozenset(_GERUNDS.values())


def _with_s(word: str) -> str:
    """The English -s ending, of a verb's third person or a noun's plural."""
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + ("es" if re.search(r"(?:s|sh|ch|x|z)$", word) else "s")


# "The learner links…", "A correct answer names…": the command in the third person.
_THIRD_PERSON = {_with_s(verb): verb for verb in _IMPERATIVES}
_ANY_COMMAND = "|".join(sorted([*_IMPERATIVES, *_THIRD_PERSON], key=len, reverse=True))
# Framing that names who answers rather than who marks: learners, candidates or the answer
# itself, followed by the command ("Learners explain…", "The answer should recognise…").
_ANSWER = r"^(?:an?\s+|the\s+)?(?:(?:correct|good|full|complete|strong)\s+)?(?:answers?|responses?)"
# What an answer should include is the ideas themselves, not a command.
_ANSWER_INCLUDES = re.compile(
    _ANSWER + r"\s+(?:(?:should|must|will|may|might|could|needs?\s+to)\s+"
    r"(?:include|mention|cover|refer\s+to)|includes|mentions|covers|refers\s+to)\s+",
    re.IGNORECASE,
)
_ANSWERER_FRAMING = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^(?:expect|require)\s+(?:the\s+)?(?:learners?|candidates?)\s+to\s+",
        r"^(?:the\s+)?(?:learners?|candidates?)\s+(?:are|is)\s+(?:expected|required|asked)\s+to\s+",
        r"^(?:full\s+)?(?:credit|marks?)\s+(?:requires?|needs?)\s+(?:the\s+)?"
        r"(?:learners?|candidates?|answers?)\s+to\s+",
        rf"^(?:the\s+)?(?:learners?|candidates?)\s+(?=(?:{_ANY_COMMAND})\b)",
        _ANSWER + r"\s+(?:should|must|will|may|might|could|needs?\s+to)\s+",
        _ANSWER + rf"\s+(?=(?:{_ANY_COMMAND})\b)",
    )
)
# After that framing the command reads as the examiner's usual gerund ("links" -> "linking"),
# so the prompt and the ideas come out as they do for "Award credit for linking…".
_GERUND_OF = {verb: gerund for gerund, verb in reversed(_GERUNDS.items())}
_ANSWERER_COMMAND = re.compile(rf"^(?P<verb>{_ANY_COMMAND})\b", re.IGNORECASE)


def _as_gerund(match: re.Match) -> str:
    verb = match.group("verb").lower()
    return _GERUND_OF[_THIRD_PERSON.get(verb, verb)]


_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "a couple of": 2,
    "several": 2,
}
# A number of things asked for, and the words that make it a minimum ("at least three").
_NUM = r"(?:one|two|three|four|five|six|[1-9])"
_AT_LEAST = r"(?:at\s+least|a\s+minimum\s+of|minimum\s+of)"
_PLURAL_ASK = re.compile(
    rf"\b(?:{_AT_LEAST}\s+)?(?P<n>{_NUM})\s+(?:[\w-]+\s+){{0,2}}?(?P<noun>[a-z]+s)\b",
    re.IGNORECASE,
)
_SINGULAR_ASK = re.compile(
    r"\b(?:an?|one|the\s+main|the\s+most)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:tool|strategy|method|technique|example|feature|benefit|way|action|measure|approach|"
    r"reason|policy|step)\b",
    re.IGNORECASE,
)
_NOT_AUTO = re.compile(
    r"role[- ]?play|simulat(?:ed|ion)|\bobserved\b|observation\s+of\s+(?:the\s+)?"
    r"(?:learner|candidate|practice)|demonstrat\w*\s+(?:an?\s+)?(?:appropriate\s+)?"
    r"(?:tone|body\s+language|manner)|\btone\s+and\s+language\b|\blive\s+(?:call|interaction)|"
    r"\bin\s+person\b|\bwitness\s+testimony\b",
    re.IGNORECASE,
)
_EXPLAIN = re.compile(
    r"\b(?:explain\w*|explanation|justif\w*|describ\w*|description|analyse|analysing|"
    r"analyze|analyzing|analysis\s+of|link|links|linking|understanding|discuss\w*|evaluat\w*|"
    r"outlin\w*|propos\w*|compar\w*|assess\s+the\s+impact|examples?\s+of\s+how|"
    r"(?:specific|concrete|practical|real|worked)\s+examples?)\b",
    re.IGNORECASE,
)
# A link is asked for only by an explanation of a connection, a justification or an analysis of
# how; "describe" and "outline" ask for sentences, not for a cause and its effect.
_CAUSAL_VERBS = (
    r"(?:affect|impact|influenc|lead|contribut|facilitat|caus|determin|shap|driv|improv|"
    r"increas|reduc|help|support|enabl|prevent|build|promot|protect)\w*"
)
_EXPLAIN_HOW = r"\b(?:explain\w*|explanation|understanding|examples?|show\w*)\s+(?:of\s+)?how\b"
_LINK = re.compile(
    r"\b(?:explain\w*|explanation|understanding|account\s+for)\b[^.;]{0,40}?"
    r"\b(?:link|links|linked|relationship|connection|impact|effect|why)\b|"
    + _EXPLAIN_HOW
    + r"[^.;]{0,120}?\b"
    + _CAUSAL_VERBS
    # "the role / purpose / importance of X in building Y" asks how X brings Y about.
    + r"|\b(?:explain\w*|explanation|understanding)\b[^.;]{0,60}?\b(?:role|purpose|importance|"
    r"benefits?|value)\s+of\b[^.;]{0,80}?\b(?:in|to|for)\s+"
    + _CAUSAL_VERBS
    + r"|\bjustif\w*|\banaly[sz]\w*\s+how\b|^link(?:s|ing)?\b",
    re.IGNORECASE,
)
_EXAMPLE_PAREN = re.compile(
    r"\s*\(\s*(?:e\.?\s?g\.?|eg|for\s+example|such\s+as|for\s+instance|i\.e\.?)[,:]?\s*"
    r"(?P<items>[^)]*)\)",
    re.IGNORECASE,
)
_EXAMPLE_TAIL = re.compile(
    r"(?P<lead>,?\s+|\s*\(\s*|\s*:\s*)(?P<cue>such\s+as|including|like|for\s+example|"
    r"for\s+instance|e\.g\.,?|eg,?)\s+"
    r"(?P<items>(?:[^.()]|\.(?=\S)|\([^()]*\))+?)(?=\s*(?:[.)]|$))",
    re.IGNORECASE,
)
_VAGUE_BEFORE_LIST = re.compile(
    r"\b(?:elements|things|factors|areas|aspects|parts|components)\s*$", re.IGNORECASE
)


def needs_link(rubric: Rubric) -> bool:
    """Whether marking must see a causal connective: set explicitly, or implied by the point.

    Derived from the point text too, so a rubric rebuilt from storage that does not keep
    ``requires_link`` (it was added after the first schema) is still marked the same way.
    """
    if rubric.requires_link:
        return True
    return rubric.requires_explanation and _asks_for_link(rubric.point_text or rubric.prompt)


def _asks_for_link(point: str) -> bool:
    body, _context = _strip_framing(point)
    return bool(_LINK.search(body))


# "Award one mark for each correct step of X, up to a maximum of four": a mark per instance of
# a kind, so the ask is "identifying four steps of X" (or "the steps of X" with no maximum).
_MARK_PER_ITEM = re.compile(
    r"^(?:award|give|allocate)\s+(?:one|1|a)\s+marks?\s+(?:for|per|to)\s+(?:(?:each|every|any)\s+)?"
    r"(?:(?:correct|valid|relevant|appropriate|suitable|different)\s+)?"
    r"(?P<kind>[a-z-]+(?:\s+[a-z-]+){0,3}?)"
    r"(?=\s+(?:of|why|for|in|that|to|when|which|identified|named|given|stated|described|"
    r"explained|listed)\b|\s*[,(]|$)"
    r"(?:\s+(?:identified|named|given|stated|described|explained|listed)\b)?(?P<rest>[^,(]*?)"
    rf",?\s*(?:\(?(?:up\s+to\s+)?(?:a\s+)?max(?:imum|\.)?\s+(?:of\s+)?(?P<n>{_NUM})"
    r"(?:\s+marks?)?\)?)?$",
    re.IGNORECASE,
)


def _mark_per_item_as_ask(text: str) -> str:
    match = _MARK_PER_ITEM.match(text)
    if not match:
        return text
    *words, last = match.group("kind").split()
    kind = " ".join([*words, _with_s(last)])
    return f"identifying {match.group('n') or 'the'} {kind}{match.group('rest')}"


def _strip_framing(text: str) -> tuple[str, str]:
    """Remove examiner framing; returns (rest, trailing context such as " when measuring …")."""
    text = re.sub(r"\s+", " ", text).strip().rstrip(".").strip()
    text = _mark_per_item_as_ask(text)
    context = ""
    when = re.match(r"^(?P<when>(?:when|while|in)\s+[^,]{3,80}),\s*(?P<rest>.+)$", text, re.I)
    if when and re.match(r"(?:the\s+)?(?:learners?|candidates?)\b", when.group("rest"), re.I):
        context = " " + when.group("when")[0].lower() + when.group("when")[1:]
        text = when.group("rest")
    for _ in range(3):
        before = text
        text = _ACCEPT_ANY_EXAMPLE.sub("giving an example of ", text, count=1)
        for pattern in _FRAMING:
            text = pattern.sub("", text, count=1)
        text = _ANSWER_INCLUDES.sub("", text, count=1)
        for pattern in _ANSWERER_FRAMING:
            text, found = pattern.subn("", text, count=1)
            if found:
                text = _ANSWERER_COMMAND.sub(_as_gerund, text, count=1)
        text = _ADVERBS.sub("", text)
        if text == before:
            break
    return text.strip(), context


def has_examiner_framing(point_text: str) -> bool:
    """Whether the point opens with an examiner's framing ("Look for…", "Marks should be given
    for…", "Evidence of…", "Assess the ability to…"), as a criterion does and an answer never
    does."""
    text = re.sub(r"\s+", " ", point_text or "").strip().rstrip(".").strip()
    return bool(text) and _strip_framing(text)[0] != text


_CRITERION = re.compile(
    r"^\W*(?:award|credit|learners?\b|candidates?\b|the learner|identify|identifying|explain|"
    r"explaining|describe|describing|outline|outlining|state|stating|list|give|giving|name|"
    r"naming|define|defining|demonstrat|discuss|evaluat|justify|analys|compare|suggest|"
    r"accurate|clear|correct)",
    re.I,
)


def is_criterion(point_text: str) -> bool:
    """Whether a point is written as an examiner's criterion rather than a reference answer:
    it opens with a command or grading word, or with framing the rubric builder strips."""
    return bool(_CRITERION.search(point_text)) or has_examiner_framing(point_text)


def _split_items(items: str) -> list[str]:
    """'a; b and c, d' -> [a, b, c, d]; 'x and y' splits only when both sides are short."""
    items = items.strip().rstrip(",;")
    parts = [p.strip() for p in re.split(r"\s*[,;]\s*", items) if p.strip()]
    result: list[str] = []
    for index, part in enumerate(parts):
        part = re.sub(r"^(?:and|or)\s+", "", part, flags=re.I)
        pieces = re.split(r"\s+(?:and|or|and/or)\s+", part)
        short = all(len(piece.split()) <= 5 for piece in pieces)
        if len(pieces) > 1 and (short or (len(parts) > 1 and index == len(parts) - 1 and short)):
            result.extend(p.strip() for p in pieces if p.strip())
        else:
            result.append(part)
    return [r for r in (x.strip(" .") for x in result) if r]


def _extract_examples(text: str) -> tuple[list[str], str, bool]:
    """Return (items, text without the list, whether the list is an enumeration to keep)."""
    match = _EXAMPLE_PAREN.search(text)
    if match:
        return (
            _split_items(match.group("items")),
            (text[: match.start()] + text[match.end() :]),
            False,
        )
    match = _EXAMPLE_TAIL.search(text)
    if match:
        items = _split_items(match.group("items"))
        if _VAGUE_BEFORE_LIST.search(text[: match.start()]):
            return items, text, True
        return items, (text[: match.start()] + text[match.end() :]).strip(), False
    match = _COLON_LIST.search(text)
    if match and len(_split_items(match.group("items"))) >= 2:
        return _split_items(match.group("items")), text[: match.start()].strip(), False
    return [], text, False


# "… the hazards: slips; trips and falls; fire" lists the ideas after a colon.
_COLON_LIST = re.compile(r"\s*:\s*(?P<items>[^:]+)$")


def make_prompt(point_text: str) -> str:
    """The learner-facing question for a marking point.

    Strips the examiner framing ("Award credit for", "Look for", "Evidence of"…), adverbs
    ("accurately", "clearly"), and the example list, and turns the gerund or noun into an
    imperative: "identifying at least three features of a CRM system (e.g., …)" becomes
    "Identify at least three features of a CRM system." Always ends with "." or "?".
    """
    if not point_text or not point_text.strip():
        return ""
    text, context = _strip_framing(point_text)
    _items, text, enumeration = _extract_examples(text)
    if enumeration:
        text = re.sub(r"\blike\b", "such as", text, count=1)
    text = re.sub(r"\s+,", ",", text).strip(" ,;:")
    for pattern, replacement in _NOMINAL:
        new = re.sub(pattern, replacement, text, count=1, flags=re.IGNORECASE)
        if new != text:
            text = new
            break
    first, _, rest = text.partition(" ")
    lower = first.lower()
    if lower in _GERUNDS:
        text = _GERUNDS[lower] + (" " + rest if rest else "")
    elif lower not in _IMPERATIVES and lower not in {"give", "explain", "describe", "identify"}:
        text = "Explain " + text[:1].lower() + text[1:]
    # "Identify X through Y" asks for Y; say so plainly.
    through = re.match(r"^identify\s+(?P<what>.+?)\s+through\s+(?P<how>.+)$", text, re.I)
    if through:
        text = f"Identify {through.group('how')} that help to identify {through.group('what')}"
    # A second gerund joined by "and" ("identify and analysing") reads as an imperative too.
    text = re.sub(
        r"\b(and|or)\s+(" + "|".join(_GERUNDS) + r")\b",
        lambda m: f"{m.group(1)} {_GERUNDS[m.group(2).lower()]}",
        text,
        flags=re.IGNORECASE,
    )
    text = text + context
    text = re.sub(r"\s+", " ", text).strip().rstrip(".,;:")
    text = text[:1].upper() + text[1:]
    return text if text.endswith("?") else text + "."


_COMMANDS = (
    r"(?:identify|explain|describe|outline|give|state|list|name|select|suggest|propose|"
    r"analyse|evaluate|justify|compare|discuss|recommend|provide|use|link|demonstrate|show|"
    r"define|summarise|apply|assess|recognise|choose|illustrate)"
)
# The thing asked for follows the command: "Identify (at least) three (key) features".
_ASKED_COUNT = re.compile(
    rf"^{_COMMANDS}(?:\s+(?:and|or)\s+{_COMMANDS})?(?:\s+in\s+detail)?\s+"
    rf"(?:{_AT_LEAST}\s+)?(?P<n>{_NUM})\s+"
    r"(?:or\s+more\s+)?(?:[a-z-]+\s+)?(?P<noun>[a-z]+s)\b",
    re.IGNORECASE,
)
_ANYWHERE_COUNT = re.compile(
    rf"\b(?:{_AT_LEAST}\s+(?P<n>{_NUM})|(?P<m>{_NUM})\s+or\s+more)\b",
    re.IGNORECASE,
)
# Where the ask ends and its content begins: a number after these is part of the content
# ("explain why two terminals…").
_ASK_END = re.compile(
    r"\b(?:why|that|which|whether|because|when|where|if|so\s+that|whereas|while)\b", re.I
)
_NOT_ITEMS = frozenset({"years", "months", "weeks", "days", "hours", "minutes", "times", "marks"})


def _required_from_text(prompt: str) -> int | None:
    """How many ideas the question asks for, read from its ask only, never from its content."""
    ask = _ASK_END.split(prompt, maxsplit=1)[0]
    match = _ASKED_COUNT.match(ask)
    if match and match.group("noun").lower() not in _NOT_ITEMS:
        return _to_int(match.group("n"))
    match = _ANYWHERE_COUNT.search(ask)
    if match:
        return _to_int(match.group("n") or match.group("m"))
    match = _COUNT_OF_LISTED.search(ask)
    return _to_int(match.group("n")) if match else None


# "Any two of the following: …", "two from: …": a count of the listed items.
_COUNT_OF_LISTED = re.compile(
    rf"\b(?:any\s+)?(?P<n>{_NUM})\s+(?:from|of\s+the\s+following|of\s+these)\b", re.IGNORECASE
)


def _to_int(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS.get(word.lower(), 2)


def _alternatives_for(label: str, concept: lexicon.Concept | None) -> tuple[str, ...]:
    alternatives: list[str] = []

    def add(value: str) -> None:
        value = re.sub(r"\s+", " ", value).strip(" .,")
        if value and value.lower() not in (a.lower() for a in alternatives):
            alternatives.append(value)

    bracket = re.match(r"^(?P<long>.+?)\s*\((?P<short>[^)]+)\)\s*$", label)
    if bracket:
        add(bracket.group("long"))
        add(bracket.group("short"))
    else:
        add(label)
    if concept is not None:
        for phrase in concept.phrases:
            add(phrase)
    return tuple(alternatives)


# Words that qualify an idea without changing it ("effective complaint handling").
_SOFT_WORDS = frozenset("effective good positive excellent regular proper".split())


def _concept_for_item(
    item: str, prefer: str | None, lex: lexicon.Lexicon
) -> tuple[lexicon.Concept | None, set[str]]:
    """Best concept for an example item, and the categories any overlapping concept has."""
    found = lexicon.concepts_in_text(item, lex)
    if not found:
        return None, set()
    concept, start, end, keys = max(found, key=lambda f: f[2] - f[1])
    # A concept naming only part of an unfamiliar item ("reporting" in "reporting spillages")
    # is a false friend, not the item.
    rest = [
        w
        for w in _content_words(item[:start] + " " + item[end:])
        if w.lower() not in lex.generic_point_words and w.lower() not in _SOFT_WORDS
    ]
    if len(rest) >= len(_content_words(item[start:end])):
        return None, set()
    candidates = [c for c in (lexicon.concept_by_key(k, lex) for k in keys) if c]
    categories = {cat for c in candidates for cat in c.categories}
    if prefer:
        for candidate in candidates:
            if prefer in candidate.categories:
                return candidate, categories
    return concept, categories


def _category_cues(text: str, lex: lexicon.Lexicon) -> list[tuple[str, int, int]]:
    cues = []
    for pattern, category in lex.category_cues:
        for match in re.finditer(pattern, text, re.IGNORECASE):
            cues.append((category, match.start(), match.end()))
    return cues


def _label(text: str) -> str:
    text = re.sub(r"^(?:the|a|an)\s+", "", text.strip(), flags=re.I)
    words = text.split()
    # Keep "Net Promoter Score" and "CRM"; lower-case only an ordinary capitalised first word.
    if words and not words[0].isupper() and not any(w[:1].isupper() for w in words[1:]):
        return text[:1].lower() + text[1:]
    return text


@dataclass
class _Reading:
    """What a point asks for, before counts are settled."""

    indicators: list[Indicator]
    mode: str  # "any": instances of a kind (examples, a category); "all": named ideas
    required: int | None = None
    auto_markable: bool = True


def build_rubric(point_text: str, *, lexicon_name: str = lexicon.DEFAULT_LEXICON) -> Rubric:
    """Build the ``Rubric`` for one marking point (a single bullet's text, marker stripped).

    Deterministic and pure. Never raises for odd text: a point the lexicon knows nothing about
    still gets a prompt and ideas read from its own content (short head phrases, with the
    framing and command words dropped). ``lexicon_name`` is the qualification's domain
    vocabulary (``assessments/marking/lexicons/``); an unknown name raises ``ValueError``.
    """
    lex = lexicon.load_lexicon(lexicon_name)
    point = re.sub(r"\s+", " ", (point_text or "")).strip()
    prompt = make_prompt(point)
    body, _context = _strip_framing(point)
    body = _NOMINAL_COMMAND.sub(lambda m: _NOMINAL_GERUNDS[m.group("noun").lower()] + " ", body)
    items, body_without_list, enumeration = _extract_examples(body)
    requires_link = bool(_LINK.search(body))
    requires_explanation = requires_link or bool(_EXPLAIN.search(body_without_list))
    explicit = _required_from_text(prompt)
    reading = _read_ideas(body, body_without_list, items, enumeration, explicit, prompt, lex)
    words = _prompt_words(prompt, reading.indicators)
    indicators = reading.indicators
    if reading.mode == "any":
        indicators = _without_question_words(indicators, words)
    auto_markable = reading.auto_markable and not _NOT_AUTO.search(point) and bool(indicators)
    most = (
        _NAMED_IDEAS_NEEDED_WITHOUT_LEXICON
        if not lex.concepts and is_criterion(point)
        else _NAMED_IDEAS_NEEDED
    )
    required = _settle_count(reading, explicit, body_without_list, len(indicators), most=most)
    if auto_markable:
        required = max(1, min(required, len(indicators)))
    return Rubric(
        point_text=point,
        prompt=prompt,
        required_count=required,
        indicators=tuple(indicators),
        requires_explanation=requires_explanation,
        auto_markable=auto_markable,
        model_answer="",
        requires_link=requires_link,
        prompt_words=words,
        lexicon=lex.name,
    )


# How many of the ideas a criterion names an answer must say when the point gives no number.
# Without a domain lexicon an idea is found only in the point's own words and their synonyms,
# so each is missed more often and three in one answer is rarer: measured on the examiners'
# answers read with the general lexicon, kappa 0.290 -> 0.332 (docs/marking.md).
_NAMED_IDEAS_NEEDED = 3
_NAMED_IDEAS_NEEDED_WITHOUT_LEXICON = 2


def _settle_count(
    reading: _Reading, explicit: int | None, body: str, found: int, *, most: int
) -> int:
    if reading.required is not None:
        return reading.required
    if explicit is not None:
        return explicit
    if reading.mode == "any":
        return 1 if _SINGULAR_ASK.search(body) else 2
    return min(most, found)


def _read_ideas(
    body: str,
    body_without_list: str,
    items: list[str],
    enumeration: bool,
    explicit: int | None,
    prompt: str,
    lex: lexicon.Lexicon,
) -> _Reading:
    """Choose the ideas: two sides of a contrast, examples, a known category, or named ideas."""
    sides = _contrast_sides(body_without_list)
    if sides:
        return _Reading([Indicator(side, (side,)) for side in sides], "all", len(sides))
    cues = _category_cues(body_without_list if not enumeration else body, lex)
    cue_category = cues[0][0] if cues else None
    if len(items) >= 2 and not enumeration:
        return _ideas_from_examples(items, body, cue_category, explicit, lex)
    if cue_category:
        return _ideas_from_category(cue_category, cues, body_without_list, lex)
    if _asks_for_unnamed_instances(prompt, explicit):
        # "Identify three features of X" with nothing to say which features: a lexical marker
        # cannot know them, so the idea is kept for the editor and a tutor marks the answers.
        head = _generic_indicator(_ask_head(prompt), lex)
        return _Reading([head] if head else [], "any", explicit or 2, auto_markable=False)
    return _named_ideas(body, body_without_list, items, enumeration, lex)


class _Collector:
    """Indicators in order, each lexicon concept at most once."""

    def __init__(self) -> None:
        self.indicators: list[Indicator] = []
        self.keys: set[str] = set()

    def concept(self, concept: lexicon.Concept, label: str | None = None) -> None:
        if concept.key in self.keys:
            return
        self.keys.add(concept.key)
        wording = label or concept.label
        self.indicators.append(Indicator(_label(wording), _alternatives_for(wording, concept)))

    def plain(self, indicator: Indicator) -> None:
        labels = {i.label.lower() for i in self.indicators}
        if indicator.label.lower() in labels:
            return
        named = next((i for i in self.indicators if _abbreviates(indicator.label, i.label)), None)
        if named is not None:
            # "Customer Relationship Management (CRM)": the letters are another way to say the
            # idea before them, not an idea of their own.
            at = self.indicators.index(named)
            self.indicators[at] = Indicator(
                named.label, (*named.alternatives, *indicator.alternatives)
            )
            return
        self.indicators.append(indicator)


def _abbreviates(short: str, long: str) -> bool:
    """Whether ``short`` is the initials of capitalised words in ``long`` ("CRM" of "benefits of
    Customer Relationship Management"; a plural "s" allowed: "KPIs")."""
    letters = short[:-1] if short.endswith("s") and short[:-1].isupper() else short
    if not (2 <= len(letters) <= 6 and letters.isupper() and letters.isalpha()):
        return False
    initials = "".join(w[0] for w in re.findall(r"\b[A-Z][A-Za-z]*", long))
    return letters in initials


def _ideas_from_examples(
    items: list[str],
    body: str,
    cue_category: str | None,
    explicit: int | None,
    lex: lexicon.Lexicon,
) -> _Reading:
    """An example list: one idea per example (plus its kind's siblings in the lexicon), or, when
    the point asks for one thing and the lexicon knows none of them, one idea they illustrate."""
    resolved = []
    item_categories: list[set[str]] = []
    for item in items:
        concept, categories = _concept_for_item(item, cue_category, lex)
        resolved.append((item, concept))
        item_categories.append(categories)
    if (
        explicit is None
        and not _plural_before_list(body, items)
        and not any(concept for _item, concept in resolved)
    ):
        head = _generic_indicator(_without_list(body, items), lex)
        label = head.label if head else _label(items[0])
        alternatives = tuple(dict.fromkeys([*items, *(head.alternatives if head else ())]))
        return _Reading([Indicator(label, alternatives)], "any", 1)
    shared = set.intersection(*item_categories) if item_categories else set()
    sibling_category = None
    if cue_category and (cue_category in shared or not shared):
        sibling_category = cue_category
    elif shared:
        sibling_category = sorted(shared)[0]
    collector = _Collector()
    for item, concept in resolved:
        if sibling_category and concept is not None:
            concept, _ = _concept_for_item(item, sibling_category, lex)
        if concept is None:
            collector.plain(Indicator(_label(item), _alternatives_for(item, None)))
        else:
            collector.concept(concept, label=item)
    if sibling_category:
        for concept in lexicon.concepts_by_category(sibling_category, lex):
            collector.concept(concept)
    return _Reading(collector.indicators, "any")


def _ideas_from_category(category: str, cues: list, body: str, lex: lexicon.Lexicon) -> _Reading:
    collector = _Collector()
    for concept in lexicon.concepts_by_category(category, lex):
        collector.concept(concept)
    cue_spans = [(start, end) for _cat, start, end in cues]
    for concept, start, end, _keys in lexicon.concepts_in_text(body, lex):
        if _PLURAL_ASK.match(body[start:]):
            continue
        if any(start < e and s < end for s, e in cue_spans):
            continue
        collector.concept(concept, label=body[start:end])
    return _Reading(collector.indicators, "any")


# "An explanation of how X…" asks what "explaining how X…" asks: the noun is the command, never
# an idea to look for.
_NOMINAL_GERUNDS = {
    "explanation": "explaining",
    "account": "explaining",
    "description": "describing",
    "identification": "identifying",
    "outline": "outlining",
    "analysis": "analysing",
    "evaluation": "evaluating",
    "justification": "justifying",
    "comparison": "comparing",
    "discussion": "discussing",
}
_NOMINAL_COMMAND = re.compile(
    r"^(?:(?:give|gives|giving|provide|provides|providing)\s+)?(?:an?\s+|the\s+)?"
    r"(?:(?:accurate|clear|correct|full|thorough|detailed|sound|good|appropriate)\s+)?"
    r"(?P<noun>" + "|".join(_NOMINAL_GERUNDS) + r")s?\s+(?:of|for)\s+",
    re.IGNORECASE,
)

_LEADING_COMMAND = re.compile(
    r"^(?:(?:" + "|".join(sorted(_GERUNDS, key=len, reverse=True)) + r")\s+(?:and\s+|or\s+)?)+",
    re.IGNORECASE,
)


def _named_ideas(
    body: str, body_without_list: str, items: list[str], enumeration: bool, lex: lexicon.Lexicon
) -> _Reading:
    """Ideas the point names: lexicon concepts, then any part of the point they do not cover."""
    # A single example ("such as the importance of collecting and using customer data to
    # build long-term relationships") says exactly what to link; otherwise the whole point.
    source = items[0] if len(items) == 1 and not enumeration else body
    if not enumeration and len(items) != 1:
        source = body_without_list
    source = _LEADING_COMMAND.sub("", _ANYWHERE_COUNT.sub(" ", source)).strip()
    collector = _Collector()
    rest = source
    for concept, start, end, _keys in lexicon.concepts_in_text(source, lex):
        collector.concept(concept, label=source[start:end])
        rest = rest.replace(source[start:end], " \u00a7 ")
    # What the lexicon did not recognise is still an idea of the point if it is a whole part
    # of it (not the remains of a recognised phrase) and says something on its own.
    smallest = 2 if collector.indicators else 1
    for segment in _idea_segments(rest):
        indicator = None if "\u00a7" in segment else _generic_indicator(segment, lex)
        said = [w for w in _WORD_RE.findall(segment) if w.lower() not in lexicon.STOPWORDS]
        if indicator is None or len(said) < smallest:
            continue
        if not _covered(indicator, collector.indicators):
            collector.plain(indicator)
    return _Reading(collector.indicators, "all")


def _covered(indicator: Indicator, others: list[Indicator]) -> bool:
    """Whether a generic idea only repeats words of ideas already chosen."""
    mine = _stems(indicator.label)
    known = set().union(*(_stems(o.label) for o in others))
    return bool(mine) and mine <= known


# --- ideas read from the point's own words ------------------------------------------------------

_CONTRAST = re.compile(
    r"\b(?:differences?|distinctions?|contrast)\s+between\s+(?P<a>[^,;.]+?)\s+(?:and|versus|vs)"
    r"\s+(?P<b>[^,;.]+)|\b(?:compare|comparing|distinguish|distinguishing)(?:\s+and\s+contrast)?"
    r"\s+(?:between\s+)?(?P<c>[^,;.]+?)\s+(?:and|with|to|versus|vs)\s+(?P<d>[^,;.]+)",
    re.IGNORECASE,
)
_SIDE_TAIL = re.compile(r"\s+(?:with|using|giving|including|in\s+terms\s+of|for)\b.*$", re.I)
# Nouns naming a kind of thing: "three features of X" asks for features without naming them.
_KIND_NOUNS = frozenset(
    """
    features benefits advantages disadvantages stages types ways methods factors reasons causes
    strategies techniques steps signs symptoms risks hazards components characteristics
    principles roles responsibilities duties elements barriers sources uses effects functions
    consequences limitations properties requirements skills qualities tools measures
    approaches actions procedures precautions aims objectives purposes parts kinds forms items
    """.split()
)
_COMMAND_WORDS = (
    frozenset(_GERUNDS)
    | _IMPERATIVES
    | frozenset(
        "identify explain describe outline give state list name select demonstrate provide "
        "explains describes identifies outlines states providing provides".split()
    )
)
# Words that frame an idea rather than state it.
_FRAME_WORDS = frozenset(
    """
    award credit marks mark evidence learner learners candidate candidates ability capacity
    understanding knowledge awareness accurately clearly correctly accurate clear appropriate
    relevant detailed specific practical concrete key main important example examples least
    minimum more purpose importance role significance meaning need value difference differences
    link links relationship connection between way ways each other choice reference
    identification elements like
    """.split()
)
_NEGATIONS = frozenset("not no never cannot without none neither nor".split())
_CONTRACTIONS = {
    "is": "isn't",
    "are": "aren't",
    "was": "wasn't",
    "were": "weren't",
    "do": "don't",
    "does": "doesn't",
    "did": "didn't",
    "can": "can't",
    "should": "shouldn't",
    "must": "mustn't",
    "will": "won't",
    "have": "haven't",
    "has": "hasn't",
}
_SEGMENT_SPLIT = re.compile(
    r"\s*[;,:()]\s*|\s+(?:and/or|whereas|while|when|whenever|because|so\s+that|in\s+order\s+to|"
    r"as\s+well\s+as|which|who|where|if|unless|versus|vs\.?|compared\s+(?:with|to)|"
    r"with\s+reference\s+to|such\s+that|through|by|between|"
    r"(?:can\s+|could\s+|may\s+|might\s+|will\s+|would\s+)?(?:be\s+used\s+to|affects?|"
    r"influences?|leads?\s+to|contributes?\s+to|causes?|results?\s+in|helps?(?:\s+to)?|"
    r"improves?|increases?|reduces?|prevents?|promotes?|supports?|protects?|enables?|"
    r"facilitates?|encourages?|drives?|shapes?|determines?|builds?|maintains?|"
    r"(?:in|for)\s+building))\s+",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")
_NUMBER_WORDS = frozenset(_NUMBERS) | frozenset("several some many various".split())


def _contrast_sides(text: str) -> list[str]:
    """ "the difference between open and closed questions" -> [open questions, closed questions]."""
    match = _CONTRAST.search(text)
    if not match:
        return []
    a = match.group("a") or match.group("c")
    b = _SIDE_TAIL.sub("", match.group("b") or match.group("d"))
    a, b = (re.sub(r"^(?:the|a|an)\s+", "", side.strip(), flags=re.I) for side in (a, b))
    if not a or not b:
        return []
    # "open and closed questions": the shared noun belongs to both sides.
    if len(a.split()) == 1 and len(b.split()) >= 2:
        a = a + " " + " ".join(b.split()[1:])
    return [a, b]


def _ask_head(prompt: str) -> str:
    """What the prompt asks for: "Identify at least three features of X." -> "features of X"."""
    text = prompt.rstrip(".?").strip()
    text = re.sub(
        rf"^{_COMMANDS}(?:\s+(?:and|or)\s+{_COMMANDS})?(?:\s+in\s+detail)?\s+", "", text, flags=re.I
    )
    text = re.sub(rf"^(?:{_AT_LEAST}\s+)?{_NUM}\s+(?:or\s+more\s+)?", "", text, flags=re.I)
    return text.strip()


def _asks_for_unnamed_instances(prompt: str, explicit: int | None) -> bool:
    head = _ask_head(prompt)
    words = head.lower().split()
    if words[:1] in (["the"], ["some"]):
        words = words[1:]
    first_nouns = [w for w in words[:2] if w in _KIND_NOUNS]
    return bool(first_nouns) and (explicit is not None or words[0] in _KIND_NOUNS)


def _plural_before_list(body: str, items: list[str]) -> bool:
    """Whether the word the example list illustrates is a plural ("strategies, such as …")."""
    before = _without_list(body, items)
    words = [w.lower() for w in _content_words(before)]
    return any(_is_plural(w) for w in words[-1:] + words[:1])


def _is_plural(word: str) -> bool:
    return word.endswith("s") and not word.endswith(("ss", "us", "is", "'s"))


def _without_list(body: str, items: list[str]) -> str:
    at = body.find(items[0]) if items else -1
    before = body[:at] if at > 0 else body
    return re.sub(
        r"[\s,(:]*(?:such\s+as|including|like|for\s+example|for\s+instance|e\.g\.,?|eg,?)?"
        r"[\s,(:]*$",
        "",
        before,
        flags=re.I,
    )


def _idea_segments(text: str) -> list[str]:
    """Split a point into its parts: at punctuation, connectives, and "and"/"or" between ideas."""
    text = re.sub(r"\s+with\s+an?\s+example\s+of\s+each\b", "", text, flags=re.I)
    segments: list[str] = []
    for part in _SEGMENT_SPLIT.split(text):
        part = (part or "").strip()
        if not part:
            continue
        pieces = [p.strip() for p in re.split(r"\s+(?:and|or|nor)\s+", part) if p.strip()]
        pair = len(pieces) == 2 and "\u00a7" not in part
        if pair and all(len(_content_words(p)) == 1 for p in pieces):
            segments.append(part)  # "health and safety" is one idea
        else:
            segments.extend(pieces)
    return _drop_shared_context(segments)


def _drop_shared_context(segments: list[str]) -> list[str]:
    """ "the nucleus, mitochondria and ribosomes in a cell": "in a cell" belongs to all three,
    so it is not part of the last idea."""
    if len(segments) < 3 or any(len(_content_words(s)) > 2 for s in segments[:-1]):
        return segments
    last = re.split(r"\s+(?:in|of|within|inside|for|during)\s+", segments[-1], maxsplit=1)[0]
    return [*segments[:-1], last] if _content_words(last) else segments


def _content_words(text: str) -> list[str]:
    words = []
    for word in _WORD_RE.findall(text):
        lower = word.lower().replace("’", "'")
        if lower in _NEGATIONS or lower.endswith("n't"):
            words.append(lower)
        elif len(word) >= 2 and word.isalpha() and word.isupper():
            words.append(word)  # an abbreviation ("IT" is information technology, not "it")
        elif lower in lexicon.STOPWORDS or lower in _COMMAND_WORDS or lower in _FRAME_WORDS:
            continue
        elif lower in _NUMBER_WORDS or lower.isdigit():
            continue
        else:
            words.append(word if word.isupper() else lower)
    return words


_MOST_WORDS_FOR_PAIRS = 4


def _generic_indicator(segment: str, lex: lexicon.Lexicon) -> Indicator | None:
    """One idea from a part of the point: its head phrase, and shorter cores a paraphrase meets.

    Negation stays in every wording (and the wording is marked polarity-free, "~"), so "the
    terminals are not connected" is never credited for saying they are connected.
    """
    words = _content_words(segment)
    negated = any(w in _NEGATIONS or w.endswith("n't") for w in words)
    core = [w for w in words if w not in _NEGATIONS and not w.endswith("n't")]
    if not core or (len(core) == 1 and core[0].lower() in lex.generic_point_words):
        return None
    label = _head_phrase(segment, words)
    wordings = [label, " ".join(words)]
    if len(core) >= 3:
        wordings.append(" ".join(_with_negation(_core_phrase(segment, core), words)))
    if 3 <= len(core) <= _MOST_WORDS_FOR_PAIRS:
        # An idea named in three or four words is rarely said in all of them: any two of its
        # words in one sentence say it ("feedback data" for "customer feedback data"). Not for
        # longer parts of a point: they are clauses, and two of their words ("carry out") say
        # nothing.
        wordings.extend(
            " ".join(_with_negation([first, second], words))
            for first, second in itertools.combinations(core, 2)
        )
    if negated:
        auxiliary = re.search(r"\b(\w+)\s+not\b", segment, re.I)
        contracted = _CONTRACTIONS.get(auxiliary.group(1).lower()) if auxiliary else None
        if contracted:
            wordings.extend(
                re.sub(r"\b(?:\w+\s+)?not\b", contracted, w, count=1)
                for w in list(wordings)
                if re.search(r"\bnot\b", w)
            )
        wordings = ["~" + w for w in wordings]
    return Indicator(label, tuple(dict.fromkeys(wordings)))


def _head_phrase(segment: str, words: list[str]) -> str:
    """The segment's own wording from its first to its last content word, if short enough."""
    tokens = _WORD_RE.findall(segment)
    lowered = [t.lower() for t in tokens]
    wanted = {w.lower() for w in words}
    marks = [i for i, t in enumerate(lowered) if t in wanted]
    if marks and marks[-1] - marks[0] < 9:
        return " ".join(tokens[marks[0] : marks[-1] + 1])
    return " ".join(words[:5])


def _core_phrase(segment: str, core: list[str]) -> list[str]:
    """The head noun phrase ("backup method" of "backup method for a network"), else the last
    two content words ("stock audit" of "quarterly stock audit")."""
    for chunk in re.split(r"\s+(?:of|for|in|on|to|from|with|at|by|during|within)\s+", segment):
        head_words = [w for w in _content_words(chunk) if w in core]
        if 2 <= len(head_words) < len(core):
            return head_words
        if head_words:
            break
    return core[-2:]


def _with_negation(core: list[str], words: list[str]) -> list[str]:
    negators = [w for w in words if w in _NEGATIONS or w.endswith("n't")]
    return [*negators[:1], *core] if negators else core


def _stems(text: str) -> set[str]:
    return {
        lexicon.stem(w)
        for w in _WORD_RE.findall(text.lstrip("~"))
        if w.lower() not in lexicon.STOPWORDS
    }


def _prompt_words(prompt: str, indicators: list[Indicator]) -> tuple[str, ...]:
    """The question's own content words that name none of its ideas ("features", "CRM")."""
    taken = set().union(*(_stems(i.label) for i in indicators)) if indicators else set()
    words = [
        w
        for w in _content_words(prompt)
        if w.lower() not in _NEGATIONS and lexicon.stem(w) not in taken
    ]
    return tuple(dict.fromkeys(w.lower() for w in words))


def question_words(rubric: Rubric) -> tuple[str, ...]:
    """``rubric.prompt_words``, or for a rubric stored without them, derived from its prompt."""
    if rubric.prompt_words:
        return rubric.prompt_words
    return _prompt_words(rubric.prompt, list(rubric.indicators))


def _without_question_words(indicators: list[Indicator], words: tuple[str, ...]) -> list[Indicator]:
    """Drop wordings made only of the question's words: "CRM" is not a feature of a CRM."""
    question = {lexicon.stem(w) for w in words}
    kept = []
    for indicator in indicators:
        alternatives = tuple(a for a in indicator.alternatives if not _stems(a) <= question)
        if alternatives and not _stems(indicator.label) <= question:
            kept.append(Indicator(indicator.label, alternatives))
    return kept


# --- model answers and the editor's preview ----------------------------------------------------

_COUNT_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def _join(items: list[str], word: str = "and") -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    # Items that contain "and" themselves need a comma before the last one to read clearly.
    comma = "," if any(" and " in i or " or " in i for i in items) else ""
    return ", ".join(items[:-1]) + f"{comma} {word} " + items[-1]


def _sentence(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip().rstrip(".")
    return text[:1].upper() + text[1:] + "." if text else ""


def with_model_answer(rubric: Rubric) -> Rubric:
    """The rubric as a new question stores it: a blank model answer filled by
    ``write_model_answer``. The question bank, the marker's evaluation and its training all read
    rubrics through this, so the marker is measured on what the site marks with."""
    if rubric.model_answer:
        return rubric
    return replace(rubric, model_answer=write_model_answer(rubric))


def write_model_answer(rubric: Rubric) -> str:
    """A plain model answer for a rubric an editor has not written one for.

    Built only from the point's own wording and examples (never invented facts): "Three
    features of a CRM system are contact management, interaction tracking and data analysis."
    Empty when the point gives no examples to answer with (a restatement of the point, or a
    list of what to cover, would not be a model answer) and for points a tutor marks.
    ``build_rubric`` leaves ``model_answer`` empty: the marking pipeline reads a model answer
    as its reference text, so only the question bank fills it (editors can replace it).
    """
    if not rubric.auto_markable or not rubric.indicators:
        return ""
    body, _context = _strip_framing(rubric.point_text or rubric.prompt)
    items, _rest, enumeration = _extract_examples(body)
    head = _ask_head(rubric.prompt)
    labels = [i.label for i in rubric.indicators]
    if not head:
        return ""
    listed = _COUNT_OF_LISTED.search(rubric.prompt)
    if listed and len(items) >= 2:
        # "Any two of the following: …" names no kind to say the items are: list them.
        return _sentence(_join(items[: _to_int(listed.group("n"))]))
    if len(items) >= 2 and not enumeration:
        return _answer_from_examples(rubric, head, items, labels)
    count = _required_from_text(rubric.prompt)
    if count is not None and count >= 2 and len(labels) >= count:
        # The ideas are instances of what is asked ("two benefits of …"), so naming them answers.
        return _sentence(
            f"{_COUNT_WORDS.get(count, str(count))} {head} are {_join(labels[:count])}"
        )
    return ""


def _answer_from_examples(rubric: Rubric, head: str, items: list[str], labels: list[str]) -> str:
    count = _required_from_text(rubric.prompt)
    if re.match(r"(?:how|why|what|when|where)\b", head, re.I):
        if head.lower().startswith("how "):
            return _sentence(f"Ways {head[4:]} include {_join(items)}")
        return _sentence(f"Examples of {head} include {_join(items)}")
    if count is not None and count >= 2:
        chosen = list(dict.fromkeys([*items, *labels]))[:count]
        return _sentence(f"{_COUNT_WORDS.get(count, str(count))} {head} are {_join(chosen)}")
    if rubric.required_count <= 1 and len(rubric.indicators) == 1:
        return _sentence(f"Examples of {rubric.indicators[0].label} are {_join(items)}")
    if rubric.required_count <= 1:
        return _sentence(f"{head} could be {_join(items, 'or')}")
    return _sentence(f"{head} include {_join(items)}")


def describe_rubric(rubric: Rubric) -> str:
    """The rubric as plain text for an editor: what the marker will look for, line by line."""
    yes = {True: "yes", False: "no"}
    lines = [
        f"Ideas needed: {rubric.required_count} of the {len(rubric.indicators)} below.",
        f"Explanation in sentences required: {yes[rubric.requires_explanation]}.",
        f"Link between ideas required (because, so, leads to…): {yes[needs_link(rubric)]}.",
        "Auto-marked: " + ("yes." if rubric.auto_markable else "no, a tutor marks every answer."),
        f"Subject vocabulary: {rubric.lexicon}"
        + (" (general English only)." if rubric.lexicon == lexicon.GENERAL_LEXICON else "."),
    ]
    words = question_words(rubric)
    if words:
        lines.append("Question words that earn nothing on their own: " + ", ".join(words) + ".")
    lines.append("Ideas the marker looks for (any wording listed counts):")
    for number, indicator in enumerate(rubric.indicators, 1):
        wordings = "; ".join(
            a.lstrip("~") + (" (counts even in a negative sentence)" if a.startswith("~") else "")
            for a in indicator.alternatives
        )
        lines.append(f"  {number}. {indicator.label}: {wordings or indicator.label}")
    lines.append("Model answer: " + (rubric.model_answer or "(none)"))
    return "\n".join(lines)
