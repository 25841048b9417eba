"""Two app servers, one PostgreSQL (and one Redis when CACHE_URL is set): nothing is local.

Starts two gunicorn instances on different ports with production settings against the same
database, then walks one learner through a quiz hopping between them: log in on A, carry on
on B with the same session, start a quiz on A, answer on B, submit on A, read the results on B,
log out on B and be logged out on A too. Also checks that a login lockout counted on A holds on
B. Exits 1 on the first failure. About 15 seconds.

    python bench/two_servers.py [--keep-db]          (make bench-two-servers)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    recreate_database(DB)
    env = django_env(DB, BENCH_BASELINE="1")
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
    servers = []
    try:
        port_a, port_b = free_port(), free_port()
        servers.append(start_gunicorn(env, port_a, 1, logs / "a.log"))
        servers.append(start_gunicorn(env, port_b, 1, logs / "b.log"))
        cache = "Redis at " + env["CACHE_URL"] if env.get("CACHE_URL") else "no shared cache"
        print(f"server A :{port_a}, server B :{port_b}, database {DB}, {cache}")

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
        results = b.get(f"/attempts/{attempt}/results/")
        check(
            results.status == 200
            and "Loyal customers come back" in re.sub(r"<[^>]+>", "", results.body),
            "B shows the marked results",
        )
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
        if not args.keep_db:
            psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    print(f"two servers: all checks passed in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
