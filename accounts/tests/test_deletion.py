"""Deleting an account (issue 14, items 3 and 7): the audit trail keeps a pseudonymised author,
cohorts are never left without a tutor, the last admin stays, and nothing of the person is left
in the login records or in another device's session."""

import json

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.services import AccountDeletionRefused, delete_account, export_personal_data
from assessments.tests.factories import UserFactory
from cohorts.models import Cohort
from cohorts.services import add_co_tutor, create_cohort
from topics.models import Qualification
from topics.tests.factories import QualificationFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "a-long-test-password"  # UserFactory's


def logged_in_client(user, address="198.51.100.20") -> Client:
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def staff_with_an_audit_trail(username="staff-sam"):
    staff = UserFactory(username=username, first_name="Sam", is_staff=True)
    qualification = QualificationFactory()
    qualification._history_user = staff
    qualification.name = f"Renamed by {username}"
    qualification.save()
    LogEntry.objects.log_actions(
        user_id=staff.pk,
        queryset=[qualification],
        action_flag=CHANGE,
        change_message="Renamed",
        single_object=True,
    )
    return staff, qualification


def test_deleting_a_staff_account_keeps_their_admin_log_and_history_under_a_pseudonym():
    staff, qualification = staff_with_an_audit_trail()
    UserFactory(is_superuser=True, is_staff=True)  # another admin remains

    delete_account(user=staff)

    assert not User.objects.filter(username="staff-sam").exists()
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Qualification),
        object_id=str(qualification.pk),
    )
    author = entry.user
    assert author.username.startswith("deleted-user-")
    assert "sam" not in author.username.lower() and author.first_name != "Sam"
    assert not author.is_active and not author.has_usable_password() and not author.is_staff
    record = qualification.history.get(name="Renamed by staff-sam")
    assert record.history_user == author  # not blanked


def test_each_deleted_author_gets_their_own_pseudonym():
    first, _ = staff_with_an_audit_trail("staff-one")
    second, _ = staff_with_an_audit_trail("staff-two")

    delete_account(user=first)
    delete_account(user=second)

    authors = set(LogEntry.objects.values_list("user__username", flat=True))
    assert len(authors) == 2


def test_a_learner_without_an_audit_trail_leaves_no_placeholder():
    learner = UserFactory()
    before = User.objects.count()

    delete_account(user=learner)

    assert User.objects.count() == before - 1


def test_the_only_tutor_of_a_cohort_cannot_delete_their_account_until_it_is_handed_on(tutor):
    create_cohort(tutor=tutor, name="Monday group")
    create_cohort(tutor=tutor, name="Evening class")
    client = Client()
    client.force_login(tutor)

    response = client.post(reverse("accounts:delete"), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Evening class" in html and "Monday group" in html
    assert User.objects.filter(pk=tutor.pk).exists()
    assert Cohort.objects.filter(tutors=tutor).count() == 2


def test_a_co_tutored_cohort_keeps_its_other_tutor_when_one_is_deleted(tutor, other_tutor):
    cohort = create_cohort(tutor=tutor, name="Shared class")
    add_co_tutor(cohort=cohort, username=other_tutor.username)

    delete_account(user=tutor)

    assert list(cohort.tutors.all()) == [other_tutor]


def test_the_last_active_admin_cannot_delete_their_own_account():
    admin = UserFactory(username="only-admin", is_superuser=True, is_staff=True)
    UserFactory(is_superuser=True, is_staff=True, is_active=False)  # inactive admins don't count
    client = Client()
    client.force_login(admin)

    response = client.post(reverse("accounts:delete"), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 200
    assert "last active admin" in response.content.decode()
    assert User.objects.filter(pk=admin.pk).exists()
    with pytest.raises(AccountDeletionRefused):
        delete_account(user=admin)


def test_an_admin_may_delete_their_account_when_another_admin_remains():
    admin = UserFactory(is_superuser=True, is_staff=True)
    UserFactory(is_superuser=True, is_staff=True)

    delete_account(user=admin)

    assert not User.objects.filter(pk=admin.pk).exists()


def test_admin_delete_of_the_last_admin_is_refused_with_a_message():
    admin = UserFactory(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    url = reverse("admin:auth_user_delete", args=[admin.pk])

    response = client.post(url, {"post": "yes"}, follow=True)

    assert User.objects.filter(pk=admin.pk).exists()
    assert "last active admin" in response.content.decode()


def test_admin_delete_of_a_sole_tutor_is_refused_and_lists_the_cohorts(tutor):
    admin = UserFactory(is_superuser=True, is_staff=True)
    create_cohort(tutor=tutor, name="Thursday group")
    client = Client()
    client.force_login(admin)

    response = client.post(
        reverse("admin:auth_user_delete", args=[tutor.pk]), {"post": "yes"}, follow=True
    )

    assert User.objects.filter(pk=tutor.pk).exists()
    assert "Thursday group" in response.content.decode()


def test_admin_bulk_delete_refuses_the_whole_selection_if_it_would_remove_every_admin():
    first = UserFactory(is_superuser=True, is_staff=True)
    second = UserFactory(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(first)

    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
        follow=True,
    )

    assert User.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
    assert "last active admin" in response.content.decode()


def test_admin_delete_of_a_staff_account_keeps_the_admin_log(tutor):
    staff, qualification = staff_with_an_audit_trail()
    admin = UserFactory(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)

    client.post(reverse("admin:auth_user_delete", args=[staff.pk]), {"post": "yes"})

    assert not User.objects.filter(pk=staff.pk).exists()
    assert LogEntry.objects.filter(
        object_id=str(qualification.pk), user__username__startswith="deleted-user-"
    ).exists()


def test_deleting_an_account_removes_its_login_records_and_ends_every_session():
    learner = UserFactory(username="leaver")
    bystander = UserFactory(username="stayer")
    laptop = logged_in_client(learner, "198.51.100.20")
    phone = logged_in_client(learner, "198.51.100.21")
    bystander_client = logged_in_client(bystander)
    Client(REMOTE_ADDR="198.51.100.22").post(
        reverse("login"), {"username": "leaver", "password": "wrong"}
    )
    assert AccessLog.objects.filter(username="leaver").count() == 2
    assert AccessAttempt.objects.filter(username="leaver").exists()

    response = laptop.post(reverse("accounts:delete"), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert not AccessLog.objects.filter(username="leaver").exists()
    assert not AccessAttempt.objects.filter(username="leaver").exists()
    assert not AccessFailureLog.objects.filter(username="leaver").exists()
    assert AccessLog.objects.filter(username="stayer").exists()
    assert Session.objects.count() == 1  # only the bystander's
    assert phone.get(reverse("accounts:profile")).status_code == 302
    assert bystander_client.get(reverse("accounts:profile")).status_code == 200


def test_the_data_export_includes_login_history():
    learner = UserFactory(username="historian")
    logged_in_client(learner, "198.51.100.30")
    Client(REMOTE_ADDR="198.51.100.31").post(
        reverse("login"), {"username": "historian", "password": "wrong"}
    )
    client = logged_in_client(learner, "198.51.100.32")

    data = json.loads(client.get(reverse("accounts:my_data")).content)

    logins = data["login_history"]
    assert [entry["address"] for entry in logins] == ["198.51.100.30", "198.51.100.32"]
    assert {"logged_in_at", "logged_out_at", "browser"} <= set(logins[0])
    assert data["failed_logins"][0]["address"] == "198.51.100.31"
    assert export_personal_data(learner)["login_history"] == logins
