"""Parse topic documents (seed files) into a structured, ORM-free ``SeedDocument``.

Two layouts are in use and both are read by the same rules:

* Format A: a truncated copy of the synopsis on the first line, then headings such as
  "Topic Synopsis", "Key Concepts & Core Principles", "Exam Tips & Revision Strategies",
  "Common Misconceptions & Mistakes to Avoid" and "Examiner Marking Points" with "- " bullets.
* Format B: a page scraped from an awarding body's site: indented lines, the title glued to the
  awarding body on the first line, "•" bullets, emoji markers, headings repeated or empty, stray
  counter numbers, and other names for sections ("Assessment Criteria" are the marking points,
  "Common Mistakes" the misconceptions, "Assessment Guidance" the exam tips).

Rather than branching on the format, the parser recognises headings wherever they occur, merges
repeated sections, and only treats bullet lines as list items, which is what makes the scraped
page's noise (sub-headings, counters, repeated titles) fall away.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

__all__ = [
    "KeyConcept",
    "KeyTerm",
    "Misconception",
    "QualificationInfo",
    "SeedDocument",
    "SeedParseError",
    "decode_seed_bytes",
    "derive_title",
    "normalise_text",
    "parse_seed_bytes",
    "parse_seed_text",
]


class SeedParseError(ValueError):
    """The document cannot be turned into a topic; the message says why, for a person to read."""


@dataclass(frozen=True)
class KeyConcept:
    term: str
    explanation: str


@dataclass(frozen=True)
class Misconception:
    statement: str
    correction: str = ""


@dataclass(frozen=True)
class KeyTerm:
    term: str
    definition: str = ""


@dataclass(frozen=True)
class QualificationInfo:
    name: str
    awarding_body: str = ""
    level: int | None = None
    description: str = ""


@dataclass(frozen=True)
class SeedDocument:
    """Everything a topic document says, in document order, with no database attached."""

    title: str
    title_was_derived: bool
    synopsis: str
    key_concepts: tuple[KeyConcept, ...] = ()
    exam_tips: tuple[str, ...] = ()
    misconceptions: tuple[Misconception, ...] = ()
    marking_points: tuple[str, ...] = ()
    learning_objectives: tuple[str, ...] = ()
    prerequisites: tuple[str, ...] = ()
    key_terms: tuple[KeyTerm, ...] = ()
    qualification: QualificationInfo | None = None
    encoding: str = "utf-8"
    warnings: tuple[str, ...] = field(default=())


# Section kinds.
SYNOPSIS = "synopsis"
OVERVIEW = "overview"
KEY_CONCEPTS = "key_concepts"
EXAM_TIPS = "exam_tips"
MISCONCEPTIONS = "misconceptions"
MARKING_POINTS = "marking_points"
OBJECTIVES = "learning_objectives"
PREREQUISITES = "prerequisites"
KEY_TERMS = "key_terms"
IGNORED = "ignored"

# Heading text (normalised: lower case, "&" as "and", no trailing colon) to section kind.
HEADINGS: dict[str, str] = {
    "topic synopsis": SYNOPSIS,
    "synopsis": SYNOPSIS,
    "topic summary": SYNOPSIS,
    "topic overview": OVERVIEW,
    "qualification overview": OVERVIEW,
    "key concepts and core principles": KEY_CONCEPTS,
    "key concepts and principles": KEY_CONCEPTS,
    "key concepts": KEY_CONCEPTS,
    "core principles": KEY_CONCEPTS,
    "core concepts": KEY_CONCEPTS,
    "exam tips and revision strategies": EXAM_TIPS,
    "exam tips and revision strategy": EXAM_TIPS,
    "exam tips": EXAM_TIPS,
    "revision strategies": EXAM_TIPS,
    "revision tips": EXAM_TIPS,
    "assessment guidance": EXAM_TIPS,
    "assessment tips": EXAM_TIPS,
    "common misconceptions and mistakes to avoid": MISCONCEPTIONS,
    "common misconceptions and mistakes": MISCONCEPTIONS,
    "common misconceptions": MISCONCEPTIONS,
    "misconceptions": MISCONCEPTIONS,
    "common mistakes": MISCONCEPTIONS,
    "common mistakes to avoid": MISCONCEPTIONS,
    "mistakes to avoid": MISCONCEPTIONS,
    "examiner marking points": MARKING_POINTS,
    "examiners marking points": MARKING_POINTS,
    "examiner's marking points": MARKING_POINTS,
    "marking points": MARKING_POINTS,
    "assessment criteria": MARKING_POINTS,
    "marking criteria": MARKING_POINTS,
    "learning objectives": OBJECTIVES,
    "learning outcomes": OBJECTIVES,
    "objectives": OBJECTIVES,
    "before you start": PREREQUISITES,
    "prerequisites": PREREQUISITES,
    "prior knowledge": PREREQUISITES,
    "key terminology": KEY_TERMS,
    "key terms": KEY_TERMS,
    "glossary": KEY_TERMS,
    # Page furniture on scraped documents: recognised so its lines are not taken as content.
    "frequently asked questions": IGNORED,
    "faqs": IGNORED,
    "key skills": IGNORED,
    "ready to learn?": IGNORED,
}

# "•" and friends may touch the text; "-", "*" and numbers need a space so "-5%" is not a bullet.
_BULLET = re.compile(r"^(?:[•●▪■◦‣∙·]\s*|[-*–—]\s+|\d{1,2}[.)]\s+)")
_COUNTER = re.compile(r"^\d{1,4}$")
_HEADING_DECORATION = re.compile(r"^#{1,6}\s*|^\*\*|\*\*$|\s*\(\d+\)$|:$")
_MISCONCEPTION_WITH_CORRECTION = re.compile(
    r"^(?:misconception|myth)\s*:\s*(?P<statement>.+?)\s*(?:correction|reality|fact|truth)\s*:\s*"
    r"(?P<correction>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_MISCONCEPTION_LABEL = re.compile(r"^(?:misconception|myth|mistake)\s*:\s*", re.IGNORECASE)
_OBJECTIVE_VERBS = (
    "understand",
    "know",
    "be able to",
    "explain",
    "describe",
    "identify",
    "evaluate",
    "analyse",
    "analyze",
    "apply",
    "demonstrate",
    "recognise",
    "recognize",
)
_OBJECTIVE_SPLIT = re.compile(r",\s*(?:and\s+)?(?=\S)")
_QUALIFICATION_NAME = re.compile(
    r"\bLevel\s+(?P<level>\d{1,2})\b.*\b(?:Diploma|Certificate|Award|NVQ|Qualification)\b",
    re.IGNORECASE,
)
_AWARDING_BODY_SUFFIX = re.compile(
    r"^(?P<body>.{2,80}?\b(?:Limited|Ltd\.?|plc|PLC|Awards|Board|Institute|Council))\b"
)
_LEADING_SYMBOLS_CATEGORIES = {"So", "Sk", "Cf", "Mn", "Zs"}


def normalise_text(value: str) -> str:
    """Lower-case, punctuation-free, single-spaced text, for comparing wording across edits."""
    value = unicodedata.normalize("NFKC", value).casefold()
    value = re.sub(r"[^\w\s]", " ", value)
    return re.sub(r"\s+", " ", value).strip()


def decode_seed_bytes(data: bytes) -> tuple[str, str, tuple[str, ...]]:
    """Turn raw file bytes into text.

    Returns ``(text, encoding, warnings)``. UTF-8 (with or without a BOM) is expected; anything
    else is read as Windows-1252, which is what office software on UK college machines writes,
    and a warning says so. Raises ``SeedParseError`` for empty or binary files.
    """
    if not data.strip():
        raise SeedParseError("the file is empty")
    sample = data[:8192]
    if b"\x00" in sample:
        raise SeedParseError("this looks like a binary file, not a text document (NUL bytes)")
    control = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    if control > len(sample) * 0.05:
        raise SeedParseError("this looks like a binary file, not a text document")
    try:
        return data.decode("utf-8-sig"), "utf-8", ()
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        encoding = "cp1252"
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; Latin-1 maps every byte, so nothing is lost.
        text = data.decode("latin-1")
        encoding = "latin-1"
    warning = f"the file is not valid UTF-8; it was read as {encoding} (Windows/Latin-1 text)"
    return text, encoding, (warning,)


def parse_seed_bytes(data: bytes) -> SeedDocument:
    """Decode and parse a seed file's bytes. Raises ``SeedParseError`` with a readable reason."""
    text, encoding, warnings = decode_seed_bytes(data)
    document = parse_seed_text(text)
    return _replace(document, encoding=encoding, warnings=warnings + document.warnings)


