"""GIFT, Moodle's plain-text question format: a strict reader and a writer.

Follows the grammar Moodle documents (https://docs.moodle.org/en/GIFT_format) for the question
types the portal has:

* questions are separated by blank lines; lines starting with ``//`` are comments;
* ``$CATEGORY: $course$/top/Qualification/Topic`` files the questions after it;
* ``::Name::`` names a question, ``[html]``, ``[moodle]``, ``[plain]`` or ``[markdown]`` gives
  the format of its text;
* ``\\~ \\= \\# \\{ \\} \\: \\\\`` are the characters themselves and ``\\n`` a line break;
* short answer ``{=a =b}`` (``=%50%c`` for part marks), multiple choice ``{=right ~wrong#why}``,
  several right answers ``{~%50%a ~%50%b ~c}``, true/false ``{T}``, ``{TRUE}``, ``{F}``,
  ``{FALSE}`` with ``#feedback if wrong#feedback if right``, and general feedback after
  ``####`` inside the braces.

An essay (``{}``) is a short-answer question with no set answer, marked against its marking
guidance. Numerical, matching and missing-word questions and descriptions are reported as errors
(the portal has no such questions), as is anything the grammar does not allow. Each bad question
is reported with its line and the rest are read.

The portal keeps a short-answer question's marking guidance (the examiner-style marking point)
in a comment just before it, ``// marking guidance: …``, which Moodle ignores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assessments.question_banks import records
from assessments.question_banks.html_text import html_to_text

GUIDANCE_COMMENT = "// marking guidance:"

# Escaped characters become private-use code points while a question is split up, so that an
# escaped "=" is never an answer marker; they are turned back at the end.
_ESCAPES = {"\\": "\ue000", "~": "\ue001", "=": "\ue002", "#": "\ue003", "{": "\ue004"}
_ESCAPES |= {"}": "\ue005", ":": "\ue006"}
_UNESCAPE = {code: char for char, code in _ESCAPES.items()}
_FORMATS = ("html", "moodle", "plain", "markdown")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_WEIGHT = re.compile(r"^%([^%]*)%")


class _QuestionError(ValueError):
    """One question cannot be read; the message says why."""


@dataclass(frozen=True)
class _Block:
    """The lines of one question (or category line) with where it starts."""

    line: int
    text: str
    guidance: str


def _protect(text: str) -> str:
    r"""``text`` with GIFT escapes turned into placeholders and ``\n`` into a line break."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1]
            if following in _ESCAPES:
                out.append(_ESCAPES[following])
                index += 2
                continue
            if following == "n":
                out.append("\n")
                index += 2
                continue
        out.append(char)
        index += 1
    return "".join(out)


def _restore(text: str) -> str:
    return "".join(_UNESCAPE.get(char, char) for char in text)


def _blocks(text: str) -> list[_Block]:
    """Split a file into blank-line separated blocks, comments removed; a ``$CATEGORY:`` line is
    a block of its own."""
    blocks: list[_Block] = []
    lines: list[str] = []
    start = 0
    guidance: list[str] = []

    def flush() -> None:
        if lines:
            blocks.append(_Block(start, "\n".join(lines).strip(), "\n".join(guidance).strip()))
        lines.clear()
        guidance.clear()

    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped:
            flush()
        elif stripped.startswith("//"):
            if stripped.lower().startswith(GUIDANCE_COMMENT):
                guidance.append(stripped[len(GUIDANCE_COMMENT) :].strip())
        elif stripped.startswith("$CATEGORY:"):
            flush()
            blocks.append(_Block(number, stripped, ""))
        else:
            if not lines:
                start = number
            lines.append(raw)
    flush()
    return blocks


def parse_gift(text: str) -> records.ParsedBank:
    """Read a GIFT file's text into questions, with an error (and its line) for each question
    that cannot be read; the others are still returned."""
    questions: list[records.BankQuestion] = []
    errors: list[records.BankParseError] = []
    category: tuple[str, ...] = ()
    for block in _blocks(text.lstrip("\ufeff")):
        if block.text.startswith("$CATEGORY:"):
            category = records.parse_category_path(block.text[len("$CATEGORY:") :])
            if not category:
                errors.append(
                    records.BankParseError(block.line, "the $CATEGORY line names no category")
                )
            continue
        try:
            question = _parse_question(block)
        except _QuestionError as error:
            errors.append(records.BankParseError(block.line, str(error)))
            continue
        questions.append(
            records.BankQuestion(
                kind=question.kind,
                name=question.name,
                prompt=question.prompt,
                options=question.options,
                general_feedback=question.general_feedback,
                category=category,
                multiple_answers=question.multiple_answers,
                marking_guidance=block.guidance,
                line=block.line,
            )
        )
    return records.parsed_bank(questions, errors)


