"""Writes for assessments: the question bank, quiz attempts, submission, marking and re-marking.

Views, admin actions and management commands call these, so a quiz behaves the same whichever
way it is driven.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import random
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from assessments import generation, lexicon
from assessments.answer_options import (
    ChoiceSnapshot,
    OptionSpec,
    answer_key_problems,
    as_option_specs,
    mark_choice,
    matching_option,
)
from assessments.batch_marking import resolve_rows
from assessments.marking import MisconceptionSpec, get_marker, mark_answer
from assessments.marking.exemplars import Exemplar as ExemplarSpec
from assessments.marking.exemplars import Learning, learn_from_exemplars
from assessments.models import (
    ANSWER_MAX_CHARS,
    MARK_FIELDS,
    RUBRIC_FIELDS,
    AnswerOption,
    Attempt,
    Exemplar,
    Indicator,
    OverrideRecord,
    PointMastery,
    Question,
    RemarkRun,
    Response,
    ResultRevision,
)
from assessments.rubrics import Rubric, build_rubric, describe_rubric, with_model_answer
from assessments.summaries import (
    refresh_learner_summaries,
    refresh_summaries_for_responses,
    refresh_topic_summaries,
)
from revision.services import correct_quiz_reviews, record_quiz_reviews, sync_topic_cards
from topics.models import KeyConcept, MarkingPoint, Misconception, Topic

logger = logging.getLogger(__name__)

TOPIC_QUIZ_CONCEPT_QUESTIONS = 2
TOPIC_QUIZ_MISCONCEPTION_QUESTIONS = 1
MIXED_QUIZ_SHORT_ANSWERS = 7
MIXED_QUIZ_CHOICES = 3
WEAK_POINTS_QUIZ_SIZE = 10

# Generated questions are grouped: short answers first, then the multiple-choice questions.
_CONCEPT_POSITION_BASE = 1000
_MISCONCEPTION_POSITION_BASE = 2000


class QuizError(Exception):
    """A quiz cannot be started or changed; the message is for the learner."""


@dataclass(frozen=True)
class QuestionBankReport:
    created: int = 0
    updated: int = 0
    retired: int = 0


# --- question bank ---------------------------------------------------------------------------


def sync_question_bank(*, topic: Topic) -> QuestionBankReport:
    """Generate or refresh the topic's questions from its current content. Idempotent.

    One short-answer question per active marking point (its rubric built from the point's
    wording), one "which key concept" question per key concept and one "spot the mistake"
    question per misconception. Questions a person has edited are left as they are; questions
    whose source has gone are deactivated, never deleted (responses refer to them).
    """
    with transaction.atomic():
        # Only generated questions follow the document; written and imported ones are never
        # touched. Their options come in one query (none for a new topic).
        existing = {
            q.source_key: q
            for q in Question.objects.filter(topic=topic, origin=Question.Origin.GENERATED)
            .exclude(source_key="")
            .prefetch_related("options")
        }
        seen: set[str] = set()
        created = updated = 0
        # Questions whose rubric this sync rewrote: their automatic marks are re-marked.
        rubric_changed: set[int] = set()
        points = list(topic.marking_points.active().order_by("position", "id"))
        concepts = list(topic.key_concepts.all())
        lexicon_name = topic_lexicon(topic, points, concepts)
        # New questions (with their indicators' rows) are written together at the end: a new
        # topic's bank is two batched inserts plus their history, not a query per row.
        new_questions: list[tuple[Question, list[_IndicatorRow], list[OptionSpec]]] = []

        for point in points:
            key = f"point:{point.pk}"
            seen.add(key)
            rubric = build_rubric(point.text, lexicon_name=lexicon_name)
            question = existing.get(key)
            if question is None:
                question = Question(topic=topic, marking_point=point, source_key=key)
                _set_rubric_fields(question, rubric, position=point.position)
                new_questions.append((question, _indicator_rows(rubric), []))
                created += 1
                continue
            elif question.is_customised:
                _reactivate(question, position=point.position)
                continue
            else:
                updated += 1
            if _apply_rubric(question, rubric, position=point.position):
                rubric_changed.add(question.pk)

        choices_created, choices_updated = _sync_choice_questions(
            topic, concepts, existing=existing, seen=seen, new_questions=new_questions
        )
        created += choices_created
        updated += choices_updated
        _create_questions(new_questions)
        retired = _retire_and_follow_up(topic, existing, seen, rubric_changed)
    return QuestionBankReport(created=created, updated=updated, retired=retired)


def _sync_choice_questions(
    topic: Topic,
    concepts: list[KeyConcept],
    *,
    existing: dict[str, Question],
    seen: set[str],
    new_questions: list,
) -> tuple[int, int]:
    """The topic's generated choice questions: new ones are added to ``new_questions``,
    existing ones updated, their options rewritten together (in one batch) where they changed.
    Returns how many were created and updated."""
    created = updated = 0
    # Existing choice questions whose options changed.
    rewritten_options: list[tuple[Question, list[OptionSpec]]] = []
    for index, choice in enumerate(_choice_questions(topic, concepts)):
        if choice.source_key in seen:
            # Two concepts with the same term (or a misconception stated twice) would make
            # the same question: the first one stands for both.
            continue
        seen.add(choice.source_key)
        question = existing.get(choice.source_key)
        base = (
            _CONCEPT_POSITION_BASE
            if choice.source_key.startswith("concept:")
            else _MISCONCEPTION_POSITION_BASE
        )
        if question is None:
            question = Question(topic=topic, source_key=choice.source_key)
            options = _set_choice_fields(question, choice, position=base + index)
            new_questions.append((question, [], options))
            created += 1
            continue
        elif question.is_customised:
            _reactivate(question, position=base + index)
            continue
        else:
            updated += 1
        before = _question_state(question)
        options = _set_choice_fields(question, choice, position=base + index)
        _save_if_changed(question, before=before)
        if as_option_specs(question.options.all()) != options:
            rewritten_options.append((question, options))

    _rewrite_options(rewritten_options)
    return created, updated


def _retire_and_follow_up(
    topic: Topic, existing: dict[str, Question], seen: set[str], rubric_changed: set[int]
) -> int:
    """Deactivate questions whose source has gone, then bring what depends on the bank up to
    date: summaries, what tutors taught, and the marks of questions whose rubric changed.
    Returns how many were retired."""
    stale = [q for key, q in existing.items() if key not in seen and q.is_active]
    for question in stale:
        question.is_active = False
    if stale:
        # Recorded in the question's history, like every other change to the bank.
        bulk_update_with_history(stale, Question, ["is_active"])
    # Every content change comes through here (imports, the topic and marking point admin): a
    # point added or retired changes each learner's figures for the topic.
    refresh_topic_summaries(topic_ids=[topic.pk])
    # Learners' revision cards follow the content: retired points retire their cards.
    sync_topic_cards(topic=topic)
    # What tutors taught refers to the rubric's ideas: a rebuilt rubric is learned afresh.
    # (A new topic's questions have no exemplars yet: nothing to ask.)
    if existing:
        taught = Question.objects.filter(topic=topic, exemplars__isnull=False).distinct()
        for question in taught:
            relearn_question(question=question, rubric_changed=question.pk in rubric_changed)
            rubric_changed.discard(question.pk)
    by_pk = {question.pk: question for question in existing.values()}
    for question_id in sorted(rubric_changed):
        remark_question(question=by_pk[question_id], reason=REIMPORTED_REASON)
    return len(stale)


REIMPORTED_REASON = "the rubric was rebuilt from the topic's changed wording"


def topic_lexicon(
    topic: Topic, points: Iterable[MarkingPoint] = (), concepts: Iterable[KeyConcept] | None = None
) -> str:
    """The lexicon the topic's rubrics are built and marked with: the qualification's, if an
    editor chose one; else chosen from the qualification's title or the topic's own wording."""
    qualification = topic.qualification
    if qualification is not None and qualification.lexicon in lexicon.available_lexicons():
        return qualification.lexicon
    text = lexicon.topic_wording(
        title=topic.title,
        synopsis=topic.synopsis,
        key_concepts=(
            (c.term, c.explanation)
            for c in (topic.key_concepts.all() if concepts is None else concepts)
        ),
        marking_points=(p.text for p in points),
    )
    return lexicon.choose_lexicon(
        qualification=qualification.name if qualification else "", topic_text=text
    )


def _reactivate(question: Question, *, position: int) -> None:
    if not question.is_active or question.position != position:
        question.is_active = True
        question.position = position
        question.save(update_fields=["is_active", "position", "updated_at"])


# (position, label, alternatives) of one indicator, as generated from a rubric.
_IndicatorRow = tuple[int, str, list[str]]


def _set_rubric_fields(question: Question, rubric: Rubric, *, position: int) -> None:
    question.kind = Question.Kind.SHORT_ANSWER
    question.prompt = rubric.prompt
    question.required_count = rubric.required_count
    question.requires_explanation = rubric.requires_explanation
    question.requires_link = rubric.requires_link
    question.auto_markable = rubric.auto_markable
    question.lexicon = rubric.lexicon
    if not question.model_answer:
        # Only ever fills a blank: an answer an editor wrote is never replaced.
        question.model_answer = with_model_answer(rubric).model_answer
    question.position = position
    question.is_active = True


def _indicator_rows(rubric: Rubric) -> list[_IndicatorRow]:
    return [
        (i, indicator.label[:200], list(indicator.alternatives))
        for i, indicator in enumerate(rubric.indicators, start=1)
    ]


def _set_choice_fields(
    question: Question, choice: generation.ChoiceQuestion, *, position: int
) -> list[OptionSpec]:
    """Set a generated choice question's fields; returns the options it should have."""
    question.kind = (
        Question.Kind.CONCEPT_CHOICE
        if choice.source_key.startswith("concept:")
        else Question.Kind.MISCONCEPTION_CHOICE
    )
    question.prompt = choice.prompt
    question.position = position
    question.is_active = True
    return [
        OptionSpec(text=text, is_correct=index == choice.correct_index)
        for index, text in enumerate(choice.choices)
    ]


