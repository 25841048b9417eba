"""Helpers for tests that need PostgreSQL (row locks under real concurrency, killing backend
connections, pg_dump/pg_restore). They are skipped, with the reason, on SQLite; CI's second
run (``.ci/run``) sets DATABASE_URL to PostgreSQL and runs them."""

import pytest
from django.conf import settings


def using_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


SKIP_REASON = (
    "needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME "
    "(CI's second run does); SQLite has no row locks, backends to kill or pg_dump"
)

# Usage: ``pytestmark = [*postgresql_only, ...]`` or ``@pytest.mark.usefixtures`` style marks.
postgresql_only = [
    pytest.mark.postgresql,
    pytest.mark.skipif(not using_postgresql(), reason=SKIP_REASON),
]
