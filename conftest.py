"""Fixtures shared by every app's tests."""

from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture
def seeds_dir() -> Path:
    return settings.SEEDS_DIR


@pytest.fixture
def seed_bytes():
    """Read a seed file by its number prefix, e.g. ``seed_bytes("001")``."""

    def read(prefix: str) -> bytes:
        (path,) = settings.SEEDS_DIR.glob(f"{prefix}_*.txt")
        return path.read_bytes()

    return read


@pytest.fixture
def imported_seeds(db):
    """Every seed in seeds/ imported; returns the import report."""
    from topics.services import import_seed_paths

    report = import_seed_paths(paths=[settings.SEEDS_DIR])
    assert not report.failed, report.failed
    return report


@pytest.fixture
def tutor(db):
    from accounts.services import make_tutor
    from assessments.tests.factories import UserFactory

    user = UserFactory(username="tutor-tess", first_name="Tess")
    make_tutor(user=user)
    return user


@pytest.fixture
def other_tutor(db):
    from accounts.services import make_tutor
    from assessments.tests.factories import UserFactory

    user = UserFactory(username="tutor-otto")
    make_tutor(user=user)
    return user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 is slow by design; tests create many accounts and do not test hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: the local-memory cache outlives a test's
    database rollback, and a page cached by one test must not answer another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _uses_real_transactions(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def queued_tasks_run_at_once(request, monkeypatch):
    """Queued tasks (marking, re-marking) run in the test, as soon as they are queued.

    Celery runs them eagerly (``task_always_eager``), and in tests wrapped in one transaction,
    where nothing ever commits, ``transaction.on_commit`` runs its callback at once: the
    services register it as their atomic block's last step, so this is the moment the block
    would have committed. Tests with real transactions (``transaction=True``, the live server)
    keep Django's own on_commit; so do tests marked ``real_on_commit``, which check what is
    queued with ``django_capture_on_commit_callbacks``.
    """
    from django.db import transaction

    from revision_portal.celery import app

    # The CELERY_-prefixed names: Celery reads its configuration from Django's settings, whose
    # names take precedence over the unprefixed ones.
    saved = (app.conf.CELERY_TASK_ALWAYS_EAGER, app.conf.CELERY_TASK_EAGER_PROPAGATES)
    app.conf.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.CELERY_TASK_EAGER_PROPAGATES = True
    if not _uses_real_transactions(request) and not request.node.get_closest_marker(
        "real_on_commit"
    ):
        monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
    yield
    app.conf.CELERY_TASK_ALWAYS_EAGER, app.conf.CELERY_TASK_EAGER_PROPAGATES = saved