def _option_rows(question: Question, options: Sequence[OptionSpec]) -> list[AnswerOption]:
    return [
        AnswerOption(
            question=question,
            position=position,
            text=option.text,
            is_correct=option.is_correct,
            feedback=option.feedback,
        )
        for position, option in enumerate(options)
    ]


def _rewrite_options(rewritten: list[tuple[Question, list[OptionSpec]]]) -> None:
    """Replace the options of these questions: one delete and one batched insert (with its
    history rows) for all of them, not a round of queries per question."""
    if not rewritten:
        return
    AnswerOption.objects.filter(question__in=[question for question, _ in rewritten]).delete()
    bulk_create_with_history(
        [row for question, options in rewritten for row in _option_rows(question, options)],
        AnswerOption,
    )


def _rubric_state(question: Question) -> tuple:
    return tuple(getattr(question, name) for name in RUBRIC_FIELDS)


def _apply_rubric(question: Question, rubric: Rubric, *, position: int) -> bool:
    """Regenerate an existing question's rubric, rewriting its indicators only if they changed.
    Returns whether the rubric (not just the question's place) changed."""
    before = _rubric_state(question)
    stored = _question_state(question)
    _set_rubric_fields(question, rubric, position=position)
    _save_if_changed(question, before=stored)
    fields_changed = _rubric_state(question) != before
    # Unchanged indicators are not rewritten, so their history shows real changes only.
    indicators_changed = write_indicators(question=question, rows=_indicator_rows(rubric))
    return fields_changed or indicators_changed


def _create_questions(
    new_questions: list[tuple[Question, list[_IndicatorRow], list[OptionSpec]]],
) -> None:
    """Insert new questions, their indicators and their options in a batch each, each with its
    history rows."""
    if not new_questions:
        return
    questions = [question for question, _rows, _options in new_questions]
    for question in questions:
        # Field validation only, as in _save_if_changed; the topic and marking point were read
        # or written in this transaction, so checking that they exist would only add queries.
        question.full_clean(
            exclude=["topic", "marking_point"], validate_unique=False, validate_constraints=False
        )
    # Both backends return the new ids from a batched insert, which the indicators need.
    bulk_create_with_history(questions, Question)
    indicators = [
        Indicator(question=question, position=position, label=label, alternatives=alternatives)
        for question, rows, _options in new_questions
        for position, label, alternatives in rows
    ]
    if indicators:
        bulk_create_with_history(indicators, Indicator)
    options = [
        row for question, _rows, specs in new_questions for row in _option_rows(question, specs)
    ]
    if options:
        bulk_create_with_history(options, AnswerOption)


# What a regenerated question's history would record; saving when none of it changed would only
# add noise to the audit trail.
_QUESTION_STATE_FIELDS = (
    "kind",
    *RUBRIC_FIELDS,
    "position",
    "is_active",
    "marking_point_id",
)


def _question_state(question: Question) -> tuple:
    return tuple(getattr(question, name) for name in _QUESTION_STATE_FIELDS)


def _save_if_changed(question: Question, *, before: tuple) -> None:
    """Validate and save a generated question unless it is already stored exactly so:
    ``before`` is its ``_question_state`` as read from the database, taken before the sync
    set its fields."""
    if question.pk is not None and before == _question_state(question):
        return
    # Field validation only: the sync itself keeps one question per source key, and the
    # database's constraints back it up, so the per-question uniqueness queries (a third of an
    # import's time) buy nothing here.
    question.full_clean(validate_unique=False, validate_constraints=False)
    question.save()


# --- questions written by people ------------------------------------------------------------


