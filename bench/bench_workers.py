"""Marking throughput of the job queue: two worker processes, PostgreSQL, the real marker.

Creates its own PostgreSQL database (dropped again at the end unless --keep-db), migrates,
imports the seed documents, starts two Celery workers (`celery -A revision_portal worker
--concurrency 1` each, as on two machines) on the broker (the database queue by default, or
--broker redis://… / amqp://…), then drives them from a separate process:

1. backlog: submits --backlog attempts as fast as it can and reports answers marked per second,
   from the first submission to the last attempt seen marked;
2. paced: submits attempts at --rate answers a second (the learner load) for --seconds and
   reports the time from each submission to its marks being visible (a committed
   ``marked_at``, polled every 20 ms as a results page would), p50/p95/max.

Answers are the labelled learner answers in assessments/tests/data/labelled_answers.csv, so the
marker does its real work. Prints a summary and writes bench/workers.json.

    python bench/bench_workers.py [--backlog 600] [--rate 100] [--seconds 20] [--broker URL]

bench/run.py can call ``run(...)`` (same arguments, returns the dict written to the JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from run import PY, django_env, machine, psql, recreate_database  # noqa: E402

DB = os.environ.get("BENCH_DB_PREFIX", "") + "rp_queue_bench"
JSON_PATH = ROOT / "bench" / "workers.json"
TARGET_ANSWERS_PER_SECOND = 200
TARGET_P95_SECONDS = 2.0
POLL_SECONDS = 0.02


def log(message: str) -> None:
    print(f"[workers {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- worker processes ------------------------------------------------------------------------


def start_worker(env: dict, log_path: Path, *, name: str, concurrency: int = 1) -> subprocess.Popen:
    """A marking worker as `make worker` runs it, in its own process group; waits until it
    is ready to take messages (60 s at most)."""
    process = subprocess.Popen(  # noqa: S603 - a fixed command: this interpreter running celery
        [
            PY,
            "-m",
            "celery",
            "-A",
            "revision_portal",
            "worker",
            "--hostname",
            f"{name}@%h",
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"worker {name} exited: {log_path.read_text()[-3000:]}")
        if "ready." in log_path.read_text():
            return process
        time.sleep(0.2)
    stop_worker(process)
    raise SystemExit(f"worker {name} was not ready in 60 s: {log_path.read_text()[-3000:]}")


def stop_worker(process: subprocess.Popen) -> None:
    """Warm shutdown (SIGTERM: finish the task in hand), then SIGKILL after 20 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- the driver (a Django process) -------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def _prepare_attempts(count: int, offset: int) -> list[tuple[int, int]]:
    """``count`` topic quizzes with every short answer filled from the labelled answers, not
    submitted; returns (attempt id, responses) pairs."""
    import csv
    import random

    from accounts.services import register_learner
    from assessments.models import Attempt, Question
    from assessments.services import save_answers, start_attempt
    from topics.models import Topic

    rng = random.Random(offset)  # noqa: S311 - benchmark data
    answers: dict[tuple[str, int], list[str]] = {}
    path = ROOT / "assessments" / "tests" / "data" / "labelled_answers.csv"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            answers.setdefault((row["source"], int(row["point"])), []).append(row["answer"])
    topics = list(Topic.objects.filter(questions__is_active=True).distinct())
    prepared = []
    for index in range(count):
        learner = register_learner(
            username=f"bench-worker-{offset + index}",
            email=f"bench-worker-{offset + index}@example.invalid",
            password=None,
        )
        topic = topics[index % len(topics)]
        attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=index)
        given: dict[int, str | int | None] = {}
        responses = attempt.responses.select_related("question__marking_point")
        for response in responses.prefetch_related("question__options"):
            question = response.question
            if question.kind == Question.Kind.SHORT_ANSWER and question.marking_point_id:
                pool = answers.get((topic.source_file, question.marking_point.position))
                given[response.position] = rng.choice(pool) if pool else question.model_answer
            else:
                given[response.position] = rng.randrange(max(1, len(question.option_texts())))
        save_answers(attempt=attempt, answers=given)
        prepared.append((attempt.pk, len(given)))
    return prepared


