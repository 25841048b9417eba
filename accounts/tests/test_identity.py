"""E-mail addresses and usernames (issue 14, items 8 and 12): one spelling per person, sign-up
that does not say who has an account, look-alike usernames refused, and a download name that
survives non-ASCII usernames."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from assessments.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "correct-horse-battery-9"


def sign_up(client, **extra):
    data = {
        "username": "newbie",
        "email": "newbie@college.ac.uk",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }
    return client.post(reverse("accounts:signup"), data)


def outcome(response):
    """What a person signing up can observe: status, where it sends them, what it says."""
    return (
        response.status_code,
        response.get("Location"),
        [str(m) for m in get_messages(response.wsgi_request)],
        "_auth_user_id" in response.client.session,
    )


# --- e-mail -------------------------------------------------------------------------------


def test_sign_up_with_a_taken_address_answers_the_same_and_tells_the_owner():
    owner = UserFactory(username="alice", email="alice@college.ac.uk")
    fresh = sign_up(Client(), username="fresh-one", email="fresh@college.ac.uk")
    mail.outbox.clear()

    taken = sign_up(Client(), username="prober", email="ALICE@College.ac.uk")

    assert outcome(taken)[:3] == outcome(fresh)[:3]
    assert outcome(taken)[3] is outcome(fresh)[3] is True
    prober = User.objects.get(username="prober")
    assert prober.email == ""  # the address stays with its owner only
    assert User.objects.filter(email__iexact="alice@college.ac.uk").get() == owner
    (notice,) = mail.outbox
    assert notice.to == ["alice@college.ac.uk"]
    assert "/accounts/password_reset/" in notice.body
    assert "prober" not in notice.body  # nothing the prober typed is echoed to the owner


def test_sign_up_stores_the_address_with_a_lower_case_domain():
    sign_up(Client(), email="New.Bie@College.AC.UK")

    assert User.objects.get(username="newbie").email == "New.Bie@college.ac.uk"
    assert mail.outbox == []


def test_profile_refuses_another_accounts_address_in_any_case(client):
    UserFactory(username="alice", email="alice@college.ac.uk")
    bob = UserFactory(username="bob", email="bob@college.ac.uk")
    client.force_login(bob)

    response = client.post(
        reverse("accounts:profile"),
        {"first_name": "", "last_name": "", "email": "Alice@college.ac.uk"},
    )

    assert response.status_code == 200
    assert "Another account already uses this e-mail address" in response.content.decode()
    bob.refresh_from_db()
    assert bob.email == "bob@college.ac.uk"


def test_profile_normalises_the_domain_and_may_keep_ones_own_address(client):
    bob = UserFactory(username="bob", email="bob@college.ac.uk")
    client.force_login(bob)

    response = client.post(
        reverse("accounts:profile"),
        {"first_name": "Bob", "last_name": "", "email": "Bob@COLLEGE.ac.uk"},
    )

    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.email == "Bob@college.ac.uk"


def test_the_database_refuses_an_address_that_differs_only_in_case():
    UserFactory(email="carol@college.ac.uk")

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="CAROL@college.ac.uk")


def test_many_accounts_may_have_no_address():
    UserFactory(email="")
    UserFactory(email="")

    assert User.objects.filter(email="").count() == 2


def test_existing_addresses_are_normalised_and_later_duplicates_cleared():
    from accounts.migrations import _email_fixes

    rows = [
        (1, "Alice@College.ac.uk"),
        (2, "alice@college.AC.UK"),
        (3, "bob@college.ac.uk"),
        (4, ""),
        (5, ""),
        (6, " Dan@X.org "),
    ]

    assert _email_fixes.plan(rows) == {1: "Alice@college.ac.uk", 2: "", 6: "Dan@x.org"}


# --- usernames ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username",
    [
        "p\u0430ul",  # Cyrillic a inside Latin
        "\u0435mma",  # Cyrillic e first
        "j\u03bfhn",  # Greek omicron
        "anna-\u0430\u043d\u043d\u0430",  # Latin and Cyrillic halves
    ],
)
def test_sign_up_refuses_look_alike_mixed_script_usernames(client, username):
    response = sign_up(client, username=username)

    assert response.status_code == 200
    assert "mixes Latin letters with" in response.content.decode()
    assert not User.objects.filter(username=username).exists()


@pytest.mark.parametrize(
    "username",
    [
        "\u0438\u0432\u0430\u043d",
        "\u0394\u03ae\u03bc\u03b7\u03c4\u03c1\u03b1",
        "zo\u00eb",
        "li.wei_2",
    ],
)
def test_sign_up_accepts_a_username_in_one_script(client, username):
    assert sign_up(client, username=username).status_code == 302
    assert User.objects.filter(username=username).exists()


def test_sign_up_stores_usernames_nfkc_normalised(client):
    sign_up(client, username="\uff50\uff41\uff55\uff4c")  # full-width "paul"

    assert User.objects.filter(username="paul").exists()


def test_admin_refuses_a_mixed_script_username_on_add_and_change(admin_client):
    add = admin_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "p\u0430ul",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert "mixes Latin letters with" in add.content.decode()
    assert not User.objects.filter(username="p\u0430ul").exists()

    user = UserFactory(username="plain")
    change = admin_client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        {
            "username": "pl\u0430in",
            "email": "",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert "mixes Latin letters with" in change.content.decode()
    user.refresh_from_db()
    assert user.username == "plain"


def test_my_data_download_name_survives_a_non_ascii_username(client):
    client.force_login(UserFactory(username="zo\u00eb"))

    response = client.get(reverse("accounts:my_data"))

    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert "filename*=utf-8''revision-portal-zo%C3%AB.json" in disposition
    assert 'filename="revision-portal-zoe.json"' in disposition  # for older clients
    assert disposition.isascii()


def test_my_data_download_name_is_plain_for_an_ascii_username(client):
    client.force_login(UserFactory(username="gdpr"))

    response = client.get(reverse("accounts:my_data"))

    assert response["Content-Disposition"] == 'attachment; filename="revision-portal-gdpr.json"'


def test_admin_refuses_another_accounts_address_with_a_message_not_a_500(admin_client):
    UserFactory(username="alice", email="alice@college.ac.uk")
    user = UserFactory(username="plain", email="plain@college.ac.uk")

    response = admin_client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        {
            "username": "plain",
            "email": "ALICE@college.ac.uk",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )

    assert response.status_code == 200
    assert "Another account already uses this e-mail address" in response.content.decode()


# --- hostile input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "nul\x00byte"),
        ("username", "zero\u200dwidth"),  # joiner: invisible, refused by the character rule
        ("username", "rtl\u202eevil"),  # right-to-left override
        ("username", "x" * 5000),
        ("username", "<script>alert(1)</script>"),
        ("email", "a@b\x00.com"),
        ("email", "not-an-address"),
        ("email", "@" * 300),
        ("email", "x" * 400 + "@college.ac.uk"),
    ],
)
def test_hostile_sign_up_input_gets_a_message_not_a_500(client, field, value):
    response = sign_up(client, **{field: value})

    assert response.status_code == 200
    assert 'class="invalid-feedback' in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "forwarded",
    ["1.1.1.1, " * 5000, "\x00", "999.1.1.1", "[::1]:80", "198.51.100.7:4711", ", , ,"],
)
def test_hostile_forwarded_headers_fall_back_to_the_proxy_address(settings, forwarded):
    from django.test import RequestFactory

    from accounts.client_address import client_address

    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) in {"10.0.0.2", "1.1.1.1"}