def save_question(*, question: Question, options: Iterable = (), author=None) -> Question:
    """Save a question a person wrote or edited, with its answer options, in one transaction.

    ``options`` are ``OptionSpec``s, ``(text, is_correct[, feedback])`` tuples or option rows,
    in the order shown; they replace the question's options (unchanged ones are not rewritten,
    so the history shows real changes). Raises ``ValidationError`` (by field) when they cannot
    be marked (``answer_key_problems``) or a field is invalid; nothing is saved then. A new
    question without a source key is ``AUTHORED`` by ``author``; a generated question edited
    here becomes customised, so the topic's re-import leaves it alone. A short-answer question
    with no marking point gets its rubric built from its marking guidance (else its prompt),
    its indicators rewritten when that text changed or it has none.
    """
    specs = as_option_specs(options)
    problems = answer_key_problems(question.kind, question.multiple_answers, specs)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        existing = question.pk is not None
        stored = (
            Question.objects.filter(pk=question.pk).values_list(*RUBRIC_FIELDS).get()
            if existing
            else None
        )
        if not existing and not question.source_key:
            if question.origin == Question.Origin.GENERATED:
                question.origin = Question.Origin.AUTHORED
            if author is not None and question.author_id is None:
                question.author = author
        if question.origin == Question.Origin.GENERATED and existing:
            question.is_customised = True
        rubric_rows = authored_rubric_rows(question)
        question.full_clean()
        question.save()
        options_changed = as_option_specs(question.options.all()) != specs
        if options_changed:
            AnswerOption.objects.filter(question=question).delete()
            bulk_create_with_history(_option_rows(question, specs), AnswerOption)
            getattr(question, "_prefetched_objects_cache", {}).pop("options", None)
        indicators_changed = rubric_rows is not None and write_indicators(
            question=question, rows=rubric_rows
        )
        if existing and (
            options_changed or indicators_changed or tuple(stored) != _rubric_state(question)
        ):
            # Answers marked with the old key or rubric are re-marked in the background.
            relearn_question(question=question, rubric_changed=True, requested_by=author)
    return question


def write_indicators(*, question: Question, rows: list[_IndicatorRow]) -> bool:
    """Replace a question's indicators with ``rows`` (with history), unless they are the same.
    Returns whether they changed."""
    current = list(question.indicators.values_list("position", "label", "alternatives"))
    if [tuple(row) for row in current] == [tuple(row) for row in rows]:
        return False
    question.indicators.all().delete()
    bulk_create_with_history(
        [
            Indicator(question=question, position=position, label=label, alternatives=alts)
            for position, label, alts in rows
        ],
        Indicator,
    )
    return True


def authored_rubric_rows(question: Question) -> list[_IndicatorRow] | None:
    """For a hand-written short-answer question (no marking point), set its rubric fields from
    its marking guidance (or prompt) with the rubric builder and return its indicators' rows;
    ``None`` (nothing set) for other questions, or when the rubric's source text is as stored
    and the question already has indicators (an editor's own indicators are kept). Call before
    saving the question, then ``write_indicators`` after."""
    if not question.is_short_answer or question.marking_point_id:
        return None
    source = question.rubric_point_text()
    if question.pk is not None:
        stored = Question.objects.filter(pk=question.pk).values("prompt", "marking_guidance").get()
        stored_source = stored["marking_guidance"].strip() or stored["prompt"]
        if stored_source == source and question.indicators.exists():
            return None
    rubric = build_rubric(source, lexicon_name=topic_lexicon(question.topic))
    question.required_count = rubric.required_count
    question.requires_explanation = rubric.requires_explanation
    question.requires_link = rubric.requires_link
    question.auto_markable = rubric.auto_markable
    question.lexicon = rubric.lexicon
    if not question.model_answer.strip():
        question.model_answer = with_model_answer(rubric).model_answer
    return _indicator_rows(rubric)


class _TermPool(Sequence[str]):
    """The distinct key concept terms of ``concepts``, read only if a question reaches them.

    Distractors are drawn from the topic's own terms first; the wider pools (its
    qualification, every topic) are only needed when a topic has fewer than four concepts, and
    reading them would make every import scan a table that grows with the bank. Distinct terms
    only: a pool is put in a hash order and a repeated term is skipped, so duplicates never
    change the questions, but they would all be hashed again for every concept.
    """

    def __init__(self, concepts) -> None:
        self._concepts = concepts
        self._terms: list[str] | None = None

    def _load(self) -> list[str]:
        if self._terms is None:
            self._terms = list(self._concepts.order_by().values_list("term", flat=True).distinct())
        return self._terms

    def __getitem__(self, index):
        return self._load()[index]

    def __len__(self) -> int:
        return len(self._load())


def _choice_questions(topic: Topic, concepts: list[KeyConcept]) -> list[generation.ChoiceQuestion]:
    own_terms = [c.term for c in concepts]
    sibling_terms: Sequence[str] = []
    if topic.qualification_id:
        sibling_terms = _TermPool(
            KeyConcept.objects.filter(topic__qualification_id=topic.qualification_id).exclude(
                topic=topic
            )
        )
    all_terms = _TermPool(KeyConcept.objects.exclude(topic=topic))
    questions = []
    for concept in concepts:
        question = generation.concept_question(
            concept.term,
            concept.explanation,
            distractor_pools=[own_terms, sibling_terms, all_terms],
        )
        if question:
            questions.append(question)
    misconceptions = list(topic.misconceptions.all())
    true_statements = [tip.text for tip in topic.exam_tips.all()]
    true_statements += [m.correction for m in misconceptions if m.correction]
    for misconception in misconceptions:
        question = generation.misconception_question(
            misconception.statement, true_statements=true_statements
        )
        if question:
            questions.append(question)
    return questions


# --- attempts --------------------------------------------------------------------------------


def start_attempt(
    *, learner, kind: str, topic: Topic | None = None, seed: int | None = None
) -> Attempt:
    """Create an attempt with its questions chosen, ready to answer.

    ``kind`` is an ``Attempt.Kind``. Raises ``QuizError`` when there is nothing to ask.
    """
    rng = random.Random(seed if seed is not None else secrets.randbits(32))  # noqa: S311
    if kind == Attempt.Kind.TOPIC:
        if topic is None or not topic.is_published:
            raise QuizError("Choose a topic for a topic quiz.")
        questions = _topic_quiz_questions(topic, rng)
        title = f"Topic quiz: {topic.title}"
    elif kind == Attempt.Kind.MIXED:
        questions = _mixed_quiz_questions(rng)
        title = "Mixed quiz across topics"
    elif kind == Attempt.Kind.WEAK_POINTS:
        from assessments.selectors import weak_marking_point_ids

        point_ids = weak_marking_point_ids(learner)
        if not point_ids:
            raise QuizError(
                "You have no weak points to practise yet: take a topic quiz first, and any "
                "marking point you miss will appear here."
            )
        by_point = {
            q.marking_point_id: q
            for q in Question.objects.active().filter(
                topic__is_published=True,
                marking_point_id__in=point_ids,
                kind=Question.Kind.SHORT_ANSWER,
                auto_markable=True,  # role-play points are practised with a tutor, not here
            )
        }
        questions = [by_point[pk] for pk in point_ids if pk in by_point][:WEAK_POINTS_QUIZ_SIZE]
        title = "Practise my weak points"
    else:
        raise QuizError(f"Unknown kind of quiz: {kind!r}.")
    if not questions:
        raise QuizError("There are no questions for this quiz yet.")
    return _create_attempt(
        learner=learner, kind=kind, topic=topic, title=title, questions=questions
    )