def parse_seed_text(text: str) -> SeedDocument:
    """Parse a topic document's text into a ``SeedDocument``.

    Tolerates CRLF line endings, a BOM, "•"/"-"/"*" bullets, indentation, blank lines, trailing
    spaces and headings in any order. Raises ``SeedParseError`` when the text has no
    recognisable sections or no examiner marking points.
    """
    lines = _clean_lines(text)
    preamble, sections = _split_sections(lines)
    if not sections:
        raise SeedParseError(
            "no recognisable sections (expected headings such as 'Topic Synopsis', "
            "'Key Concepts' or 'Examiner Marking Points')"
        )
    uses_bullets = any(_BULLET.match(line) for line in lines if line)

    def items(kind: str) -> list[str]:
        return _list_items(sections.get(kind, []), uses_bullets=uses_bullets)

    synopsis = _prose(sections.get(SYNOPSIS, []))
    if not synopsis:
        synopsis = _synopsis_from_preamble(preamble)

    marking_points = items(MARKING_POINTS)
    if not marking_points:
        raise SeedParseError(
            "no examiner marking points (expected an 'Examiner Marking Points' or "
            "'Assessment Criteria' section with bullet points)"
        )

    title, awarding_body = _title_and_awarding_body(preamble, lines, synopsis)
    title_was_derived = not title
    if not title:
        title = derive_title(synopsis) or _fallback_title(items(KEY_CONCEPTS))

    return SeedDocument(
        title=title,
        title_was_derived=title_was_derived,
        synopsis=synopsis,
        key_concepts=tuple(_key_concept(item) for item in items(KEY_CONCEPTS)),
        exam_tips=tuple(items(EXAM_TIPS)),
        misconceptions=tuple(_misconception(item) for item in items(MISCONCEPTIONS)),
        marking_points=tuple(marking_points),
        learning_objectives=tuple(_split_objectives(items(OBJECTIVES))),
        prerequisites=tuple(items(PREREQUISITES)),
        key_terms=tuple(_key_terms(items(KEY_TERMS))),
        qualification=_qualification(lines, sections.get(OVERVIEW, []), awarding_body),
    )


