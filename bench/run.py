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
4. Marker throughput (bench/bench_marker.py) and import throughput. Figures that need parts the
   build does not have yet (the job queue's worker throughput, submit → marks latency, the
   Today page) are written as "not measured" with the reason.

Writes bench/results.json and prints a table.

Growth curve (issue 13): ``--scale N`` multiplies the dataset (topics, learners, cohorts of 50,
answers) and keeps the load the same; ``--compare 1,10`` runs both sizes in turn and writes one
results.json with both, then prints each page's ratio side by side with its query count per
request (counted in-process with Django's test client before the load: bench/querycount.py),
flagging a page that loses more than 20% of its ratio or whose query count changes
(bench/growth.py). ``--merge`` keeps the other sizes already in the JSON file instead.

    python bench/run.py [--quick] [--scale N | --compare 1,10] [--merge] [--keep-db]
                        [--duration SECONDS] [--json PATH]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import itertools
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

from growth import (  # noqa: E402
    MAX_RATIO_LOSS,
    PAGE_LABELS,
    figures_table,
    growth_rows,
    growth_table,
    is_measured,
    not_measured,
    parse_scales,
    scaled_plan,
)
from httpclient import Client  # noqa: E402

PY = sys.executable
PG = "postgres://postgres@127.0.0.1:5432"
# BENCH_DB_PREFIX lets several people benchmark on one PostgreSQL server without sharing (and
# dropping) each other's databases; bench_workers.py reads it too.
DB = os.environ.get("BENCH_DB_PREFIX", "") + "revision_portal_bench"
IMPORT_DB = os.environ.get("BENCH_DB_PREFIX", "") + "revision_portal_bench_import"
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
# Issue 13's Today page for learners; measured when a learner gets a 200 from it.
TODAY_PATH = "/today/"
# Pages whose requests each change what they ask about (a card rated once): check_once spends the
# first, the query count reads the second, the warm-up gets the last fifth of the list and the
# measured run the rest, so no request of the measured run was sent before.
SPENT_BY_CHECK = {"flashcard_rate"}


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
    # No request finished in the run (each took longer than wrk's timeout): there is no
    # latency to report, and wrk's zeros must not read as "0 ms".
    done = raw["requests"] > 0
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1) if done else None,
        "p95_ms": round(raw["p95_us"] / 1000, 1) if done else None,
        "p99_ms": round(raw["p99_us"] / 1000, 1) if done else None,
        "max_ms": round(raw["max_us"] / 1000, 1) if done else None,
        "errors": raw["status_errors"] + raw["socket_errors"],
        "connections": connections,
        "seconds": round(seconds, 1),
    }


def wait_until_idle(port: int, *, limit: float = 300.0) -> float:
    """Wait until the server answers the baseline promptly again; returns the seconds waited.

    A page slower than wrk's timeout leaves requests that gunicorn's sync workers still
    finish after wrk has gone; without this wait the next page (or the closing baseline)
    would be measured against that backlog.
    """
    began = time.perf_counter()
    while time.perf_counter() - began < limit:
        started = time.perf_counter()
        try:
            if Client(HOST, port, timeout=limit).get("/bench/baseline/").status == 200:
                if time.perf_counter() - started < 0.5:
                    return round(time.perf_counter() - began, 1)
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server was still busy {limit:.0f} s after the last page")


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
        return {
            "client": client,
            "attempt": attempt,
            "question": question,
            "token": token,
            "username": name,
        }

    def tutor_session(cohort):
        client = Client(HOST, port)
        client.login(cohort["tutor"], password)
        return {"client": client, "cohort": cohort["pk"], "assignment": cohort.get("assignment")}

    # Logins hash a password (PBKDF2, by design slow): a few at a time, as in a classroom.
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        learner_sessions = list(pool.map(learner_session, enumerate(learners)))
        tutor_sessions = list(pool.map(tutor_session, cohorts))
    return {"learners": learner_sessions, "tutors": tutor_sessions}


ANSWER = (
    "Keeping customers means repeat business and recommendations, because loyal customers "
    "spend more over time, which leads to higher customer lifetime value."
)


