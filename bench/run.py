"""The portal's benchmark: `make bench` (full) and `make bench-quick` (CI smoke, < 3 minutes).

1. Creates its own PostgreSQL databases (dropped again at the end), migrates, generates seed
   documents from the five real ones and imports them: 1,000 into a throwaway copy for the
   import throughput figure, 200 into the benchmark database; then bulk-builds 2,000 learners in
   40 cohorts of 50 with 200,000 marked answers (bench/datagen.py).
2. Serves the portal with gunicorn on production settings (DEBUG off, whitenoise, collectstatic).
3. Logs learners and tutors in over HTTP (CSRF tokens, the real login and lockout), starts
   quizzes, then drives each page with wrk from a separate process and reports requests/s,
   p50/p95/p99 and the ratio of its throughput to the baseline page (a short template with no
   database query) served by the same server in the same run.
4. Marker throughput (bench/bench_marker.py) and import throughput.

Writes bench/results.json and prints a table.

    python bench/run.py [--quick] [--keep-db] [--duration SECONDS] [--json PATH]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from httpclient import Client  # noqa: E402

PY = sys.executable
PG = "postgres://postgres@127.0.0.1:5432"
DB = "revision_portal_bench"
IMPORT_DB = "revision_portal_bench_import"
HOST = "127.0.0.1"

FULL = {
    "import_files": 1000,
    "topics": 200,
    "learners": 2000,
    "cohorts": 40,
    "answers": 200_000,
    "duration": 15,
    "warmup": 3,
    "learner_sessions": 16,
    "tutor_sessions": 8,
}
QUICK = {
    "import_files": 100,
    "topics": 40,
    "learners": 500,
    "cohorts": 10,
    "answers": 25_000,
    "duration": 4,
    "warmup": 1,
    "learner_sessions": 8,
    "tutor_sessions": 4,
}
SEARCHES = [
    "complaint",
    "customer retention",
    "net promoter score",
    "GDPR",
    "empathy",
    "loyalty programme",
    "escalation",
    "feedback",
]
TARGETS = {
    # page → minimum ratio of its throughput to the baseline page's
    "topic_page": 0.5,
    "submit_answer": 0.3,
}
COHORT_P95_MS = 300
MARKER_P99_MS = 5
IMPORT_DOCS_PER_S = 100


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def psql(sql: str, database: str = "postgres") -> None:
    subprocess.run(
        ["psql", "-h", HOST, "-U", "postgres", "-d", database, "-qAtc", sql],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def recreate_database(name: str, template: str | None = None) -> None:
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def django_env(database: str, **extra: str) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"{PG}/{database}",
            "SECRET_KEY": env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(64),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain http on loopback: no redirect to https (cookies stay Secure/__Host-).
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
            "CONN_MAX_AGE": "600",
        }
    )
    env.update(extra)
    return env


def run_json(command: list[str], env: dict) -> dict:
    completed = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-4000:])
        raise SystemExit(f"failed: {' '.join(command)}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int, log_path: Path) -> subprocess.Popen:
    command = [
        str(Path(PY).parent / "gunicorn"),
        "revision_portal.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited: see {log_path}\n{log_path.read_text()[-3000:]}")
        try:
            if Client(HOST, port).get("/bench/baseline/").status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not come up in 30 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# --- wrk -------------------------------------------------------------------------------------

LUA = r"""
local raw = {
%(requests)s
}
local formatted = {}
local counter = 0

init = function(args)
  for i, r in ipairs(raw) do
    formatted[i] = wrk.format(r[1], r[2], r[3], r[4])
  end
end

