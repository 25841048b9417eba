"""Sessions end on logout and on deactivation, server-side, and last SESSION_COOKIE_AGE."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"  # UserFactory's


def logged_in_client(user) -> Client:
    client = Client()
    assert (
        client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code
        == 302
    )
    return client


def profile_status(client) -> int:
    return client.get(reverse("accounts:profile")).status_code


def test_logout_deletes_the_session_so_a_copied_cookie_is_useless():
    user = UserFactory()
    client = logged_in_client(user)
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[
        settings.SESSION_COOKIE_NAME
    ].value
    assert profile_status(stolen) == 200

    client.post(reverse("logout"))

    assert not Session.objects.filter(
        session_key=client.cookies[settings.SESSION_COOKIE_NAME].value
    ).exists()
    assert profile_status(stolen) == 302


def test_deactivating_a_user_ends_their_existing_session_on_the_next_request():
    user = UserFactory()
    client = logged_in_client(user)
    assert profile_status(client) == 200

    user.is_active = False
    user.save(update_fields=["is_active"])

    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    # ModelBackend.get_user refuses inactive users: every request is now anonymous.
    assert not response.wsgi_request.user.is_authenticated
    assert client.post(reverse("accounts:join"), {"code": "X"}).status_code == 302
    assert profile_status(client) == 302


def test_a_deactivated_user_cannot_log_in_again():
    user = UserFactory(is_active=False)

    response = Client().post(reverse("login"), {"username": user.username, "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in response.client.session


def test_changing_the_password_ends_other_sessions():
    user = UserFactory()
    other_device = logged_in_client(user)
    user.set_password("another-long-unusual-passphrase-43")
    user.save()

    assert profile_status(other_device) == 302


def test_session_lifetime_is_session_cookie_age(settings):
    settings.SESSION_COOKIE_AGE = 3600
    user = UserFactory()
    client = logged_in_client(user)

    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == 3600
    session = Session.objects.get(session_key=cookie.value)
    assert 3000 < (session.expire_date - timezone.now()).total_seconds() <= 3600
