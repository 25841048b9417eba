"""Where a request's time goes: the pages that miss issue 13's targets, and the importer.

    make bench-profile                      # or: .venv/bin/python bench/profile_pages.py
    python bench/profile_pages.py --requests 100 --topics 200 --json bench/profile.json

Builds a modest dataset in its own PostgreSQL database (``revision_portal_profile``, prefixed
by ``BENCH_DB_PREFIX`` like the benchmark's) the way ``make bench`` does (generated seed
documents through the real importer, learners and answers from bench/datagen.py), then, in one
process on the benchmark's production settings (DEBUG off, the same middleware, template loader
and cache settings), requests each page N times through Django's test client with CSRF checks
on and splits each request's wall time, exclusively, into:

- each middleware's own time (session, auth, CSP, ...), the handler (URL resolving),
- the view's own Python (including building querysets and turning rows into objects),
- template rendering (including lazy querysets evaluated there), with the context processors
  apart,
- database time (the driver call and the round trip) and the number of queries,
- ``client``: the test client building the request and reading the response (not the server's).

A second pass runs the same requests under cProfile and names the top functions by own time.
The importer is measured the same way on the first ``--import-docs`` documents of the dataset:
parsing, rubric building, question generation, history rows, search refresh, database.

Prints a report and writes JSON (``--json``). Needs the local PostgreSQL cluster
(``make bench-deps`` starts it). The numbers are one process with nothing in parallel: they
say where a page's time goes, not its throughput under load (that is ``make bench``).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import json
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PROFILE_DB = os.environ.get("BENCH_DB_PREFIX", "") + "revision_portal_profile"


class Phases:
    """Exclusive wall time per phase: entering a phase stops the clock of the one it interrupts."""

    def __init__(self) -> None:
        self.reset()

    def _charge(self) -> None:
        # Wall time, and this thread's CPU time: on a loaded machine the wall time of a phase
        # includes waiting for a core, its CPU time does not.
        now, cpu = time.perf_counter(), time.thread_time()
        self.totals[self.stack[-1]] += now - self.started
        self.cpu_totals[self.stack[-1]] += cpu - self.cpu_started
        self.started, self.cpu_started = now, cpu

    def push(self, name: str) -> None:
        self._charge()
        self.stack.append(name)

    def pop(self) -> None:
        self._charge()
        self.stack.pop()

    def settle(self) -> None:
        """Charge the time since the last change to the phase running now."""
        self._charge()

    def reset(self) -> None:
        self.stack = ["client"]
        self.totals: dict[str, float] = defaultdict(float)
        self.cpu_totals: dict[str, float] = defaultdict(float)
        self.queries = 0
        self.by_sql: dict[str, list] = defaultdict(lambda: [0, 0.0])
        self.started, self.cpu_started = time.perf_counter(), time.thread_time()

    def timed(self, name: str, function):
        phases = self

        def wrapper(*args, **kwargs):
            phases.push(name)
            try:
                return function(*args, **kwargs)
            finally:
                phases.pop()

        wrapper.__wrapped__ = function
        return wrapper

    def db_wrapper(self, execute, sql, params, many, context):
        self.queries += 1
        self.push("database")
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = self.by_sql[sql]
            entry[0] += 1
            entry[1] += time.perf_counter() - started
            self.pop()

    def slowest_queries(self, calls: int, limit: int = 5) -> list[dict]:
        """The statements with the most database time per request, their text shortened."""
        rows = sorted(self.by_sql.items(), key=lambda item: -item[1][1])[:limit]
        return [
            {
                "ms": round(seconds * 1000 / calls, 3),
                "per_request": round(count / calls, 2),
                "sql": re.sub(r"\s+", " ", sql)[:160],
            }
            for sql, (count, seconds) in rows
        ]


PHASES = Phases()


def _instrument_request_path() -> None:
    """Wrap middleware, handler, views, templates and context processors with PHASES."""
    from django.conf import settings
    from django.core.handlers.base import BaseHandler
    from django.template.backends.django import Template
    from django.utils.module_loading import import_string

    classes = [import_string(path) for path in settings.MIDDLEWARE]
    originals = [(cls, cls.__call__) for cls in classes]
    for cls, original in originals:
        cls.__call__ = PHASES.timed(f"middleware: {cls.__name__}", original)
    BaseHandler._get_response = PHASES.timed("handler (URL resolving)", BaseHandler._get_response)
    make_view_atomic = BaseHandler.make_view_atomic

    def timed_view(self, view):
        return PHASES.timed("view", make_view_atomic(self, view))

    BaseHandler.make_view_atomic = timed_view
    Template.render = PHASES.timed("template", Template.render)
    for path in settings.TEMPLATES[0]["OPTIONS"]["context_processors"]:
        module_name, name = path.rsplit(".", 1)
        module = importlib.import_module(module_name)
        setattr(module, name, PHASES.timed("context processors", getattr(module, name)))


def _instrument_import() -> None:
    """Wrap the importer's stages with PHASES (module globals, so callers see the wrappers)."""
    import simple_history.models
    import simple_history.utils

    from assessments import services as assessment_services
    from topics import parsing
    from topics import services as topic_services

    parsing.parse_seed_bytes = PHASES.timed("parsing", parsing.parse_seed_bytes)
    assessment_services.build_rubric = PHASES.timed(
        "rubric building", assessment_services.build_rubric
    )
    assessment_services._choice_questions = PHASES.timed(
        "question generation (choice questions)", assessment_services._choice_questions
    )
    assessment_services.sync_question_bank = PHASES.timed(
        "question bank (rest)", assessment_services.sync_question_bank
    )
    for module in (topic_services, assessment_services, simple_history.utils):
        module.bulk_create_with_history = PHASES.timed(
            "history rows", module.bulk_create_with_history
        )
    records = simple_history.models.HistoricalRecords
    records.create_historical_record = PHASES.timed(
        "history rows", records.create_historical_record
    )
    topic_services.refresh_search_document = PHASES.timed(
        "search refresh", topic_services.refresh_search_document
    )
    topic_services.import_seed_file = PHASES.timed(
        "importer (rest)", topic_services.import_seed_file
    )


