"""Count the database queries of one request per benchmark page, in-process, on the bench data.

    DATABASE_URL=... python bench/querycount.py REQUESTS.json      # JSON on stdout

REQUESTS.json maps a page name to ``{"method", "url", "headers", "body", "expected"}``: the
first request wrk sends for that page, with the session cookie of a learner or tutor who logged
in over HTTP. Each request is made twice through Django's test client (the whole middleware
stack, same settings and database as the server) and the second is counted with
``CaptureQueriesContext``: the count of a warm process, as under load, where per-process caches
(local-memory page cache, content types) are filled. The first (cold) count is reported too,
and the warm request's time in this process (``seconds_alone``).
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revision_portal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def _request(client: Client, spec: dict):
    headers = dict(spec.get("headers") or {})
    cookie = headers.pop("Cookie", None)
    client.cookies = SimpleCookie()
    if cookie:
        for name, value in (part.split("=", 1) for part in cookie.split("; ")):
            client.cookies[name] = value
    extra = {"HTTP_HOST": headers.pop("Host", "127.0.0.1")}
    body = spec.get("body")
    if spec["method"] == "POST":
        return client.generic(
            "POST",
            spec["url"],
            data=body or "",
            content_type=headers.pop("Content-Type", "application/x-www-form-urlencoded"),
            **extra,
        )
    path, _, query = spec["url"].partition("?")
    return client.get(path, data=urllib.parse.parse_qs(query), **extra)


def count(spec: dict) -> dict:
    """Queries of the second of two identical requests (and of the first), and its status."""
    client = Client()
    with CaptureQueriesContext(connection) as cold:
        _request(client, spec)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as warm:
        reply = _request(client, spec)
    seconds = time.perf_counter() - started
    if reply.status_code != spec["expected"]:
        raise SystemExit(
            f"{spec['method']} {spec['url']}: HTTP {reply.status_code} (want {spec['expected']})"
        )
    return {
        "queries": len(warm),
        "queries_cold": len(cold),
        "status": reply.status_code,
        # The warm request's time in this process, with nothing else running on the server:
        # a figure for pages too slow to finish under wrk's timeout.
        "seconds_alone": round(seconds, 3),
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    specs = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    print(json.dumps({name: count(spec) for name, spec in specs.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