def _split_name(text: str) -> tuple[str, str]:
    if not text.startswith("::"):
        return "", text
    end = text.find("::", 2)
    if end == -1:
        raise _QuestionError("the question name has no closing “::”")
    return _restore(text[2:end]).strip(), text[end + 2 :]


def _split_format(text: str) -> tuple[str, str]:
    stripped = text.lstrip()
    match = re.match(r"^\[(\w+)\]", stripped)
    if not match:
        return "moodle", text
    if match.group(1).lower() not in _FORMATS:
        raise _QuestionError(
            f"unknown text format “[{match.group(1)}]”: use [html], [moodle], [plain] or [markdown]"
        )
    return match.group(1).lower(), stripped[match.end() :]


def _as_text(protected: str, text_format: str) -> str:
    text = _restore(protected).strip()
    return html_to_text(text) if text_format == "html" else text


def _parse_question(block: _Block) -> records.BankQuestion:
    text = _protect(block.text)
    name, text = _split_name(text)
    text_format, text = _split_format(text)
    opening = text.find("{")
    if opening == -1:
        raise _QuestionError(
            "no answer block “{…}”: descriptions are not imported (escape a literal brace as \\{)"
        )
    closing = text.find("}", opening)
    if closing == -1:
        raise _QuestionError("the answer block has no closing “}”")
    if "{" in text[opening + 1 : closing]:
        raise _QuestionError("“{” inside the answer block: escape it as \\{")
    if text[closing + 1 :].strip():
        raise _QuestionError(
            "text after the answer block: missing-word questions are not imported "
            "(put the answers at the end, or escape the braces as \\{ \\})"
        )
    prompt = _as_text(text[:opening], text_format)
    if not prompt:
        raise _QuestionError("the question has no text before its answers")
    answers, _, general = text[opening + 1 : closing].partition("####")
    kind, options, multiple = _parse_answers(answers.strip(), text_format)
    return records.BankQuestion(
        kind=kind,
        name=name or records.name_from_prompt(prompt),
        prompt=prompt,
        options=options,
        general_feedback=_as_text(general, text_format),
        multiple_answers=multiple,
        line=block.line,
    )


def _parse_answers(
    answers: str, text_format: str
) -> tuple[str, tuple[records.BankOption, ...], bool]:
    if not answers:
        # An essay: a short-answer question marked against its guidance, with no set answer.
        return records.SHORT_ANSWER, (), False
    if answers.startswith("#"):
        raise _QuestionError("numerical questions “{#…}” are not imported")
    if "~" in answers:
        return _multiple_choice(answers, text_format)
    if "->" in answers:
        raise _QuestionError("matching questions “{=a -> b}” are not imported")
    key = answers.split("#", 1)[0].strip()
    if key in _TRUE_FALSE:
        return records.TRUE_FALSE, _true_false(answers, text_format), False
    return records.SHORT_ANSWER, _short_answer(answers, text_format), False


def _items(
    answers: str, text_format: str, *, bare_first: bool
) -> list[tuple[str, records.BankOption]]:
    """Split ``=a#f ~%50%b`` into (marker, option) pairs, in order."""
    parts = re.split(r"(?=[=~])", answers)
    head = parts[0].strip()
    if not head:
        parts = parts[1:]
    elif not bare_first:
        raise _QuestionError(f"“{_restore(head)}” comes before the first “=” or “~” option")
    items: list[tuple[str, records.BankOption]] = []
    for part in parts:
        marker = part[0] if part[:1] in ("=", "~") else "="
        body = part[1:] if part[:1] in ("=", "~") else part
        fraction = 100.0 if marker == "=" else 0.0
        weight = _WEIGHT.match(body)
        if weight:
            fraction = records.read_fraction(weight.group(1))
            if fraction is None:
                raise _QuestionError(
                    f"“%{_restore(weight.group(1))}%” is not a weight from -100 to 100"
                )
            body = body[weight.end() :]
        option_text, _, feedback = body.partition("#")
        option_text = _as_text(option_text, text_format)
        if not option_text:
            raise _QuestionError("an answer has no text (escape a literal = or ~ with \\)")
        items.append(
            (
                marker,
                records.BankOption(option_text, False, _as_text(feedback, text_format), fraction),
            )
        )
    return items


def _short_answer(answers: str, text_format: str) -> tuple[records.BankOption, ...]:
    options = tuple(
        records.BankOption(option.text, option.fraction >= 100, option.feedback, option.fraction)
        for _, option in _items(answers, text_format, bare_first=True)
    )
    if not any(option.is_correct for option in options):
        raise _QuestionError("no answer earns full marks: mark the accepted answer with “=”")
    return options