def derive_title(synopsis: str, *, max_length: int = 90) -> str:
    """Make a readable title from the synopsis's first sentence.

    "This subtopic explores the principles and strategies essential for building and
    maintaining a loyal customer base. …" → "Building and maintaining a loyal customer base".
    Returns "" when there is no synopsis.
    """
    first = re.split(r"(?<=[.!?])\s+", synopsis.strip(), maxsplit=1)[0].rstrip(".!? ")
    if not first:
        return ""
    subject = re.sub(
        r"^(?:this|the)\s+(?:sub-?topic|topic|element|unit|module|section|lesson|chapter)\s+"
        r"(?:explores|examines|covers|introduces|focuses\s+on|looks\s+at|considers|"
        r"investigates|outlines|describes|discusses|addresses|is\s+about)\s+",
        "",
        first,
        flags=re.IGNORECASE,
    )
    subject = re.sub(
        r"^(?:the\s+)?(?:(?:key|core|fundamental|main|basic)\s+)?"
        r"(?:principles|strategies|methods|techniques|skills|concepts|ideas|practices)"
        r"(?:\s+and\s+(?:principles|strategies|methods|techniques|skills|concepts|practices))?"
        r"\s+(?:that\s+underpin|essential\s+(?:for|to)|needed\s+(?:for|to)|"
        r"required\s+(?:for|to)|behind|involved\s+in|of|for)\s+",
        "",
        subject,
        flags=re.IGNORECASE,
    )
    # Keep the headline, drop the clauses that elaborate on it (never cutting inside a list or
    # brackets: "how organisations receive, record and respond to …" is one phrase).
    subject = _headline(subject)
    if len(subject.split()) < 3:
        subject = first
    if len(subject) > max_length:
        subject = _shorten(subject, max_length)
    return subject[:1].upper() + subject[1:]


