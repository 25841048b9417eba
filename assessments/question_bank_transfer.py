"""Importing question banks (GIFT, Moodle XML) into topics, and exporting topics' questions.

The formats themselves are read and written by the pure ``assessments.question_banks``; this
module maps them to the database. Categories are topics: the last name of a question's category
is its topic (matched by title or slug), the name before it the topic's qualification. A topic
that does not exist is made as an unpublished draft (in that qualification, made too if need
be), so a bank exported from one portal imports into an empty one.

Imported questions are ``IMPORTED`` with the source key ``bank:<name>``: importing the same file
again finds them and changes nothing, and a changed file updates only the questions whose
content changed (through ``save_question``, which rebuilds a short-answer question's rubric).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.text import slugify

from assessments.answer_options import OptionSpec, as_option_specs
from assessments.models import Question
from assessments.question_banks.gift import write_gift
from assessments.question_banks.html_text import canonical_text
from assessments.question_banks.moodle_xml import write_moodle_xml
from assessments.question_banks.reading import FORMATS, GIFT, read_bank_file
from assessments.question_banks.records import (
    MULTIPLE_CHOICE,
    SHORT_ANSWER,
    TRUE_FALSE,
    BankOption,
    BankQuestion,
)
from assessments.services import save_question
from topics.models import Qualification, Topic
from topics.services import topic_content_changed

SOURCE_KEY_PREFIX = "bank:"
_BANK_KINDS = {
    Question.Kind.SHORT_ANSWER: SHORT_ANSWER,
    Question.Kind.MULTIPLE_CHOICE: MULTIPLE_CHOICE,
    Question.Kind.CONCEPT_CHOICE: MULTIPLE_CHOICE,
    Question.Kind.MISCONCEPTION_CHOICE: MULTIPLE_CHOICE,
    Question.Kind.TRUE_FALSE: TRUE_FALSE,
}
# The fields an import writes, compared to tell an unchanged question from a changed one.
_IMPORTED_FIELDS = (
    "kind",
    "name",
    "prompt",
    "general_feedback",
    "multiple_answers",
    "marking_guidance",
    "model_answer",
)


class _QuestionRefused(Exception):
    """A question in the file cannot be imported; the message says why."""


@dataclass
class BankImportReport:
    """What importing one file did (or, for a dry run, would do). ``errors`` are lines
    ``FILE:LINE: reason``, in line order."""

    source_name: str
    format: str = ""
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    topics_created: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """True when any question (or the whole file) could not be imported."""
        return bool(self.errors)

    @property
    def summary(self) -> str:
        would = "would be " if self.dry_run else ""
        parts = [
            f"{self.created} question(s) {would}created",
            f"{self.updated} {would}updated",
            f"{self.unchanged} unchanged",
        ]
        if self.topics_created:
            names = ", ".join(self.topics_created)
            parts.append(f"{len(self.topics_created)} draft topic(s) {would}created ({names})")
        if self.errors:
            parts.append(f"{len(self.errors)} refused")
        return f"{self.source_name}: " + ", ".join(parts)


def bank_source_key(name: str) -> str:
    """The source key an imported question is recognised by on the next import."""
    key = SOURCE_KEY_PREFIX + name.strip().casefold()
    if len(key) <= 255:
        return key
    return SOURCE_KEY_PREFIX + "sha256:" + hashlib.sha256(name.encode()).hexdigest()


def import_question_bank(*, name: str, data: bytes, dry_run: bool = False) -> BankImportReport:
    """Import the questions in one GIFT or Moodle XML file (``name`` is shown in the report
    and picks the format by extension; the content decides otherwise).

    Atomic: the questions that can be imported are saved together, or (dry run) none are. Each
    question that cannot be read or saved is an error ``NAME:LINE: reason`` and the rest are
    imported. A file over 2 MB, not UTF-8 or not well-formed XML is one error.
    """
    bank = read_bank_file(name, data)
    report = BankImportReport(source_name=name, format=bank.format, dry_run=dry_run)
    errors = [(error.line, error.reason) for error in bank.parsed.errors]
    with transaction.atomic():
        topics = _TopicFinder(report)
        changed_topics: dict[int, Topic] = {}
        for bank_question in bank.parsed.questions:
            try:
                topic = topics.topic_for(bank_question.category)
                # A savepoint per question: one refused leaves nothing half-written (and the
                # topic, made in its own savepoint, stays for the category's other questions).
                with transaction.atomic():
                    outcome = _save_bank_question(topic, bank_question, topics)
            except _QuestionRefused as error:
                errors.append((bank_question.line, str(error)))
                continue
            except ValidationError as error:
                errors.append((bank_question.line, _messages(error)))
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)
            if outcome != "unchanged":
                changed_topics[topic.pk] = topic
        for topic in changed_topics.values():
            topic_content_changed(topic=topic)
        if dry_run:
            transaction.set_rollback(True)
    report.errors = [f"{name}:{line}: {reason}" for line, reason in sorted(errors)]
    return report


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{field_name}: {' '.join(messages)}" if field_name != "__all__" else " ".join(messages)
            for field_name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


class _TopicFinder:
    """The topic for each category path, found once per path, made as a draft when missing."""

    def __init__(self, report: BankImportReport) -> None:
        self.report = report
        self.found: dict[tuple[str, ...], Topic] = {}
        self.next_position: dict[int, int] = {}

    def topic_for(self, category: tuple[str, ...]) -> Topic:
        if not category:
            raise _QuestionRefused(
                "the question is in no category: put a $CATEGORY line (GIFT) or a category "
                "question (Moodle XML) naming its topic before it"
            )
        if category not in self.found:
            with transaction.atomic():
                self.found[category] = self._find_or_make(category)
        return self.found[category]

    def _find_or_make(self, category: tuple[str, ...]) -> Topic:
        title = category[-1]
        parent = category[-2] if len(category) > 1 else ""
        candidates = list(
            Topic.objects.filter(Q(slug=title) | Q(title__iexact=title)).select_related(
                "qualification"
            )
        )
        in_parent = [
            t
            for t in candidates
            if t.qualification and t.qualification.name.lower() == parent.lower()
        ]
        candidates = in_parent or candidates
        if len(candidates) > 1:
            raise _QuestionRefused(
                f"{len(candidates)} topics are called “{title}”: rename one, or name the topic "
                "by its slug in the category"
            )
        if candidates:
            return candidates[0]
        return self._make_topic(title, parent)

    def _make_topic(self, title: str, parent: str) -> Topic:
        qualification = None
        if parent:
            qualification = Qualification.objects.filter(name__iexact=parent).first()
            if qualification is None:
                qualification = Qualification(name=parent)
                qualification.full_clean()
                qualification.save()
        base = slugify(title)[:200] or "imported-topic"
        slug, number = base, 1
        while Topic.objects.filter(slug=slug).exists():
            number += 1
            slug = f"{base}-{number}"
        topic = Topic(title=title, slug=slug, qualification=qualification, is_published=False)
        topic.full_clean()
        topic.save()
        topic_content_changed(topic=topic)
        self.report.topics_created.append(title)
        return topic

    def position_for_new_question(self, topic: Topic) -> int:
        if topic.pk not in self.next_position:
            highest = topic.questions.aggregate(highest=Max("position"))["highest"]
            self.next_position[topic.pk] = 0 if highest is None else highest + 1
        position = self.next_position[topic.pk]
        self.next_position[topic.pk] += 1
        return position


def _save_bank_question(topic: Topic, bank_question: BankQuestion, topics: _TopicFinder) -> str:
    """Create or update one imported question; returns "created", "updated" or "unchanged"."""
    source_key = bank_source_key(bank_question.name)
    fields = {
        "kind": bank_question.kind,
        "name": bank_question.name[:255],
        "prompt": bank_question.prompt,
        "general_feedback": bank_question.general_feedback,
        "multiple_answers": bank_question.multiple_answers,
        "marking_guidance": bank_question.marking_guidance,
        "model_answer": bank_question.model_answer if bank_question.kind == SHORT_ANSWER else "",
    }
    options = [OptionSpec(o.text, o.is_correct, o.feedback) for o in bank_question.options]
    question = (
        Question.objects.filter(topic=topic, source_key=source_key)
        .prefetch_related("options")
        .first()
    )
    if question is not None:
        compared = _IMPORTED_FIELDS
        if not bank_question.options:
            # An essay has no set answer; save_question may have written a model answer from
            # its guidance, which is not a change in the file.
            compared = tuple(name for name in _IMPORTED_FIELDS if name != "model_answer")
        same_fields = all(getattr(question, name) == fields[name] for name in compared)
        if same_fields and as_option_specs(question.options.all()) == options:
            return "unchanged"
        for name, value in fields.items():
            setattr(question, name, value)
        save_question(question=question, options=options)
        return "updated"
    question = Question(
        topic=topic,
        source_key=source_key,
        origin=Question.Origin.IMPORTED,
        position=topics.position_for_new_question(topic),
        **fields,
    )
    save_question(question=question, options=options)
    return "created"


# Export --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BankExport:
    """An exported bank: the file's text, how many questions it holds and which were left out."""

    text: str
    count: int
    left_out: tuple[str, ...] = ()