def scenarios(port: int, sessions: dict, manifest: dict, *, today: bool = False) -> dict:
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
        "today_page": ([("GET", TODAY_PATH, authed(s), None) for s in learners], 200),
        "flashcard_rate": (_rating_requests(learners, manifest, authed, form), 302),
        "cohort_page": (
            [("GET", f"/tutor/cohorts/{t['cohort']}/", authed(t), None) for t in tutors],
            200,
        ),
    }
    with_assignment = [t for t in tutors if t.get("assignment")]
    if with_assignment:
        result["assignment_page"] = (
            [
                ("GET", f"/tutor/assignments/{t['assignment']}/", authed(t), None)
                for t in with_assignment
            ],
            200,
        )
    if not today:
        del result["today_page"]
        del result["flashcard_rate"]
    elif not result["flashcard_rate"][0]:
        del result["flashcard_rate"]
    return result


def _rating_requests(learners: list, manifest: dict, authed, form) -> list:
    """ "Good" on each due card of the logged-in learners, round-robin across them. Each card is
    rated once with its review count as the token; a request wrk repeats after the list runs
    out is a double submit, which the page answers (302) without reviewing again."""
    queues = [
        [
            (
                "POST",
                f"/flashcards/{card_id}/rate/",
                authed(s, form),
                urllib.parse.urlencode(
                    {"csrfmiddlewaretoken": s["token"], "rating": "3", "token": str(reps)}
                ),
            )
            for card_id, reps in manifest.get("rate_cards", {}).get(s["username"], [])
        ]
        for s in learners
    ]
    requests = []
    for row in itertools.zip_longest(*queues):
        requests.extend(r for r in row if r is not None)
    return requests


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


def today_page_probe(port: int, sessions: dict) -> int:
    """The status a learner gets from TODAY_PATH: 404 while the Today page does not exist."""
    session = sessions["learners"][0]
    client = Client(HOST, port)
    client.cookies = dict(session["client"].cookies)
    return client.get(TODAY_PATH).status


def worker_slots(run: dict) -> dict:
    """Rows for the job queue's figures: measured by bench/bench_workers.py in the first size,
    or why not."""
    workers = run.get("workers")
    if not workers:
        reason = "measured once per run, in its first size (the queue has its own database)"
        return {
            "marking_throughput_workers": not_measured(reason),
            "submit_to_marks_p95": not_measured(reason),
        }
    return {
        "marking_throughput_workers": {
            "value": workers["backlog"]["answers_per_second"],
            "unit": f"answers/s ({workers['workers']} workers, database broker)",
        },
        "submit_to_marks_p95": {
            "value": workers["paced"]["latency_p95_s"],
            "unit": f"s at {workers['paced']['offered_answers_per_second']} answers/s offered",
        },
    }


def count_queries(env: dict, work: Path, pages: dict) -> dict:
    """Queries per request of each page (bench/querycount.py, in-process, same database)."""
    specs = {}
    for name, (requests, expected) in pages.items():
        # The rating POST's first request was spent by check_once: count a fresh one.
        method, url, headers, body = requests[1 if name in SPENT_BY_CHECK else 0]
        specs[name] = {
            "method": method,
            "url": url,
            "headers": headers,
            "body": body,
            "expected": expected,
        }
    path = work / "querycount.json"
    path.write_text(json.dumps(specs), encoding="utf-8")
    return run_json([PY, "bench/querycount.py", str(path)], env)


