"""Fixtures shared by every app's tests."""

from pathlib import Path

import pytest

SEEDS_DIR = Path(__file__).resolve().parent / "seeds"


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS_DIR


@pytest.fixture
def seed_bytes():
    """Read a seed file by its number prefix, e.g. ``seed_bytes("001")``."""

    def read(prefix: str) -> bytes:
        (path,) = SEEDS_DIR.glob(f"{prefix}_*.txt")
        return path.read_bytes()

    return read


@pytest.fixture
def imported_seeds(db):
    """Every seed in seeds/ imported; returns the import report."""
    from topics.services import import_seed_paths

    report = import_seed_paths(paths=[SEEDS_DIR])
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
