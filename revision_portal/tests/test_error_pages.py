"""Error pages: portal-styled, no stack trace or settings, and a 503 when the database is down."""

import sys
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.test import Client, RequestFactory
from django.urls import reverse

from revision_portal import errors

pytestmark = pytest.mark.django_db

LEAKS = ("Traceback", "SECRET_KEY", "DATABASES", "settings.py", 'File "/', "Exception Value")


def assert_friendly(response, status, heading):
    html = response.content.decode()
    assert response.status_code == status
    assert heading in html
    assert "css/portal.css" in html or status == 404  # the portal's own look
    for leak in LEAKS:
        assert leak not in html, leak


@pytest.fixture
def production(settings):
    """DEBUG off, as in production: Django serves the templates, never the debug pages."""
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def test_404_page(production):
    assert_friendly(production.get("/no-such-page/"), 404, "Page not found")


def test_500_page_hides_the_error(production):
    with mock.patch("topics.views.render", side_effect=RuntimeError("secret detail")):
        response = production.get(reverse("topics:home"))

    assert_friendly(response, 500, "Something went wrong")
    assert "secret detail" not in response.content.decode()


def test_403_page(production):
    with mock.patch("topics.views.render", side_effect=PermissionDenied):
        response = production.get(reverse("topics:home"))

    assert_friendly(response, 403, "You do not have permission")


def test_400_page(production):
    with mock.patch("topics.views.render", side_effect=SuspiciousOperation("hostile")):
        response = production.get(reverse("topics:home"))

    assert_friendly(response, 400, "We could not read that request")


def test_csrf_failure_uses_the_portal_page(settings):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "x", "password": "y"})

    assert_friendly(response, 403, "This form has expired")


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_database_error_in_a_view_is_a_503_with_retry_after(client, error):
    """The middleware turns it into the 503 page, with DEBUG on or off."""
    with mock.patch(
        "topics.views.qualifications_with_topics",
        side_effect=error("could not connect to server: Connection refused"),
    ):
        response = client.get(reverse("topics:home"))

    assert_friendly(response, 503, "temporarily unavailable")
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    assert "Connection refused" not in response.content.decode()


def test_database_error_outside_a_view_is_a_503_too(production):
    """Errors raised by middleware (e.g. loading the session) reach handler500."""
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        production.cookies["sessionid"] = "a" * 32
        response = production.get(reverse("accounts:profile"))

    assert_friendly(response, 503, "temporarily unavailable")
    assert response["Retry-After"] == "30"


def test_server_error_handler_decides_from_the_exception():
    try:
        raise OperationalError("gone")
    except OperationalError:
        assert errors.server_error(RequestFactory().get("/")).status_code == 503
    try:
        raise ValueError("other")
    except ValueError:
        assert errors.server_error(RequestFactory().get("/")).status_code == 500
    assert sys.exc_info() == (None, None, None)


def test_error_templates_render_without_a_database():
    """No context processors, no user, no session: they render when nothing else does."""
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
        side_effect=OperationalError("down"),
    ):
        assert errors.database_unavailable_response().status_code == 503
        try:
            raise RuntimeError
        except RuntimeError:
            assert errors.server_error(RequestFactory().get("/")).status_code == 500