def build_data(plan: dict, work: Path, base_env: dict, results: dict, measure_import: bool):
    """Migrate, measure the importer, build the dataset; returns the manifest."""
    recreate_database(DB)
    subprocess.run(
        [PY, "manage.py", "migrate", "--noinput", "-v0"], env=base_env, cwd=ROOT, check=True
    )
    seed_dir = work / "seeds"
    subprocess.run(
        [
            PY,
            "bench/seedgen.py",
            str(seed_dir),
            "--count",
            str(max(plan["import_files"], plan["topics"])),
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    already_imported = 0
    if measure_import:
        # When the dataset needs at least as many topics as the import measurement imports,
        # the measured import goes straight into the (empty) bench database and the build
        # imports only the rest: the same figure, and up to 1,000 fewer slow imports.
        into_bench_db = plan["topics"] >= plan["import_files"]
        import_db = DB if into_bench_db else IMPORT_DB
        if not into_bench_db:
            recreate_database(IMPORT_DB, template=DB)
        log(f"importing {plan['import_files']} generated seed documents into {import_db}")
        results["import"] = run_json(
            [PY, "bench/datagen.py", "import", str(seed_dir), "--limit", str(plan["import_files"])],
            django_env(import_db),
        )
        if into_bench_db:
            already_imported = plan["import_files"]
        else:
            psql(f'DROP DATABASE IF EXISTS "{IMPORT_DB}" WITH (FORCE)')
        log(f"  {results['import']['documents_per_second']} documents/s")
    log(
        f"building the dataset: {plan['topics']:,} topics, {plan['learners']:,} learners, "
        f"{plan['answers']:,} answers"
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
            "--already-imported",
            str(already_imported),
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
    log(f"  dataset: {json.dumps(results['dataset'])}")
    return json.loads(manifest_path.read_text())


def load_pages(port: int, env: dict, work: Path, plan: dict, connections: int, results: dict):
    """Sessions, query counts, then wrk on every page; fills results' pages."""
    manifest = json.loads((work / "manifest.json").read_text())
    sessions = prepare_sessions(port, manifest, plan)
    today_status = today_page_probe(port, sessions)
    pages_to_load = scenarios(port, sessions, manifest, today=today_status == 200)
    for requests, expected in pages_to_load.values():
        check_once(port, requests, expected)
    queries = count_queries(env, work, pages_to_load)
    log(f"  queries per request: { {k: v['queries'] for k, v in queries.items()} }")
    pages = {}
    load_average = [round(os.getloadavg()[0], 1)]
    # The baseline is loaded first and again last: on a shared machine the load around the
    # run moves, and each ratio is to the mean of the two (both are kept).
    for name, (requests, _expected) in [*pages_to_load.items(), ("baseline", ([], 200))]:
        script = work / f"{name}.lua"
        if name in pages:
            requests = pages_to_load["baseline"][0]
        warmup_script = script
        if name in SPENT_BY_CHECK:
            cut = max(3, len(requests) * 4 // 5)
            warmup_script = work / f"{name}-warmup.lua"
            write_lua(warmup_script, requests[cut:] or requests[2:])
            requests = requests[2:cut]
        write_lua(script, requests)
        waited = wait_until_idle(port)
        if waited > 1:
            log(f"  (waited {waited} s for the previous page's requests to finish)")
        run_wrk(port, warmup_script, duration=plan["warmup"], connections=connections)
        figures = run_wrk(port, script, duration=plan["duration"], connections=connections)
        if name in SPENT_BY_CHECK:
            figures["distinct_requests"] = len(requests)
        if name in pages:
            pages["baseline"]["rps_end"] = figures["rps"]
            pages["baseline"]["rps_start"] = pages["baseline"]["rps"]
            pages["baseline"]["rps"] = round((figures["rps"] + pages["baseline"]["rps"]) / 2, 1)
            log(f"  baseline again: {figures['rps']} req/s")
            continue
        pages[name] = figures
        pages[name].update(queries[name])
        log(
            f"  {name}: {pages[name]['rps']} req/s, p95 {pages[name]['p95_ms']} ms, "
            f"{pages[name]['queries']} queries, {pages[name]['seconds_alone']} s alone"
            + (
                f", {figures['requests']} requests of {figures['distinct_requests']} distinct"
                if "distinct_requests" in figures
                else ""
            )
        )
    load_average.append(round(os.getloadavg()[0], 1))
    results["load_average_1min"] = load_average
    baseline_rps = pages["baseline"]["rps"]
    for figures in pages.values():
        # Four places: the slowest pages are well under 0.001x.
        figures["ratio"] = round(figures["rps"] / baseline_rps, 4) if baseline_rps else None
    if today_status != 200:
        pages["today_page"] = not_measured(
            f"no Today page in this build (GET {TODAY_PATH} as a learner: HTTP {today_status})"
        )
    # The table's order, the Today page after progress; pages added later go last.
    order = [*PAGE_LABELS, *pages]
    results["pages"] = {name: pages[name] for name in dict.fromkeys(order) if name in pages}
    # The cohort page on its own (one tutor, one request at a time): its service time.
    script = work / "cohort_solo.lua"
    write_lua(script, pages_to_load["cohort_page"][0])
    wait_until_idle(port)
    results["cohort_page_single_user"] = run_wrk(
        port, script, duration=max(3, plan["duration"] // 2), connections=1
    )


def run_scale(plan: dict, args, *, workers: int, connections: int, measure_import: bool) -> dict:
    """One whole benchmark at one dataset size: data, server, load, marker. Returns its figures."""
    began = time.perf_counter()
    log(f"scale {plan['scale']}×: {plan}")
    work = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    results: dict = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "plan": plan,
    }
    server = None
    base_env = django_env(DB)
    try:
        build_data(plan, work, base_env, results, measure_import)
        phase = time.perf_counter()
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
        load_pages(port, server_env, work, plan, connections, results)
        results["load_s"] = round(time.perf_counter() - phase, 1)
    finally:
        if server is not None:
            stop(server)

    # Marker (pure Python, one core): the same at every size, kept per run as a noise check.
    marker_json = work / "marker.json"
    subprocess.run(
        [PY, "bench/bench_marker.py", "--json", str(marker_json)]
        + (["--quick"] if args.quick else []),
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    results["marker"] = json.loads(marker_json.read_text())
    # Marking workers on the job queue (bench/bench_workers.py: its own database, two workers
    # on the database broker): the same at every size, so measured once, in the first size.
    if measure_import:
        log("marking workers: backlog and paced submits (bench/bench_workers.py)")
        workers_json = work / "workers.json"
        subprocess.run(
            [PY, "bench/bench_workers.py", "--json", str(workers_json)]
            + (["--backlog", "200", "--seconds", "8"] if args.quick else []),
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        results["workers"] = json.loads(workers_json.read_text())
    if not args.keep_db:
        psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    shutil.rmtree(work, ignore_errors=True)
    if "import" not in results:
        results["import"] = not_measured(
            "measured once per --compare run, in its first size (it imports into an empty "
            "database at every size)"
        )
    results["extras"] = extras(results)
    results["targets"] = targets(results)
    results["elapsed_s"] = round(time.perf_counter() - began, 1)
    return results


def extras(run: dict) -> dict:
    """The figures that are not pages, as ``{"value", "unit"}`` or not measured with a reason."""
    imported = run["import"]
    rows = {
        "import": (
            {
                "value": imported["documents_per_second"],
                "unit": f"documents/s ({imported['documents']:,} files)",
            }
            if is_measured(imported)
            else imported
        ),
        "cohort_page_single_user_p95": (
            {"value": run["cohort_page_single_user"]["p95_ms"], "unit": "ms"}
            if run["cohort_page_single_user"]["p95_ms"] is not None
            else not_measured("no request finished within wrk's timeout (10 s)")
        ),
        "marker": {"value": round(run["marker"]["answers_per_second"]), "unit": "answers/s"},
    }
    rows.update(worker_slots(run))
    rows["dataset_build"] = {
        "value": round(sum(run["dataset"]["timings_s"].values())),
        "unit": "s",
    }
    return rows


EXTRA_LABELS = {
    "import": "import (generated documents, real importer)",
    "cohort_page_single_user_p95": "cohort page p95, one tutor at a time",
    "marker": "marker, in-process, one core",
    "marking_throughput_workers": "marking throughput in workers",
    "submit_to_marks_p95": "submit → marks shown, p95",
    "dataset_build": "dataset generation (import + pools + accounts + answers)",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small dataset, short runs (CI)")
    parser.add_argument("--keep-db", action="store_true", help="leave the databases behind")
    parser.add_argument("--duration", type=int, default=None, help="seconds of load per page")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--connections", type=int, default=None, help="wrk connections")
    parser.add_argument("--scale", type=int, default=1, help="multiply the dataset (10: 10×)")
    parser.add_argument(
        "--compare", default=None, help="run several sizes in turn, e.g. 1,10 (growth curve)"
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep other sizes' runs already in the JSON file (same mode) and compare with them",
    )
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args(argv)
    try:
        scales = parse_scales(args.compare) if args.compare else [args.scale]
        base = QUICK if args.quick else FULL
        plans = [scaled_plan(base, scale) for scale in scales]
    except ValueError as error:
        parser.error(str(error))
    for plan in plans:
        if args.duration:
            plan["duration"] = args.duration
    cores = os.cpu_count() or 2
    workers = args.workers or 2 * cores
    connections = args.connections or workers
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: `apt-get install -y wrk` (make bench does this)")

    began = time.perf_counter()
    mode = "quick" if args.quick else "full"
    runs: dict[int, dict] = {}
    if args.merge and args.json.exists():
        previous = json.loads(args.json.read_text(encoding="utf-8"))
        if previous.get("mode") == mode:
            runs = {int(k): v for k, v in previous.get("runs", {}).items()}
    for index, plan in enumerate(plans):
        runs[plan["scale"]] = run_scale(
            plan, args, workers=workers, connections=connections, measure_import=index == 0
        )
        # Written after every size, so a later size that fails keeps the earlier figures.
        write_results(args.json, mode, runs, began)
    results = write_results(args.json, mode, runs, began)
    print(report(results))
    log(f"figures written to {args.json} ({results['elapsed_s']} s)")
    return 0


def write_results(path: Path, mode: str, runs: dict[int, dict], began: float) -> dict:
    """results.json: every size's run and, with two sizes or more, the growth rows."""
    results = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "mode": mode,
        "machine": machine(),
        "commit": git_commit(),
        "runs": {str(scale): runs[scale] for scale in sorted(runs)},
    }
    sizes = sorted(runs)
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        results["growth"] = {
            "small": small,
            "large": large,
            "max_ratio_loss": MAX_RATIO_LOSS,
            "rows": growth_rows(runs[small], runs[large]),
        }
    results["elapsed_s"] = round(time.perf_counter() - began, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


def git_commit() -> str | None:
    completed = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return completed.stdout.strip() or None


def targets(run: dict) -> list[dict]:
    """Issue 13's targets at this size: met, missed, or not measured (never a made-up figure)."""
    pages = run["pages"]
    rows = []
    for page, minimum in TARGETS.items():
        figures = pages.get(page)
        if not is_measured(figures):
            rows.append(
                {
                    "target": f"{page} >= {minimum}x baseline throughput",
                    "measured": f"not measured: {figures['reason'] if figures else 'not run'}",
                    "met": None,
                }
            )
            continue
        rows.append(
            {
                "target": f"{page} >= {minimum}x baseline throughput",
                "measured": f"{figures['ratio']}x",
                "met": figures["ratio"] >= minimum,
            }
        )
    cohort_p95 = pages["cohort_page"]["p95_ms"]
    solo_p95 = run["cohort_page_single_user"]["p95_ms"]
    rows.append(
        {
            "target": f"cohort page p95 < {COHORT_P95_MS} ms (50 learners, "
            f"{run['plan']['tutor_sessions']} tutors at once)",
            "measured": (
                f"{cohort_p95} ms under load"
                if cohort_p95 is not None
                else "no request finished within wrk's timeout under load"
            )
            + (f" ({solo_p95} ms single user)" if solo_p95 is not None else ""),
            # No request finished: slower than the timeout, so the target is missed.
            "met": cohort_p95 is not None and cohort_p95 < COHORT_P95_MS,
        }
    )
    marker = run["marker"]
    rows.append(
        {
            "target": f"marker p99 < {MARKER_P99_MS} ms",
            "measured": f"{marker['p99_ms']} ms",
            "met": marker["p99_ms"] < MARKER_P99_MS,
        }
    )
    for name, figure in worker_slots(run).items():
        throughput = name == "marking_throughput_workers"
        target = EXTRA_LABELS[name] + (" >= 200 answers/s" if throughput else " < 2 s")
        if not is_measured(figure):
            rows.append(
                {"target": target, "measured": f"not measured: {figure['reason']}", "met": None}
            )
            continue
        value = figure["value"]
        rows.append(
            {
                "target": target,
                "measured": f"{value} {figure['unit']}",
                "met": value >= 200 if throughput else value < 2,
            }
        )
    if is_measured(run["import"]):
        docs = run["import"]["documents_per_second"]
        rows.append(
            {
                "target": f"import >= {IMPORT_DOCS_PER_S} documents/s",
                "measured": f"{docs} documents/s",
                "met": docs >= IMPORT_DOCS_PER_S,
            }
        )
    return rows


def run_table(run: dict, mode: str, machine_figures: dict) -> str:
    """One size's page table, other figures and targets, as printed after the run."""
    m, d, plan = machine_figures, run["dataset"], run["plan"]
    lines = [
        "",
        f"Revision portal benchmark ({mode}, scale {plan['scale']}×), {run['date']}, "
        f"{m['cores']} cores / {m['memory_gib']} GiB, Python {m['python']}",
        f"dataset: {d['topics']:,} topics, {d['questions']:,} questions, "
        f"{plan['learners']:,} learners in {plan['cohorts']} cohorts, {d['attempts']:,} attempts, "
        f"{d['answers']:,} answers"
        + ("  (quick: a smaller dataset than the full run)" if mode == "quick" else ""),
        f"server: gunicorn {run['server']['gunicorn_workers']} sync workers, "
        f"cache {run['server']['cache']}; wrk {run['server']['wrk_connections']} connections",
        "",
        f"| {'page':<14} | {'req/s':>8} | {'x baseline':>10} | {'p50 ms':>7} | {'p95 ms':>7} "
        f"| {'p99 ms':>7} | {'queries':>7} | {'errors':>6} |",
        f"|{'-' * 16}|{'-' * 10}:|{'-' * 11}:|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:"
        f"|{'-' * 7}:|",
    ]
    for name, p in run["pages"].items():
        if not is_measured(p):
            lines.append(f"| {name:<14} | not measured: {p['reason']} |")
            continue
        lines.append(
            f"| {name:<14} | {p['rps']:>8,.1f} | {p['ratio']:>10.2f} | {ms(p['p50_ms'])} | "
            f"{ms(p['p95_ms'])} | {ms(p['p99_ms'])} | {p['queries']:>7} | {p['errors']:>6} |"
        )
    lines += ["", f"dataset generation: {json.dumps(d['timings_s'])}", "", "targets:"]
    for row in run["targets"]:
        state = {True: "met", False: "MISSED", None: "not measured"}[row["met"]]
        lines.append(f"  [{state}] {row['target']}: {row['measured']}")
    return "\n".join(lines)


def ms(value: float | None) -> str:
    """A latency cell: "-" when no request finished, so there is none."""
    return f"{'-':>7}" if value is None else f"{value:>7.1f}"


def report(results: dict) -> str:
    """Every size's table, then (with two or more sizes) the growth curve side by side."""
    runs = {int(k): v for k, v in results["runs"].items()}
    parts = [run_table(runs[scale], results["mode"], results["machine"]) for scale in sorted(runs)]
    growth = results.get("growth")
    if growth:
        small, large = growth["small"], growth["large"]
        parts += [
            "",
            f"Growth curve: {small}× vs {large}× (flagged: a page losing more than "
            f"{growth['max_ratio_loss']:.0%} of its ratio, or a query count that differs)",
            "",
            growth_table(growth["rows"], small, large),
            "",
            figures_table(runs, EXTRA_LABELS),
        ]
    else:
        parts += ["", figures_table(runs, EXTRA_LABELS)]
    return "\n".join(parts)


if __name__ == "__main__":
    raise SystemExit(main())
