"""The Today page, the flashcard session and the rating POST run a fixed number of queries
however many cards and reviews the learner has (10 vs 400 cards, with review history; the Today
page 10 vs 1,000 cards on 5 vs 500 topics, issue 13's sizes)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.tests.factories import ShortAnswerQuestionFactory, UserFactory
from revision.models import Card, ReviewLog, StudiedTopic
from topics.tests.factories import KeyConceptFactory

pytestmark = pytest.mark.django_db

BUDGETS = {
    # session, user, card totals (one aggregate), studied topics, new cards met today, the
    # forecast (cards per day), the due cards listed (topic joined), the new cards listed
    # (not run when no new card is left today), the learner's assignments, groups (navigation).
    "today": 10,
    # session, user, the next due card (topic and point joined), the point's question, groups.
    "session": 5,
    # session, user, the card (404 check), savepoint, the card locked, its update, the log
    # insert, savepoint release.
    "rate": 8,
}


def learner_with_cards(size: int):
    """A learner revising ``size`` topics (a point card and a concept card each), with a week
    of reviews behind every card and some due now, some later, some new."""
    learner = UserFactory()
    now = timezone.now()
    cards, studied = [], []
    for n in range(size):
        question = ShortAnswerQuestionFactory(model_answer="A model answer.")
        KeyConceptFactory(topic=question.topic, term=f"Term {n}", explanation="Meaning.")
        studied.append(StudiedTopic(learner=learner, topic=question.topic, source="chosen"))
        reviewed = n % 3 != 2
        cards.append(
            Card(
                learner=learner,
                topic=question.topic,
                kind=Card.Kind.POINT,
                marking_point=question.marking_point,
                content_key=f"point:{question.marking_point_id}",
                state=Card.State.REVIEW if reviewed else Card.State.LEARNING,
                stability=3.0 if reviewed else None,
                difficulty=5.0 if reviewed else None,
                step=None if reviewed else 0,
                due=now + datetime.timedelta(days=n % 9 - 2),
                last_review=now - datetime.timedelta(days=3) if reviewed else None,
                reps=2 if reviewed else 0,
            )
        )
        cards.append(
            Card(
                learner=learner,
                topic=question.topic,
                kind=Card.Kind.TERM,
                content_key=f"concept:term {n}",
                position=1000,
                due=now,
            )
        )
    StudiedTopic.objects.bulk_create(studied)
    Card.objects.bulk_create(cards)
    ReviewLog.objects.bulk_create(
        ReviewLog(
            card=card,
            learner=learner,
            rating=3,
            reviewed_at=card.last_review - datetime.timedelta(days=days),
            source="flashcard",
        )
        for card in Card.objects.filter(learner=learner, last_review__isnull=False)
        for days in range(2)
    )
    return learner


@pytest.mark.parametrize("size", [5, 500])
def test_today_page_queries_do_not_grow_with_cards(client, django_assert_num_queries, size):
    learner = learner_with_cards(size)
    client.force_login(learner)

    with django_assert_num_queries(BUDGETS["today"]):
        response = client.get(reverse("revision:today"))

    assert response.status_code == 200
    assert response.context["summary"].total_cards == 2 * size


@pytest.mark.parametrize("size", [5, 200])
def test_flashcard_session_queries_do_not_grow_with_cards(client, django_assert_num_queries, size):
    learner = learner_with_cards(size)
    client.force_login(learner)

    with django_assert_num_queries(BUDGETS["session"]):
        response = client.get(reverse("revision:session"))

    assert response.context["card"].kind == Card.Kind.POINT
    assert response.context["face"].back == "A model answer."


@pytest.mark.parametrize("size", [5, 200])
def test_rating_post_queries_do_not_grow_with_cards(client, django_assert_num_queries, size):
    learner = learner_with_cards(size)
    client.force_login(learner)
    card = Card.objects.filter(learner=learner, last_review__isnull=False).first()

    with django_assert_num_queries(BUDGETS["rate"]):
        response = client.post(
            reverse("revision:rate", args=[card.pk]), {"rating": "3", "token": str(card.reps)}
        )

    assert response.status_code == 302
    card.refresh_from_db()
    assert card.reps == 3