def retry_attempt(*, attempt: Attempt) -> Attempt:
    """A fresh attempt at the same questions, or the retry of it already under way.

    Idempotent like ``submit_attempt``: the original attempt's row is locked, so a double
    click, a refresh or ten parallel POSTs make one new attempt; while that retry is not
    submitted, asking again returns it. Once it is submitted, asking again starts another.
    """
    with transaction.atomic():
        original = Attempt.objects.select_for_update().get(pk=attempt.pk)
        open_retry = (
            Attempt.objects.filter(retry_of=original, learner_id=original.learner_id)
            .filter(submitted_at__isnull=True)
            .order_by("started_at", "pk")
            .first()
        )
        if open_retry is not None:
            return open_retry
        questions = [
            r.question
            for r in original.responses.select_related("question__topic").prefetch_related(
                "question__options"
            )
            if _askable(r.question) and r.question.topic.is_published
        ]
        if not questions:
            raise QuizError("None of these questions can be asked at the moment.")
        return _create_attempt(
            learner=original.learner,
            kind=original.kind,
            topic=original.topic,
            title=original.title,
            questions=[q for q in questions if q.is_active] or questions,
            retry_of=original,
        )


def create_attempt_with_questions(
    *, learner, kind: str, title: str, questions: Sequence[Question], topic: Topic | None = None
) -> Attempt:
    """An attempt at exactly ``questions``, in that order (an assignment's fixed quiz, the Today
    page's due questions). Raises ``QuizError`` when there are none."""
    if not questions:
        raise QuizError("There are no questions for this quiz yet.")
    return _create_attempt(
        learner=learner, kind=kind, topic=topic, title=title, questions=list(questions)
    )


def _create_attempt(*, learner, kind, topic, title, questions, retry_of=None) -> Attempt:
    with transaction.atomic():
        attempt = Attempt.objects.create(
            learner=learner, kind=kind, topic=topic, title=title[:250], retry_of=retry_of
        )
        Response.objects.bulk_create(
            Response(attempt=attempt, question=question, position=position)
            for position, question in enumerate(questions, start=1)
        )
    return attempt


def _askable(question: Question) -> bool:
    """A question whose answer key cannot be marked (broken behind the model's validation) is
    never put to a learner; admins see it in the question list's "answer key" filter."""
    return question.answer_key_is_sound


def _topic_quiz_questions(topic: Topic, rng: random.Random) -> list[Question]:
    questions = [
        q
        for q in Question.objects.active().filter(topic=topic).prefetch_related("options")
        if _askable(q)
    ]
    short = [q for q in questions if q.kind == Question.Kind.SHORT_ANSWER]
    concept = [q for q in questions if q.kind == Question.Kind.CONCEPT_CHOICE]
    mistake = [q for q in questions if q.kind == Question.Kind.MISCONCEPTION_CHOICE]
    # Choice questions a person wrote (or imported) were chosen for the topic: all are asked.
    written = [
        q for q in questions if q.kind in (Question.Kind.MULTIPLE_CHOICE, Question.Kind.TRUE_FALSE)
    ]
    chosen = short + written
    chosen += rng.sample(concept, min(TOPIC_QUIZ_CONCEPT_QUESTIONS, len(concept)))
    chosen += rng.sample(mistake, min(TOPIC_QUIZ_MISCONCEPTION_QUESTIONS, len(mistake)))
    return chosen


def _mixed_quiz_questions(rng: random.Random) -> list[Question]:
    # Drafts (topics uploaded and not yet published) are never quizzed on.
    short_ids = list(
        Question.objects.active()
        .filter(topic__is_published=True, kind=Question.Kind.SHORT_ANSWER, auto_markable=True)
        .values_list("pk", flat=True)
    )
    choice_ids = list(
        Question.objects.active()
        .filter(topic__is_published=True)
        .exclude(kind=Question.Kind.SHORT_ANSWER)
        .values_list("pk", flat=True)
    )
    ids = rng.sample(short_ids, min(MIXED_QUIZ_SHORT_ANSWERS, len(short_ids)))
    ids += rng.sample(choice_ids, min(MIXED_QUIZ_CHOICES, len(choice_ids)))
    by_id = Question.objects.prefetch_related("options").in_bulk(ids)
    return [by_id[pk] for pk in ids if _askable(by_id[pk])]


def validate_answer_text(text: str) -> str:
    """Normalise line endings and refuse answers over the limit with a clear message."""
    text = (text or "").replace("\r\n", "\n").replace("\x00", "")
    if len(text) > ANSWER_MAX_CHARS:
        raise QuizError(
            f"Your answer is {len(text):,} characters long; answers are limited to "
            f"{ANSWER_MAX_CHARS:,} characters. Please shorten it."
        )
    return text


# An answer as the quiz forms give it: text (short answer), a position (one option) or a list of
# positions (the ticked options of a multiple-answer question).
AnswerValue = str | int | list[int] | None


def save_answers(*, attempt: Attempt, answers: Mapping[int, AnswerValue]) -> None:
    """Store answers (by question position) on an attempt that has not been submitted."""
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.is_submitted:
            raise QuizError("This quiz has already been submitted; start a new attempt to retry.")
        _apply_answers(locked, answers)


def _apply_answers(attempt: Attempt, answers: Mapping[int, AnswerValue]) -> None:
    responses = {
        r.position: r for r in attempt.responses.select_related("question").order_by("position")
    }
    changed = []
    for position, value in answers.items():
        response = responses.get(position)
        if response is None:
            continue
        if response.question.is_short_answer:
            response.answer_text = validate_answer_text(str(value or ""))
        elif isinstance(value, list | tuple):
            response.selected_choices = sorted({p for p in value if isinstance(p, int)})
            response.selected_choice = None
        else:
            response.selected_choice = value if isinstance(value, int) else None
            response.selected_choices = []
        changed.append(response)
    Response.objects.bulk_update(changed, ["answer_text", "selected_choice", "selected_choices"])


def submit_attempt(
    *, attempt: Attempt, answers: Mapping[int, AnswerValue] | None = None
) -> tuple[Attempt, bool]:
    """Save any last answers and submit the attempt in one transaction; marking is queued.

    The attempt's marks are written by the ``mark_attempt`` task once this transaction has
    committed (a worker, off the request path); until then the attempt is submitted but not
    marked, and every page that shows marks waits for ``marked_at``. Idempotent: submitting an
    attempt that is already submitted changes nothing. Returns ``(attempt, submitted_now)``.
    The row lock makes a double POST from two tabs or threads submit exactly once.
    """
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.is_submitted:
            return locked, False
        if answers:
            _apply_answers(locked, answers)
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["submitted_at"])
        enqueue_marking(attempt_id=locked.pk)
    return locked, True


def enqueue_marking(*, attempt_id: int) -> None:
    """Queue the marking of a submitted attempt for when the current transaction commits.

    After the commit, so a worker never looks for an attempt it cannot see yet. ``robust``: a
    broker that is down must not turn a saved submission into an error page; the attempt then
    waits, unmarked, for ``manage.py requeue_unmarked`` (docs/queue.md).
    """
    from assessments.tasks import mark_attempt as mark_attempt_task

    # A named function, not a partial: Django's log line for a failed robust callback reads
    # its __qualname__.
    def queue_marking() -> None:
        mark_attempt_task.delay(attempt_id)

    transaction.on_commit(queue_marking, robust=True)