def export_question_bank(
    *, file_format: str, topics: Iterable[Topic] | None = None, questions=None
) -> BankExport:
    """The active questions of ``topics`` (or the ``questions`` queryset given; everything
    when neither is) as a GIFT or Moodle XML file, generated questions included, grouped by
    qualification and topic in each topic's question order. Short-answer questions with no
    accepted answer are left out (a bank file cannot hold them) and named in ``left_out``."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown format {file_format!r}: use {' or '.join(FORMATS)}")
    if questions is None:
        questions = Question.objects.all()
    if topics is not None:
        questions = questions.filter(topic__in=list(topics))
    rows = (
        questions.filter(is_active=True)
        .select_related("topic__qualification", "marking_point")
        .prefetch_related("options")
        .order_by("topic__qualification__name", "topic__title", "topic_id", "position", "id")
    )
    bank: list[BankQuestion] = []
    left_out: list[str] = []
    names_used: set[tuple[tuple[str, ...], str]] = set()
    for question in rows:
        bank_question = bank_question_for(question)
        if bank_question is None:
            left_out.append(f"{question.topic.title}: {question.display_name}")
            continue
        # Names identify questions on import, but generated questions have none and several
        # can share a prompt ("Which of these is a common mistake to avoid?"): number repeats.
        name, number = bank_question.name, 1
        while (bank_question.category, name.casefold()) in names_used:
            number += 1
            name = f"{bank_question.name} ({number})"
        names_used.add((bank_question.category, name.casefold()))
        bank.append(replace(bank_question, name=name))
    writer = write_gift if file_format == GIFT else write_moodle_xml
    return BankExport(writer(bank), len(bank), tuple(left_out))


def bank_question_for(question: Question) -> BankQuestion | None:
    """A question as a bank file holds it (``options`` and ``topic.qualification`` loaded);
    None for a short-answer question with no accepted answer."""
    kind = _BANK_KINDS[question.kind]
    options = [
        BankOption(canonical_text(o.text), o.is_correct, canonical_text(o.feedback))
        for o in question.options.all()
    ]
    guidance = question.marking_guidance
    if kind == TRUE_FALSE:
        # Both formats read True first, whichever order an editor put them in.
        options = sorted(
            (replace(o, text=o.text.strip().title()) for o in options),
            key=lambda option: option.text != "True",
        )
    if kind == SHORT_ANSWER:
        options = _short_answer_options(canonical_text(question.model_answer), options)
        if options and not any(option.is_correct for option in options):
            return None
        if not guidance.strip() and question.marking_point_id:
            guidance = question.marking_point.text
    topic = question.topic
    category = (topic.title,)
    if topic.qualification_id:
        category = (topic.qualification.name, topic.title)
    return BankQuestion(
        kind=kind,
        name=" ".join(question.display_name.split()),
        prompt=canonical_text(question.prompt),
        options=tuple(options),
        general_feedback=canonical_text(question.general_feedback),
        category=category,
        multiple_answers=question.multiple_answers and kind == MULTIPLE_CHOICE,
        marking_guidance="\n".join(line.strip() for line in guidance.strip().splitlines()),
    )


def _short_answer_options(model_answer: str, options: list[BankOption]) -> list[BankOption]:
    """The model answer first (as an accepted answer), then the other answers in order; an
    accepted answer that is the model answer is written once, with its feedback."""
    if not model_answer:
        return options
    same = next((o for o in options if o.is_correct and o.text == model_answer), None)
    first = same or BankOption(model_answer, True)
    return [first, *(o for o in options if o is not same)]