request = function()
  counter = counter + 1
  return formatted[(counter %% #formatted) + 1]
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%%d,"duration_us":%%d,"status_errors":%%d,"socket_errors":%%d,' ..
    '"p50_us":%%d,"p95_us":%%d,"p99_us":%%d,"max_us":%%d,"mean_us":%%.1f}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    latency.mean))
end
"""


def _lua_string(value: str) -> str:
    if "]==]" in value:
        raise ValueError(f"cannot quote {value!r} for Lua")
    return f"[==[{value}]==]"


def write_lua(path: Path, requests: list[tuple[str, str, dict, str | None]]) -> None:
    rows = []
    for method, url, headers, body in requests:
        header_items = ", ".join(
            f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items()
        )
        rows.append(
            f"  {{{_lua_string(method)}, {_lua_string(url)}, {{{header_items}}}, "
            f"{_lua_string(body) if body is not None else 'nil'}}},"
        )
    path.write_text(LUA % {"requests": "\n".join(rows)}, encoding="utf-8")


def run_wrk(port: int, script: Path, *, duration: int, connections: int) -> dict:
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://{HOST}:{port}",
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    line = next((x for x in completed.stdout.splitlines() if x.startswith("BENCHJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no figures:\n{completed.stdout}\n{completed.stderr}")
    raw = json.loads(line.removeprefix("BENCHJSON "))
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "max_ms": round(raw["max_us"] / 1000, 1),
        "errors": raw["status_errors"] + raw["socket_errors"],
        "connections": connections,
        "seconds": round(seconds, 1),
    }


# --- the run ---------------------------------------------------------------------------------


def machine() -> dict:
    memory_gib = None
    try:
        with open("/proc/meminfo") as handle:
            kib = int(handle.readline().split()[1])
        memory_gib = round(kib / 1024 / 1024)
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.machine()}",
    }


def prepare_sessions(port: int, manifest: dict, plan: dict) -> dict:
    """Log learners and tutors in over HTTP and start one quiz per learner."""
    password = manifest["password"]
    slugs = manifest["topic_slugs"]
    learners = manifest["learners"][: plan["learner_sessions"]]
    cohorts = [c for c in manifest["cohorts"] if c["size"] >= 50][: plan["tutor_sessions"]]

    def learner_session(index_name):
        index, name = index_name
        client = Client(HOST, port)
        client.login(name, password)
        attempt = client.start_topic_quiz(slugs[index % len(slugs)])
        question = f"/attempts/{attempt}/questions/1/"
        token = client.token_from(question)
        return {"client": client, "attempt": attempt, "question": question, "token": token}

    def tutor_session(cohort):
        client = Client(HOST, port)
        client.login(cohort["tutor"], password)
        return {"client": client, "cohort": cohort["pk"]}

    # Logins hash a password (PBKDF2, by design slow): a few at a time, as in a classroom.
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        learner_sessions = list(pool.map(learner_session, enumerate(learners)))
        tutor_sessions = list(pool.map(tutor_session, cohorts))
    return {"learners": learner_sessions, "tutors": tutor_sessions}


ANSWER = (
    "Keeping customers means repeat business and recommendations, because loyal customers "
    "spend more over time, which leads to higher customer lifetime value."
)


def scenarios(port: int, sessions: dict, manifest: dict) -> dict:
    """Each page: the requests wrk cycles through, and what a correct reply looks like."""
    anonymous = {"Host": f"{HOST}:{port}"}

    def authed(session, extra=None):
        headers = {"Host": f"{HOST}:{port}", "Cookie": session["client"].cookie_header()}
        headers.update(extra or {})
        return headers

    learners, tutors = sessions["learners"], sessions["tutors"]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    result = {
        "baseline": ([("GET", "/bench/baseline/", anonymous, None)], 200),
        "topic_page": (
            [("GET", f"/topics/{slug}/", anonymous, None) for slug in manifest["topic_slugs"]],
            200,
        ),
        "search": (
            [("GET", f"/search/?q={q.replace(' ', '+')}", anonymous, None) for q in SEARCHES],
            200,
        ),
        "quiz_home": ([("GET", "/quizzes/", authed(s), None) for s in learners], 200),
        "quiz_question": ([("GET", s["question"], authed(s), None) for s in learners], 200),
        "submit_answer": (
            [
                (
                    "POST",
                    s["question"],
                    authed(s, form),
                    urllib.parse.urlencode(
                        {"csrfmiddlewaretoken": s["token"], "answer": ANSWER, "action": "next"}
                    ),
                )
                for s in learners
            ],
            302,
        ),
        "progress": ([("GET", "/progress/", authed(s), None) for s in learners], 200),
        "cohort_page": (
            [("GET", f"/tutor/cohorts/{t['cohort']}/", authed(t), None) for t in tutors],
            200,
        ),
    }
    return result


def check_once(port: int, requests: list, expected: int) -> None:
    """One request of each kind before the load: right status, and no bounce to the login."""
    method, url, headers, body = requests[0]
    client = Client(HOST, port)
    cookie = headers.get("Cookie")
    if cookie:
        client.cookies = dict(part.split("=", 1) for part in cookie.split("; "))
    data = dict(urllib.parse.parse_qsl(body)) if body else None
    reply = client.request(method, url, data)
    if reply.status != expected or "/accounts/login/" in reply.location:
        raise SystemExit(f"{method} {url}: HTTP {reply.status} {reply.location} (want {expected})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small dataset, short runs (CI)")
    parser.add_argument("--keep-db", action="store_true", help="leave the databases behind")
    parser.add_argument("--duration", type=int, default=None, help="seconds of load per page")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--connections", type=int, default=None, help="wrk connections")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args(argv)
    plan = dict(QUICK if args.quick else FULL)
    if args.duration:
        plan["duration"] = args.duration
    cores = os.cpu_count() or 2
    workers = args.workers or 2 * cores
    connections = args.connections or workers
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: `apt-get install -y wrk` (make bench does this)")

    began = time.perf_counter()
    mode = "quick" if args.quick else "full"
    log(f"{mode} run: {plan}")
    work = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    results: dict = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "mode": mode,
        "machine": machine(),
        "plan": plan,
    }
    server = None
    try:
        # 1. Databases and data.
        recreate_database(DB)
        base_env = django_env(DB)
        subprocess.run(
            [PY, "manage.py", "migrate", "--noinput", "-v0"], env=base_env, cwd=ROOT, check=True
        )
        recreate_database(IMPORT_DB, template=DB)
        seed_dir = work / "seeds"
        subprocess.run(
            [PY, "bench/seedgen.py", str(seed_dir), "--count", str(plan["import_files"])],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        log(f"importing {plan['import_files']} generated seed documents (throwaway database)")
        results["import"] = run_json(
            [PY, "bench/datagen.py", "import", str(seed_dir)], django_env(IMPORT_DB)
        )
        psql(f'DROP DATABASE IF EXISTS "{IMPORT_DB}" WITH (FORCE)')
        log(
            f"  {results['import']['documents_per_second']} documents/s; building the dataset: "
            f"{plan['topics']} topics, {plan['learners']} learners, {plan['answers']:,} answers"
        )
        manifest_path = work / "manifest.json"
        results["dataset"] = run_json(
            [
                PY,
                "bench/datagen.py",
                "build",
                str(seed_dir),
                "--topics",
                str(plan["topics"]),
                "--learners",
                str(plan["learners"]),
                "--cohorts",
                str(plan["cohorts"]),
                "--answers",
                str(plan["answers"]),
                "--manifest",
                str(manifest_path),
            ],
            base_env,
        )
        manifest = json.loads(manifest_path.read_text())
        log(f"  dataset: {json.dumps(results['dataset'])}")

        # 2. Serve with production settings.
        subprocess.run(
            [PY, "manage.py", "collectstatic", "--noinput", "-v0"],
            env=base_env,
            cwd=ROOT,
            check=True,
        )
        port = free_port()
        server_env = django_env(DB, BENCH_BASELINE="1", SECRET_KEY=base_env["SECRET_KEY"])
        server = start_gunicorn(server_env, port, workers, work / "gunicorn.log")
        results["server"] = {
            "gunicorn_workers": workers,
            "wrk_connections": connections,
            "cache": "redis" if os.environ.get("CACHE_URL") else "local memory",
        }
        log(f"gunicorn on :{port} ({workers} sync workers); logging in over HTTP")
        sessions = prepare_sessions(port, manifest, plan)

        # 3. Load.
        pages = {}
        for name, (requests, expected) in scenarios(port, sessions, manifest).items():
            check_once(port, requests, expected)
            script = work / f"{name}.lua"
            write_lua(script, requests)
            run_wrk(port, script, duration=plan["warmup"], connections=connections)
            pages[name] = run_wrk(port, script, duration=plan["duration"], connections=connections)
            log(f"  {name}: {pages[name]['rps']} req/s, p95 {pages[name]['p95_ms']} ms")
        baseline_rps = pages["baseline"]["rps"]
        for figures in pages.values():
            figures["ratio"] = round(figures["rps"] / baseline_rps, 3) if baseline_rps else None
        results["pages"] = pages
        # The cohort page on its own (one tutor, one request at a time): its service time.
        cohort_requests = scenarios(port, sessions, manifest)["cohort_page"][0]
        script = work / "cohort_solo.lua"
        write_lua(script, cohort_requests)
        results["cohort_page_single_user"] = run_wrk(
            port, script, duration=max(3, plan["duration"] // 2), connections=1
        )
    finally:
        if server is not None:
            stop(server)

    # 4. Marker (pure Python, one core).
    marker_json = work / "marker.json"
    subprocess.run(
        [PY, "bench/bench_marker.py", "--json", str(marker_json)]
        + (["--quick"] if args.quick else []),
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    results["marker"] = json.loads(marker_json.read_text())

    if not args.keep_db:
        psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    shutil.rmtree(work, ignore_errors=True)
    results["targets"] = targets(results)
    results["elapsed_s"] = round(time.perf_counter() - began, 1)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    log(f"figures written to {args.json} ({results['elapsed_s']} s)")
    return 0


def targets(results: dict) -> list[dict]:
    pages = results["pages"]
    rows = [
        {
            "target": f"{page} >= {minimum}x baseline throughput",
            "measured": f"{pages[page]['ratio']}x",
            "met": pages[page]["ratio"] >= minimum,
        }
        for page, minimum in TARGETS.items()
    ]
    cohort_p95 = pages["cohort_page"]["p95_ms"]
    rows.append(
        {
            "target": f"cohort page p95 < {COHORT_P95_MS} ms (50 learners x all topics)",
            "measured": f"{cohort_p95} ms under load "
            f"({results['cohort_page_single_user']['p95_ms']} ms single user)",
            "met": cohort_p95 < COHORT_P95_MS,
        }
    )
    marker = results["marker"]
    rows.append(
        {
            "target": f"marker p99 < {MARKER_P99_MS} ms",
            "measured": f"{marker['p99_ms']} ms",
            "met": marker["p99_ms"] < MARKER_P99_MS,
        }
    )
    docs = results["import"]["documents_per_second"]
    rows.append(
        {
            "target": f"import >= {IMPORT_DOCS_PER_S} documents/s",
            "measured": f"{docs} documents/s",
            "met": docs >= IMPORT_DOCS_PER_S,
        }
    )
    return rows


def table(results: dict) -> str:
    m, d = results["machine"], results["dataset"]
    lines = [
        "",
        f"Revision portal benchmark ({results['mode']}), {results['date']}, "
        f"{m['cores']} cores / {m['memory_gib']} GiB, Python {m['python']}",
        f"dataset: {d['topics']} topics, {len(results.get('pages', {})) and d['questions']} "
        f"questions, {results['plan']['learners']} learners in {results['plan']['cohorts']} "
        f"cohorts, {d['attempts']:,} attempts, {d['answers']:,} answers"
        + ("  (quick: a smaller dataset than the full run)" if results["mode"] == "quick" else ""),
        f"server: gunicorn {results['server']['gunicorn_workers']} sync workers, "
        f"cache {results['server']['cache']}; wrk {results['server']['wrk_connections']} "
        "connections",
        "",
        f"| {'page':<14} | {'req/s':>8} | {'x baseline':>10} | {'p50 ms':>7} | {'p95 ms':>7} "
        f"| {'p99 ms':>7} | {'errors':>6} |",
        f"|{'-' * 16}|{'-' * 10}:|{'-' * 11}:|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:|{'-' * 7}:|",
    ]
    for name, p in results["pages"].items():
        lines.append(
            f"| {name:<14} | {p['rps']:>8,.1f} | {p['ratio']:>10.2f} | {p['p50_ms']:>7.1f} | "
            f"{p['p95_ms']:>7.1f} | {p['p99_ms']:>7.1f} | {p['errors']:>6} |"
        )
    solo = results["cohort_page_single_user"]
    marker = results["marker"]
    lines += [
        "",
        f"cohort page, one tutor at a time: p50 {solo['p50_ms']} ms, p95 {solo['p95_ms']} ms, "
        f"p99 {solo['p99_ms']} ms",
        f"marker: {marker['answers_per_second']:,.0f} answers/s, p50 {marker['p50_ms']} ms, "
        f"p99 {marker['p99_ms']} ms per answer",
        f"import: {results['import']['documents_per_second']} documents/s "
        f"({results['import']['documents']} generated seed files)",
        "",
        "targets:",
    ]
    for row in results["targets"]:
        lines.append(f"  [{'met' if row['met'] else 'MISSED'}] {row['target']}: {row['measured']}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
