"""The Today page, the flashcard session, rating, topic choice, export and the login landing."""

import csv
import io
import json

import pytest
from django.urls import reverse

from accounts.services import make_tutor
from assessments.services import sync_question_bank
from assessments.tests.factories import UserFactory
from revision import services
from revision.models import Card, ReviewLog
from topics.tests.factories import (
    KeyConceptFactory,
    MarkingPointFactory,
    MisconceptionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner(client):
    user = UserFactory(username="revising-rita")
    client.force_login(user)
    return user


@pytest.fixture
def topic():
    topic = TopicFactory(title="Handling complaints")
    KeyConceptFactory(topic=topic, term="Escalation", explanation="Passing a complaint upwards.")
    MisconceptionFactory(
        topic=topic,
        statement="Complaints are always negative.",
        correction="Complaints are valuable feedback.",
    )
    return topic


def test_today_without_cards_says_what_to_do(client, learner):
    page = client.get(reverse("revision:today")).content.decode()

    assert "You have no revision cards yet" in page
    assert reverse("revision:topics") in page
    assert "No assignments set for you at the moment." in page


def test_today_shows_due_cards_week_count_and_forecast(client, learner, topic):
    services.study_topics(learner=learner, topics=[topic])

    page = client.get(reverse("revision:today")).content.decode()

    assert 'id="due-now">3 cards' in page
    assert 'id="forecast-7"' in page and 'id="forecast-30"' in page
    assert "Revise now" in page


def test_today_names_a_marking_point_card_by_the_question_it_asks(client, learner, topic):
    MarkingPointFactory(
        topic=topic, text="Award credit for identifying two stages of a complaints procedure."
    )
    sync_question_bank(topic=topic)
    services.study_topics(learner=learner, topics=[topic])

    page = client.get(reverse("revision:today")).content.decode()

    assert "Identify two stages of a complaints procedure." in page
    assert "Award credit" not in page


def test_today_lists_the_learners_assignments_overdue_first(client, learner, topic):
    import datetime

    from django.utils import timezone

    from assessments.services import sync_question_bank
    from assignments.services import create_assignment
    from cohorts.services import add_member, create_cohort
    from topics.tests.factories import MarkingPointFactory

    MarkingPointFactory(topic=topic, text="Award credit for explaining escalation")
    sync_question_bank(topic=topic)
    tutor = UserFactory(username="tutor-tom")
    make_tutor(user=tutor)
    cohort = create_cohort(tutor=tutor, name="Evening class")
    add_member(cohort=cohort, learner=learner)
    now = timezone.now()
    for title, opens, due in [
        ("Due next week", now - datetime.timedelta(days=1), now + datetime.timedelta(days=7)),
        ("Overdue homework", now - datetime.timedelta(days=5), now - datetime.timedelta(days=1)),
    ]:
        create_assignment(
            cohort=cohort,
            tutor=tutor,
            title=title,
            opens_at=opens,
            due_at=due,
            question_count=1,
            topics=[topic],
        )

    page = client.get(reverse("revision:today")).content.decode()

    assert page.index("Overdue homework") < page.index("Due next week")


def test_flashcard_session_flip_and_rate_without_javascript(client, learner, topic):
    services.study_topics(learner=learner, topics=[topic])
    seen = []
    for _ in range(3):
        page = client.get(reverse("revision:session"))
        card = page.context["card"]
        assert "<details" in page.content.decode()
        seen.append(card.kind)
        response = client.post(
            reverse("revision:rate", args=[card.pk]), {"rating": "3", "token": card.reps}
        )
        assert response.status_code == 302
    assert sorted(seen) == ["definition", "misconception", "term"]
    assert ReviewLog.objects.filter(learner=learner).count() == 3
    # A repeated submit of the last card view reviews nothing.
    client.post(reverse("revision:rate", args=[card.pk]), {"rating": "3", "token": 0})
    assert ReviewLog.objects.filter(learner=learner).count() == 3
    page = client.get(reverse("revision:session")).content.decode()
    assert "You have cleared today's cards" in page


@pytest.mark.parametrize("data", [{}, {"rating": "x", "token": "0"}, {"rating": "9", "token": "0"}])
def test_bad_ratings_get_a_message_not_an_error(client, learner, topic, data):
    services.study_topics(learner=learner, topics=[topic])
    card = Card.objects.filter(learner=learner).first()

    response = client.post(reverse("revision:rate", args=[card.pk]), data, follow=True)

    assert response.status_code == 200
    assert "Again, Hard, Good or Easy" in response.content.decode()
    assert not ReviewLog.objects.exists()


def test_choosing_a_topic_adds_its_cards(client, learner, topic):
    page = client.get(reverse("revision:topics")).content.decode()
    assert "Handling complaints" in page

    client.post(reverse("revision:study", args=[topic.slug]))
    client.post(reverse("revision:study", args=[topic.slug]))

    assert Card.objects.filter(learner=learner).count() == 3
    assert "In your revision" in client.get(reverse("revision:topics")).content.decode()


def test_schedule_exports_only_the_learners_own_cards(client, learner, topic):
    services.study_topics(learner=learner, topics=[topic])
    services.study_topics(learner=UserFactory(), topics=[topic])
    card = Card.objects.filter(learner=learner).first()
    services.rate_card(card=card, learner=learner, rating=3, token=0)

    data = json.loads(b"".join(client.get(reverse("revision:export", args=["json"]))))
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    client.get(reverse("revision:export", args=["csv"])).streaming_content
                ).decode()
            )
        )
    )

    assert {c["card_id"] for c in data["cards"]} == set(
        Card.objects.filter(learner=learner).values_list("pk", flat=True)
    )
    reviewed = next(c for c in data["cards"] if c["card_id"] == card.pk)
    assert reviewed["reviews"][0]["rating_name"] == "Good"
    assert len(rows) == 1 + 3 and rows[0][0] == "card_id"
    assert client.get(reverse("revision:export", args=["xml"])).status_code == 404


def test_due_questions_start_a_marked_quiz_or_say_there_are_none(client, learner):
    response = client.post(reverse("revision:due_questions"), follow=True)
    assert "No exam questions are due right now" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "landing"),
    [("learner", "revision:today"), ("tutor", "cohorts:dashboard"), ("admin", "assessments:home")],
)
def test_signing_in_lands_learners_on_today_and_tutors_on_their_dashboard(client, role, landing):
    user = UserFactory(
        username=f"landing-{role}", is_staff=role == "admin", is_superuser=role == "admin"
    )
    if role == "tutor":
        make_tutor(user=user)

    response = client.post(
        reverse("login"),
        {"username": user.username, "password": "a-long-test-password"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse(landing)
