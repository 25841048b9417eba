"""Login lockout (issue 14, item 2): the client address behind trusted proxies only, lockout per
(username, address), a cap on failures per address across usernames, and a correct password
from another address still working while one address is locked out."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from assessments.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"  # UserFactory's
ATTACKER, VICTIM_HOME, PROXY = "203.0.113.66", "198.51.100.7", "10.0.0.2"


def login(username, password, *, remote=ATTACKER, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    client = Client()
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def signed_in(response) -> bool:
    return "_auth_user_id" in response.client.session


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, None, ATTACKER, ATTACKER),
        (0, "192.0.2.1", ATTACKER, ATTACKER),  # no trusted proxy: the header is the client's
        (1, None, PROXY, PROXY),
        (1, VICTIM_HOME, PROXY, VICTIM_HOME),
        (1, f"192.0.2.1, {VICTIM_HOME}", PROXY, VICTIM_HOME),  # spoofed left entry ignored
        (2, f"192.0.2.1, {VICTIM_HOME}, 10.0.0.9", PROXY, VICTIM_HOME),
        (2, VICTIM_HOME, PROXY, PROXY),  # fewer entries than proxies: nothing to trust
        (1, "not-an-address", PROXY, PROXY),
        (1, "2001:db8::1", PROXY, "2001:db8::1"),
    ],
)
def test_client_address_is_read_from_trusted_proxies_only(
    settings, proxies, forwarded, remote, expected
):
    from accounts.client_address import client_address

    settings.TRUSTED_PROXY_COUNT = proxies
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded

    assert client_address(RequestFactory().post("/", **extra)) == expected


def test_lockout_is_keyed_on_the_address_the_trusted_proxy_reports(settings):
    """Behind one proxy every request has the proxy's REMOTE_ADDR: the attacker's failures
    must not lock out the victim, who comes through the same proxy from elsewhere."""
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="victim")
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        # The attacker also sends a forged header; the proxy appends the real address.
        login("victim", "wrong", remote=PROXY, forwarded=f"192.0.2.1, {ATTACKER}")

    assert login("victim", PASSWORD, remote=PROXY, forwarded=ATTACKER).status_code == 429
    victim = login("victim", PASSWORD, remote=PROXY, forwarded=VICTIM_HOME)
    assert victim.status_code == 302 and signed_in(victim)


def test_without_trusted_proxies_a_forged_header_does_not_escape_the_lockout(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    UserFactory(username="victim")
    for n in range(settings.AXES_FAILURE_LIMIT):
        login("victim", "wrong", forwarded=f"192.0.2.{n}")

    assert login("victim", PASSWORD, forwarded="192.0.2.200").status_code == 429


def test_a_correct_password_from_another_address_works_while_one_address_is_locked(settings):
    UserFactory(username="victim")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login("victim", "wrong", remote=ATTACKER)
    assert login("victim", PASSWORD, remote=ATTACKER).status_code == 429

    response = login("victim", PASSWORD, remote=VICTIM_HOME)

    assert response.status_code == 302 and signed_in(response)


def test_one_password_across_many_usernames_from_one_address_is_limited(settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    UserFactory(username="real-learner")
    for n in range(7):  # a password spray: each username tried once
        assert login(f"guess-{n}", "Summer2026!").status_code == 200

    # The failure that reaches the limit is answered with the lockout page, as axes does.
    assert login("guess-7", "Summer2026!").status_code == 429
    assert login("guess-99", "Summer2026!").status_code == 429
    # The address is locked for every username, even with the right password...
    assert login("real-learner", PASSWORD).status_code == 429
    # ...and only that address.
    elsewhere = login("real-learner", PASSWORD, remote=VICTIM_HOME)
    assert elsewhere.status_code == 302 and signed_in(elsewhere)


def test_failures_spread_over_usernames_below_the_address_limit_lock_nobody(settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    UserFactory(username="real-learner")
    for n in range(7):
        login(f"typo-{n}", "wrong")

    response = login("real-learner", PASSWORD)

    assert response.status_code == 302 and signed_in(response)


def test_signing_in_to_ones_own_account_does_not_clear_the_address_count(settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    UserFactory(username="attacker-own")
    for n in range(5):
        login(f"guess-{n}", "wrong")
    assert login("attacker-own", PASSWORD).status_code == 302

    assert login("guess-9", "wrong").status_code == 429
