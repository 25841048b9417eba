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

import re
from dataclasses import dataclass, field
from typing import Any

from assessments import lexicon

__all__ = ["Indicator", "Rubric", "build_rubric", "make_prompt", "needs_link"]


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
        )


def _string(data: dict, key: str, *, default: str) -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValueError(f"rubric: '{key}' must be a string, got {type(value).__name__}")
    return value.strip()


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
        r"^(?:award|give|allocate)\s+(?:credit|marks?)\s+(?:for|to|where|when)\s+",
        r"^(?:credit|marks?)\s+(?:should\s+be\s+|is\s+|are\s+|will\s+be\s+|can\s+be\s+)?"
        r"(?:given|awarded|allocated)\s+(?:for|to|where|when)\s+",
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
    )
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
    (r"^(?:an?\s+|the\s+)?explanation\s+of\s+", "Explain "),
    (r"^(?:an?\s+|the\s+)?(?:detailed\s+)?description\s+of\s+", "Describe "),
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
_PLURAL_ASK = re.compile(
    r"\b(?:at\s+least\s+|a\s+minimum\s+of\s+)?(?P<n>one|two|three|four|five|six|\d)\s+"
    r"(?:[\w-]+\s+){0,2}?(?P<noun>[a-z]+s)\b",
    re.IGNORECASE,
)
_AT_LEAST = re.compile(
    r"\b(?:at\s+least|a\s+minimum\s+of|minimum\s+of)\s+(?P<n>one|two|three|four|five|six|\d)\b",
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
    r"outlin\w*|propos\w*|compar\w*|assess\s+the\s+impact)\b",
    re.IGNORECASE,
)
_LINK = re.compile(
    r"\blink(?:s|ed|ing)?\b|\bleads?\s+to\b|\bcontribut\w*|\bfacilitat\w*|\bjustif\w*|"
    r"\bhow\b.{0,100}\bused\s+to\b|\bunderstanding\s+of\s+(?:the\s+)?"
    r"(?:link|purpose|relationship|impact|importance|role)|\bimpact\s+(?:of|on)\b|"
    r"\baffects?\b|\bin\s+building\b|\bto\s+build\b|\brelationship\s+between\b|"
    r"\bwhy\b",
    re.IGNORECASE,
)
_EXAMPLE_PAREN = re.compile(
    r"\s*\(\s*(?:e\.?\s?g\.?|eg|for\s+example|such\s+as|for\s+instance|i\.e\.?)[,:]?\s*"
    r"(?P<items>[^)]*)\)",
    re.IGNORECASE,
)
_EXAMPLE_TAIL = re.compile(
    r"(?P<lead>,?\s+|\s*\(\s*)(?P<cue>such\s+as|including|like|for\s+example|e\.g\.,?)\s+"
    r"(?P<items>(?:[^.;()]|\([^()]*\))+?)(?=\s*(?:[.;)]|$))",
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
    return rubric.requires_explanation and bool(_LINK.search(rubric.point_text or rubric.prompt))


def _strip_framing(text: str) -> tuple[str, str]:
    """Remove examiner framing; returns (rest, trailing context such as " when measuring …")."""
    text = re.sub(r"\s+", " ", text).strip().rstrip(".").strip()
    context = ""
    when = re.match(r"^(?P<when>(?:when|while|in)\s+[^,]{3,80}),\s*(?P<rest>.+)$", text, re.I)
    if when and re.match(r"(?:the\s+)?(?:learners?|candidates?)\b", when.group("rest"), re.I):
        context = " " + when.group("when")[0].lower() + when.group("when")[1:]
        text = when.group("rest")
    for _ in range(3):
        before = text
        for pattern in _FRAMING:
            text = pattern.sub("", text, count=1)
        text = _ADVERBS.sub("", text)
        if text == before:
            break
    return text.strip(), context


def _split_items(items: str) -> list[str]:
    """'a, b, and c' -> [a, b, c]; 'x and y' splits only when both sides are short."""
    items = items.strip().rstrip(",")
    parts = [p.strip() for p in re.split(r",\s*", items) if p.strip()]
    result: list[str] = []
    for index, part in enumerate(parts):
        part = re.sub(r"^(?:and|or)\s+", "", part, flags=re.I)
        pieces = re.split(r"\s+(?:and|or|and/or)\s+", part)
        short = all(len(piece.split()) <= 4 for piece in pieces)
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
    return [], text, False


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


def _required_from_text(text: str) -> int | None:
    match = _AT_LEAST.search(text)
    if match:
        return _to_int(match.group("n"))
    match = _PLURAL_ASK.search(text)
    if match and match.group("noun").lower() not in {"years", "months", "days", "times"}:
        return _to_int(match.group("n"))
    return None


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


def _concept_for_item(item: str, prefer: str | None) -> tuple[lexicon.Concept | None, set[str]]:
    """Best concept for an example item, and the categories any overlapping concept has."""
    found = lexicon.concepts_in_text(item)
    if not found:
        return None, set()
    concept, _start, _end, keys = max(found, key=lambda f: f[2] - f[1])
    candidates = [c for c in (lexicon.concept_by_key(k) for k in keys) if c]
    categories = {cat for c in candidates for cat in c.categories}
    if prefer:
        for candidate in candidates:
            if prefer in candidate.categories:
                return candidate, categories
    return concept, categories


def _category_cues(text: str) -> list[tuple[str, int, int]]:
    cues = []
    for pattern, category in lexicon.CATEGORY_CUES:
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


def build_rubric(point_text: str) -> Rubric:
    """Build the ``Rubric`` for one marking point (a single bullet's text, marker stripped).

    Deterministic and pure. Never raises for odd text: a point the lexicon knows nothing about
    still gets a prompt and indicators made from its own key phrases.
    """
    point = re.sub(r"\s+", " ", (point_text or "")).strip()
    prompt = make_prompt(point)
    auto_markable = not _NOT_AUTO.search(point)
    body, _context = _strip_framing(point)
    items, body_without_list, enumeration = _extract_examples(body)
    requires_link = bool(_LINK.search(point))
    requires_explanation = requires_link or bool(_EXPLAIN.search(body_without_list))
    cues = _category_cues(body_without_list if not enumeration else body)
    cue_category = cues[0][0] if cues else None
    explicit = _required_from_text(body_without_list)

    indicators: list[Indicator] = []
    seen_keys: set[str] = set()

    def add_concept(concept: lexicon.Concept, label: str | None = None) -> None:
        if concept.key in seen_keys:
            return
        seen_keys.add(concept.key)
        indicators.append(
            Indicator(
                _label(label or concept.label), _alternatives_for(label or concept.label, concept)
            )
        )

    mode = "all"
    if len(items) >= 2 and not enumeration:
        mode = "any"
        item_categories: list[set[str]] = []
        resolved = []
        for item in items:
            concept, categories = _concept_for_item(item, cue_category)
            resolved.append((item, concept))
            item_categories.append(categories)
        shared = set.intersection(*item_categories) if item_categories else set()
        sibling_category = None
        if cue_category and (cue_category in shared or not shared):
            sibling_category = cue_category
        elif shared:
            sibling_category = sorted(shared)[0]
        for item, concept in resolved:
            if sibling_category and concept is not None:
                concept, _ = _concept_for_item(item, sibling_category)
            if concept is None:
                indicators.append(Indicator(_label(item), _alternatives_for(item, None)))
            else:
                add_concept(concept, label=item)
        if sibling_category:
            for concept in lexicon.concepts_by_category(sibling_category):
                add_concept(concept)
    elif cue_category:
        mode = "any"
        for concept in lexicon.concepts_by_category(cue_category):
            add_concept(concept)
        cue_spans = [(start, end) for _cat, start, end in cues]
        for concept, start, end, _keys in lexicon.concepts_in_text(body_without_list):
            if _PLURAL_ASK.match(body_without_list[start:]):
                continue
            if any(start < e and s < end for s, e in cue_spans):
                continue
            add_concept(concept, label=body_without_list[start:end])
    else:
        # A single example ("such as the importance of collecting and using customer data to
        # build long-term relationships") says exactly what to link; otherwise the whole point.
        source = items[0] if len(items) == 1 and not enumeration else body
        if enumeration:
            source = body
        source = _AT_LEAST.sub(" ", source)
        for concept, start, end, _keys in lexicon.concepts_in_text(source):
            add_concept(concept, label=source[start:end])
        if not indicators:
            for chunk in _key_phrases(body_without_list)[:4]:
                indicators.append(Indicator(chunk, (chunk,)))

    if explicit is not None:
        required = explicit
    elif mode == "any":
        required = 1 if _SINGULAR_ASK.search(body_without_list) else 2
    else:
        required = min(3, len(indicators))
    required = max(0, min(required, len(indicators)))
    if auto_markable and indicators and required == 0:
        required = 1
    return Rubric(
        point_text=point,
        prompt=prompt,
        required_count=required,
        indicators=tuple(indicators),
        requires_explanation=requires_explanation,
        auto_markable=auto_markable,
        model_answer="",
        requires_link=requires_link,
    )


_KEY_PHRASE_STOP = lexicon.FUNCTION_WORDS | frozenset(
    "award credit marks evidence learner learners ability understanding explain explaining "
    "identify identifying describe describing demonstrate demonstrating give giving provide "
    "providing example examples specific practical clear detailed key important effective "
    "appropriate accurate relevant least two three four outline outlining using use".split()
)


def _key_phrases(text: str) -> list[str]:
    """Fallback indicators: runs of content words ("response times", "customer satisfaction")."""
    phrases: list[str] = []
    current: list[str] = []
    for word in re.findall(r"[A-Za-z][A-Za-z'-]*|[^\sA-Za-z]", text):
        if word.lower() in _KEY_PHRASE_STOP or not word[0].isalpha():
            if current:
                phrases.append(" ".join(current))
            current = []
        else:
            current.append(word)
    if current:
        phrases.append(" ".join(current))
    return [p for p in dict.fromkeys(phrases) if p]
