"""Password reset requests are rate-limited per account and per address (issue 14, item 9),
answering the same whether a request was sent, limited or for no account at all."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from assessments.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def request_reset(email, address="198.51.100.40"):
    return Client(REMOTE_ADDR=address).post(reverse("password_reset"), {"email": email})


def test_the_fourth_request_for_one_account_in_the_window_sends_no_email(settings):
    settings.PASSWORD_RESET_ACCOUNT_LIMIT = 3
    UserFactory(email="resetter@college.ac.uk")
    answers = [
        request_reset("resetter@college.ac.uk", address=f"198.51.100.{n}") for n in range(10)
    ]

    assert len(mail.outbox) == 3
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, reverse("password_reset_done"))
    }


def test_the_account_limit_ignores_the_case_of_the_address(settings):
    settings.PASSWORD_RESET_ACCOUNT_LIMIT = 3
    UserFactory(email="resetter@college.ac.uk")
    for email in ("resetter@college.ac.uk", "Resetter@College.ac.uk", "RESETTER@college.ac.uk"):
        request_reset(email, address="198.51.100.1")
    request_reset("resetter@COLLEGE.AC.UK", address="198.51.100.2")

    assert len(mail.outbox) == 3


def test_one_address_asking_for_many_accounts_is_limited(settings):
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 5
    for n in range(8):
        UserFactory(email=f"learner{n}@college.ac.uk")

    for n in range(8):
        assert request_reset(f"learner{n}@college.ac.uk").status_code == 302

    assert len(mail.outbox) == 5
    request_reset("learner7@college.ac.uk", address="198.51.100.99")  # another address
    assert len(mail.outbox) == 6


def test_requests_for_unknown_addresses_count_towards_the_address_limit(settings):
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 3
    UserFactory(email="real@college.ac.uk")
    for n in range(3):
        request_reset(f"nobody{n}@college.ac.uk")

    assert request_reset("real@college.ac.uk").status_code == 302
    assert mail.outbox == []


def test_the_limit_lifts_after_the_window(settings, monkeypatch):
    settings.PASSWORD_RESET_ACCOUNT_LIMIT = 1
    UserFactory(email="patient@college.ac.uk")
    request_reset("patient@college.ac.uk")
    request_reset("patient@college.ac.uk")
    assert len(mail.outbox) == 1

    from django.core.cache import cache

    cache.clear()  # what the window's expiry does
    request_reset("patient@college.ac.uk")
    assert len(mail.outbox) == 2
