"""Marking runs on the job queue: submitting saves and returns, a worker marks each attempt once.

Most tests run the queue eagerly (conftest.py's ``queued_tasks_run_at_once``); the ones marked
``real_on_commit`` see what submitting queues before anything runs it, and the last test starts
a real Celery worker process on the database transport (PostgreSQL only: the worker process
must reach the test database).
"""

import datetime
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from assessments import services, tasks
from assessments.models import Attempt, PointMastery, Response, ResultRevision
from assessments.services import mark_attempt, submit_attempt
from assessments.tasks import mark_attempt as mark_attempt_task
from assessments.tests.factories import (
    AttemptFactory,
    ChoiceQuestionFactory,
    IndicatorFactory,
    ShortAnswerQuestionFactory,
    UserFactory,
)
from revision_portal.celery import app
from revision_portal.testing import postgresql_only
from topics.tests.factories import TopicFactory

ROOT = Path(__file__).resolve().parents[2]
CREDITED_ANSWER = "Customers come back and make repeat purchases."


def make_attempt(learner, *, short_answers: int = 2) -> Attempt:
    """An unsubmitted topic attempt: ``short_answers`` short answers, then one choice."""
    topic = TopicFactory()
    attempt = AttemptFactory(learner=learner, topic=topic)
    position = 0
    for position in range(1, short_answers + 1):
        question = ShortAnswerQuestionFactory(topic=topic)
        IndicatorFactory(question=question)
        Response.objects.create(attempt=attempt, question=question, position=position)
    Response.objects.create(
        attempt=attempt, question=ChoiceQuestionFactory(topic=topic), position=position + 1
    )
    return attempt


def answers_for(attempt: Attempt) -> dict:
    """The first short answer credited, the others blank, the choice right."""
    return {1: CREDITED_ANSWER, attempt.responses.count(): 0}


def marks(attempt: Attempt) -> list[tuple]:
    """Everything marking writes, to compare before and after a second run."""
    rows = list(
        Response.objects.filter(attempt=attempt)
        .order_by("position")
        .values_list("awarded", "score", "result", "marked_at", "needs_tutor")
    )
    mastery = list(
        PointMastery.objects.filter(learner=attempt.learner)
        .order_by("marking_point_id")
        .values_list("marking_point_id", "response_id", "credited", "answered_at")
    )
    attempt.refresh_from_db()
    return [attempt.marked_at, rows, mastery]


def assert_marked_once(attempt: Attempt) -> None:
    attempt.refresh_from_db()
    assert attempt.marked_at is not None
    responses = list(attempt.responses.order_by("position"))
    assert all(r.marked_at == attempt.marked_at for r in responses)
    assert responses[0].awarded is True
    assert responses[1].awarded is False
    assert responses[-1].awarded is True  # the choice
    points = {r.question.marking_point_id for r in responses if r.question.marking_point_id}
    mastery = PointMastery.objects.filter(learner=attempt.learner)
    assert mastery.count() == len(points)
    assert set(mastery.values_list("marking_point_id", flat=True)) == points
    # Dated by when the learner answered, not when the worker marked.
    assert set(mastery.values_list("answered_at", flat=True)) == {attempt.submitted_at}
    assert not ResultRevision.objects.filter(response__attempt=attempt).exists()


# --- queued on commit, marked by the task ---------------------------------------------------


@pytest.mark.real_on_commit
@pytest.mark.django_db
def test_submit_saves_and_submits_then_queues_marking_for_after_the_commit(
    django_capture_on_commit_callbacks,
):
    attempt = make_attempt(UserFactory())

    with django_capture_on_commit_callbacks(execute=False) as queued:
        submitted, now = submit_attempt(attempt=attempt, answers=answers_for(attempt))

    assert now is True
    assert len(queued) == 1
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None
    assert attempt.marked_at is None
    first = attempt.responses.get(position=1)
    assert first.answer_text == CREDITED_ANSWER  # the answers are saved with the submission
    assert first.result is None and first.marked_at is None
    assert not PointMastery.objects.exists()

    queued[0]()  # the commit happened: the queue (eager here) runs mark_attempt

    assert_marked_once(attempt)