def mark_attempt(*, attempt_id: int) -> bool:
    """Mark every response of a submitted attempt and record mastery, once, all or nothing.

    What the ``mark_attempt`` task runs. Returns ``False`` without a write when the attempt is
    already marked (a redelivered or duplicate task), not submitted, or gone. A crash part-way
    rolls everything back, ``marked_at`` included, so the retry marks from scratch.
    """
    now = timezone.now()
    with transaction.atomic():
        # Claiming with a conditional UPDATE is what makes marking happen once: it takes the
        # row's write lock (PostgreSQL) or the database's (SQLite), so a second worker given the
        # same attempt waits here, then finds it marked and updates nothing.
        claimed = Attempt.objects.filter(
            pk=attempt_id, submitted_at__isnull=False, marked_at__isnull=True
        ).update(marked_at=now)
        if not claimed:
            return False
        learner_id, submitted_at = Attempt.objects.values_list("learner_id", "submitted_at").get(
            pk=attempt_id
        )
        responses = list(
            Response.objects.filter(attempt_id=attempt_id)
            .select_related("question", "question__marking_point")
            .prefetch_related("question__indicators", "question__options")
            .order_by("position")
        )
        misconceptions = _misconceptions_by_topic({r.question.topic_id for r in responses})
        for response in responses:
            _mark(response, misconceptions.get(response.question.topic_id, ()), now)
        _store_marks(responses)
        # Mastery is dated by when the learner answered, not when the worker got to it, so a
        # queue that marks two of a learner's attempts out of order keeps the later one's word.
        _record_mastery(responses, learner_id=learner_id, answered_at=submitted_at)
        # The learner's spaced-repetition cards move with the marks, in the same transaction.
        record_quiz_reviews(learner_id=learner_id, responses=responses, reviewed_at=submitted_at)
    return True


def _record_mastery(responses: list[Response], *, learner_id: int, answered_at) -> None:
    """Make these responses the learner's latest word on their marking points."""
    latest: dict[int, Response] = {}
    for response in responses:  # in position order: a later question on a point wins
        if response.question.marking_point_id:
            latest[response.question.marking_point_id] = response
    if not latest:
        return
    newer = set(
        PointMastery.objects.filter(
            learner_id=learner_id, marking_point_id__in=latest, answered_at__gt=answered_at
        ).values_list("marking_point_id", flat=True)
    )
    PointMastery.objects.bulk_create(
        [
            PointMastery(
                learner_id=learner_id,
                marking_point_id=point_id,
                topic_id=response.question.topic_id,
                response=response,
                credited=response.credited,
                answered_at=answered_at,
            )
            for point_id, response in latest.items()
            if point_id not in newer
        ],
        update_conflicts=True,
        unique_fields=["learner", "marking_point"],
        update_fields=["response", "credited", "answered_at", "topic"],
    )
    # The summaries the progress page and quiz home read follow in the same transaction.
    refresh_learner_summaries(
        learner_id=learner_id, topic_ids={r.question.topic_id for r in latest.values()}
    )


def _refresh_mastery_credit(responses: Iterable[Response]) -> None:
    """After a re-mark or override, mastery rows that point at these responses follow them,
    and so do the learners' topic summaries."""
    responses = list(responses)
    for response in responses:
        PointMastery.objects.filter(response=response).exclude(credited=response.credited).update(
            credited=response.credited
        )
    refresh_summaries_for_responses(responses)
    # Quiz reviews of these answers take the new credit (their cards' schedules are replayed).
    correct_quiz_reviews(responses=responses)


def _store_marks(responses: list[Response]) -> None:
    """Write the marks of an attempt's responses (one UPDATE each, in the caller's transaction).

    One UPDATE per response, not ``bulk_update``: for nine fields, two of them JSON, Django's
    ``CASE WHEN`` statement costs more to build than it saves (measured on PostgreSQL: about
    60 ms for a ten-answer attempt against 16 ms this way), and an attempt has a few dozen
    responses at most.
    """
    for response in responses:
        Response.objects.filter(pk=response.pk).update(
            **{name: getattr(response, name) for name in MARK_FIELDS}
        )


def _misconceptions_by_topic(topic_ids: Iterable[int]) -> dict[int, tuple[MisconceptionSpec, ...]]:
    grouped: dict[int, list[MisconceptionSpec]] = {}
    for item in Misconception.objects.filter(topic_id__in=topic_ids).order_by("position", "id"):
        grouped.setdefault(item.topic_id, []).append(
            MisconceptionSpec(statement=item.statement, correction=item.correction)
        )
    return {topic_id: tuple(specs) for topic_id, specs in grouped.items()}


def _mark(response: Response, misconceptions, now) -> None:
    question = response.question
    if question.is_short_answer:
        rubric = question.to_rubric()
        result = mark_answer(
            response.answer_text,
            rubric,
            misconceptions=misconceptions,
            learning=Learning.from_dict(question.learning),
        )
        response.rubric_snapshot = rubric.to_dict()
        response.result = result.to_dict()
        response.awarded = result.awarded
        response.score = result.score
        response.max_score = result.max_score
        response.confident = result.confident
        response.misconception_count = len(result.misconceptions)
        # Unanswered questions score zero; there is nothing for a tutor to look at.
        response.needs_tutor = response.is_answered and (
            not question.auto_markable
            or not result.confident
            or below_agreement_threshold(Learning.from_dict(question.learning))
        )
        _apply_listed_answer(response, question)
    else:
        _mark_choice(response, question)
    response.marked_at = now


def _apply_listed_answer(response: Response, question: Question) -> None:
    """A short answer that is one of the answers listed on its question (an accepted answer, or
    an anticipated wrong one) takes that verdict and its feedback: a person decided it."""
    options = list(question.options.all())
    position = matching_option(response.answer_text, options)
    if position is None:
        return
    option = options[position]
    result = dict(response.result)
    max_score = max(1, int(result.get("max_score") or 0))
    if option.is_correct:
        verdict = "Credit awarded: this is one of the question's accepted answers."
        result.update(awarded=True, score=max_score)
    else:
        verdict = "No credit: this answer is one the question's author expected and marked wrong."
        result.update(awarded=False, score=0)
    result.update(
        max_score=max_score,
        confident=True,
        feedback=f"{verdict} {option.feedback}".strip(),
        reasons=[*result.get("reasons", []), f"decision: listed answer {position + 1}"],
        listed_answer=position,
    )
    response.result = result
    response.awarded = result["awarded"]
    response.score = result["score"]
    response.max_score = max_score
    response.confident = True
    response.needs_tutor = False