# Where a sentence's headline ends and an elaboration begins.
_ELABORATION = re.compile(
    r",\s+|\s+(?:by|through|via|while|whilst|alongside|focusing\s+on|including|"
    r"in\s+order\s+to)\s+",
    re.IGNORECASE,
)
# Words that open a clause after a comma: the comma ends the headline, it is not a list's.
_CLAUSE_OPENER = re.compile(
    r"(?:which|who|whom|whose|where|when|while|whilst|including|such\s+as|with|alongside|"
    r"as\s+well\s+as|so|because|although|focusing|covering|ensuring|exploring|examining|"
    r"using|helping|enabling|allowing|making|giving|providing|leading|showing|drawing|"
    r"building|considering|emphasising|emphasizing|highlighting)\b",
    re.IGNORECASE,
)
# A title never ends on one of these: the phrase would be cut in the middle.
_DANGLING = frozenset(
    "a an the of to for and or nor but in on at by with from into onto as than that which who "
    "whom whose how what why where when whether its their our your his her this these those "
    "such both either".split()
)
# Cut points for a headline too long for a title, in order of preference: before a clause
# (what follows elaborates on a whole noun phrase), then before a prepositional phrase.
_CLAUSE_CUT = re.compile(
    r"\s+(?=(?:that|which|who|whom|whose|where|how|why|because|so\s+that|whereby)\s)",
    re.IGNORECASE,
)
_PREPOSITION_CUT = re.compile(
    r"\s+(?=(?:in|within|across|for|to|of|on|at|from|with|into|through|by|throughout|"
    r"between|among|under|over|during)\s)",
    re.IGNORECASE,
)


def _balanced(text: str) -> bool:
    return text.count("(") == text.count(")") and text.count("[") == text.count("]")


def _is_whole_phrase(head: str) -> bool:
    """Whether ``head`` can stand as a title: brackets closed, not ending on a word that needs
    something after it (an article, preposition, conjunction or question word)."""
    words = head.split()
    if not words or not _balanced(head):
        return False
    return words[-1].casefold().strip(",;:") not in _DANGLING


def _is_list_comma(rest: str) -> bool:
    """Whether the comma at the start of ``rest`` separates the items of a list ("receive,
    record and respond", "confidence, retention, and loyalty") rather than ending a phrase."""
    after = rest[1:].lstrip()
    if _CLAUSE_OPENER.match(after):
        return False
    segment = re.split(r"[,;:]", after, maxsplit=1)[0]
    words = segment.split()
    if not words:
        return False
    conjunction = next(
        (i for i, word in enumerate(words) if word.casefold() in {"and", "or"}), None
    )
    if conjunction is not None and conjunction <= 3:
        return True
    # One item of a longer list: a short segment followed by another comma.
    return len(words) <= 3 and len(segment) < len(after)


def _headline(subject: str) -> str:
    """``subject`` up to the first boundary where a whole phrase ends and an elaboration
    begins; the whole of it when there is no such boundary."""
    for match in _ELABORATION.finditer(subject):
        head = subject[: match.start()].strip()
        rest = subject[match.start() :]
        if rest.startswith(",") and _is_list_comma(rest):
            continue
        if _is_whole_phrase(head):
            return head
    return subject


