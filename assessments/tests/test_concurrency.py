"""Real concurrency on PostgreSQL: several threads, each with its own connection, committed
data (``transactional_db``), all released at once by a barrier.

* The same attempt submitted from several threads ends with exactly one submission and every
  answer kept (``submit_attempt`` locks the attempt row).
* A tutor's override racing the learner's resubmission of the same questions loses neither.
* Ten parallel "try again" POSTs make one new attempt (``retry_attempt`` locks the original).
"""

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from assessments.models import Attempt, OverrideRecord, PointMastery, Question
from assessments.services import (
    override_mark,
    retry_attempt,
    save_answers,
    start_attempt,
    submit_attempt,
)
from assessments.tests.factories import UserFactory
from revision_portal.testing import postgresql_only
from topics.models import Topic

pytestmark = [*postgresql_only, pytest.mark.django_db(transaction=True)]

THREADS = 4
ROUNDS = 3
ANSWER = (
    "A CRM system offers contact management to store customer details, interaction tracking "
    "to log every call and email, and data analysis to spot trends in buying behaviour."
)


def run_together(*calls: Callable[[], object]) -> list:
    """Run the calls in threads released together; return results (or raised exceptions)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported by the test
            results[index] = error
        finally:
            connections.close_all()  # this thread's connection

    threads = [threading.Thread(target=worker, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    errors = [result for result in results if isinstance(result, Exception)]
    assert errors == [], errors
    return results


@pytest.fixture
def topic(seed_bytes):
    from topics.services import import_seed_bytes

    import_seed_bytes(source_name="000_7ea13c0c7803a35f.txt", data=seed_bytes("000"))
    return Topic.objects.get()


def short_positions(attempt) -> list[int]:
    return list(
        attempt.responses.filter(question__kind=Question.Kind.SHORT_ANSWER)
        .order_by("position")
        .values_list("position", flat=True)
    )


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_same_attempt_submitted_from_several_threads_submits_once_keeping_every_answer(
    topic, round_
):
    learner = UserFactory(username=f"racer-{round_}")
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=round_)
    positions = short_positions(attempt)
    earlier = {position: f"{ANSWER} (saved {position})" for position in positions[1:]}
    save_answers(attempt=attempt, answers=earlier)
    final = {positions[0]: ANSWER}

    results = run_together(
        *[lambda: submit_attempt(attempt=attempt, answers=final) for _ in range(THREADS)]
    )

    assert sorted(submitted_now for _, submitted_now in results) == [False] * (THREADS - 1) + [True]
    assert Attempt.objects.filter(learner=learner).count() == 1
    attempt.refresh_from_db()
    assert attempt.is_submitted
    stored = dict(attempt.responses.values_list("position", "answer_text"))
    for position, text in {**earlier, **final}.items():
        assert stored[position] == text
    assert not attempt.responses.filter(marked_at__isnull=True).exists()
    # Mastery was recorded once per marking point, not once per thread.
    points = attempt.responses.filter(question__marking_point__isnull=False).values(
        "question__marking_point"
    )
    assert PointMastery.objects.filter(learner=learner).count() == points.distinct().count()


def test_double_post_of_the_all_on_one_page_form_from_several_threads(topic):
    learner = UserFactory(username="double-poster")
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=7)
    positions = short_positions(attempt)
    data = {"action": "submit", **{f"q{p}-answer": f"{ANSWER} #{p}" for p in positions}}
    url = reverse("assessments:all", args=[attempt.pk])

    def post():
        client = Client()
        client.force_login(learner)
        return client.post(url, data).status_code

    statuses = run_together(*[post for _ in range(THREADS)])

    assert statuses == [302] * THREADS
    assert Attempt.objects.filter(learner=learner).count() == 1
    attempt.refresh_from_db()
    assert attempt.is_submitted
    stored = dict(attempt.responses.values_list("position", "answer_text"))
    assert all(stored[p] == f"{ANSWER} #{p}" for p in positions)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_tutor_override_racing_the_learners_resubmission_loses_neither(topic, tutor, round_):
    learner = UserFactory(username=f"resubmitter-{round_}")
    first = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=round_)
    position = short_positions(first)[0]
    submit_attempt(attempt=first, answers={position: "no idea"})
    old_response = first.responses.get(position=position)
    point_id = old_response.question.marking_point_id
    second = retry_attempt(attempt=first)
    second_position = second.responses.get(question=old_response.question).position

    run_together(
        lambda: override_mark(
            response=old_response, tutor=tutor, awarded=True, comment="Right idea, said oddly."
        ),
        lambda: submit_attempt(attempt=second, answers={second_position: ANSWER}),
    )

    # The tutor's mark is kept, logged, on the answer it was given to.
    old_response.refresh_from_db()
    assert old_response.override_awarded is True
    assert old_response.override_comment == "Right idea, said oddly."
    record = OverrideRecord.objects.get(response=old_response)
    assert (record.tutor, record.previous_awarded, record.awarded) == (tutor, False, True)
    # The resubmission is kept, marked, and is the learner's latest word on the point.
    second.refresh_from_db()
    assert second.is_submitted
    new_response = second.responses.get(position=second_position)
    assert new_response.answer_text == ANSWER
    assert new_response.marked_at is not None
    mastery = PointMastery.objects.get(learner=learner, marking_point_id=point_id)
    assert mastery.response_id == new_response.pk
    assert mastery.credited == new_response.credited


def test_two_tutors_overriding_the_same_answer_are_both_logged(topic, tutor, other_tutor):
    learner = UserFactory(username="double-marked")
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=3)
    position = short_positions(attempt)[0]
    submit_attempt(attempt=attempt, answers={position: "no idea"})
    response = attempt.responses.get(position=position)

    run_together(
        lambda: override_mark(response=response, tutor=tutor, awarded=True, comment="yes"),
        lambda: override_mark(response=response, tutor=other_tutor, awarded=False, comment="no"),
    )

    records = list(OverrideRecord.objects.filter(response=response).order_by("id"))
    assert len(records) == 2
    # Serialised by the row lock: the second saw the first's mark as its "previous".
    assert records[1].previous_awarded == records[0].awarded
    response.refresh_from_db()
    assert response.override_awarded == records[1].awarded
    mastery = PointMastery.objects.get(response=response)
    assert mastery.credited == records[1].awarded


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_parallel_retry_posts_make_one_new_attempt(topic, round_):
    """Ten "try again" POSTs at once (issue 14 #13): the original's row lock lets one create
    the retry; the others find it and return it."""
    learner = UserFactory(username=f"retrier-{round_}")
    first = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=round_)
    submit_attempt(attempt=first)
    url = reverse("assessments:retry", args=[first.pk])

    def post():
        client = Client()
        client.force_login(learner)
        reply = client.post(url)
        return reply.status_code, reply["Location"]

    replies = run_together(*[post for _ in range(10)])

    retries = Attempt.objects.filter(learner=learner, retry_of=first)
    assert retries.count() == 1
    assert set(replies) == {(302, reverse("assessments:question", args=[retries.get().pk, 1]))}


def test_connection_is_per_thread():
    """Sanity check for the helper: threads do not share the test's connection."""
    main = id(connection.connection) if connection.connection else None

    (other,) = run_together(lambda: (connection.ensure_connection(), id(connection.connection)))

    assert other[1] != main