def _is_project_function(filename: str, name: str) -> bool:
    """The project's own code, less the middleware's ``__call__`` (each spans the request)."""
    if not filename.startswith(str(ROOT)) or "/bench/" in filename or "/.venv/" in filename:
        return False
    return not (name == "__call__" and filename.endswith(("middleware.py", "page_cache.py")))


def _top_functions(
    profile: cProfile.Profile, calls: int, limit: int = 12, *, project: bool = False
) -> list[dict]:
    """The functions with the most own time per request (``project``: the project's own
    functions with the most cumulative time: which of our code the time is spent under)."""
    stats = pstats.Stats(profile)
    rows = []
    for (filename, line, name), (_, ncalls, tottime, cumtime, _) in stats.stats.items():
        if project and not _is_project_function(filename, name):
            continue
        short = re.sub(r".*/site-packages/", "", filename).replace(str(ROOT) + "/", "")
        rows.append(
            {
                "function": f"{short}:{line}({name})",
                "own_ms": round(tottime * 1000 / calls, 3),
                "cumulative_ms": round(cumtime * 1000 / calls, 3),
                "calls": round(ncalls / calls, 1),
            }
        )
    rows.sort(key=lambda row: row["cumulative_ms" if project else "own_ms"], reverse=True)
    return rows[:limit]


def _split(phases: Phases, calls: int, wall: float) -> dict:
    """Per request: wall and CPU milliseconds, each phase's, the largest first."""
    wall_ms = {name: round(seconds * 1000 / calls, 3) for name, seconds in phases.totals.items()}
    cpu_ms = {name: round(seconds * 1000 / calls, 3) for name, seconds in phases.cpu_totals.items()}
    return {
        "ms_per_request": round(wall * 1000 / calls, 3),
        "cpu_ms_per_request": round(sum(phases.cpu_totals.values()) * 1000 / calls, 3),
        "phases_ms": dict(sorted(wall_ms.items(), key=lambda item: -item[1])),
        "phases_cpu_ms": cpu_ms,
    }


