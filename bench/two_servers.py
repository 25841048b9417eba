"""Two app servers, two marking workers, one PostgreSQL (and one Redis when CACHE_URL is set):
nothing is local.

Starts two gunicorn instances on different ports with production settings against the same
database, and two marking workers on the shared broker (the database queue, or
CELERY_BROKER_URL when set), then walks one learner through a quiz hopping between them: log in
on A, carry on on B with the same session, start a quiz on A, answer on B, submit on A, read
the results on B once a worker has marked them (the "Marking your answers…" page until then),
log out on B and be logged out on A too. Also checks that a login lockout counted on A holds on
B. Exits 1 on the first failure. About 20 seconds.

    python bench/two_servers.py [--keep-db] [--database NAME]   (make bench-two-servers)
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_workers import start_worker, stop_worker  # noqa: E402
from httpclient import Client  # noqa: E402
from run import HOST, PY, django_env, free_port, psql, recreate_database, start_gunicorn, stop  # noqa: E402

DB = "revision_portal_two_servers"
PASSWORD = "two-servers-password-not-secret-7"  # noqa: S105 - throwaway account

SETUP = f"""
from accounts.services import register_learner
register_learner(username="hopper", email="hopper@example.invalid", password="{PASSWORD}")
register_learner(username="victim", email="victim@example.invalid", password="{PASSWORD}")
"""


def check(condition: bool, message: str) -> None:
    if not condition:
        print(f"FAIL: {message}")
        raise SystemExit(1)
    print(f"ok: {message}")


def wait_for_marks(client: Client, attempt: int, timeout: float = 30) -> tuple:
    """The results page, reloaded as its meta refresh would, until it shows the marks."""
    started = time.perf_counter()
    seen_waiting = False
    while True:
        page = client.get(f"/attempts/{attempt}/results/")
        waiting = "Marking your answers" in page.body
        if waiting and not seen_waiting:
            seen_waiting = True
            check(
                '<meta http-equiv="refresh" content="2">' in page.body,
                "before the marks exist, the results page says it is marking and refreshes",
            )
        if page.status != 200 or not waiting or time.perf_counter() - started > timeout:
            check(not waiting, f"marked within {timeout:.0f} s")
            return page, time.perf_counter() - started
        time.sleep(0.25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--database", default=DB, help=f"PostgreSQL database (default {DB})")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    database = args.database
    recreate_database(database)
    env = django_env(database, BENCH_BASELINE="1")
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["import_seeds", "seeds"],
        ["shell", "-c", SETUP],
        ["collectstatic", "--noinput", "-v0"],
    ):
        subprocess.run(
            [PY, "manage.py", *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
        )
    logs = Path(tempfile.mkdtemp(prefix="two-servers-"))
    servers, workers = [], []
    try:
        port_a, port_b = free_port(), free_port()
        servers.append(start_gunicorn(env, port_a, 1, logs / "a.log"))
        servers.append(start_gunicorn(env, port_b, 1, logs / "b.log"))
        for name in ("wa", "wb"):
            workers.append(start_worker(env, logs / f"{name}.log", name=name))
        cache = "Redis at " + env["CACHE_URL"] if env.get("CACHE_URL") else "no shared cache"
        broker = env.get("CELERY_BROKER_URL", "").split("://")[0] or "the database"
        print(f"server A :{port_a}, server B :{port_b}, database {database}, {cache}")
        print(f"two marking workers on {broker} (logs in {logs})")

        a = Client(HOST, port_a)
        a.login("hopper", PASSWORD)
        check(True, "logged in on A")
        b = Client(HOST, port_b, cookies=a.cookies)  # the same browser, the other server
        reply = b.get("/progress/")
        check(reply.status == 200 and "hopper" in reply.body, "B knows the session made on A")

        slug = re.search(r'href="/topics/([\w-]+)/"', a.get("/").body).group(1)
        attempt = a.start_topic_quiz(slug)
        check(True, f"quiz {attempt} started on A")
        question = f"/attempts/{attempt}/questions/1/"
        token = b.token_from(question)
        reply = b.post(
            question,
            {
                "csrfmiddlewaretoken": token,
                "answer": "Loyal customers come back and recommend us, which increases sales.",
                "action": "next",
            },
        )
        check(reply.status == 302, "answered question 1 on B (CSRF token from B's page)")
        page = a.get(question)
        check("Loyal customers come back" in page.body, "A shows the answer saved on B")
        token = a.token_from(f"/attempts/{attempt}/review/")
        reply = a.post(f"/attempts/{attempt}/submit/", {"csrfmiddlewaretoken": token})
        check(reply.status == 302 and "/results/" in reply.location, "submitted on A")
        results, waited = wait_for_marks(b, attempt)
        check(
            results.status == 200
            and "Loyal customers come back" in re.sub(r"<[^>]+>", "", results.body),
            f"B shows the results once a worker has marked them ({waited:.1f} s after submit)",
        )
        status = a.get(f"/attempts/{attempt}/status/")
        check(status.status == 200 and '"marked": true' in status.body, "A's status says marked")
        again = b.post(f"/attempts/{attempt}/submit/", {"csrfmiddlewaretoken": token})
        check(again.status == 302, "a second submit on B is harmless (already submitted)")

        token = b.token_from("/progress/")
        b.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
        reply = a.get("/progress/")
        check(reply.status == 302 and "/accounts/login/" in reply.location, "logged out on both")

        # The lockout is counted in the database: failures on A lock the account on B too.
        attacker_a, attacker_b = Client(HOST, port_a), Client(HOST, port_b)
        for _ in range(5):
            token = attacker_a.token_from("/accounts/login/")
            attacker_a.post(
                "/accounts/login/",
                {"csrfmiddlewaretoken": token, "username": "victim", "password": "wrong"},
            )
        token = attacker_b.token_from("/accounts/login/")
        reply = attacker_b.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": "victim", "password": PASSWORD},
        )
        check(
            reply.status != 302 and "Too many failed logins" in reply.body,
            "5 failures on A lock the login out on B",
        )
    finally:
        for server in servers:
            stop(server)
        for worker in workers:
            stop_worker(worker)
        if not args.keep_db:
            psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    print(f"two servers: all checks passed in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