def _shorten(subject: str, max_length: int) -> str:
    """The longest whole phrase at the start of ``subject`` that fits ``max_length``: cut
    before a clause if one can be, else before a prepositional phrase; "" when neither gives a
    whole phrase of three words or more (the caller then falls back to another title)."""
    for pattern in (_CLAUSE_CUT, _PREPOSITION_CUT):
        heads = [subject[: m.start()] for m in pattern.finditer(subject)]
        fitting = [
            head
            for head in heads
            if len(head) <= max_length and len(head.split()) >= 3 and _is_whole_phrase(head)
        ]
        if pattern is _CLAUSE_CUT and fitting:
            return fitting[0]  # the noun phrase the first clause elaborates on
        if fitting:
            return fitting[-1].rstrip(",;: ")
    return ""


# --- internals -------------------------------------------------------------------------------


def _replace(document: SeedDocument, **changes) -> SeedDocument:
    from dataclasses import replace

    return replace(document, **changes)


def _clean_lines(text: str) -> list[str]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    cleaned = []
    for raw in text.split("\n"):
        # Other control characters are never content; they only break templates and search.
        line = "".join(ch for ch in raw if ch == "\t" or unicodedata.category(ch) != "Cc")
        cleaned.append(re.sub(r"[ \t\u00a0]+", " ", line).strip())
    return cleaned


def _heading_kind(line: str) -> str | None:
    if not line or len(line) > 80 or _BULLET.match(line) and not line.startswith("**"):
        return None
    key = line.strip()
    for _ in range(3):
        key = _HEADING_DECORATION.sub("", key).strip()
    key = re.sub(r"\s+", " ", key.replace("&", " and ")).strip().casefold()
    return HEADINGS.get(key)