def _page_requests(manifest: dict):
    """(name, make_request(client) → response, expected status, client) per page."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from assessments.models import Attempt
    from assessments.services import start_attempt
    from topics.models import Topic

    learner = get_user_model().objects.get(username=manifest["learners"][0])
    topic = Topic.objects.get(slug=manifest["topic_slugs"][0])
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=1)
    question = f"/attempts/{attempt.pk}/questions/1/"
    anonymous = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
    signed_in = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
    signed_in.force_login(learner)
    page = signed_in.get(question)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1)
    answer = {"csrfmiddlewaretoken": token.decode(), "answer": "Loyal customers spend more."}
    slugs = manifest["topic_slugs"]
    cycle = iter(range(10**9))
    return {
        "baseline": (lambda: anonymous.get("/bench/baseline/"), 200),
        # Every topic in turn, as the benchmark does: in one process with the local-memory
        # cache, a miss on every request of the first lap (the benchmark at 10×)...
        "topic_page_miss": (
            lambda: anonymous.get(f"/topics/{slugs[next(cycle) % len(slugs)]}/"),
            200,
        ),
        # ... and one topic again and again: the page cache's hit.
        "topic_page_hit": (lambda: anonymous.get(f"/topics/{slugs[0]}/"), 200),
        "quiz_home": (lambda: signed_in.get("/quizzes/"), 200),
        "progress": (lambda: signed_in.get("/progress/"), 200),
        "today": (lambda: signed_in.get("/today/"), 200),
        "quiz_question": (lambda: signed_in.get(question), 200),
        "submit": (lambda: signed_in.post(question, {**answer, "action": "next"}), 302),
    }


def profile_pages(manifest: dict, requests: int, only: set[str] = frozenset()) -> dict:
    """Each page: warm-up, then ``requests`` timed with PHASES, then as many under cProfile."""
    from django.db import connection

    _instrument_request_path()
    results = {}
    for name, (make_request, expected) in _page_requests(manifest).items():
        if only and name not in only:
            continue
        for _ in range(max(3, requests // 5)):
            reply = make_request()
            if reply.status_code != expected:
                raise SystemExit(f"{name}: HTTP {reply.status_code} (want {expected})")
        with connection.execute_wrapper(PHASES.db_wrapper):
            PHASES.reset()
            started = time.perf_counter()
            for _ in range(requests):
                make_request()
            wall = time.perf_counter() - started
            PHASES.settle()
            row = _split(PHASES, requests, wall)
            row["queries"] = round(PHASES.queries / requests, 2)
            row["slowest_queries"] = PHASES.slowest_queries(requests)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(requests):
            make_request()
        profile.disable()
        row["top_functions"] = _top_functions(profile, requests)
        row["top_project_functions"] = _top_functions(profile, requests, project=True)
        results[name] = row
    return results


def profile_import(seed_dir: Path, documents: int) -> dict:
    """Import the first ``documents`` seed files with PHASES on (the dataset's first topics)."""
    from django.db import connection

    from topics import services as topic_services

    _instrument_import()
    files = sorted(seed_dir.glob("*.txt"))[:documents]
    with connection.execute_wrapper(PHASES.db_wrapper):
        PHASES.reset()
        started = time.perf_counter()
        report = topic_services.import_seed_paths(paths=files[: documents // 2])
        wall = time.perf_counter() - started
        PHASES.settle()
        row = _split(PHASES, len(files[: documents // 2]), wall)
        row["queries"] = round(PHASES.queries / max(1, documents // 2), 1)
        row["slowest_queries"] = PHASES.slowest_queries(max(1, documents // 2), limit=8)
    row["documents_per_second"] = round(documents // 2 / wall, 1)
    row["failed"] = len(report.failed)
    profile = cProfile.Profile()
    profile.enable()
    topic_services.import_seed_paths(paths=files[documents // 2 :])
    profile.disable()
    row["top_functions"] = _top_functions(profile, len(files) - documents // 2, limit=15)
    row["top_project_functions"] = _top_functions(
        profile, len(files) - documents // 2, limit=15, project=True
    )
    for key in ("phases_ms", "phases_cpu_ms"):
        row[key]["other (ORM, signals, sections)"] = row[key].pop("client", 0)
    return row


def _env() -> dict:
    sys.path.insert(0, str(ROOT / "bench"))
    from run import django_env  # the benchmark's production settings

    return django_env(PROFILE_DB, BENCH_BASELINE="1")


def build(args, work: Path) -> None:
    """A fresh database, migrated, with generated seeds; the importer profiled on the first
    documents; then the rest of the dataset from bench/datagen.py."""
    sys.path.insert(0, str(ROOT / "bench"))
    from run import recreate_database

    env = _env()
    recreate_database(PROFILE_DB)
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
    )
    subprocess.run(
        [PY, "bench/seedgen.py", str(work / "seeds"), "--count", str(args.topics)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [PY, __file__, "--inner-import", str(work)] + _passthrough(args), env=env, check=True
    )
    if args.import_only:
        return
    subprocess.run(
        [
            PY,
            "bench/datagen.py",
            "build",
            str(work / "seeds"),
            "--topics",
            str(args.topics),
            "--already-imported",
            str(args.import_docs),
            "--learners",
            str(args.learners),
            "--cohorts",
            str(max(1, args.learners // 50)),
            "--answers",
            str(args.learners * 100),
            "--manifest",
            str(work / "manifest.json"),
        ],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _passthrough(args) -> list[str]:
    return [
        "--requests",
        str(args.requests),
        "--import-docs",
        str(args.import_docs),
        "--pages",
        args.pages,
    ]


def _inner(args) -> int:
    """Runs in the child process, on the benchmark's settings."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revision_portal.settings")
    import django

    django.setup()
    work = Path(args.inner_import or args.inner_pages)
    if args.inner_import:
        result = profile_import(work / "seeds", args.import_docs)
        (work / "import.json").write_text(json.dumps(result), encoding="utf-8")
    else:
        manifest = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
        only = set(filter(None, args.pages.split(",")))
        result = profile_pages(manifest, args.requests, only)
        (work / "pages.json").write_text(json.dumps(result), encoding="utf-8")
    return 0


def report(results: dict) -> str:
    lines = []
    for name, row in results.items():
        lines.append(
            f"\n{name}: {row['ms_per_request']} ms per request/document "
            f"({row.get('cpu_ms_per_request', 0)} ms CPU in this process), "
            f"{row['queries']} queries"
        )
        lines.append("  wall ms, CPU ms, phase:")
        for phase, ms in row["phases_ms"].items():
            cpu = row.get("phases_cpu_ms", {}).get(phase, 0)
            lines.append(f"  {ms:9.3f} {cpu:9.3f}  {phase}")
        for query in row.get("slowest_queries", []):
            lines.append(f"  {query['ms']:9.3f} ms  {query['per_request']} × {query['sql']}")
        for key, title in (
            ("top_functions", "top functions by own time"),
            ("top_project_functions", "the project's functions by cumulative time"),
        ):
            lines.append(f"  {title} (own ms, cumulative ms, calls per request):")
            for function in row.get(key, [])[:8]:
                lines.append(
                    f"    {function['own_ms']:8.3f} {function['cumulative_ms']:8.3f} "
                    f"{function['calls']:8.1f}  {function['function']}"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--topics", type=int, default=200)
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--import-docs", type=int, default=100)
    parser.add_argument(
        "--pages", default="", help="comma-separated page names to profile (default: all)"
    )
    parser.add_argument("--json", default=str(ROOT / "bench" / "profile.json"))
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--import-only",
        action="store_true",
        help="profile the importer only (no dataset, no pages)",
    )
    parser.add_argument(
        "--reuse",
        metavar="DIR",
        help="profile again on the database and files a --keep-db run "
        "left in DIR (its --work), without building them",
    )
    parser.add_argument("--work", metavar="DIR", help="keep the seeds and manifest in DIR")
    parser.add_argument("--inner-import", help=argparse.SUPPRESS)
    parser.add_argument("--inner-pages", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner_import or args.inner_pages:
        return _inner(args)
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="profile-") as folder:
        work = Path(args.reuse or args.work or folder)
        work.mkdir(parents=True, exist_ok=True)
        if not args.reuse:
            build(args, work)
        if not args.import_only:
            subprocess.run(
                [PY, __file__, "--inner-pages", str(work)] + _passthrough(args),
                env=_env(),
                check=True,
            )
        results = {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)),
            "load_average_1min": os.getloadavg()[0],
            "dataset": {"topics": args.topics, "learners": args.learners},
            "requests_per_page": args.requests,
            "import": json.loads((work / "import.json").read_text()),
            "pages": {} if args.import_only else json.loads((work / "pages.json").read_text()),
        }
    if not (args.keep_db or args.reuse):
        sys.path.insert(0, str(ROOT / "bench"))
        from run import psql

        psql(f'DROP DATABASE IF EXISTS "{PROFILE_DB}" WITH (FORCE)')
    Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(report({"import (per document)": results["import"], **results["pages"]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