def _multiple_choice(
    answers: str, text_format: str
) -> tuple[str, tuple[records.BankOption, ...], bool]:
    items = _items(answers, text_format, bare_first=False)
    right_markers = sum(1 for marker, _ in items if marker == "=")
    if len(items) < 2:
        raise _QuestionError("a multiple-choice question needs at least two options")
    if right_markers > 1:
        raise _QuestionError(
            "more than one option starts with “=”: mark several right answers with weights "
            "such as ~%50%"
        )
    # Moodle's rule: an "=" option makes it single-answer, otherwise every option with a
    # positive weight is one of several right answers.
    multiple = right_markers == 0
    options = tuple(
        records.BankOption(
            option.text,
            option.fraction > 0 if multiple else option.fraction >= 100,
            option.feedback,
            option.fraction,
        )
        for _, option in items
    )
    if not any(option.is_correct for option in options):
        raise _QuestionError("no option is right: mark it with “=” (or weights such as ~%50%)")
    return records.MULTIPLE_CHOICE, options, multiple


def _true_false(answers: str, text_format: str) -> tuple[records.BankOption, ...]:
    key, *feedback = answers.split("#")
    if len(feedback) > 2:
        raise _QuestionError(
            "a true/false answer has at most two feedbacks: “{T#if wrong#if right}”"
        )
    truth = _TRUE_FALSE[key.strip()]
    if_wrong = _as_text(feedback[0], text_format) if feedback else ""
    if_right = _as_text(feedback[1], text_format) if len(feedback) > 1 else ""
    true_feedback, false_feedback = (if_right, if_wrong) if truth else (if_wrong, if_right)
    return (
        records.BankOption("True", truth, true_feedback, 100.0 if truth else 0.0),
        records.BankOption("False", not truth, false_feedback, 0.0 if truth else 100.0),
    )


# Writing ---------------------------------------------------------------------------------------


def escape_gift(text: str) -> str:
    """``text`` with GIFT's special characters escaped and line breaks written as ``\\n``."""
    out = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        out = out.replace(char, "\\" + char)
    return out.replace("\r", "").replace("\n", "\\n")


def write_gift(questions: list[records.BankQuestion] | tuple[records.BankQuestion, ...]) -> str:
    """The questions as a GIFT file, in the form Moodle writes (a ``$CATEGORY`` line whenever
    the category changes, one blank line after each question)."""
    out: list[str] = []
    category: tuple[str, ...] | None = None
    for question in questions:
        if question.category != category and question.category:
            out.append(f"$CATEGORY: {records.format_category_path(question.category)}\n\n")
        category = question.category
        for line in question.marking_guidance.splitlines():
            out.append(f"{GUIDANCE_COMMENT} {line}".rstrip() + "\n")
        out.append(f"::{escape_gift(question.name)}::{escape_gift(question.prompt)}")
        out.append(_write_answers(question))
        out.append("\n")
    return "".join(out).rstrip("\n") + "\n" if out else ""


def _write_answers(question: records.BankQuestion) -> str:
    general = f"####{escape_gift(question.general_feedback)}" if question.general_feedback else ""
    if question.kind == records.TRUE_FALSE:
        right = next((o for o in question.options if o.is_correct), question.options[0])
        wrong = next((o for o in question.options if o is not right), None)
        key = "TRUE" if right.text.lower() == "true" else "FALSE"
        wrong_feedback = wrong.feedback if wrong else ""
        feedback = f"#{escape_gift(wrong_feedback)}" if wrong_feedback or right.feedback else ""
        if right.feedback:
            feedback += f"#{escape_gift(right.feedback)}"
        return "{" + key + feedback + general + "}\n"
    if question.kind == records.SHORT_ANSWER and not question.options:
        return "{" + general + "}\n"
    lines = ["{\n"]
    if question.kind == records.SHORT_ANSWER:
        for option in question.options:
            weight = 100.0 if option.is_correct else min(option.fraction, 99.0)
            lines.append(
                f"\t=%{records.format_fraction(weight)}%{escape_gift(option.text)}"
                f"#{escape_gift(option.feedback)}\n"
            )
    else:
        fractions = records.option_fractions(
            question.options, multiple_answers=question.multiple_answers
        )
        for option, fraction in zip(question.options, fractions, strict=True):
            if fraction == 100 and not question.multiple_answers:
                marker = "="
            elif fraction == 0:
                marker = "~"
            else:
                marker = f"~%{records.format_fraction(fraction)}%"
            feedback = f"#{escape_gift(option.feedback)}" if option.feedback else ""
            lines.append(f"\t{marker}{escape_gift(option.text)}{feedback}\n")
    if general:
        lines.append(f"\t{general}\n")
    lines.append("}\n")
    return "".join(lines)