@pytest.mark.django_db
def test_submitting_through_the_page_shows_the_workers_marks(client):
    learner = UserFactory()
    attempt = make_attempt(learner)
    client.force_login(learner)
    client.post(
        reverse("assessments:question", args=[attempt.pk, 1]),
        {"answer": CREDITED_ANSWER, "action": "next"},
    )

    reply = client.post(reverse("assessments:submit", args=[attempt.pk]))

    assert reply.url == reverse("assessments:results", args=[attempt.pk])
    page = client.get(reply.url).content.decode()
    assert "Marking your answers" not in page
    assert "1 of 3 credited" in page
    attempt.refresh_from_db()
    assert attempt.marked_at is not None


@pytest.mark.real_on_commit
@pytest.mark.django_db
def test_results_page_before_marking_waits_refreshes_and_shows_no_marks(
    client, django_capture_on_commit_callbacks
):
    learner = UserFactory()
    attempt = make_attempt(learner)
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(
            reverse("assessments:all", args=[attempt.pk]),
            {"q1-answer": CREDITED_ANSWER, "q3-choice": "0", "action": "submit"},
        )
    assert len(queued) == 1
    url = reverse("assessments:results", args=[attempt.pk])

    waiting = client.get(url)

    html = waiting.content.decode()
    assert waiting.status_code == 200
    assert "Marking your answers…" in html
    assert '<meta http-equiv="refresh" content="2">' in html
    assert f'href="{url}">Check again</a>' in html
    assert 'src="/static/js/marking_status.js"' in html
    assert f'data-status-url="{reverse("assessments:status", args=[attempt.pk])}"' in html
    for half_marked in ("credited", "Credited", "Feedback", CREDITED_ANSWER):
        assert half_marked not in html

    queued[0]()
    marked = client.get(url).content.decode()

    assert "Marking your answers" not in marked
    assert 'http-equiv="refresh"' not in marked
    assert "2 of 3 credited" in marked


@pytest.mark.real_on_commit
@pytest.mark.django_db
def test_progress_history_says_marking_until_the_attempt_is_marked(
    client, django_capture_on_commit_callbacks
):
    learner = UserFactory()
    attempt = make_attempt(learner)
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        submit_attempt(attempt=attempt, answers=answers_for(attempt))

    assert "marking…" in client.get(reverse("assessments:progress")).content.decode()
    queued[0]()
    html = client.get(reverse("assessments:progress")).content.decode()
    assert "marking…" not in html
    assert "2 of 3 credited" in html


