"""Review histories made by the fsrs scheduler itself, for demo data and the benchmark.

A simulated learner reviews each card whenever it falls due (within a few hours of it), from a
start date until a cut-off, rating it Again with the chance of forgetting and otherwise mostly
Good; every review goes through ``scheduling.review``, so the states are what real reviews on
those dates would give. A fixed random seed and a clock offset from "now" make it repeatable.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from revision import scheduling
from revision.models import Card, ReviewLog
from revision.services import study_topics


@dataclass
class SimulatedCard:
    state: int = Card.State.LEARNING
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    due: datetime.datetime | None = None
    last_review: datetime.datetime | None = None
    reps: int = 0
    pk: int | None = None
    reviews: list[tuple[datetime.datetime, int]] = field(default_factory=list)


def simulate(
    *, start: datetime.datetime, until: datetime.datetime, rng: random.Random, recall: float = 0.85
) -> SimulatedCard:
    """One card's history from ``start`` to ``until`` (reviews only while due before it)."""
    card = SimulatedCard(due=start)
    at = start
    while at <= until:
        roll = rng.random()
        if roll > recall:
            rating = 1
        elif roll > recall * 0.85:
            rating = 4
        elif roll > recall * 0.75:
            rating = 2
        else:
            rating = 3
        scheduling.review(card, rating, at)
        card.reviews.append((at, rating))
        gap = card.due - at
        # Learning steps are minutes: taken in the same sitting. Days: some hours after due.
        delay = (
            datetime.timedelta(0)
            if gap < datetime.timedelta(hours=1)
            else (datetime.timedelta(hours=rng.uniform(0, 14)))
        )
        at = card.due + delay
    return card


def give_review_history(
    *, learner, topics, days: int = 21, now=None, seed: int = 12, new_share: float = 0.2
) -> int:
    """Make ``learner`` revise ``topics`` with ``days`` of flashcard history behind them.

    Most cards start on one of the first days and are reviewed whenever due until an hour
    ago, so some are due now, more this week; ``new_share`` of them stay new. Idempotent: a
    learner who already has reviews is left alone. Returns how many reviews were made.
    """
    now = now or timezone.now()
    if ReviewLog.objects.filter(learner=learner).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    with transaction.atomic():
        study_topics(learner=learner, topics=topics)
        cards = list(Card.objects.for_learner(learner).active().order_by("topic_id", "position"))
        logs = []
        for card in cards:
            if rng.random() < new_share:
                continue
            start = now - datetime.timedelta(days=rng.uniform(days * 0.4, days), hours=0)
            simulated = simulate(start=start, until=now - datetime.timedelta(hours=1), rng=rng)
            for name in scheduling.STATE_FIELDS:
                setattr(card, name, getattr(simulated, name))
            card.reps = simulated.reps
            card.created_at = start
            for index, (at, rating) in enumerate(simulated.reviews):
                logs.append(
                    ReviewLog(
                        card=card,
                        learner=learner,
                        rating=rating,
                        reviewed_at=at,
                        source=ReviewLog.Source.FLASHCARD,
                        duration_ms=rng.randint(2500, 20000),
                        was_new=index == 0,
                    )
                )
        Card.objects.bulk_update(
            cards, [*scheduling.STATE_FIELDS, "reps", "created_at"], batch_size=500
        )
        ReviewLog.objects.bulk_create(logs, batch_size=1000)
    return len(logs)
