"""Scheduling goes through the fsrs package, with a fixed clock: no database needed."""

import datetime

from fsrs import Rating

from revision import scheduling
from revision.models import Card

T0 = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)


def fresh_card() -> Card:
    return Card(due=T0, state=Card.State.LEARNING, step=0)


def reviewed(ratings, *, every=datetime.timedelta(days=1)) -> Card:
    card = fresh_card()
    at = T0
    for rating in ratings:
        scheduling.review(card, rating, at)
        at = max(at + every, card.due)
    return card


def test_a_card_rated_good_comes_back_later_than_one_rated_again():
    good = reviewed([Rating.Good, Rating.Good, Rating.Good])
    again = reviewed([Rating.Good, Rating.Good, Rating.Again])

    assert good.due > again.due
    assert good.state == Card.State.REVIEW
    assert again.state == Card.State.RELEARNING
    assert good.reps == again.reps == 3


def test_easy_comes_back_later_than_good_and_good_later_than_hard():
    dues = [
        reviewed([Rating.Good, rating]).due for rating in (Rating.Hard, Rating.Good, Rating.Easy)
    ]

    assert dues[0] < dues[1] < dues[2]


def test_replaying_the_reviews_gives_the_stored_state_exactly():
    ratings = [Rating.Good, Rating.Again, Rating.Good, Rating.Easy, Rating.Hard]
    card = fresh_card()
    history = []
    at = T0
    for rating in ratings:
        scheduling.review(card, rating, at)
        history.append((at, int(rating)))
        at = card.due + datetime.timedelta(hours=3)

    replayed = scheduling.replay(reversed(history), created=T0)

    assert (replayed.due, replayed.stability, replayed.difficulty, replayed.state) == (
        card.due,
        card.stability,
        card.difficulty,
        card.state,
    )
    assert replayed.reps == 5


def test_a_card_without_reviews_replays_to_new_and_due_when_made():
    replayed = scheduling.replay([], created=T0)

    assert replayed.last_review is None
    assert replayed.due == T0
    assert replayed.reps == 0


def test_quiz_rating_mapping():
    rate = scheduling.quiz_rating
    assert rate(short_answer=True, answered=True, credited=True) == Rating.Good
    assert rate(short_answer=True, answered=True, credited=False) == Rating.Again
    assert rate(short_answer=False, answered=True, credited=True) == Rating.Hard
    assert rate(short_answer=False, answered=True, credited=False) == Rating.Again
    assert rate(short_answer=True, answered=False, credited=False) is None