def _mark_choice(response: Response, question: Question) -> None:
    """Mark a choice answer against the options as the learner saw them. A re-mark keeps the
    stored snapshot unless the options' texts are still the same (then the current key is
    used, so correcting a wrong key re-marks): positions are only meaningful for the options
    they were chosen from."""
    current = question.choice_snapshot()
    stored = ChoiceSnapshot.from_dict(response.rubric_snapshot)
    snapshot = current
    if stored is not None and stored.options and stored.options != current.options:
        snapshot = stored
    sound = snapshot is stored or not answer_key_problems(
        question.kind, question.multiple_answers, question.options.all()
    )
    response.rubric_snapshot = snapshot.to_dict()
    response.confident = True
    response.needs_tutor = False
    response.misconception_count = 0
    if not sound or not snapshot.correct:
        # The key was broken after the attempt began (it cannot be saved broken through the
        # forms): the answer is recorded but not marked, and counts for nothing either way.
        response.result = {
            **mark_choice(snapshot, []),
            "awarded": None,
            "max_score": 0,
            "feedback": "This question could not be marked: its answer options are being "
            "corrected. It does not count towards your score.",
            "unmarkable": True,
        }
        response.awarded = None
        response.score = 0
        response.max_score = 0
        return
    response.result = mark_choice(snapshot, response.chosen_positions)
    response.awarded = response.result["awarded"]
    response.score = int(response.awarded)
    response.max_score = 1


def remark_responses(
    *, responses: Iterable[Response], reason: str = "", unless_marked_since=None
) -> int:
    """Re-mark marked responses against their question's current rubric.

    The earlier result is kept as a ``ResultRevision``. Tutor overrides are left in place: they
    are a person's judgement of the answer, not of the rubric. Responses of attempts not yet
    marked are skipped (their marking will read the current rubric anyway). With
    ``unless_marked_since`` (when the re-mark was asked for), responses marked at or after it
    are skipped too, which makes a re-delivered re-mark task change nothing. Returns how many
    were re-marked.
    """
    now = timezone.now()
    count = 0
    with transaction.atomic():
        ids = [r.pk for r in responses]
        locked = (
            # of=self: the joined question rows are read, not locked (and PostgreSQL cannot lock
            # the nullable side of an outer join).
            Response.objects.select_for_update(of=("self",))
            .filter(pk__in=ids, attempt__marked_at__isnull=False)
            .select_related("question", "question__marking_point")
            .prefetch_related(Prefetch("question__indicators"), Prefetch("question__options"))
        )
        if unless_marked_since is not None:
            locked = locked.filter(marked_at__lt=unless_marked_since)
        locked = list(locked)
        misconceptions = _misconceptions_by_topic({r.question.topic_id for r in locked})
        revisions = []
        for response in locked:
            revisions.append(
                ResultRevision(
                    response=response,
                    rubric_snapshot=response.rubric_snapshot,
                    result=response.result,
                    awarded=response.awarded,
                    marked_at=response.marked_at,
                    reason=reason[:200],
                )
            )
            _mark(response, misconceptions.get(response.question.topic_id, ()), now)
            count += 1
        ResultRevision.objects.bulk_create(revisions)
        Response.objects.bulk_update(locked, MARK_FIELDS)
        _refresh_mastery_credit(locked)
    return count


def enqueue_remark(*, response_ids: Iterable[int], reason: str = "") -> int:
    """Queue a re-mark of these responses (see ``remark_responses``); returns how many."""
    from assessments.tasks import remark_responses as remark_responses_task

    ids = sorted({int(pk) for pk in response_ids})
    if ids:
        requested_at = timezone.now().isoformat()

        def queue_remark() -> None:
            remark_responses_task.delay(ids, reason, requested_at)

        transaction.on_commit(queue_remark, robust=True)
    return len(ids)


def enqueue_relearn(*, question_id: int) -> None:
    """Queue ``relearn_question`` for when the current transaction commits.

    For tutors' marks: relearning runs a leave-one-out pass over up to 200 exemplars (seconds
    on a busy question of a qualification without a lexicon), which a tutor's click should not
    wait for. Until the worker has run, answers are marked with what was learned before. If the
    broker cannot take the message, the question is relearned here instead: slower for this one
    click, but nothing (unlike an unmarked attempt) would ever queue it again."""
    from kombu.exceptions import OperationalError as BrokerUnavailable

    from assessments.tasks import relearn_question as relearn_question_task

    def queue_relearn() -> None:
        try:
            relearn_question_task.delay(question_id)
        except BrokerUnavailable:
            logger.warning(
                "Broker unavailable: relearning question %d in the request.", question_id
            )
            relearn_question_task.apply(args=(question_id,))

    transaction.on_commit(queue_relearn, robust=True)


def requeue_unmarked(*, older_than_seconds: int = 60) -> int:
    """Queue marking again for attempts submitted over ``older_than_seconds`` ago and still
    unmarked (their message was lost: the broker was down at submit time, or a database-queue
    worker was killed outright). Safe to run at any time: marking twice marks once."""
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    ids = list(
        Attempt.objects.awaiting_marking()
        .filter(submitted_at__lt=cutoff)
        .order_by("submitted_at")
        .values_list("pk", flat=True)
    )
    for attempt_id in ids:
        enqueue_marking(attempt_id=attempt_id)
    return len(ids)


def override_mark(
    *,
    response: Response,
    tutor,
    awarded: bool | None,
    comment: str = "",
    relearn: bool = True,
    notify: bool = True,
) -> Response:
    """Record a tutor's mark on a submitted response, or remove it with ``awarded=None``.

    The auto-marker's result stays on the response beside it; every change is logged with who
    made it and what the credit was before. Progress figures follow the override at once, and
    so does what the question learns from it (``relearn=False``: the caller relearns the
    question itself, once for a batch of marks). The learner is notified when the credit
    changes or the tutor leaves a comment (``notify=False``: never, as for a review-queue
    confirmation of the automatic mark).
    """
    with transaction.atomic():
        locked = (
            Response.objects.select_for_update(of=("self",))
            .select_related("attempt")
            .get(pk=response.pk)
        )
        if not locked.attempt.is_submitted:
            raise QuizError("Answers can only be marked once the quiz has been submitted.")
        previous = locked.credited
        record = OverrideRecord.objects.create(
            response=locked,
            tutor=tutor,
            previous_awarded=previous,
            awarded=awarded,
            comment=comment,
        )
        locked.override_awarded = awarded
        locked.override_comment = comment if awarded is not None else ""
        locked.override_by = tutor if awarded is not None else None
        locked.override_at = timezone.now() if awarded is not None else None
        locked.save(
            update_fields=["override_awarded", "override_comment", "override_by", "override_at"]
        )
        _refresh_mastery_credit([locked])
        _teach_from_override(locked, tutor=tutor, awarded=awarded, relearn=relearn)
        credit_changed = locked.credited != previous
        commented = awarded is not None and bool(comment.strip())
        if notify and (credit_changed or commented):
            from notifications.services import notify_mark_changed

            notify_mark_changed(record=record)
    return locked


