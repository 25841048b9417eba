"""Writes for revision: which topics a learner revises, their cards, and reviews.

Quiz marking (``assessments.services``) calls ``record_quiz_reviews`` and
``correct_quiz_reviews`` inside its own transactions; the flashcard page calls
``rate_card``; imports and admin edits reach ``sync_topic_cards`` through
``assessments.services.sync_question_bank``. Scheduling itself is the ``fsrs`` package
(``revision.scheduling``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from assessments.models import Question
from revision import scheduling
from revision.models import Card, ReviewLog, StudiedTopic
from topics.models import KeyConcept, MarkingPoint, Misconception, Topic
from topics.parsing import normalise_text

# Positions keep a topic's cards in page order: points, then concepts, then misconceptions,
# then the questions tutors wrote.
_CONCEPT_BASE = 1000
_MISCONCEPTION_BASE = 2000
_QUESTION_BASE = 3000


class RevisionError(Exception):
    """A request the revision services refuse, with a message for the learner."""


def concept_key(term: str) -> str:
    """The content key of a key concept: the source key of its generated question."""
    return f"concept:{normalise_text(term)}"[:255]


def misconception_key(statement: str) -> str:
    return f"misconception:{normalise_text(statement)}"[:255]


def point_key(point_id: int) -> str:
    return f"point:{point_id}"


def question_key(question_id: int) -> str:
    """The content key of a question a person wrote (or imported): its own card."""
    return f"question:{question_id}"


@dataclass(frozen=True)
class CardSpec:
    topic_id: int
    kind: str
    content_key: str
    position: int
    marking_point_id: int | None = None


def card_specs(topic_ids: Iterable[int]) -> list[CardSpec]:
    """Every card the current content of these topics makes (four queries)."""
    topic_ids = list(topic_ids)
    specs: list[CardSpec] = []
    seen: set[tuple] = set()

    def add(spec: CardSpec) -> None:
        identity = (spec.topic_id, spec.kind, spec.content_key)
        if identity not in seen and spec.content_key.split(":", 1)[1]:
            seen.add(identity)
            specs.append(spec)

    for point in MarkingPoint.objects.active().filter(topic_id__in=topic_ids):
        add(
            CardSpec(point.topic_id, Card.Kind.POINT, point_key(point.pk), point.position, point.pk)
        )
    for concept in KeyConcept.objects.filter(topic_id__in=topic_ids).exclude(explanation=""):
        key = concept_key(concept.term)
        position = _CONCEPT_BASE + 2 * concept.position
        add(CardSpec(concept.topic_id, Card.Kind.TERM, key, position))
        add(CardSpec(concept.topic_id, Card.Kind.DEFINITION, key, position + 1))
    for item in Misconception.objects.filter(topic_id__in=topic_ids):
        key = misconception_key(item.statement)
        add(
            CardSpec(
                item.topic_id, Card.Kind.MISCONCEPTION, key, _MISCONCEPTION_BASE + item.position
            )
        )
    for question_id, topic_id, position in _written_questions(topic_ids):
        add(
            CardSpec(
                topic_id, Card.Kind.QUESTION, question_key(question_id), _QUESTION_BASE + position
            )
        )
    return specs


def _written_questions(topic_ids: list[int]):
    """(id, topic id, position) of the active questions people wrote or imported in these
    topics: each is a card of its own (generated ones are the points, concepts and
    misconceptions above)."""
    return (
        Question.objects.active()
        .filter(topic_id__in=topic_ids)
        .exclude(origin=Question.Origin.GENERATED)
        .values_list("pk", "topic_id", "position")
    )


def _create_cards(learner_ids: Iterable[int], specs: list[CardSpec], now) -> None:
    Card.objects.bulk_create(
        [
            Card(
                learner_id=learner_id,
                topic_id=spec.topic_id,
                kind=spec.kind,
                content_key=spec.content_key,
                marking_point_id=spec.marking_point_id,
                position=spec.position,
                due=now,
                created_at=now,
            )
            for learner_id in learner_ids
            for spec in specs
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )


def study_topics(*, learner, topics: Iterable[Topic], source: str = StudiedTopic.Source.CHOSEN):
    """The learner revises these topics from now on: their cards are made (new, due now).

    Idempotent: topics already studied are left alone. Returns how many topics were added.
    """
    return _study_topic_ids(learner.pk, {t.pk for t in topics}, source=source)


def _study_topic_ids(learner_id: int, topic_ids: set[int], *, source: str) -> int:
    if not topic_ids:
        return 0
    with transaction.atomic():
        already = set(
            StudiedTopic.objects.filter(learner_id=learner_id, topic_id__in=topic_ids).values_list(
                "topic_id", flat=True
            )
        )
        new_ids = topic_ids - already
        if not new_ids:
            return 0
        StudiedTopic.objects.bulk_create(
            [StudiedTopic(learner_id=learner_id, topic_id=pk, source=source) for pk in new_ids],
            ignore_conflicts=True,
        )
        _create_cards([learner_id], card_specs(new_ids), timezone.now())
    return len(new_ids)


def sync_topic_cards(*, topic: Topic) -> None:
    """Bring every learner's cards of ``topic`` in line with its content. Idempotent.

    Cards whose content has gone (a retired marking point, a concept or misconception no
    longer in the topic) are retired, with their history kept; cards whose content came back
    are reinstated with their schedule; content new to the topic gets new cards for everyone
    who revises it. Called wherever the question bank is synced (imports, admin edits).
    """
    learner_ids = list(
        StudiedTopic.objects.filter(topic=topic).values_list("learner_id", flat=True)
    )
    if not learner_ids:
        return  # cards exist only for learners who revise the topic: nothing to do
    now = timezone.now()
    specs = card_specs([topic.pk])
    current = Q()
    for kind in Card.Kind.values:
        keys = [s.content_key for s in specs if s.kind == kind]
        if keys:
            current |= Q(kind=kind, content_key__in=keys)
    with transaction.atomic():
        cards = Card.objects.filter(topic=topic)
        if specs:
            cards.active().exclude(current).update(retired_at=now)
            cards.filter(retired_at__isnull=False).filter(current).update(retired_at=None)
            _create_cards(learner_ids, specs, now)
        else:
            cards.active().update(retired_at=now)


# --- quiz answers ------------------------------------------------------------------------------


def _card_key_for_question(question) -> tuple[str, str] | None:
    """(kind, content_key) of the card a question tests, or None."""
    if question.origin != Question.Origin.GENERATED:
        # Written or imported: the question is its own card.
        return Card.Kind.QUESTION, question_key(question.pk)
    if question.is_short_answer:
        if question.marking_point_id:
            return Card.Kind.POINT, point_key(question.marking_point_id)
        return None
    key = question.source_key or ""
    if key.startswith("concept:"):
        # "Which key concept does this explanation describe?": explanation → term.
        return Card.Kind.DEFINITION, key
    if key.startswith("misconception:"):
        return Card.Kind.MISCONCEPTION, key
    return None


def _rating_for(response) -> int | None:
    return scheduling.quiz_rating(
        short_answer=response.question.is_short_answer,
        answered=response.is_answered,
        credited=response.credited,
    )


def record_quiz_reviews(*, learner_id: int, responses: list, reviewed_at) -> int:
    """Marked quiz answers review the cards they test; call inside the marking transaction.

    ``responses`` have their ``question`` loaded. The topics answered become topics the learner
    revises (cards made for them). One review per answer and card, keyed by the response: a
    duplicate call reviews nothing again. Reviews are dated ``reviewed_at`` (when the learner
    submitted), so a queue that marks late still schedules from the moment of answering.
    Returns how many reviews were recorded.
    """
    wanted: dict[tuple[int, str, str], tuple] = {}
    for response in responses:
        key = _card_key_for_question(response.question)
        rating = _rating_for(response)
        if key is None or rating is None:
            continue
        wanted[(response.question.topic_id, *key)] = (response, rating)
    if not wanted:
        return 0
    _study_topic_ids(learner_id, {k[0] for k in wanted}, source=StudiedTopic.Source.QUIZ)
    lookup = Q()
    for topic_id, kind, content_key in wanted:
        lookup |= Q(topic_id=topic_id, kind=kind, content_key=content_key)
    cards = {
        (c.topic_id, c.kind, c.content_key): c
        for c in Card.objects.select_for_update()
        .filter(learner_id=learner_id)
        .active()
        .filter(lookup)
    }
    response_ids = [response.pk for response, _ in wanted.values()]
    done = set(
        ReviewLog.objects.filter(response_id__in=response_ids).values_list("card_id", "response_id")
    )
    logs, changed, replays = [], [], []
    for identity, (response, rating) in wanted.items():
        card = cards.get(identity)
        if card is None or (card.pk, response.pk) in done:
            continue
        logs.append(
            ReviewLog(
                card=card,
                learner_id=learner_id,
                rating=rating,
                reviewed_at=reviewed_at,
                source=ReviewLog.Source.QUIZ,
                response=response,
                was_new=card.last_review is None,
            )
        )
        if card.last_review is not None and card.last_review > reviewed_at:
            replays.append(card)  # a later review already exists: replay in time order
        else:
            scheduling.review(card, rating, reviewed_at)
            changed.append(card)
    ReviewLog.objects.bulk_create(logs)
    if changed:
        Card.objects.bulk_update(changed, [*scheduling.STATE_FIELDS, "reps"])
    for card in replays:
        _replay_card(card)
    return len(logs)


def correct_quiz_reviews(*, responses: Iterable) -> int:
    """After a re-mark or a tutor's override, quiz reviews follow the answer's new credit.

    The review's rating is corrected and the card's schedule replayed from its logs, so the
    card ends up as if the answer had been marked that way at the time. Returns how many
    reviews changed.
    """
    by_id = {r.pk: r for r in responses}
    if not by_id:
        return 0
    changed = 0
    logs = ReviewLog.objects.filter(response_id__in=by_id).select_related("card")
    for log in logs:
        response = by_id[log.response_id]
        rating = _rating_for(response)
        if rating is None or rating == log.rating:
            continue
        log.rating = rating
        log.save(update_fields=["rating"])
        _replay_card(log.card)
        changed += 1
    return changed


def _replay_card(card: Card) -> None:
    reviews = list(card.reviews.order_by("reviewed_at", "id").values_list("reviewed_at", "rating"))
    _apply_replay(card, reviews)
    card.save(update_fields=[*scheduling.STATE_FIELDS, "reps"])


def _apply_replay(card: Card, reviews: list) -> None:
    replayed = scheduling.replay(reviews, created=card.created_at)
    for name in (*scheduling.STATE_FIELDS, "reps"):
        setattr(card, name, getattr(replayed, name))


# --- flashcards --------------------------------------------------------------------------------


def new_cards_per_day() -> int:
    return max(0, settings.REVISION_NEW_CARDS_PER_DAY)


def rate_card(
    *, card: Card, learner, rating: int, token: int, duration_ms: int | None = None, now=None
) -> bool:
    """A learner's own rating of a flashcard (1 Again … 4 Easy).

    ``token`` is the card's review count when the card was shown: a second submit of the same
    view (double click, refresh, back button) finds the card moved on and reviews nothing.
    Returns whether the card was reviewed. Raises ``RevisionError`` for a bad rating or a card
    that is not the learner's or is retired.
    """
    if rating not in ReviewLog.Rating.values:
        raise RevisionError("Choose Again, Hard, Good or Easy.")
    now = now or timezone.now()
    with transaction.atomic():
        try:
            locked = Card.objects.select_for_update().for_learner(learner).active().get(pk=card.pk)
        except Card.DoesNotExist:
            raise RevisionError("That card is no longer in your revision.") from None
        if locked.reps != token:
            return False
        was_new = locked.last_review is None
        if locked.last_review is not None and locked.last_review > now:
            raise RevisionError("That card was reviewed later than this rating.")
        scheduling.review(locked, rating, now)
        locked.save(update_fields=[*scheduling.STATE_FIELDS, "reps"])
        ReviewLog.objects.create(
            card=locked,
            learner=learner,
            rating=rating,
            reviewed_at=now,
            source=ReviewLog.Source.FLASHCARD,
            duration_ms=duration_ms,
            was_new=was_new,
        )
    card.reps = locked.reps
    return True


# --- rebuild -----------------------------------------------------------------------------------


def rebuild_schedules(*, learner_ids: Iterable[int] | None = None, batch_size: int = 2000) -> int:
    """Recompute every card's FSRS state from its review logs alone. Returns cards rebuilt.

    What ``manage.py rebuild_schedules`` runs: after changing the scheduler's parameters, or to
    check that the stored state is what the logs say (the result is the same when nothing
    changed). Cards without reviews go back to new.
    """
    cards = Card.objects.order_by("pk")
    if learner_ids is not None:
        cards = cards.filter(learner_id__in=list(learner_ids))
    total = 0
    last_pk = 0
    while True:
        batch = list(cards.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            return total
        reviews: dict[int, list] = {c.pk: [] for c in batch}
        for card_id, at, rating in ReviewLog.objects.filter(card_id__in=reviews).values_list(
            "card_id", "reviewed_at", "rating"
        ):
            reviews[card_id].append((at, rating))
        for card in batch:
            _apply_replay(card, reviews[card.pk])
        with transaction.atomic():
            Card.objects.bulk_update(batch, [*scheduling.STATE_FIELDS, "reps"], batch_size=500)
        total += len(batch)
        last_pk = batch[-1].pk


def day_start(now: datetime.datetime) -> datetime.datetime:
    """Midnight today in the site's time zone (what "today" means for due cards and limits)."""
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)