@pytest.mark.real_on_commit
@pytest.mark.django_db
def test_a_broker_that_is_down_leaves_the_submission_saved_and_waiting(
    monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from kombu.exceptions import OperationalError as BrokerError

    def broker_down(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(mark_attempt_task, "delay", broker_down)
    attempt = make_attempt(UserFactory())

    with django_capture_on_commit_callbacks(execute=True):
        submit_attempt(attempt=attempt, answers=answers_for(attempt))

    attempt.refresh_from_db()
    assert attempt.is_submitted and not attempt.is_marked
    assert "Connection refused" in caplog.text  # logged for the operator, not raised
    assert services.requeue_unmarked(older_than_seconds=0) == 1


# --- the status endpoint ---------------------------------------------------------------------


@pytest.mark.real_on_commit
@pytest.mark.django_db
def test_status_endpoint_reports_the_learners_own_attempt(
    client, django_capture_on_commit_callbacks
):
    learner = UserFactory()
    attempt = make_attempt(learner)
    client.force_login(learner)
    url = reverse("assessments:status", args=[attempt.pk])
    results_url = reverse("assessments:results", args=[attempt.pk])

    before = client.get(url)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        submit_attempt(attempt=attempt, answers=answers_for(attempt))
    waiting = client.get(url)
    queued[0]()
    marked = client.get(url)

    assert before.json() == {"submitted": False, "marked": False, "results_url": results_url}
    assert waiting.json() == {"submitted": True, "marked": False, "results_url": results_url}
    assert marked.json() == {"submitted": True, "marked": True, "results_url": results_url}
    assert {d.strip() for d in marked["Cache-Control"].split(",")} == {"no-store", "private"}


@pytest.mark.django_db
def test_status_endpoint_is_404_for_another_learner_and_asks_visitors_to_log_in(client):
    owner = UserFactory()
    attempt = make_attempt(owner)
    submit_attempt(attempt=attempt, answers=answers_for(attempt))
    url = reverse("assessments:status", args=[attempt.pk])

    anonymous = client.get(url)
    client.force_login(UserFactory())
    other = client.get(url)
    missing = client.get(reverse("assessments:status", args=[attempt.pk + 1000]))

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url
    assert other.status_code == 404
    assert missing.status_code == 404
    assert b"marked" not in other.content


@pytest.mark.real_on_commit
@pytest.mark.django_db
def test_another_learner_cannot_see_the_waiting_page_either(
    client, django_capture_on_commit_callbacks
):
    attempt = make_attempt(UserFactory())
    with django_capture_on_commit_callbacks(execute=False):
        submit_attempt(attempt=attempt, answers=answers_for(attempt))
    client.force_login(UserFactory())

    assert client.get(reverse("assessments:results", args=[attempt.pk])).status_code == 404


# --- once and only once ----------------------------------------------------------------------


@pytest.mark.real_on_commit
@pytest.mark.django_db
def test_a_crash_part_way_through_marking_rolls_everything_back(
    monkeypatch, django_capture_on_commit_callbacks
):
    attempt = make_attempt(UserFactory())
    with django_capture_on_commit_callbacks(execute=False):
        submit_attempt(attempt=attempt, answers=answers_for(attempt))

    def crash(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    # After every response is marked and stored, before mastery is recorded.
    with monkeypatch.context() as patch:
        patch.setattr(services, "_record_mastery", crash)
        with pytest.raises(OperationalError):
            mark_attempt(attempt_id=attempt.pk)

    attempt.refresh_from_db()
    assert attempt.marked_at is None
    assert not attempt.responses.filter(marked_at__isnull=False).exists()
    assert not attempt.responses.filter(result__isnull=False).exists()
    assert not PointMastery.objects.exists()

    assert mark_attempt(attempt_id=attempt.pk) is True
    assert_marked_once(attempt)


@pytest.mark.real_on_commit
@pytest.mark.django_db
def test_the_task_retries_a_database_error_and_marks_exactly_once(
    monkeypatch, django_capture_on_commit_callbacks
):
    attempt = make_attempt(UserFactory())
    with django_capture_on_commit_callbacks(execute=False) as queued:
        submit_attempt(attempt=attempt, answers=answers_for(attempt))
    real_record_mastery = services._record_mastery
    calls = []

    def crash_the_first_time(*args, **kwargs):
        calls.append(attempt.responses.filter(marked_at__isnull=False).count())
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_record_mastery(*args, **kwargs)

    monkeypatch.setattr(services, "_record_mastery", crash_the_first_time)
    # As in a worker, a retry is scheduled, not raised to the caller (the autouse
    # queued_tasks_run_at_once fixture puts the setting back).
    app.conf.CELERY_TASK_EAGER_PROPAGATES = False

    queued[0]()  # mark_attempt.delay: the first run crashes, the retry marks

    assert len(calls) == 2
    assert_marked_once(attempt)


@pytest.mark.django_db
def test_running_the_marking_task_twice_changes_nothing_the_second_time(
    django_assert_num_queries,
):
    attempt = make_attempt(UserFactory(), short_answers=3)
    submit_attempt(attempt=attempt, answers=answers_for(attempt))  # marked by the eager task
    before = marks(attempt)

    # One conditional UPDATE that finds the attempt already marked, and nothing else (the
    # other two are the savepoint the test's transaction turns the task's atomic block into).
    with django_assert_num_queries(3):
        again = mark_attempt_task.delay(attempt.pk).get()

    assert again is False
    assert marks(attempt) == before
    assert_marked_once(attempt)


@pytest.mark.django_db
def test_an_unsubmitted_or_missing_attempt_is_never_marked():
    attempt = make_attempt(UserFactory())

    assert mark_attempt(attempt_id=attempt.pk) is False
    assert mark_attempt(attempt_id=attempt.pk + 1000) is False
    attempt.refresh_from_db()
    assert attempt.marked_at is None
    assert not attempt.responses.filter(marked_at__isnull=False).exists()


@pytest.mark.django_db
def test_marking_a_learners_attempts_out_of_order_keeps_the_later_answer():
    learner = UserFactory()
    question = ShortAnswerQuestionFactory()
    IndicatorFactory(question=question)
    earlier, later = (AttemptFactory(learner=learner) for _ in range(2))
    for attempt, text in ((earlier, CREDITED_ANSWER), (later, "I am not sure.")):
        Response.objects.create(attempt=attempt, question=question, position=1, answer_text=text)
    with pytest.MonkeyPatch.context() as patch:
        # Both submitted; the queue hands the later one to a worker first.
        patch.setattr(services, "enqueue_marking", lambda **kwargs: None)
        submit_attempt(attempt=earlier)
        submit_attempt(attempt=later)

    mark_attempt(attempt_id=later.pk)
    mark_attempt(attempt_id=earlier.pk)

    mastery = PointMastery.objects.get(learner=learner)
    assert mastery.response.attempt_id == later.pk
    assert mastery.credited is False


@pytest.mark.django_db
def test_requeue_unmarked_queues_only_old_unmarked_attempts(monkeypatch):
    stuck, fresh, done = (make_attempt(UserFactory()) for _ in range(3))
    with monkeypatch.context() as patch:
        patch.setattr(services, "enqueue_marking", lambda **kwargs: None)  # messages lost
        for attempt in (stuck, fresh):
            submit_attempt(attempt=attempt, answers=answers_for(attempt))
    submit_attempt(attempt=done, answers=answers_for(done))
    Attempt.objects.filter(pk=stuck.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    assert services.requeue_unmarked(older_than_seconds=60) == 1

    for attempt, marked in ((stuck, True), (fresh, False), (done, True)):
        attempt.refresh_from_db()
        assert attempt.is_marked is marked


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("broker", "requeued"),
    [("sqla+sqlite:///celery-broker.sqlite3", 1), ("redis://127.0.0.1:6379/0", 0)],
)
def test_a_worker_starting_on_the_database_queue_requeues_stranded_attempts(
    monkeypatch, settings, broker, requeued
):
    """The database transport never returns a dead worker's messages, so a worker starting on
    it queues every unmarked attempt again (Redis and RabbitMQ redeliver by themselves)."""
    settings.CELERY_BROKER_URL = broker
    stranded, done = make_attempt(UserFactory()), make_attempt(UserFactory())
    with monkeypatch.context() as patch:
        patch.setattr(services, "enqueue_marking", lambda **kwargs: None)  # messages lost
        submit_attempt(attempt=stranded, answers=answers_for(stranded))
    submit_attempt(attempt=done, answers=answers_for(done))

    assert tasks.requeue_stranded_marking(sender=None) == requeued

    stranded.refresh_from_db()
    assert stranded.is_marked is bool(requeued)
    assert_marked_once(done)


# --- re-marks go through the queue too ----------------------------------------------------------


@pytest.mark.real_on_commit
@pytest.mark.django_db
def test_admin_remark_action_queues_a_task_that_remarks_once(
    admin_client, django_capture_on_commit_callbacks
):
    attempt = make_attempt(UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        submit_attempt(attempt=attempt, answers=answers_for(attempt))
    response = attempt.responses.get(position=2)  # blank: not credited
    question = response.question
    question.required_count = 0
    question.save(update_fields=["required_count"])

    with django_capture_on_commit_callbacks(execute=False) as queued:
        reply = admin_client.post(
            reverse("admin:assessments_response_changelist"),
            {"action": "remark_with_current_rubric", "_selected_action": [response.pk]},
            follow=True,
        )

    assert "Queued a re-mark of 1 response(s)" in reply.content.decode()
    assert len(queued) == 1
    assert not ResultRevision.objects.exists()  # nothing re-marked in the request

    queued[0]()
    queued[0]()  # the same message delivered again (its worker died before acknowledging)

    revision = ResultRevision.objects.get()
    assert revision.response_id == response.pk
    assert revision.reason.startswith("re-marked by")
    response.refresh_from_db()
    assert response.rubric_snapshot["required_count"] == 0


@pytest.mark.real_on_commit
@pytest.mark.django_db
def test_remark_skips_attempts_still_waiting_for_marking(django_capture_on_commit_callbacks):
    attempt = make_attempt(UserFactory())
    with django_capture_on_commit_callbacks(execute=False):
        submit_attempt(attempt=attempt, answers=answers_for(attempt))

    count = services.remark_responses(responses=attempt.responses.all(), reason="rubric fix")

    assert count == 0
    assert not ResultRevision.objects.exists()
    assert not attempt.responses.filter(marked_at__isnull=False).exists()


# --- a real worker process -----------------------------------------------------------------------


def _worker_env() -> dict:
    """The environment of a worker or ``manage.py`` process on the test database: DATABASE_URL,
    and through it the default broker (kombu's database transport), and no CELERY_* override
    but a short polling interval."""
    database = connection.settings_dict
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("CELERY_")},
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "CELERY_POLLING_INTERVAL": "0.1",
        "DEBUG": "1",
    }


def _start_worker(
    env: dict, log_path: Path, *, pool: str = "solo", purge: bool = True
) -> subprocess.Popen:
    """A worker like ``make worker``'s, once it is ready. ``--pool solo`` runs tasks in the
    process that holds the broker connection; ``prefork`` (``make worker``'s), in a child process
    of it. ``--purge`` drops messages an earlier run left."""
    worker = subprocess.Popen(  # noqa: S603 - a fixed command: this interpreter running celery
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "revision_portal",
            "worker",
            "--pool",
            pool,
            "--concurrency",
            "1",
            *(["--purge"] if purge else []),
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while "ready." not in log_path.read_text() and time.monotonic() < deadline:
        assert worker.poll() is None, log_path.read_text()[-3000:]
        time.sleep(0.2)
    assert "sqla+postgresql" in log_path.read_text()  # the default broker: no server
    return worker


def _stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)


def _manage(env: dict, *args: str) -> str:
    """Run ``manage.py`` in a process of its own, as an app server or cron would; its output."""
    return subprocess.run(  # noqa: S603 - this interpreter running manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout


def _wait_until_marked(attempt: Attempt, worker: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and worker.poll() is None:
        attempt.refresh_from_db()
        if attempt.is_marked:
            return
        time.sleep(0.2)
    raise AssertionError(f"not marked; worker log:\n{log_path.read_text()[-3000:]}")


SUBMIT = """
from assessments.models import Attempt
from assessments.services import submit_attempt
submit_attempt(attempt=Attempt.objects.get(pk={pk}), answers={answers!r})
"""


@pytest.mark.postgresql
@pytest.mark.skipif(*postgresql_only[1].args, **postgresql_only[1].kwargs)
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_the_database_transport_marks_a_submitted_attempt(tmp_path):
    """An app process submits, a worker process marks: two processes sharing the test
    database, and through it the default broker (kombu's database transport), as `make run`
    runs them. Nothing is set but DATABASE_URL."""
    env = _worker_env()
    attempt = make_attempt(UserFactory())
    log_path = tmp_path / "worker.log"
    worker = _start_worker(env, log_path)
    try:
        _manage(env, "shell", "-c", SUBMIT.format(pk=attempt.pk, answers=answers_for(attempt)))
        attempt.refresh_from_db()
        assert attempt.submitted_at is not None

        _wait_until_marked(attempt, worker, log_path)

        assert_marked_once(attempt)
        assert "assessments.mark_attempt" in log_path.read_text()
    finally:
        _stop_worker(worker)


def _backends_blocked_by(backend: int | None = None) -> list[tuple[int, str]]:
    """(pid, query) of every PostgreSQL backend waiting for a lock ``backend`` holds (by
    default, this test's connection)."""
    with connection.cursor() as cursor:
        # pg_stat_activity is read once per transaction and kept: read it afresh each time.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid, query FROM pg_stat_activity"
            " WHERE coalesce(%s, pg_backend_pid()) = ANY(pg_blocking_pids(pid))",
            [backend],
        )
        return cursor.fetchall()


def _wait_for_blocked(
    worker: subprocess.Popen, log_path: Path, backend: int | None = None
) -> tuple[int, str]:
    """(pid, query) of the one backend waiting for ``backend``'s lock, once there is one."""
    deadline = time.monotonic() + 60
    while not (blocked := _backends_blocked_by(backend)):
        assert worker.poll() is None, log_path.read_text()[-3000:]
        assert time.monotonic() < deadline, log_path.read_text()[-3000:]
        time.sleep(0.1)
    [(pid, query)] = blocked
    return pid, query


def _backend_is_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def _wait_until_gone(backend: int) -> None:
    """Wait for a backend to end (its client gone, its transaction rolled back)."""
    deadline = time.monotonic() + 30
    while _backend_is_alive(backend):
        assert time.monotonic() < deadline, f"backend {backend} is still there"
        time.sleep(0.1)


def _task_results(log_path: Path) -> list[str]:
    """What each ``mark_attempt`` run the worker logged returned."""
    return re.findall(
        r"mark_attempt\[[-0-9a-f]+\] succeeded in [0-9.]+s: (\w+)", log_path.read_text()
    )


def _broker_messages() -> list[bool]:
    """The ``visible`` flag of every row in kombu's message table (the database broker)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT visible FROM kombu_message ORDER BY id")
        return [visible for (visible,) in cursor.fetchall()]


@pytest.mark.postgresql
@pytest.mark.skipif(*postgresql_only[1].args, **postgresql_only[1].kwargs)
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_task_loses_nothing_and_the_attempt_is_marked_once(tmp_path):
    """A worker is SIGKILLed in the middle of marking an attempt; a second worker marks it, once.

    Mid-task without timing luck and without a hook in the code: the test holds the lock on
    the learner's user row (``SELECT … FOR UPDATE``). The task claims the attempt, writes every
    response's marks and the learner's mastery rows, then locks that same row to refresh the
    learner's topic summaries (``summaries._lock_learners``): it waits there, its transaction
    open and half written, until the test sees the wait (``pg_blocking_pids``) and kills the
    worker process (one process: ``--pool solo``, as when a machine dies).

    The killed transaction rolls back: nothing of it is left. The message is lost with the
    worker, though: kombu's database transport marks a message it hands out invisible and has
    no visibility timeout (unlike Redis), so only the worker's memory knew it was unacknowledged;
    a message is returned when a worker shuts down, or when a pool process dies under a live
    parent (the next test), never when the whole worker dies. What brings the attempt back is the
    app's own state: a worker starting on the database queue queues every attempt still unmarked
    (``tasks.requeue_stranded_marking``), and the second worker marks it exactly once
    (docs/queue.md, "Failure behaviour").
    """
    env = _worker_env()
    attempt = make_attempt(UserFactory())
    first_log, second_log = tmp_path / "first-worker.log", tmp_path / "second-worker.log"
    first = _start_worker(env, first_log)
    second = None
    try:
        with transaction.atomic():
            get_user_model().objects.select_for_update().get(pk=attempt.learner_id)
            _manage(env, "shell", "-c", SUBMIT.format(pk=attempt.pk, answers=answers_for(attempt)))

            task_backend, query = _wait_for_blocked(first, first_log)
            # The summary refresh's learner lock: claimed, marked, mastery written, uncommitted.
            assert query.startswith('SELECT "auth_user"."id"') and query.endswith("FOR UPDATE")

            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=20)

            # The message went with the worker: handed out (invisible), never acknowledged.
            assert _broker_messages() == [False]
        # The lock released, the killed worker's backend finds its client gone and rolls back.
        _wait_until_gone(task_backend)
        attempt.refresh_from_db()
        assert attempt.submitted_at is not None and attempt.marked_at is None
        assert not attempt.responses.filter(marked_at__isnull=False).exists()
        assert not attempt.responses.filter(result__isnull=False).exists()
        assert not PointMastery.objects.exists()

        # A restart: the queue as it is. Starting, the worker queues the attempt again
        # (tasks.requeue_stranded_marking); no cron job, no command.
        second = _start_worker(env, second_log, purge=False)

        _wait_until_marked(attempt, second, second_log)
        assert_marked_once(attempt)
        assert "Queued marking again for 1 unmarked attempt(s) at start-up." in (
            second_log.read_text()
        )
        assert "succeeded" not in first_log.read_text()
        assert _task_results(second_log) == ["True"]  # one run, and it marked
    finally:
        _stop_worker(first)
        if second is not None:
            _stop_worker(second)


def _pool_children(worker: subprocess.Popen) -> list[int]:
    """The process ids of a prefork worker's pool processes (its children)."""
    tasks = Path(f"/proc/{worker.pid}/task")
    return [int(pid) for task in tasks.iterdir() for pid in (task / "children").read_text().split()]


@pytest.mark.postgresql
@pytest.mark.skipif(*postgresql_only[1].args, **postgresql_only[1].kwargs)
@pytest.mark.django_db(transaction=True)
def test_a_pool_process_killed_mid_task_has_its_message_redelivered_and_marks_once(tmp_path):
    """The pool process running the task is SIGKILLed mid-task (the out-of-memory killer's
    usual victim); the worker's parent process, which holds the broker connection, returns
    the message (``task_reject_on_worker_lost``), and the new pool process marks it, once.

    The task is held mid-task as in the test above, by the learner's row lock. The redelivered
    task then waits in its turn, on the attempt row the killed task claimed and had not yet
    committed; released, the killed task's backend rolls back and the new task marks. (The
    parent returns the message from a pool thread while its main thread polls the queue:
    without revision_portal/celery.py's one-thread-at-a-time channel this failed 4 runs in 18.)
    """
    env = _worker_env()
    attempt = make_attempt(UserFactory())
    log_path = tmp_path / "worker.log"
    worker = _start_worker(env, log_path, pool="prefork")
    try:
        with transaction.atomic():
            get_user_model().objects.select_for_update().get(pk=attempt.learner_id)
            _manage(env, "shell", "-c", SUBMIT.format(pk=attempt.pk, answers=answers_for(attempt)))
            killed_backend, _ = _wait_for_blocked(worker, log_path)
            [pool_process] = _pool_children(worker)

            os.kill(pool_process, signal.SIGKILL)

            # Redelivered by the transport, taken by a new pool process, waiting on the attempt.
            _, query = _wait_for_blocked(worker, log_path, backend=killed_backend)
            assert query.startswith('UPDATE "assessments_attempt" SET "marked_at"')
            assert pool_process not in _pool_children(worker)
        _wait_until_gone(killed_backend)

        _wait_until_marked(attempt, worker, log_path)
        assert_marked_once(attempt)
        log = log_path.read_text()
        assert "WorkerLostError" in log and "signal 9 (SIGKILL)" in log
        assert _task_results(log_path) == ["True"]
    finally:
        _stop_worker(worker)