def accept_as_marked(*, responses: Iterable[Response], tutor) -> int:
    """The tutor confirms the automatic mark of each answer (a review-queue decision, which
    also teaches the marker). Answers with no automatic mark (role-play points) or already
    marked by a tutor are left alone. Returns how many were confirmed."""
    confirmed = 0
    taught: set[int] = set()
    with transaction.atomic():
        for response in responses:
            if response.override_awarded is not None or not response.question.auto_markable:
                continue
            override_mark(
                response=response,
                tutor=tutor,
                awarded=bool(response.awarded),
                comment="Accepted as marked.",
                relearn=False,
                notify=False,
            )
            taught.add(response.question_id)
            confirmed += 1
        # Relearning costs a leave-one-out pass: once per question, not once per answer.
        for question_id in sorted(taught):
            enqueue_relearn(question_id=question_id)
    return confirmed


# --- exemplars: tutors' marks teach the marker --------------------------------------------------

# Most recent exemplars a question learns from: keeps relearning and marking within budget
# however many answers a busy question collects.
EXEMPLARS_LEARNED_FROM = 200


def _teach_from_override(
    response: Response, *, tutor, awarded: bool | None, relearn: bool = True
) -> None:
    """A tutor's mark on a written answer becomes (or stops being) an exemplar of its question."""
    question = Question.objects.select_related("marking_point").get(pk=response.question_id)
    if not question.is_short_answer:
        return
    if awarded is None:
        removed, _ = Exemplar.objects.filter(
            response=response, source__in=[Exemplar.Source.OVERRIDE, Exemplar.Source.QUEUE]
        ).delete()
        if removed and relearn:
            enqueue_relearn(question_id=question.pk)
        return
    if response.answer_text.strip():
        record_exemplar(
            question=question,
            answer_text=response.answer_text,
            credited=awarded,
            source=Exemplar.Source.QUEUE if response.needs_tutor else Exemplar.Source.OVERRIDE,
            marked_by=tutor,
            response=response,
            relearn=False,
        )
        if relearn:
            enqueue_relearn(question_id=question.pk)


def exemplar_key(answer_text: str) -> str:
    """One key per distinct answer (case and spacing ignored): the same words marked again
    replace the earlier mark instead of adding a second exemplar."""
    normalised = " ".join((answer_text or "").lower().split())
    return hashlib.sha256(normalised.encode()).hexdigest()


def record_exemplar(
    *,
    question: Question,
    answer_text: str,
    credited: bool,
    source: str,
    marked_by=None,
    response: Response | None = None,
    relearn: bool = True,
) -> tuple[Exemplar, bool]:
    """Make ``answer_text`` a marked exemplar of ``question`` (or update the one with the same
    words) and relearn the question at once (unless ``relearn=False``: the caller relearns it
    after a batch). Returns ``(exemplar, created)``."""
    with transaction.atomic():
        exemplar, created = Exemplar.objects.update_or_create(
            question=question,
            answer_key=exemplar_key(answer_text),
            defaults={
                "answer_text": answer_text,
                "credited": credited,
                "source": source,
                "marked_by": marked_by,
                "response": response,
            },
        )
        if relearn:
            relearn_question(question=question)
    return exemplar, created


@dataclass
class MarkedAnswersReport:
    """What ``import_marked_answers`` did: counts, and each refused row's line and reason."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    questions: int = 0

    @property
    def summary(self) -> str:
        """One line for people: what was imported and what was refused."""
        return (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"refused {len(self.errors)}; {self.questions} question(s) relearned"
        )


def import_marked_answers(*, rows, marked_by=None) -> MarkedAnswersReport:
    """Import tutor- or examiner-marked answers (``source``, ``point``, ``answer``, ``credit``
    rows, as ``mark_answers`` reads them) as exemplars, and relearn each question touched.

    A bad row is reported with its line in the file (the header is line 1) and the others are
    imported, all in one transaction. Idempotent: importing the same file again changes
    nothing; a row with the same answer and a different credit updates that exemplar.
    """
    report = MarkedAnswersReport()
    touched: dict[int, Question] = {}
    with transaction.atomic():
        for outcome, question, _specs in resolve_rows(rows):
            line = outcome.row + 1
            problem = outcome.error or _unusable_as_exemplar(outcome, question)
            if problem:
                report.errors.append(f"line {line}: {problem}")
                continue
            key = exemplar_key(outcome.answer)
            current = question.exemplars.filter(answer_key=key).first()
            if current is not None and current.credited == outcome.credit:
                report.unchanged += 1
                continue
            Exemplar.objects.update_or_create(
                question=question,
                answer_key=key,
                defaults={
                    "answer_text": outcome.answer,
                    "credited": outcome.credit,
                    "source": Exemplar.Source.IMPORT,
                    "marked_by": marked_by,
                    "response": None,
                },
            )
            report.created += current is None
            report.updated += current is not None
            touched[question.pk] = question
        for question in touched.values():
            relearn_question(question=question)
    report.questions = len(touched)
    return report


def _unusable_as_exemplar(outcome, question: Question | None) -> str:
    if outcome.credit is None:
        return "credit is empty: an exemplar needs 0 or 1"
    if not outcome.answer.strip():
        return "answer is empty"
    if len(outcome.answer) > ANSWER_MAX_CHARS:
        return f"answer is {len(outcome.answer):,} characters; the limit is {ANSWER_MAX_CHARS:,}"
    if question is not None and not question.auto_markable:
        return "the point is marked by a tutor every time: there is no rule to teach"
    return ""


def below_agreement_threshold(learning: Learning) -> bool:
    """Whether tutors' own marks say this question's automatic marks cannot be trusted yet:
    leave-one-out kappa under ``MARKER_AGREEMENT_THRESHOLD`` over at least
    ``MARKER_AGREEMENT_MIN_EXEMPLARS`` exemplars. Such a question sends every answer to the
    review queue until agreement recovers."""
    return (
        learning.agreement_n >= settings.MARKER_AGREEMENT_MIN_EXEMPLARS
        and learning.agreement_kappa < settings.MARKER_AGREEMENT_THRESHOLD
    )


def agreement_sentence(learning: Learning) -> str:
    """How far the question's automatic marks agree with its tutors', for people."""
    sentence = (
        f"Agrees with tutors' marks on {learning.agreement_accuracy:.0%} of "
        f"{learning.agreement_n} exemplars (kappa {learning.agreement_kappa:.2f}, each marked "
        "by what the others taught)."
    )
    if below_agreement_threshold(learning):
        sentence += " Below the threshold: every new answer goes to the review queue."
    return sentence


def _learned_rules(learning: dict) -> dict:
    """What in a stored ``Learning`` changes marks: not the agreement figures."""
    return {k: v for k, v in (learning or {}).items() if k not in ("agreement", "exemplars")}


def relearn_question(
    *, question: Question, rubric_changed: bool = False, requested_by=None
) -> Learning:
    """Learn the question's rules afresh from its exemplars and store what was learned.

    When what was learned changes how answers are marked (or the caller says the rubric
    itself changed), the question's automatic marks are re-marked in the background
    (``remark_question``)."""
    with transaction.atomic():
        # One relearn of a question at a time (queued ones can run on two workers at once): a
        # later one waits here and then reads the exemplars the earlier one did not see, so the
        # last to write what was learned is the one that read the most.
        fresh = Question.objects.select_related("marking_point").prefetch_related("indicators")
        current = fresh.select_for_update(of=("self",)).get(pk=question.pk)
        exemplars = [
            ExemplarSpec(answer, credited)
            for answer, credited in question.exemplars.order_by("-updated_at", "-id").values_list(
                "answer_text", "credited"
            )[:EXEMPLARS_LEARNED_FROM]
        ]
        rubric = current.to_rubric()
        marker = get_marker()
        learning = Learning()
        if exemplars and getattr(marker, "learns_from_exemplars", False):
            learning = learn_from_exemplars(rubric, exemplars, marker, with_agreement=True)
        Question.objects.filter(pk=question.pk).update(learning=learning.to_dict())
        question.learning = learning.to_dict()
        if rubric_changed:
            remark_question(
                question=current, reason=RUBRIC_EDITED_REASON, requested_by=requested_by
            )
        elif _learned_rules(current.learning) != _learned_rules(question.learning):
            remark_question(question=current, reason=RELEARNED_REASON, requested_by=requested_by)
    return learning


RUBRIC_EDITED_REASON = "the rubric was edited"
RELEARNED_REASON = "what tutors' marks teach changed"
# Answers re-marked in one transaction: short locks, and progress the admin can watch move.
REMARK_BATCH = 200


def _remarkable(question_id: int, *, marked_before=None):
    """The question's automatically marked answers that no tutor has marked."""
    answers = Response.objects.filter(
        question_id=question_id,
        attempt__marked_at__isnull=False,
        marked_at__isnull=False,
        override_awarded__isnull=True,
    )
    if marked_before is not None:
        answers = answers.filter(marked_at__lt=marked_before)
    return answers


