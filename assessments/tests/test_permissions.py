"""Every quiz page needs a login, and a learner only ever sees their own attempts."""

import pytest
from django.urls import reverse

from assessments.models import Attempt
from assessments.services import start_attempt, submit_attempt
from assessments.tests.factories import UserFactory
from topics.models import Topic

pytestmark = pytest.mark.django_db

ATTEMPT_PAGES = [
    ("assessments:question", "get", {"number": 1}),
    ("assessments:all", "get", {}),
    ("assessments:review", "get", {}),
    ("assessments:results", "get", {}),
    ("assessments:submit", "post", {}),
    ("assessments:retry", "post", {}),
]


@pytest.fixture
def owners_attempt(imported_seeds):
    owner = UserFactory(username="owner")
    topic = Topic.objects.get(source_file__startswith="000")
    return start_attempt(learner=owner, kind=Attempt.Kind.TOPIC, topic=topic)


@pytest.mark.parametrize(("name", "method", "extra"), ATTEMPT_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, owners_attempt, name, method, extra):
    url = reverse(name, kwargs={"pk": owners_attempt.pk, **extra})

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("name", "method", "extra"), ATTEMPT_PAGES)
def test_another_learners_attempt_is_not_found(client, owners_attempt, name, method, extra):
    client.force_login(UserFactory(username="someone-else"))
    url = reverse(name, kwargs={"pk": owners_attempt.pk, **extra})

    response = getattr(client, method)(url)

    assert response.status_code == 404
    owners_attempt.refresh_from_db()
    assert not owners_attempt.is_submitted
    assert Attempt.objects.count() == 1


def test_another_learners_submitted_results_are_not_found(client, owners_attempt):
    submit_attempt(attempt=owners_attempt)
    client.force_login(UserFactory(username="someone-else"))

    response = client.get(reverse("assessments:results", args=[owners_attempt.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["assessments:home", "assessments:progress"])
def test_learner_pages_need_a_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_start_needs_a_login_and_a_post(client, imported_seeds):
    assert client.post(reverse("assessments:start"), {"kind": "mixed"}).status_code == 302
    client.force_login(UserFactory())
    assert client.get(reverse("assessments:start")).status_code == 405


def test_question_number_out_of_range_is_not_found(client, owners_attempt):
    client.force_login(owners_attempt.learner)

    response = client.get(reverse("assessments:question", args=[owners_attempt.pk, 99]))

    assert response.status_code == 404


def test_unknown_quiz_kind_gets_a_message(client, imported_seeds):
    client.force_login(UserFactory())

    response = client.post(reverse("assessments:start"), {"kind": "bogus"}, follow=True)

    assert "Unknown kind of quiz" in response.content.decode()
