"""The bridge between our card rows and the ``fsrs`` package's scheduler (no ORM here).

The scheduler is FSRS-6 with its default parameters, 90 % desired retention and the default
learning steps (1 and 10 minutes) and relearning step (10 minutes). Fuzzing is off: the same
reviews always give the same schedule, so replaying a card's logs rebuilds its state exactly.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State

SCHEDULER = Scheduler(enable_fuzzing=False)

# Card state columns, in the order the models keep them.
STATE_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review")


def utc(moment: datetime.datetime) -> datetime.datetime:
    """fsrs refuses datetimes whose tzinfo is not ``datetime.timezone.utc`` itself."""
    if moment.tzinfo is None:
        raise ValueError("Reviews need timezone-aware datetimes.")
    return moment.astimezone(datetime.UTC)


def to_fsrs(card) -> FsrsCard:
    """An fsrs Card from anything with our state columns (a ``revision.models.Card``)."""
    return FsrsCard(
        card_id=card.pk or 1,
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=utc(card.due),
        last_review=utc(card.last_review) if card.last_review else None,
    )


def state_of(source: FsrsCard) -> dict:
    """An fsrs Card's state as our state columns (``STATE_FIELDS``) hold it."""
    return {
        "state": int(source.state),
        "step": source.step,
        "stability": source.stability,
        "difficulty": source.difficulty,
        "due": source.due,
        "last_review": source.last_review,
    }


def copy_state(source: FsrsCard, target) -> None:
    """Write an fsrs Card's state onto our card (not saved)."""
    for name, value in state_of(source).items():
        setattr(target, name, value)


def review(card, rating: int, at: datetime.datetime) -> None:
    """Review our card with ``rating`` (1–4) at ``at`` and store the new state on it."""
    updated, _log = SCHEDULER.review_card(to_fsrs(card), Rating(rating), review_datetime=utc(at))
    copy_state(updated, card)
    card.reps = (card.reps or 0) + 1


@dataclass(frozen=True)
class Replayed:
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime.datetime
    last_review: datetime.datetime | None
    reps: int


def replay(
    reviews: Iterable[tuple[datetime.datetime, int]], *, created: datetime.datetime
) -> Replayed:
    """A card's state from nothing but its reviews ``(when, rating)``, in time order.

    A card never reviewed is new: due when it was made. Used to rebuild schedules and when a
    quiz review is corrected (an override or re-mark changed the credit).
    """
    current = FsrsCard(card_id=1, due=utc(created))
    reps = 0
    for at, rating in sorted(reviews, key=lambda item: item[0]):
        current, _log = SCHEDULER.review_card(current, Rating(rating), review_datetime=utc(at))
        reps += 1
    return Replayed(**state_of(current), reps=reps)


def quiz_rating(*, short_answer: bool, answered: bool, credited: bool) -> int | None:
    """How a marked quiz answer rates the card it tests (docs/revision.md), or None: no review.

    - A blank answer is no evidence either way: the card is not reviewed (a quiz submitted
      half-way must not mark every remaining card forgotten).
    - Short answers: credited → Good; not credited → Again. Partial credit (some of the ideas
      a point needs, but not enough for the mark) is not credit: the examiner gives nothing,
      so the card comes back soon.
    - Multiple choice: right → Hard, wrong → Again. Picking the right one of four options is
      recognition, weaker evidence than recalling it, so the card comes back sooner than after
      a written answer; a wrong pick is a lapse.
    """
    if not answered:
        return None
    if not credited:
        return int(Rating.Again)
    return int(Rating.Good) if short_answer else int(Rating.Hard)
