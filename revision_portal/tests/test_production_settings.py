"""Production settings: weak keys refused, and what DEBUG off switches on (fresh interpreters)."""

import json

import pytest

from revision_portal.tests.test_settings import STRONG_KEY, run_manage

PRODUCTION = {
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "portal.example.ac.uk",
    "CSRF_TRUSTED_ORIGINS": "https://portal.example.ac.uk",
}


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("short-key", "SECRET_KEY is too weak: it has 9 characters"),
        ("a" * 60, "SECRET_KEY is too weak"),
        (
            "django-insecure-development-only-key-do-not-use-in-production",
            "SECRET_KEY is the development key",
        ),
        ("django-insecure-" + "x7Qz9!pL2#" * 6, "'django-insecure' key"),
    ],
    ids=["short", "one character", "development key", "insecure prefix"],
)
def test_production_refuses_a_weak_secret_key_with_a_clear_message(key, message):
    result = run_manage("check", **{**PRODUCTION, "SECRET_KEY": key})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_debug_may_use_the_development_key():
    assert run_manage("check", DEBUG="1").returncode == 0


def test_production_switches_on_every_transport_and_cookie_protection():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'hsts': s.SECURE_HSTS_SECONDS, 'sub': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "'redirect': s.SECURE_SSL_REDIRECT, 'proxy': s.SECURE_PROXY_SSL_HEADER, "
        "'session': [s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY],"
        "'csrf': [s.CSRF_COOKIE_NAME, s.CSRF_COOKIE_SECURE], 'debug': s.DEBUG,"
        "'hosts': s.ALLOWED_HOSTS, 'origins': s.CSRF_TRUSTED_ORIGINS,"
        "'csp': s.CONTENT_SECURITY_POLICY['DIRECTIVES']}))",
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is False
    assert values["hsts"] >= 31_536_000
    assert values["sub"] is True
    assert values["redirect"] is True
    assert values["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["session"] == ["__Host-sessionid", True, True]
    assert values["csrf"] == ["__Host-csrftoken", True]
    assert values["hosts"] == ["portal.example.ac.uk"]
    assert values["origins"] == ["https://portal.example.ac.uk"]
    assert values["csp"]["script-src"] == ["'self'"]


def test_check_deploy_fails_on_a_warning_when_hsts_is_switched_off():
    """The deploy check test is meaningful: a weakened setting makes it fail."""
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, SECURE_HSTS_SECONDS="0"
    )

    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


def _hsts_preload(**env) -> bool:
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.SECURE_HSTS_PRELOAD)",
        **PRODUCTION,
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip() == "True"


def test_hsts_preload_is_off_unless_the_operator_opts_in():
    """Preloading is hard to undo (browsers ship the list for months), so the default leaves it
    to the operator who owns the whole domain: SECURE_HSTS_PRELOAD=1 (issue 14 item 15)."""
    assert _hsts_preload() is False
    assert _hsts_preload(SECURE_HSTS_PRELOAD="1") is True


def test_check_deploy_is_clean_with_preload_off_or_on():
    for value in ("0", "1"):
        result = run_manage(
            "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, SECURE_HSTS_PRELOAD=value
        )
        assert result.returncode == 0, result.stderr
