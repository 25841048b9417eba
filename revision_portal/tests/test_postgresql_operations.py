"""Operations on PostgreSQL: a killed database connection is survived, and a backup restores.

Requests here go through Django's real WSGI handler, not the test client: the test client
switches off ``close_old_connections`` for its requests, and that is where persistent
connections (``CONN_MAX_AGE``) are health-checked (``CONN_HEALTH_CHECKS``).
"""

import os
import shutil
import subprocess
import uuid
from io import BytesIO
from wsgiref.util import setup_testing_defaults

import psycopg2
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

from assessments.models import Attempt, OverrideRecord, Question
from assessments.services import override_mark, start_attempt, submit_attempt
from assessments.tests.factories import UserFactory
from revision_portal.testing import postgresql_only
from topics.models import MarkingPoint, Topic

pytestmark = [*postgresql_only, pytest.mark.django_db(transaction=True)]


def wsgi_get(path: str) -> tuple[int, bytes]:
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "wsgi.input": BytesIO()}
    setup_testing_defaults(environ)
    environ["HTTP_HOST"] = "localhost"
    status_holder = {}

    def start_response(status, headers, exc_info=None):
        status_holder["status"] = int(status.split()[0])

    body = b"".join(WSGIHandler()(environ, start_response))
    return status_holder["status"], body


def admin_connection(dbname: str = "postgres"):
    params = connection.settings_dict
    return psycopg2.connect(
        dbname=dbname,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
    )


@pytest.fixture
def persistent_connections():
    """Production's connection settings (tests may otherwise close connections per request)."""
    saved = {key: connection.settings_dict[key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    connection.settings_dict.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)
    connection.close()  # the next connection picks up the settings
    yield
    connection.settings_dict.update(saved)
    connection.close()


def test_next_request_succeeds_after_the_database_connection_is_killed(
    persistent_connections, seed_bytes
):
    from topics.services import import_seed_bytes

    import_seed_bytes(source_name="000_7ea13c0c7803a35f.txt", data=seed_bytes("000"))
    status, body = wsgi_get("/")
    assert status == 200
    assert connection.connection is not None, "CONN_MAX_AGE should keep the connection open"
    old_pid = connection.connection.get_backend_pid()

    with admin_connection() as killer, killer.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [old_pid])
        assert cursor.fetchone()[0] is True
    killer.close()

    status, body = wsgi_get("/")

    assert status == 200, body[:500]
    assert b"Customer Relationship" in body or b"topic" in body.lower()
    assert connection.connection.get_backend_pid() != old_pid


def test_without_health_checks_the_killed_connection_would_fail_the_request(
    persistent_connections,
):
    """The control: proves the test above exercises the health check, not luck."""
    connection.settings_dict["CONN_HEALTH_CHECKS"] = False
    assert wsgi_get("/")[0] == 200
    old_pid = connection.connection.get_backend_pid()
    killer = admin_connection()
    with killer.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [old_pid])
    killer.close()

    status, body = wsgi_get("/")

    # The failure is the friendly 503 page, not a stack trace, and the one after recovers.
    assert status == 503
    assert b"temporarily unavailable" in body
    assert wsgi_get("/")[0] == 200


TABLES = [
    ("topics_topic", Topic),
    ("topics_markingpoint", MarkingPoint),
    ("assessments_question", Question),
    ("assessments_attempt", Attempt),
    ("assessments_overriderecord", OverrideRecord),
    ("topics_historicaltopic", Topic.history.model),
]


@pytest.mark.skipif(
    not (shutil.which("pg_dump") and shutil.which("pg_restore")), reason="needs pg_dump"
)
def test_pg_dump_and_pg_restore_bring_back_topics_attempts_and_overrides(seed_bytes, tutor):
    from topics.services import import_seed_bytes

    import_seed_bytes(source_name="000_7ea13c0c7803a35f.txt", data=seed_bytes("000"))
    learner = UserFactory(username="backed-up")
    attempt = start_attempt(
        learner=learner, kind=Attempt.Kind.TOPIC, topic=Topic.objects.get(), seed=1
    )
    submit_attempt(attempt=attempt, answers={1: "contact management"})
    response = attempt.responses.get(position=1)
    override_mark(response=response, tutor=tutor, awarded=True, comment="kept after restore")
    expected = {table: model.objects.count() for table, model in TABLES}
    assert all(expected.values()), expected

    params = connection.settings_dict
    env = {**os.environ}
    if params["PASSWORD"]:
        env["PGPASSWORD"] = params["PASSWORD"]
    common = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if params[key]:
            common += [flag, str(params[key])]
    restored = f"{params['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    dump = f"/tmp/{restored}.dump"  # noqa: S108 - unique name, removed below

    try:
        subprocess.run(  # noqa: S603
            ["pg_dump", *common, "--format=custom", f"--file={dump}", params["NAME"]],  # noqa: S607
            check=True,
            env=env,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(  # noqa: S603
            ["createdb", *common, restored],  # noqa: S607
            check=True,
            env=env,
            capture_output=True,
            timeout=60,
        )
        subprocess.run(  # noqa: S603
            ["pg_restore", *common, "--no-owner", "--exit-on-error", f"--dbname={restored}", dump],  # noqa: S607
            check=True,
            env=env,
            capture_output=True,
            timeout=120,
        )
        check = admin_connection(restored)
        try:
            with check.cursor() as cursor:
                counts = {}
                for table, _ in TABLES:
                    cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
                    counts[table] = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT comment, awarded FROM assessments_overriderecord WHERE response_id = %s",
                    [response.pk],
                )
                override = cursor.fetchone()
                cursor.execute(
                    "SELECT answer_text FROM assessments_response WHERE id = %s", [response.pk]
                )
                answer = cursor.fetchone()
        finally:
            check.close()
    finally:
        subprocess.run(  # noqa: S603
            ["dropdb", *common, "--if-exists", restored],  # noqa: S607
            env=env,
            capture_output=True,
            timeout=60,
            check=False,
        )
        if os.path.exists(dump):
            os.remove(dump)

    assert counts == expected
    assert override == ("kept after restore", True)
    assert answer == ("contact management",)
