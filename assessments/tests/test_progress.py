import pytest
from django.urls import reverse

from assessments.models import Attempt
from assessments.selectors import learner_progress
from assessments.services import start_attempt, submit_attempt
from assessments.tests.factories import UserFactory
from topics.models import Topic

pytestmark = pytest.mark.django_db

CRM_ANSWER = (
    "Contact management keeps customer details, interaction tracking logs every call and "
    "email, and data analysis finds trends."
)


def test_progress_counts_the_latest_answer_per_marking_point(imported_seeds):
    learner = UserFactory()
    topic = Topic.objects.get(source_file__startswith="000")
    first = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic)
    submit_attempt(attempt=first, answers={1: CRM_ANSWER})

    rows, weak = learner_progress(learner)
    row = next(r for r in rows if r.topic == topic)
    assert (row.credited, row.answered, row.total, row.percent) == (1, 4, 4, 25)
    assert len([w for w in weak if w.point.topic == topic]) == 3

    second = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic)
    submit_attempt(attempt=second, answers={1: "I do not know."})

    rows, _ = learner_progress(learner)
    assert next(r for r in rows if r.topic == topic).credited == 0


def test_progress_page_shows_mastery_history_and_weak_points(client, imported_seeds):
    learner = UserFactory()
    topic = Topic.objects.get(source_file__startswith="000")
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic)
    submit_attempt(attempt=attempt, answers={1: CRM_ANSWER})
    client.force_login(learner)

    html = client.get(reverse("assessments:progress")).content.decode()

    assert "1 of 4" in html
    assert "25%" in html
    assert attempt.title in html
    assert "Practise my weak points" in html


def test_progress_page_for_a_new_learner_has_empty_states(client, imported_seeds):
    client.force_login(UserFactory())

    html = client.get(reverse("assessments:progress")).content.decode()

    assert "You have not taken a quiz yet" in html
    assert "not started" in html


def test_another_learners_answers_do_not_count(imported_seeds):
    learner, other = UserFactory(), UserFactory()
    topic = Topic.objects.get(source_file__startswith="000")
    attempt = start_attempt(learner=other, kind=Attempt.Kind.TOPIC, topic=topic)
    submit_attempt(attempt=attempt, answers={1: CRM_ANSWER})

    rows, weak = learner_progress(learner)

    assert all(r.credited == 0 and r.answered == 0 for r in rows)
    assert weak == []
