"""Settings are read at import time, so each case runs Django in a fresh interpreter."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3y-" + "x7Qz9!pL2#vR8@wN5$" * 4


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean_env = {
        key: value
        for key, value in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' process; a fresh manage.py
        # should see a clean environment.
        if key
        not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_development_defaults_need_no_configuration():
    result = run_manage("check")

    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_setting_a_secret_key_turns_debug_off_by_default():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="portal.example.ac.uk",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_malformed_boolean_is_named_in_the_error():
    result = run_manage("check", DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("sqlite:////tmp/portal.sqlite3", "django.db.backends.sqlite3"),
        ("postgres://portal@db.internal:5432/portal", "django.db.backends.postgresql"),
    ],
)
def test_database_url_chooses_the_database(url, engine):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        DATABASE_URL=url,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == engine


def test_check_deploy_is_clean_with_production_variables():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="portal.example.ac.uk",
        CSRF_TRUSTED_ORIGINS="https://portal.example.ac.uk",
    )

    assert result.returncode == 0, result.stderr + result.stdout