def worker_cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) used so far by these worker processes and their pool
    children, from /proc: the workers' share of the cost, whatever else the machine runs."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        for process in [str(pid), *children]:
            try:
                fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _seen_marked(pending: set[int]) -> set[int]:
    from assessments.models import Attempt

    if not pending:
        return set()
    return set(
        Attempt.objects.filter(pk__in=pending, marked_at__isnull=False).values_list("pk", flat=True)
    )


def _backlog(prepared: list[tuple[int, int]], timeout: float, worker_pids: list[int]) -> dict:
    from assessments.models import Attempt
    from assessments.services import submit_attempt

    sizes = dict(prepared)
    cpu_before = worker_cpu_seconds(worker_pids)
    started = time.perf_counter()
    for attempt_id, _ in prepared:
        submit_attempt(attempt=Attempt(pk=attempt_id))
    submitted = time.perf_counter()
    pending = set(sizes)
    while pending and time.perf_counter() - started < timeout:
        pending -= _seen_marked(pending)
        time.sleep(POLL_SECONDS * 5)
    elapsed = time.perf_counter() - started
    cpu = worker_cpu_seconds(worker_pids) - cpu_before
    answers = sum(sizes.values())
    return {
        "worker_cpu_seconds": round(cpu, 2),
        "worker_cpu_ms_per_answer": round(1000 * cpu / answers, 2) if answers else None,
        "attempts": len(prepared),
        "answers": answers,
        "unmarked_at_timeout": len(pending),
        "submit_seconds": round(submitted - started, 2),
        "seconds": round(elapsed, 2),
        "answers_per_second": round(answers / elapsed, 1),
    }


def _paced(prepared: list[tuple[int, int]], rate: float, timeout: float) -> dict:
    """Submit at ``rate`` answers a second; latency = first poll that sees the marks."""
    from assessments.models import Attempt
    from assessments.services import submit_attempt

    submitted_at: dict[int, float] = {}
    latencies: list[float] = []
    pending: set[int] = set()
    queue = list(prepared)
    started = time.perf_counter()
    due = started
    while queue or pending:
        now = time.perf_counter()
        if now - started > timeout:
            break
        while queue and now >= due:
            attempt_id, size = queue.pop(0)
            submit_attempt(attempt=Attempt(pk=attempt_id))
            submitted_at[attempt_id] = time.perf_counter()
            pending.add(attempt_id)
            due += size / rate
            now = time.perf_counter()
        marked = _seen_marked(pending)
        seen = time.perf_counter()
        for attempt_id in marked:
            latencies.append(seen - submitted_at[attempt_id])
        pending -= marked
        time.sleep(POLL_SECONDS)
    answers = sum(size for attempt_id, size in prepared if attempt_id in submitted_at)
    elapsed = time.perf_counter() - started
    return {
        "target_answers_per_second": rate,
        "attempts": len(submitted_at),
        "answers": answers,
        "offered_answers_per_second": round(answers / elapsed, 1),
        "unmarked_at_timeout": len(pending),
        "latency_p50_s": round(_percentile(latencies, 0.50), 3),
        "latency_p95_s": round(_percentile(latencies, 0.95), 3),
        "latency_max_s": round(max(latencies, default=0.0), 3),
    }


