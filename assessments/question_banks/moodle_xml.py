"""Moodle XML question banks: a reader (defusedxml, with the line of every question) and a writer.

Reads the question types the portal has — ``shortanswer``, ``multichoice`` (``<single>`` true or
false, answers with ``fraction`` and ``<feedback>``) and ``truefalse`` — and ``category``
pseudo-questions (``$course$/top/Qualification/Topic``), which file the questions after them.
Text in ``format="html"`` (usually CDATA) is turned into plain text (``html_text``). An
``essay`` is a short-answer question with no set answer (written back as an essay); other types
(numerical, matching, description, cloze, …) are reported with their line and skipped.

The portal keeps a short-answer question's marking guidance in ``<graderinfo>``, Moodle's own
element for information for graders (read by Moodle only for essays, ignored otherwise).

The writer builds the document with ``xml.etree.ElementTree`` and serialises it the way Moodle
does: two-space indents, and HTML in ``<![CDATA[…]]>``.
"""

from __future__ import annotations

import re
import xml.sax
from dataclasses import dataclass, field
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

import defusedxml.sax
from defusedxml import DefusedXmlException

from assessments.question_banks import records
from assessments.question_banks.html_text import html_to_text, text_to_html

_MOODLE_TYPES = {"shortanswer": records.SHORT_ANSWER, "multichoice": records.MULTIPLE_CHOICE}
_MOODLE_TYPES |= {"truefalse": records.TRUE_FALSE, "essay": records.SHORT_ANSWER}
_TYPE_NAMES = {records.SHORT_ANSWER: "shortanswer", records.MULTIPLE_CHOICE: "multichoice"}
_TYPE_NAMES |= {records.TRUE_FALSE: "truefalse"}
# What Moodle needs to show an essay: a plain box, an answer required, no attachments.
_ESSAY_SETTINGS = (
    ("responseformat", "plain"),
    ("responserequired", "1"),
    ("responsefieldlines", "5"),
    ("attachments", "0"),
    ("attachmentsrequired", "0"),
)
_LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z/!]")


class _QuestionError(ValueError):
    """One question cannot be read; the message says why, ``line`` (if known) where."""

    def __init__(self, reason: str, line: int = 0) -> None:
        super().__init__(reason)
        self.line = line