def remark_question(*, question: Question, reason: str, requested_by=None) -> RemarkRun | None:
    """Queue a background re-mark of the question's automatic marks that no tutor has marked
    (a tutor's mark is never overwritten; each re-marked answer keeps its earlier result).

    An unfinished earlier run of the question is superseded: the new one re-marks all it would
    have. Returns the run (its progress shows on the question's admin page), or ``None`` when
    there is nothing to re-mark."""
    total = _remarkable(question.pk).count()
    if not total:
        return None
    now = timezone.now()
    RemarkRun.objects.filter(
        question_id=question.pk, state__in=[RemarkRun.State.QUEUED, RemarkRun.State.RUNNING]
    ).update(state=RemarkRun.State.SUPERSEDED, finished_at=now)
    run = RemarkRun.objects.create(
        question_id=question.pk,
        reason=reason[:200],
        requested_by=requested_by,
        requested_at=now,
        total=total,
    )

    def queue_run() -> None:
        from assessments.tasks import run_remark as run_remark_task

        run_remark_task.delay(run.pk)

    transaction.on_commit(queue_run, robust=True)
    return run


def run_remark(*, run_id: int, batch_size: int = REMARK_BATCH) -> int:
    """Carry out a queued ``RemarkRun``: re-mark its answers a batch at a time, each batch in
    its own transaction, recording progress after each. Idempotent: answers marked since the
    run was asked for are skipped, so a redelivered task carries on where the last one stopped.
    Stops when a later run supersedes this one. Returns how many answers it re-marked."""
    run = RemarkRun.objects.filter(pk=run_id).first()
    if run is None or run.state in (RemarkRun.State.FINISHED, RemarkRun.State.SUPERSEDED):
        return 0
    pending = _remarkable(run.question_id, marked_before=run.requested_at).order_by("pk")
    remarked = 0
    after = 0
    while True:
        batch = list(pending.filter(pk__gt=after).values_list("pk", flat=True)[:batch_size])
        if not batch:
            break
        still_current = RemarkRun.objects.filter(
            pk=run.pk, state__in=[RemarkRun.State.QUEUED, RemarkRun.State.RUNNING]
        )
        remarked += remark_responses(
            responses=Response.objects.filter(pk__in=batch),
            reason=f"re-marked because {run.reason}",
            unless_marked_since=run.requested_at,
        )
        after = batch[-1]
        left = pending.count()
        if not still_current.update(
            state=RemarkRun.State.RUNNING, done=run.total - min(left, run.total)
        ):
            return remarked  # superseded while this batch ran
    RemarkRun.objects.filter(
        pk=run.pk, state__in=[RemarkRun.State.QUEUED, RemarkRun.State.RUNNING]
    ).update(state=RemarkRun.State.FINISHED, done=run.total, finished_at=timezone.now())
    return remarked


# --- trying a question (nothing saved) ---------------------------------------------------------


@dataclass(frozen=True)
class TrialMark:
    """How ``try_question`` would mark an answer: the marker's result as a learner's response
    would store it (``result`` is what the results page shows), with the rubric it was marked
    against described for an editor. Nothing of it is stored."""

    awarded: bool | None
    score: int
    max_score: int
    needs_tutor: bool
    result: dict
    rubric_lines: list[str]


def try_question(
    *,
    question: Question,
    answer_text: str | None = None,
    selected: int | Sequence[int] | None = None,
) -> TrialMark:
    """Mark ``answer_text`` (short answer) or the ``selected`` option position(s) (choice
    questions) exactly as a quiz would, and return the result without saving anything: no
    response, attempt, exemplar, mastery or summary row is written (Moodle's "test this
    question").

    The same path as quiz marking: an unsaved ``Response`` goes through ``_mark``, with the
    topic's misconceptions and what the question learned from tutors' marks. Raises
    ``QuizError`` for an answer over the length limit.
    """
    fresh = (
        Question.objects.select_related("marking_point", "topic")
        .prefetch_related("indicators")
        .get(pk=question.pk)
    )
    response = Response(question=fresh, position=1, answer_text="")
    if fresh.is_short_answer:
        response.answer_text = validate_answer_text(answer_text or "")
    elif isinstance(selected, int):
        response.selected_choice = selected
    elif selected is not None:
        response.selected_choices = sorted({int(p) for p in selected})
    misconceptions = _misconceptions_by_topic([fresh.topic_id]).get(fresh.topic_id, ())
    _mark(response, misconceptions, timezone.now())
    return TrialMark(
        awarded=response.awarded,
        score=response.score,
        max_score=response.max_score,
        needs_tutor=response.needs_tutor,
        result=response.result or {},
        rubric_lines=describe_rubric(fresh.to_rubric()).splitlines()
        if fresh.is_short_answer
        else [],
    )


def save_written_question(*, question: Question, options: Iterable = (), author=None) -> Question:
    """``save_question`` for the tutor's question pages, then the topic's revision cards
    follow: a new question becomes a flashcard for every learner revising the topic."""
    with transaction.atomic():
        save_question(question=question, options=options, author=author)
        sync_topic_cards(topic=question.topic)
    return question


def retire_question(*, question: Question, active: bool = False) -> Question:
    """Take a question out of new quizzes, assignments and revision (``active=False``), or bring
    it back (``active=True``). Never deleted: learners' answers to it keep pointing at it and
    keep their marks (and their cards' history); the change is in the question's history."""
    with transaction.atomic():
        question.is_active = active
        question.save(update_fields=["is_active", "updated_at"])
        sync_topic_cards(topic=question.topic)
    return question