def _split_sections(lines: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Group lines under the heading above them; repeated headings add to the same section."""
    preamble: list[str] = []
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        kind = _heading_kind(line)
        if kind is not None:
            current = sections.setdefault(kind, [])
            current.append("")  # a heading breaks any paragraph or item above it
            continue
        if current is None:
            preamble.append(line)
        else:
            current.append(line)
    sections.pop(IGNORED, None)
    return preamble, sections


def _strip_item_marker(line: str) -> str:
    line = _BULLET.sub("", line, count=1)
    # Emoji markers such as "💡" lead some scraped items.
    while line and unicodedata.category(line[0]) in _LEADING_SYMBOLS_CATEGORIES:
        line = line[1:]
    return line.strip()


def _list_items(lines: list[str], *, uses_bullets: bool) -> list[str]:
    """Bullet items, with wrapped continuation lines joined on; duplicates dropped.

    In a document that uses bullets, a non-bullet line that does not continue an item is a
    sub-heading or page noise and is skipped. In a document without any bullets, each line is
    an item.
    """
    items: list[str] = []
    open_item = False
    for line in lines:
        if not line or _COUNTER.match(line):
            open_item = False
            continue
        if uses_bullets:
            if _BULLET.match(line):
                text = _strip_item_marker(line)
                if text:
                    items.append(text)
                    open_item = True
            elif open_item:
                items[-1] = f"{items[-1]} {line}"
        else:
            items.append(_strip_item_marker(line))
    seen: set[str] = set()
    unique = []
    for item in items:
        key = normalise_text(item)
        if key and key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line and not _COUNTER.match(line):
            current.append(_strip_item_marker(line) if _BULLET.match(line) else line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return paragraphs


def _prose(lines: list[str]) -> str:
    seen: set[str] = set()
    unique = []
    for paragraph in _paragraphs(lines):
        key = normalise_text(paragraph)
        if key not in seen:
            seen.add(key)
            unique.append(paragraph)
    return "\n\n".join(unique)


def _synopsis_from_preamble(preamble: list[str]) -> str:
    # A document without a synopsis heading may still open with a full paragraph.
    paragraphs = [p for p in _paragraphs(preamble) if len(p) > 80 and p.endswith((".", "!", "?"))]
    return paragraphs[0] if paragraphs else ""


def _title_and_awarding_body(
    preamble: list[str], lines: list[str], synopsis: str
) -> tuple[str, str]:
    """Find an explicit title in the preamble, splitting off an awarding body glued to it."""
    first = next((line for line in preamble if line and not _COUNTER.match(line)), "")
    if not first:
        return "", ""
    labelled = re.match(r"^(?:#\s+|title\s*:\s*)(?P<title>.+)$", first, re.IGNORECASE)
    if labelled:
        return labelled["title"].strip(), ""
    # Format A opens with the synopsis cut short: that is not a title.
    if normalise_text(synopsis).startswith(normalise_text(first)) or first.endswith(("...", "…")):
        return "", ""

    later = [line for line in lines if line and line != first]
    # The scraped page repeats the awarding body alone, in capitals: find it in the first line.
    for line in later:
        if len(line) > 5 and line.isupper() and any(ch.isalpha() for ch in line):
            index = first.casefold().find(line.casefold())
            if index > 0:
                return first[:index].strip(), first[index : index + len(line)].strip()
    # ...and it repeats the title alone: the longest later line the first line starts with.
    repeats = [line for line in later if len(line) >= 8 and first.startswith(line)]
    if repeats:
        title = max(repeats, key=len)
        rest = first[len(title) :].strip()
        body = _AWARDING_BODY_SUFFIX.match(rest)
        return title, body["body"] if body else ""
    if len(first) <= 120 and not first.endswith("."):
        return first, ""
    return "", ""


def _fallback_title(concepts: list[str]) -> str:
    if concepts:
        return _key_concept(concepts[0]).term
    return "Untitled topic"


def _key_concept(item: str) -> KeyConcept:
    for separator in (": ", " – ", " — ", " - "):
        term, found, explanation = item.partition(separator)
        if found and term.strip() and len(term) <= 120:
            return KeyConcept(term=term.strip(), explanation=explanation.strip())
    return KeyConcept(term=item.strip(), explanation="")


def _misconception(item: str) -> Misconception:
    match = _MISCONCEPTION_WITH_CORRECTION.match(item)
    if match:
        return Misconception(
            statement=match["statement"].strip(), correction=match["correction"].strip()
        )
    return Misconception(statement=_MISCONCEPTION_LABEL.sub("", item).strip())


def _starts_with_objective_verb(text: str) -> bool:
    lowered = text.casefold()
    return any(lowered.startswith(verb + " ") for verb in _OBJECTIVE_VERBS)


def _split_objectives(items: list[str]) -> list[str]:
    """ "Understand A, Understand B, Understand C" is three objectives, not one."""
    result = []
    for item in items:
        parts = [part.strip().rstrip(".") for part in _OBJECTIVE_SPLIT.split(item)]
        if len(parts) > 1 and all(_starts_with_objective_verb(part) for part in parts):
            result.extend(parts)
        else:
            result.append(item)
    return result


def _key_terms(items: list[str]) -> list[KeyTerm]:
    terms = []
    for item in _split_objectives(items):
        concept = _key_concept(item)
        term = re.sub(r"^understand\s+(?:the\s+)?", "", concept.term, flags=re.IGNORECASE)
        terms.append(KeyTerm(term=term[:1].upper() + term[1:], definition=concept.explanation))
    return terms


def _qualification(
    lines: list[str], overview: list[str], awarding_body: str
) -> QualificationInfo | None:
    for line in lines:
        if not line or _BULLET.match(line) or len(line) > 150 or line.endswith("."):
            continue
        match = _QUALIFICATION_NAME.search(line)
        if match:
            return QualificationInfo(
                name=line,
                awarding_body=awarding_body,
                level=int(match["level"]),
                description=_prose(overview),
            )
    return None