@dataclass
class _Node:
    """An element with the line its start tag is on (ElementTree does not keep lines)."""

    tag: str
    attrs: dict[str, str]
    line: int
    children: list[_Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def child(self, tag: str) -> _Node | None:
        return next((node for node in self.children if node.tag == tag), None)

    def all(self, tag: str) -> list[_Node]:
        return [node for node in self.children if node.tag == tag]


class _TreeBuilder(xml.sax.handler.ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.root: _Node | None = None
        self.stack: list[_Node] = []

    def startElement(self, name, attrs) -> None:  # noqa: N802 (SAX's name)
        node = _Node(name, dict(attrs), self._locator.getLineNumber())
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def endElement(self, name) -> None:  # noqa: N802 (SAX's name)
        self.stack.pop()

    def characters(self, content) -> None:
        if self.stack:
            self.stack[-1].parts.append(content)


def _read_tree(data: bytes) -> _Node:
    builder = _TreeBuilder()
    try:
        defusedxml.sax.parseString(data, builder)
    except xml.sax.SAXParseException as error:
        reason = error.getMessage().removeprefix("not well-formed ").strip("() ")
        raise _QuestionError(
            f"the file is not well-formed XML: {reason}", error.getLineNumber()
        ) from error
    except DefusedXmlException as error:
        raise _QuestionError(
            "the file declares entities or external references, which are refused for safety",
            1,
        ) from error
    if builder.root is None or builder.root.tag != "quiz":
        tag = builder.root.tag if builder.root else "nothing"
        raise _QuestionError(f"the document is <{tag}>, not a Moodle XML question bank (<quiz>)", 1)
    return builder.root


def parse_moodle_xml(data: bytes) -> records.ParsedBank:
    """Read a Moodle XML file's bytes into questions, with an error (and its line) for each
    question that cannot be read; a file that is not well-formed XML is one error."""
    try:
        root = _read_tree(data)
    except _QuestionError as error:
        return records.ParsedBank((), (records.BankParseError(error.line, str(error)),))
    questions: list[records.BankQuestion] = []
    errors: list[records.BankParseError] = []
    category: tuple[str, ...] = ()
    for node in root.all("question"):
        moodle_type = node.attrs.get("type", "")
        try:
            if moodle_type == "category":
                category = _category(node)
                continue
            questions.append(_question(node, moodle_type, category))
        except _QuestionError as error:
            errors.append(records.BankParseError(error.line or node.line, str(error)))
    return records.parsed_bank(questions, errors)


def _category(node: _Node) -> tuple[str, ...]:
    holder = node.child("category")
    text = holder.child("text") if holder else None
    names = records.parse_category_path(text.text if text else "")
    if not names:
        raise _QuestionError("the category question names no category")
    return names


def _field(node: _Node | None, tag: str = "text", default_format: str = "html") -> str:
    """The plain text of a ``<… format="…"><text>…</text></…>`` element ('' when absent)."""
    if node is None:
        return ""
    holder = node.child(tag)
    raw = holder.text if holder else ""
    text_format = node.attrs.get("format", default_format)
    if text_format == "html" or (
        text_format == "moodle_auto_format" and _LOOKS_LIKE_HTML.search(raw)
    ):
        return html_to_text(raw)
    return raw.strip()


def _question(node: _Node, moodle_type: str, category: tuple[str, ...]) -> records.BankQuestion:
    kind = _MOODLE_TYPES.get(moodle_type)
    if kind is None:
        raise _QuestionError(
            f"“{moodle_type or 'untyped'}” questions are not imported (only shortanswer, "
            "multichoice, truefalse and essay)"
        )
    prompt = _field(node.child("questiontext"))
    if not prompt:
        raise _QuestionError("the question has no text (<questiontext>)")
    answers = [_answer(answer) for answer in node.all("answer")]
    multiple = False
    if moodle_type == "essay":
        options = ()
    elif kind == records.SHORT_ANSWER:
        options = _short_answer(answers)
    elif kind == records.TRUE_FALSE:
        options = _true_false(answers)
    else:
        single = _field(node, "single", "plain_text") if node.child("single") else "true"
        multiple = single.strip().lower() in ("false", "0")
        options = _multiple_choice(answers, multiple=multiple)
    return records.BankQuestion(
        kind=kind,
        name=_field(node.child("name"), default_format="plain_text")
        or records.name_from_prompt(prompt),
        prompt=prompt,
        options=options,
        general_feedback=_field(node.child("generalfeedback")),
        category=category,
        multiple_answers=multiple,
        marking_guidance=_field(node.child("graderinfo")),
        line=node.line,
    )


def _answer(node: _Node) -> records.BankOption:
    fraction = records.read_fraction(node.attrs.get("fraction", "0"))
    if fraction is None:
        raise _QuestionError(
            f"the answer's fraction “{node.attrs.get('fraction')}” is not a percentage from "
            "-100 to 100",
            node.line,
        )
    text = _field(node)
    if not text:
        raise _QuestionError("an answer has no text", node.line)
    return records.BankOption(text, fraction >= 100, _field(node.child("feedback")), fraction)


def _short_answer(answers: list[records.BankOption]) -> tuple[records.BankOption, ...]:
    if not any(answer.is_correct for answer in answers):
        raise _QuestionError("no answer has fraction 100: give the accepted answer 100")
    return tuple(answers)


def _multiple_choice(
    answers: list[records.BankOption], *, multiple: bool
) -> tuple[records.BankOption, ...]:
    if len(answers) < 2:
        raise _QuestionError("a multiple-choice question needs at least two answers")
    if multiple:
        answers = [
            records.BankOption(a.text, a.fraction > 0, a.feedback, a.fraction) for a in answers
        ]
    right = sum(1 for answer in answers if answer.is_correct)
    if not right:
        raise _QuestionError("no answer is right: give the right answer fraction 100")
    if not multiple and right > 1:
        raise _QuestionError(
            f"{right} answers have fraction 100 in a single-answer question: keep one, or set "
            "<single>false</single> with fractions that share 100"
        )
    return tuple(answers)


def _true_false(answers: list[records.BankOption]) -> tuple[records.BankOption, ...]:
    by_text = {answer.text.strip().lower(): answer for answer in answers}
    if len(answers) != 2 or set(by_text) != {"true", "false"}:
        raise _QuestionError("a true/false question needs exactly the answers “true” and “false”")
    if by_text["true"].is_correct == by_text["false"].is_correct:
        raise _QuestionError("exactly one of “true” and “false” must have fraction 100")
    return tuple(
        records.BankOption(
            text.title(), by_text[text].is_correct, by_text[text].feedback, by_text[text].fraction
        )
        for text in ("true", "false")
    )


# Writing ---------------------------------------------------------------------------------------


def _text_element(
    parent: ElementTree.Element, tag: str, text: str, text_format: str | None, **attrs: str
) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, tag, attrs)
    if text_format:
        element.set("format", text_format)
    ElementTree.SubElement(element, "text").text = text
    return element


def _leaf(parent: ElementTree.Element, tag: str, text: str) -> None:
    ElementTree.SubElement(parent, tag).text = text


def _question_element(question: records.BankQuestion) -> ElementTree.Element:
    essay = question.kind == records.SHORT_ANSWER and not question.options
    element = ElementTree.Element("question", type="essay" if essay else _TYPE_NAMES[question.kind])
    _text_element(element, "name", question.name, None)
    _text_element(element, "questiontext", text_to_html(question.prompt), "html")
    _text_element(element, "generalfeedback", text_to_html(question.general_feedback), "html")
    _leaf(element, "defaultgrade", "1.0000000")
    _leaf(element, "penalty", "1.0000000" if question.kind == records.TRUE_FALSE else "0.3333333")
    _leaf(element, "hidden", "0")
    _leaf(element, "idnumber", "")
    if question.marking_guidance:
        _text_element(element, "graderinfo", question.marking_guidance, "plain_text")
    if essay:
        for tag, value in _ESSAY_SETTINGS:
            _leaf(element, tag, value)
        return element
    if question.kind == records.SHORT_ANSWER:
        _leaf(element, "usecase", "0")
        fractions = [100.0 if o.is_correct else min(o.fraction, 99.0) for o in question.options]
        answer_format = "plain_text"
    elif question.kind == records.TRUE_FALSE:
        fractions = [100.0 if o.is_correct else 0.0 for o in question.options]
        answer_format = "plain_text"
    else:
        _leaf(element, "single", "false" if question.multiple_answers else "true")
        _leaf(element, "shuffleanswers", "true")
        _leaf(element, "answernumbering", "abc")
        fractions = records.option_fractions(
            question.options, multiple_answers=question.multiple_answers
        )
        answer_format = "html"
    for option, fraction in zip(question.options, fractions, strict=True):
        text = option.text.lower() if question.kind == records.TRUE_FALSE else option.text
        if answer_format == "html":
            text = text_to_html(text)
        answer = _text_element(
            element, "answer", text, answer_format, fraction=records.format_fraction(fraction)
        )
        _text_element(answer, "feedback", text_to_html(option.feedback), "html")
    return element


def _category_element(names: tuple[str, ...]) -> ElementTree.Element:
    element = ElementTree.Element("question", type="category")
    _text_element(element, "category", records.format_category_path(names), None)
    _text_element(element, "info", "", "html")
    return element


def write_moodle_xml(
    questions: list[records.BankQuestion] | tuple[records.BankQuestion, ...],
) -> str:
    """The questions as a Moodle XML file (a category question whenever the category changes)."""
    quiz = ElementTree.Element("quiz")
    category: tuple[str, ...] | None = None
    for question in questions:
        if question.category != category and question.category:
            quiz.append(_category_element(question.category))
        category = question.category
        quiz.append(_question_element(question))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    _serialise(quiz, 0, lines)
    return "\n".join(lines) + "\n"


def _serialise(element: ElementTree.Element, depth: int, lines: list[str]) -> None:
    """Moodle's layout: children indented by two spaces, HTML text in CDATA."""
    indent = "  " * depth
    attrs = "".join(f" {key}={quoteattr(value)}" for key, value in element.attrib.items())
    if len(element):
        lines.append(f"{indent}<{element.tag}{attrs}>")
        for child in element:
            _serialise(child, depth + 1, lines)
        lines.append(f"{indent}</{element.tag}>")
        return
    text = element.text or ""
    if re.search(r"[<>&]", text) and "]]>" not in text:
        body = f"<![CDATA[{text}]]>"
    else:
        body = escape(text)
    lines.append(f"{indent}<{element.tag}{attrs}>{body}</{element.tag}>")
