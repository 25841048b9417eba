"""Hostile and extreme learner answers: stored and shown safely, marked without error, and
oversized ones refused with a clear message (never a 500) whichever way they arrive."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from assessments.models import ANSWER_MAX_CHARS, Attempt, Question
from assessments.services import QuizError, save_answers, start_attempt, submit_attempt
from assessments.tests.factories import UserFactory
from topics.models import Topic

pytestmark = pytest.mark.django_db

HUGE = "x" * 100_000
LIMIT_MESSAGE = f"answers are limited to {ANSWER_MAX_CHARS:,} characters"
# The form's own max_length message prints the limit without a thousands separator.
FORM_LIMIT = re.compile(
    rf"answers are limited to ({ANSWER_MAX_CHARS:,}|{ANSWER_MAX_CHARS}) characters"
)
HOSTILE = {
    "empty": "",
    "emoji only": "😀🎉🔥🧑‍🤝‍🧑🏳️‍🌈" * 40,
    "html and script": '<script>alert("x")</script><img src=x onerror=alert(1)> contact management',
    "sql": "Robert'); DROP TABLE assessments_response; -- OR '1'='1",
    "control characters": "tab\tbell\x07escape\x1b[31mform\x0cfeed\u202eRTL\u200bzero",
    "at the limit": "customer " * (ANSWER_MAX_CHARS // 9),
    "template syntax": "{{ request.user.password }} {% debug %} ${7*7}",
}


@pytest.fixture
def learner():
    return UserFactory(username="hostile-learner")


@pytest.fixture
def topic(db, seed_bytes):
    from topics.services import import_seed_bytes

    import_seed_bytes(source_name="000_7ea13c0c7803a35f.txt", data=seed_bytes("000"))
    return Topic.objects.get()


@pytest.fixture
def attempt(learner, topic):
    return start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=1)


def short_answer_position(attempt) -> int:
    return (
        attempt.responses.filter(question__kind=Question.Kind.SHORT_ANSWER)
        .order_by("position")
        .values_list("position", flat=True)
        .first()
    )


@pytest.mark.parametrize("answer", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_answer_via_the_service_is_stored_marked_and_shown_escaped(
    client, learner, attempt, answer
):
    position = short_answer_position(attempt)

    submit_attempt(attempt=attempt, answers={position: answer})

    response = attempt.responses.get(position=position)
    assert response.answer_text == answer
    assert response.marked_at is not None
    assert response.result is not None
    client.force_login(learner)
    page = client.get(reverse("assessments:results", args=[attempt.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    if "<script>" in answer:
        assert "&lt;script&gt;" in html


@pytest.mark.parametrize("answer", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_answer_via_the_one_question_page(client, learner, attempt, answer):
    client.force_login(learner)
    position = short_answer_position(attempt)

    response = client.post(
        reverse("assessments:question", args=[attempt.pk, position]),
        {"answer": answer, "action": "review"},
    )

    assert response.status_code == 302
    assert attempt.responses.get(position=position).answer_text == answer
    assert client.post(reverse("assessments:submit", args=[attempt.pk])).status_code == 302
    attempt.refresh_from_db()
    assert attempt.is_submitted
    assert client.get(reverse("assessments:results", args=[attempt.pk])).status_code == 200


def test_null_character_is_a_form_error_not_a_crash(client, learner, attempt):
    client.force_login(learner)
    position = short_answer_position(attempt)

    response = client.post(
        reverse("assessments:question", args=[attempt.pk, position]), {"answer": "a\x00b"}
    )

    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()


def test_null_character_via_the_service_is_dropped_not_a_database_error(attempt):
    position = short_answer_position(attempt)

    submit_attempt(attempt=attempt, answers={position: "contact\x00 management"})

    assert attempt.responses.get(position=position).answer_text == "contact management"


def test_100000_characters_on_the_one_question_page_get_the_message(client, learner, attempt):
    client.force_login(learner)
    position = short_answer_position(attempt)

    response = client.post(
        reverse("assessments:question", args=[attempt.pk, position]), {"answer": HUGE}
    )

    assert response.status_code == 200
    assert FORM_LIMIT.search(response.content.decode())
    assert attempt.responses.get(position=position).answer_text == ""


def test_100000_characters_on_the_all_on_one_page_form_get_the_message(client, learner, attempt):
    client.force_login(learner)
    position = short_answer_position(attempt)

    response = client.post(
        reverse("assessments:all", args=[attempt.pk]),
        {"action": "submit", f"q{position}-answer": HUGE},
    )

    assert response.status_code == 200
    assert FORM_LIMIT.search(response.content.decode())
    attempt.refresh_from_db()
    assert not attempt.is_submitted
    assert attempt.responses.get(position=position).answer_text == ""


def test_100000_characters_via_submit_attempt_are_refused_and_nothing_is_written(attempt):
    position = short_answer_position(attempt)

    with pytest.raises(QuizError, match=LIMIT_MESSAGE):
        submit_attempt(attempt=attempt, answers={position: "fine", position + 1: HUGE})

    attempt.refresh_from_db()
    assert not attempt.is_submitted
    assert attempt.responses.get(position=position).answer_text == ""
    assert not attempt.responses.filter(marked_at__isnull=False).exists()


def test_100000_characters_via_save_answers_are_refused(attempt):
    position = short_answer_position(attempt)

    with pytest.raises(QuizError, match=LIMIT_MESSAGE):
        save_answers(attempt=attempt, answers={position: HUGE})

    assert attempt.responses.get(position=position).answer_text == ""


def test_a_body_over_the_form_data_limit_gets_the_400_page(settings, learner, attempt):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(learner)

    response = client.post(
        reverse("assessments:all", args=[attempt.pk]),
        {"action": "submit", "q1-answer": "y" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)},
    )

    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()
    attempt.refresh_from_db()
    assert not attempt.is_submitted
