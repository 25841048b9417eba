"""PostgreSQL restarted under load: requests fail cleanly, nothing is half-written, and the app
recovers by itself (no app restart).

By default everything is private and thrown away: a PostgreSQL cluster of its own (initdb in a
temporary folder, a free port), so the shared cluster and other people's test runs are never
touched. Then:

1. migrate, import seeds/, create learners; start gunicorn (2 workers, production settings:
   DEBUG off, CONN_MAX_AGE=600 with health checks) and a marking worker (Celery, on the
   database queue: the outage takes the broker down too);
2. learners log in and loop: home page, topic page, start a quiz, submit all its answers;
3. after a warm-up the database is stopped for ``--outage`` seconds and started again;
4. the load carries on until the end, then the script checks:
   - during the outage every failure was the 503 page with Retry-After (never a 500, a
     traceback or a dropped connection from the app);
   - after the restart requests succeed again (the same gunicorn processes);
   - every submitted attempt gets marked once the database is back (the worker retries; an
     attempt whose message was lost with the broker is queued again by `requeue_unmarked`,
     which the script runs and reports);
   - nothing is half-written: no attempt without its questions, no marked attempt with an
     unmarked answer, no marked answer on an attempt not marked.

    .venv/bin/python bench/pg_restart_under_load.py                 # about 40 seconds
    .venv/bin/python bench/pg_restart_under_load.py --outage 10 --workers 6

Against an existing deployment's database instead (a staging box, say), pass its URL and the
command that restarts it; the script then creates and drops a database ``--database`` there:

    .venv/bin/python bench/pg_restart_under_load.py \\
        --database-url postgres://postgres@127.0.0.1:5432 \\
        --restart-cmd "pg_ctlcluster --skip-systemctl-redirect 15 main restart"

Exit status 0 when every check passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import collections
import glob
import http.client
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

from bench_workers import start_worker, stop_worker

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HOST = "127.0.0.1"
PASSWORD = "restart-under-load-not-secret-9"  # noqa: S105 - throwaway accounts
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ANSWER = (
    "Contact management keeps customer details, interaction tracking logs every call and "
    "email, and data analysis finds trends in what customers buy."
)


def log(message: str) -> None:
    print(f"[pg-restart {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- a private PostgreSQL cluster --------------------------------------------------------------


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if not path:
        raise SystemExit(f"{name} not found: install PostgreSQL server binaries")
    return path


class PrivateCluster:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="pg-restart-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.owner = None
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            self.owner = "postgres"
            shutil.chown(self.dir, user=self.owner)

    def run(self, *args: str) -> None:
        command = list(args)
        if self.owner:
            command = ["runuser", "-u", self.owner, "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def init(self) -> None:
        self.run(pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust")
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses={HOST}"
        self.run(
            pg_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "start",
            "-l",
            str(self.dir / "log"),
        )

    def stop(self) -> None:
        self.run(pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}"

    def destroy(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


# --- a small cookie-keeping HTTP client ---------------------------------------------------------


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None):
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        headers = {"Host": f"{HOST}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for raw in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(raw)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, {k.lower(): v for k, v in response.getheaders()}, text
        finally:
            connection.close()

    def token(self, path: str) -> str:
        status, _, body = self.request("GET", path)
        match = TOKEN_RE.search(body)
        if status != 200 or not match:
            raise RuntimeError(f"GET {path}: HTTP {status}")
        return match.group(1)


# --- the run -----------------------------------------------------------------------------------


def django_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(64),
        DEBUG="0",
        ALLOWED_HOSTS=f"{HOST},localhost",
        SECURE_SSL_REDIRECT="0",
        CONN_MAX_AGE="600",
        LOG_LEVEL="CRITICAL",
    )
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def psql_value(url: str, database: str, sql: str) -> str:
    parsed = urllib.parse.urlparse(url)
    command = [
        "psql",
        "-h",
        parsed.hostname or HOST,
        "-p",
        str(parsed.port or 5432),
        "-U",
        parsed.username or "postgres",
        "-d",
        database,
        "-qAtc",
        sql,
    ]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[tuple[float, str, str]] = []  # (time, phase, outcome)

    def add(self, phase: str, outcome: str) -> None:
        with self.lock:
            self.events.append((time.monotonic(), phase, outcome))


def learner_loop(
    port: int, username: str, slug: str, stop: threading.Event, tally: Tally, phase: list[str]
) -> None:
    client = Client(port)

    def record(status: int, headers: dict, body: str, ok: tuple[int, ...]) -> bool:
        if status in ok:
            tally.add(phase[0], "ok")
            return True
        if status == 503 and headers.get("retry-after") and "temporarily unavailable" in body:
            tally.add(phase[0], "503")
        else:
            tally.add(phase[0], f"HTTP {status}")
        return False

    logged_in = False
    while not stop.is_set():
        try:
            if not logged_in:
                status, headers, body = client.request("GET", "/accounts/login/")
                match = TOKEN_RE.search(body)
                if not record(status, headers, body, (200,)) or not match:
                    time.sleep(0.2)
                    continue
                status, headers, body = client.request(
                    "POST",
                    "/accounts/login/",
                    {
                        "csrfmiddlewaretoken": match.group(1),
                        "username": username,
                        "password": PASSWORD,
                    },
                )
                logged_in = record(status, headers, body, (302,))
                continue
            record(*client.request("GET", "/"), (200,))
            record(*client.request("GET", f"/topics/{slug}/"), (200,))
            status, headers, body = client.request("GET", "/quizzes/")
            match = TOKEN_RE.search(body)
            if not record(status, headers, body, (200,)) or not match:
                time.sleep(0.2)
                continue
            token = match.group(1)
            status, headers, body = client.request(
                "POST",
                "/quizzes/start/",
                {"csrfmiddlewaretoken": token, "kind": "topic", "topic": slug, "layout": "all"},
            )
            if not record(status, headers, body, (302,)):
                continue
            path = urllib.parse.urlparse(headers["location"]).path
            status, headers, body = client.request("GET", path)
            if not record(status, headers, body, (200,)):
                continue
            fields = {"csrfmiddlewaretoken": token, "action": "submit"}
            for name in re.findall(r'name="(q\d+-answer)"', body):
                fields[name] = ANSWER
            record(*client.request("POST", path, fields), (302,))
        except (OSError, http.client.HTTPException) as error:
            tally.add(phase[0], f"connection error: {type(error).__name__}")
            time.sleep(0.2)


def wait_for_marking(url: str, database: str, *, timeout: float) -> int:
    """Wait until the worker has marked every submitted attempt; returns how many are left."""
    sql = (
        "SELECT count(*) FROM assessments_attempt WHERE submitted_at IS NOT NULL "
        "AND marked_at IS NULL"
    )
    deadline = time.monotonic() + timeout
    while True:
        left = int(psql_value(url, database, sql))
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4, help="concurrent learners")
    parser.add_argument("--warmup", type=float, default=6.0, help="seconds before the outage")
    parser.add_argument("--outage", type=float, default=5.0, help="seconds the database is down")
    parser.add_argument("--recovery", type=float, default=10.0, help="seconds after the restart")
    parser.add_argument(
        "--database-url",
        help="server URL without a database name (default: a private throwaway cluster)",
    )
    parser.add_argument("--restart-cmd", help="restarts that server (needed with --database-url)")
    parser.add_argument("--database", default="revision_portal_pg_restart")
    args = parser.parse_args(argv)
    if args.database_url and not args.restart_cmd:
        parser.error("--database-url needs --restart-cmd")

    cluster = None if args.database_url else PrivateCluster()
    server = worker = None
    work = Path(tempfile.mkdtemp(prefix="pg-restart-app-"))
    try:
        if cluster:
            log(f"private PostgreSQL cluster in {cluster.dir} on port {cluster.port}")
            cluster.init()
            base_url = cluster.url
        else:
            base_url = args.database_url.rstrip("/")
        psql_value(base_url, "postgres", f'DROP DATABASE IF EXISTS "{args.database}"')
        psql_value(base_url, "postgres", f'CREATE DATABASE "{args.database}"')
        env = django_env(f"{base_url}/{args.database}")
        log("migrate, import seeds, create learners")
        manage(env, "migrate", "--noinput")
        manage(env, "import_seeds", "seeds")
        usernames = [f"restart-learner-{n}" for n in range(args.workers)]
        manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; U = get_user_model()\n"
            f"for name in {usernames!r}:\n"
            f"    U.objects.create_user(name, password={PASSWORD!r})",
        )
        manage(env, "collectstatic", "--noinput")
        slug = psql_value(
            base_url, args.database, "SELECT slug FROM topics_topic ORDER BY id LIMIT 1"
        )

        port = free_port()
        server = subprocess.Popen(
            [
                str(Path(PY).parent / "gunicorn"),
                "revision_portal.wsgi",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                "2",
                "--timeout",
                "30",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=(work / "gunicorn.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for _ in range(100):
            try:
                if Client(port).request("GET", "/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start; see " + str(work / "gunicorn.log"))
        gunicorn_pids = subprocess.run(
            ["pgrep", "-g", str(server.pid)], capture_output=True, text=True
        ).stdout.split()
        worker = start_worker(env, work / "worker.log", name="restart")

        tally, stop, phase = Tally(), threading.Event(), ["before"]
        threads = [
            threading.Thread(target=learner_loop, args=(port, name, slug, stop, tally, phase))
            for name in usernames
        ]
        for thread in threads:
            thread.start()
        log(f"{args.workers} learners running for {args.warmup:g} s")
        time.sleep(args.warmup)

        phase[0] = "outage"
        log(f"stopping PostgreSQL for {args.outage:g} s")
        if cluster:
            cluster.stop()
            time.sleep(args.outage)
            cluster.start()
        else:
            subprocess.run(shlex.split(args.restart_cmd), check=True)
        phase[0] = "after"
        recovered_at = time.monotonic()
        log(f"PostgreSQL is back; load continues for {args.recovery:g} s")
        time.sleep(args.recovery)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

        # --- checks ---
        failures = []
        by_phase = collections.defaultdict(collections.Counter)
        for _, name, outcome in tally.events:
            by_phase[name][outcome] += 1
        for name in ("before", "outage", "after"):
            log(f"{name:>7}: {dict(by_phase[name])}")
        for name, counts in by_phase.items():
            bad = {k: v for k, v in counts.items() if k not in {"ok", "503"}}
            if bad:
                failures.append(f"{name}: unexpected outcomes {bad} (only 200/302 or 503 allowed)")
        if by_phase["outage"]["503"] == 0:
            failures.append("no request hit the outage: lengthen --outage or add --workers")
        late = [e for e in tally.events if e[0] > recovered_at + args.recovery / 2]
        if not late or any(outcome != "ok" for _, _, outcome in late):
            failures.append("requests were still failing in the second half of the recovery")
        still = subprocess.run(
            ["pgrep", "-g", str(server.pid)], capture_output=True, text=True
        ).stdout.split()
        if server.poll() is not None or sorted(still) != sorted(gunicorn_pids):
            failures.append("gunicorn or its workers were restarted")

        unmarked = wait_for_marking(base_url, args.database, timeout=90)
        if unmarked:
            # Messages lost with the broker (the database queue went down with PostgreSQL):
            # the documented recovery queues them again.
            log(f"{unmarked} submitted attempt(s) unmarked after 90 s: manage.py requeue_unmarked")
            manage(env, "requeue_unmarked", "--older-than", "0")
            unmarked = wait_for_marking(base_url, args.database, timeout=90)
        if unmarked:
            failures.append(f"{unmarked} submitted attempt(s) never marked")
        log(f"worker log: {work / 'worker.log'}")

        checks = {
            "attempts without questions": "SELECT count(*) FROM assessments_attempt a WHERE NOT "
            "EXISTS (SELECT 1 FROM assessments_response r WHERE r.attempt_id = a.id)",
            "marked attempts with unmarked answers": "SELECT count(*) FROM "
            "assessments_response r JOIN assessments_attempt a ON a.id = r.attempt_id WHERE "
            "a.marked_at IS NOT NULL AND r.marked_at IS NULL",
            "marked answers on attempts not marked": "SELECT count(*) FROM assessments_response r"
            " JOIN assessments_attempt a ON a.id = r.attempt_id WHERE a.marked_at IS NULL AND "
            "r.marked_at IS NOT NULL",
            "marked attempts not submitted": "SELECT count(*) FROM assessments_attempt WHERE "
            "marked_at IS NOT NULL AND submitted_at IS NULL",
        }
        submitted = psql_value(
            base_url,
            args.database,
            "SELECT count(*) FROM assessments_attempt WHERE submitted_at IS NOT NULL",
        )
        log(f"submitted attempts: {submitted}")
        for label, sql in checks.items():
            count = int(psql_value(base_url, args.database, sql))
            log(f"{label}: {count}")
            if count:
                failures.append(f"half-written data: {label}: {count}")

        for failure in failures:
            log("FAIL " + failure)
        log("PASS" if not failures else "FAILED")
        return 1 if failures else 0
    finally:
        if worker is not None:
            stop_worker(worker)
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=15)
        if cluster:
            cluster.destroy()
        elif args.database_url:
            psql_value(
                args.database_url.rstrip("/"),
                "postgres",
                f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)',
            )
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