def drive(backlog: int, rate: float, seconds: float, worker_pids: list[int]) -> dict:
    """Run inside Django (``--driver``): prepare the attempts, then both phases."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revision_portal.settings")
    django.setup()
    from revision_portal.celery import app

    started = time.perf_counter()
    first = _prepare_attempts(backlog, offset=0)
    # Enough attempts for the paced phase: a topic quiz is about ten answers.
    second = _prepare_attempts(max(1, round(rate * seconds / 8)), offset=backlog)
    prepare_seconds = time.perf_counter() - started
    return {
        "broker_transport": app.conf.broker_url.split("://", 1)[0],
        "prepare_seconds": round(prepare_seconds, 1),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "backlog": _backlog(first, timeout=600, worker_pids=worker_pids),
        "paced": _paced(second, rate, timeout=seconds * 4 + 60),
    }


# --- orchestration -----------------------------------------------------------------------------


def run(
    *,
    backlog: int = 600,
    rate: float = 100,
    seconds: float = 20,
    broker: str = "",
    workers: int = 2,
    keep_db: bool = False,
    json_path: Path | None = JSON_PATH,
) -> dict:
    """The whole benchmark; returns (and writes to ``json_path``) its results."""
    started = time.perf_counter()
    recreate_database(DB)
    # The database queue polls; a bench-like deployment on it would poll often.
    polling = os.environ.get("CELERY_POLLING_INTERVAL", "0.05")
    extra = {"CELERY_POLLING_INTERVAL": polling}
    if broker:
        extra["CELERY_BROKER_URL"] = broker
    env = django_env(DB, **extra)
    for command in (["migrate", "--noinput", "-v0"], ["import_seeds", "seeds"]):
        subprocess.run(  # noqa: S603 - fixed commands
            [PY, "manage.py", *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
        )
    logs = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    processes = []
    try:
        for index in range(workers):
            processes.append(start_worker(env, logs / f"worker{index}.log", name=f"w{index}"))
        log(f"{workers} workers ready (logs in {logs}); driving")
        completed = subprocess.run(  # noqa: S603 - this script, as the driver
            [
                PY,
                __file__,
                "--driver",
                "--backlog",
                str(backlog),
                "--rate",
                str(rate),
                "--seconds",
                str(seconds),
                "--worker-pids",
                ",".join(str(p.pid) for p in processes),
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0:
            sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-4000:])
            raise SystemExit("the driver failed")
        results = json.loads(completed.stdout.strip().splitlines()[-1])
    finally:
        for process in processes:
            stop_worker(process)
        if not keep_db:
            psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    results.update(
        {
            "workers": workers,
            "worker_concurrency": 1,
            "polling_interval_s": float(polling),
            "prefetch_multiplier": int(
                env.get("CELERY_WORKER_PREFETCH_MULTIPLIER") or 4  # the settings' default
            ),
            "machine": machine(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "targets": {
                "answers_per_second": TARGET_ANSWERS_PER_SECOND,
                "latency_p95_s": TARGET_P95_SECONDS,
                "throughput_met": results["backlog"]["answers_per_second"]
                >= TARGET_ANSWERS_PER_SECOND,
                "latency_met": results["paced"]["latency_p95_s"] < TARGET_P95_SECONDS
                and results["paced"]["unmarked_at_timeout"] == 0,
            },
            "seconds": round(time.perf_counter() - started, 1),
        }
    )
    if json_path:
        json_path.write_text(json.dumps(results, indent=2) + "\n")
    return results


def summary(results: dict) -> str:
    backlog, paced, targets = results["backlog"], results["paced"], results["targets"]
    return "\n".join(
        [
            f"marking workers: {results['workers']} × concurrency 1, broker "
            f"{results['broker_transport']}",
            f"  backlog of {backlog['attempts']} attempts ({backlog['answers']} answers): "
            f"{backlog['answers_per_second']} answers/s "
            f"(target ≥ {targets['answers_per_second']}: "
            f"{'met' if targets['throughput_met'] else 'MISSED'}); workers' CPU "
            f"{backlog['worker_cpu_ms_per_answer']} ms per answer; load average before "
            f"{results['load_average_before']}",
            f"  at {paced['offered_answers_per_second']} answers/s offered: submit → marked "
            f"p50 {paced['latency_p50_s']} s, p95 {paced['latency_p95_s']} s, max "
            f"{paced['latency_max_s']} s (target p95 < {targets['latency_p95_s']} s: "
            f"{'met' if targets['latency_met'] else 'MISSED'})",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backlog", type=int, default=600, help="attempts in the backlog run")
    parser.add_argument("--rate", type=float, default=100, help="answers/s in the paced run")
    parser.add_argument("--seconds", type=float, default=20, help="length of the paced run")
    parser.add_argument("--broker", default="", help="CELERY_BROKER_URL (default: database)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--json", type=Path, default=JSON_PATH)
    parser.add_argument("--driver", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker-pids", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.driver:
        pids = [int(pid) for pid in args.worker_pids.split(",") if pid]
        print(json.dumps(drive(args.backlog, args.rate, args.seconds, pids)))
        return 0
    results = run(
        backlog=args.backlog,
        rate=args.rate,
        seconds=args.seconds,
        broker=args.broker,
        workers=args.workers,
        keep_db=args.keep_db,
        json_path=args.json,
    )
    print(summary(results))
    print(f"written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
