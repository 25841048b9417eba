"""The plain data a question bank file is read into and written from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# The kinds a bank question can be; the values are ``Question.Kind`` values, so the services
# store them unchanged (concept and misconception choice questions export as multiple choice).
SHORT_ANSWER = "short_answer"
MULTIPLE_CHOICE = "multiple_choice"
TRUE_FALSE = "true_false"
KINDS = (SHORT_ANSWER, MULTIPLE_CHOICE, TRUE_FALSE)

# Moodle's own names for a path's root ("$course$/top/..."), dropped when a path is read.
_CATEGORY_ROOTS = ("$course$", "$system$", "$module$", "$coursecategory$", "$cat1$")

# How long a name made from a question's prompt is (Moodle also names unnamed GIFT questions
# after the start of their text).
NAME_FROM_PROMPT_CHARS = 80


@dataclass(frozen=True)
class BankOption:
    """One answer of a question: an option shown, or for short answer an answer anticipated.

    ``fraction`` is the percentage of the mark it earns (Moodle's weight, -100 to 100);
    ``is_correct`` is true for any positive weight (the portal marks an option right or wrong).
    """

    text: str
    is_correct: bool
    feedback: str = ""
    fraction: float = 0.0


@dataclass(frozen=True)
class BankQuestion:
    """A question as a bank file holds it.

    ``category`` is the path of names the question was filed under, root first
    (``("Customer service", "Handling complaints")``); its last name is the topic, the one
    before it (if any) the qualification. For short answer, the first correct option is the
    model answer. ``line`` is where the question starts in its file (1 is the first line).
    """

    kind: str
    name: str
    prompt: str
    options: tuple[BankOption, ...] = ()
    general_feedback: str = ""
    category: tuple[str, ...] = ()
    multiple_answers: bool = False
    marking_guidance: str = ""
    line: int = 0

    @property
    def model_answer(self) -> str:
        """The first accepted answer of a short-answer question ('' when there is none)."""
        return next((option.text for option in self.options if option.is_correct), "")


@dataclass(frozen=True)
class BankParseError:
    """A question (or the whole file, line 0 or 1) that could not be read, and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class ParsedBank:
    """What a file held: the questions read and an error for each question that was not."""

    questions: tuple[BankQuestion, ...] = ()
    errors: tuple[BankParseError, ...] = field(default_factory=tuple)


def name_from_prompt(prompt: str) -> str:
    """A question name made from the start of its prompt, for questions written without one."""
    text = " ".join(prompt.split())
    if len(text) <= NAME_FROM_PROMPT_CHARS:
        return text
    return text[: NAME_FROM_PROMPT_CHARS - 1].rstrip() + "…"


def parse_category_path(path: str) -> tuple[str, ...]:
    """The names in a Moodle category path, root first, without ``$course$/top``.

    Moodle writes a "/" inside a name as "//"; ``"$course$/top/Sales//Service/Refunds"`` is
    ``("Sales/Service", "Refunds")``.
    """
    names = [name.replace("\0", "/").strip() for name in path.replace("//", "\0").split("/")]
    names = [name for name in names if name]
    if names and names[0].lower() in _CATEGORY_ROOTS:
        names = names[1:]
    if names and names[0].lower() == "top":
        names = names[1:]
    return tuple(names)


def format_category_path(names: tuple[str, ...]) -> str:
    """The Moodle category path for ``names`` (the inverse of ``parse_category_path``)."""
    return "/".join(["$course$", "top", *(name.replace("/", "//") for name in names)])


def format_fraction(fraction: float) -> str:
    """A weight as Moodle writes it: ``100``, ``50``, ``33.33333``, ``-25``."""
    text = f"{fraction:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def option_fractions(options: tuple[BankOption, ...], *, multiple_answers: bool) -> list[float]:
    """The weight each option is written with: right options share 100 when several are
    right, otherwise the right one has 100; wrong options 0."""
    right = sum(1 for option in options if option.is_correct)
    share = 100.0 / right if multiple_answers and right else 100.0
    return [share if option.is_correct else 0.0 for option in options]


_FRACTION = re.compile(r"^-?\d+(\.\d+)?$")


def read_fraction(text: str) -> float | None:
    """A weight written as a percentage (``"50"``, ``"-33.33333"``); None when it is not one."""
    text = text.strip()
    if not _FRACTION.match(text):
        return None
    value = float(text)
    return value if -100.0 <= value <= 100.0 else None


def without_duplicate_names(
    questions: list[BankQuestion],
) -> tuple[list[BankQuestion], list[BankParseError]]:
    """The questions whose name is the first of its kind in its category, and an error for each
    later one (a name is what a re-import recognises a question by, so it must be unique)."""
    first_line: dict[tuple[tuple[str, ...], str], int] = {}
    kept: list[BankQuestion] = []
    errors: list[BankParseError] = []
    for question in questions:
        key = (question.category, question.name.casefold())
        if key in first_line:
            errors.append(
                BankParseError(
                    question.line,
                    f"another question in this category is named “{question.name}” "
                    f"(line {first_line[key]}): names must be unique within a category",
                )
            )
            continue
        first_line[key] = question.line
        kept.append(question)
    return kept, errors


def parsed_bank(questions: list[BankQuestion], errors: list[BankParseError]) -> ParsedBank:
    """What a reader returns: the questions read, less those whose name repeats one before it in
    its category (``without_duplicate_names``), and every error in line order."""
    kept, duplicates = without_duplicate_names(questions)
    errors = [*errors, *duplicates]
    return ParsedBank(tuple(kept), tuple(sorted(errors, key=lambda error: error.line)))
