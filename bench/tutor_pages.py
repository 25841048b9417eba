"""Time the tutor pages in-process on an existing benchmark dataset (no HTTP server).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rp_tutor \
        .venv/bin/python bench/tutor_pages.py [CODE_DIR] > results.json

The dataset is ``bench/datagen.py build`` output (cohort 1 taught by ``tutor001``..., learner
``learner00001``). Runs on production settings with the Django test client: per page, 5
warm-up then 40 timed requests (20 for the export), with wall-clock p50/p95 and the median
CPU time of this process per request (steadier than wall time on a shared machine); then four
processes, one tutor each, request their cohort page for 20 s at once. CODE_DIR (default:
this checkout) lets the same script time another version of the code on the same data.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from multiprocessing import Process, Queue
from pathlib import Path

CODE = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1])
sys.path.insert(0, str(CODE))
os.chdir(CODE)
if not os.environ.get("DATABASE_URL"):
    sys.exit("Set DATABASE_URL to the benchmark database.")
os.environ.update(
    DJANGO_SETTINGS_MODULE="revision_portal.settings",
    SECRET_KEY="tutor-pages-timing-" + "abcdefghij" * 5,  # noqa: S105 - local timing only
    DEBUG="0",
    ALLOWED_HOSTS="testserver",
    SECURE_SSL_REDIRECT="0",
    LOG_LEVEL="WARNING",
)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

# Source static files: the hashed manifest needs `collectstatic`, which timing does not.
PLAIN_STATIC = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
User = get_user_model()


def client_for(username: str) -> Client:
    client = Client(secure=True)
    client.force_login(User.objects.get(username=username))
    return client


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def time_page(client: Client, url: str, *, requests: int) -> dict:
    for _ in range(5):
        if client.get(url).status_code != 200:
            sys.exit(f"{url} did not answer 200; is DATABASE_URL a datagen.py dataset?")
    wall, cpu, size = [], [], 0
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
        size = len(body)
    return {
        "p50_ms": round(statistics.median(wall), 1),
        "p95_ms": round(percentile(wall, 95), 1),
        "cpu_ms": round(statistics.median(cpu), 1),
        "kB": round(size / 1024),
    }


def tutor_load(username: str, url: str, seconds: float, out: Queue) -> None:
    with override_settings(STORAGES=PLAIN_STATIC):
        connections.close_all()
        client = client_for(username)
        client.get(url)
        times = []
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        out.put(times)


def main() -> None:
    results = {}
    with override_settings(STORAGES=PLAIN_STATIC):
        client = client_for("tutor001")
        learner = User.objects.get(username="learner00001").pk
        pages = {
            "cohort page": "/tutor/cohorts/1/",
            "cohort page, sorted by overall": "/tutor/cohorts/1/?sort=-overall",
            "by marking point": "/tutor/cohorts/1/points/",
            "answers list": "/tutor/cohorts/1/answers/",
            "learner drill-down": f"/tutor/cohorts/1/learners/{learner}/",
            "export by marking point (whole CSV)": "/tutor/cohorts/1/export/points.csv",
        }
        for name, url in pages.items():
            results[name] = time_page(client, url, requests=20 if "export" in name else 40)
            print(name, results[name], file=sys.stderr, flush=True)
        connections.close_all()
    seconds, out = 20, Queue()
    tutors = [
        Process(target=tutor_load, args=(f"tutor{n:03d}", f"/tutor/cohorts/{n}/", seconds, out))
        for n in range(1, 5)
    ]
    for process in tutors:
        process.start()
    times = [t for _ in tutors for t in out.get()]
    for process in tutors:
        process.join()
    results["cohort page, 4 tutors at once"] = {
        "requests_per_s": round(len(times) / seconds, 1),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "p99_ms": round(percentile(times, 99), 1),
    }
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
