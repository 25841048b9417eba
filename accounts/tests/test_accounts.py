import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.roles import is_tutor
from assessments.models import Attempt, PointMastery, Response
from assessments.services import override_mark, start_attempt, submit_attempt
from assessments.tests.factories import UserFactory
from cohorts.exports import answer_rows
from cohorts.services import add_member, create_cohort
from topics.models import Topic

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


def test_sign_up_with_a_join_code_makes_a_learner_in_the_cohort(client, tutor):
    cohort = create_cohort(tutor=tutor, name="Evening class")

    response = sign_up(client, join_code=cohort.join_code)

    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert list(user.groups.values_list("name", flat=True)) == ["Learners"]
    assert cohort.memberships.filter(learner=user).exists()
    assert not is_tutor(user)
    assert client.get(reverse("accounts:profile")).status_code == 200  # signed in


def test_sign_up_with_a_wrong_code_explains_and_creates_nothing(client):
    response = sign_up(client, join_code="WRONG123")

    assert "does not match any cohort" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_weak_password_is_refused_with_django_validators(client):
    response = sign_up(client, password1="password", password2="password")

    assert "too common" in response.content.decode()


def test_repeated_failed_logins_lock_the_account_out(client, settings):
    UserFactory(username="victim", password=PASSWORD)
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "victim", "password": "wrong"})

    locked = client.post(url, {"username": "victim", "password": PASSWORD})

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_correct_login_before_the_limit_works(client):
    UserFactory(username="forgetful", password=PASSWORD)
    client.post(reverse("login"), {"username": "forgetful", "password": "wrong"})

    response = client.post(reverse("login"), {"username": "forgetful", "password": PASSWORD})

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_logout_ends_the_session(client):
    client.force_login(UserFactory())

    client.post(reverse("logout"))

    assert client.get(reverse("accounts:profile")).status_code == 302


def test_password_reset_sends_an_email(client):
    UserFactory(username="resetter", email="resetter@college.ac.uk")

    client.post(reverse("password_reset"), {"email": "resetter@college.ac.uk"})

    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


@pytest.fixture
def learner_with_work(imported_seeds, tutor):
    learner = UserFactory(username="gdpr", first_name="Gina", email="gina@college.ac.uk")
    cohort = create_cohort(tutor=tutor, name="Data class")
    add_member(cohort=cohort, learner=learner)
    topic = Topic.objects.get(source_file__startswith="000")
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=1)
    submit_attempt(attempt=attempt, answers={1: "My private answer about contact management."})
    override_mark(
        response=attempt.responses.get(position=1), tutor=tutor, awarded=True, comment="Fine"
    )
    return learner, cohort


def test_data_export_contains_everything_about_the_learner(client, learner_with_work):
    learner, cohort = learner_with_work
    client.force_login(learner)

    response = client.get(reverse("accounts:my_data"))

    assert response["Content-Disposition"] == 'attachment; filename="revision-portal-gdpr.json"'
    data = json.loads(response.content)
    assert data["account"]["email"] == "gina@college.ac.uk"
    assert data["cohorts"][0]["cohort"] == "Data class"
    answers = data["attempts"][0]["answers"]
    assert answers[0]["answer"] == "My private answer about contact management."
    assert answers[0]["tutor_comment"] == "Fine"
    assert answers[0]["auto_result"]["max_score"] >= 1
    assert len(data["progress"]) == 4
    # The quiz made the topic part of their revision: the answered point's card and its review.
    reviewed = [card for card in data["revision"] if card["reviews"]]
    assert reviewed and reviewed[0]["reviews"][0]["source"] == "quiz"


def test_deleting_the_account_removes_answers_from_tutor_views_and_exports(
    client, tutor, learner_with_work
):
    learner, cohort = learner_with_work
    client.force_login(learner)
    assert (
        client.post(reverse("accounts:delete"), {"password": "wrong", "confirm": "on"}).status_code
        == 200
    )
    assert User.objects.filter(pk=learner.pk).exists()

    response = client.post(
        reverse("accounts:delete"), {"password": "a-long-test-password", "confirm": "on"}
    )

    assert response.status_code == 302
    assert not User.objects.filter(username="gdpr").exists()
    assert not Response.objects.filter(answer_text__contains="My private answer").exists()
    assert not PointMastery.objects.exists()
    assert len(list(answer_rows(cohort))) == 1  # header only
    client.force_login(tutor)
    html = client.get(reverse("cohorts:detail", args=[cohort.pk])).content.decode()
    assert "gdpr" not in html and "Gina" not in html


def test_demo_accounts_are_refused_in_production(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="local development only"):
        call_command("create_demo_accounts", stdout=StringIO())


def test_demo_accounts_give_the_tutor_a_demo_cohort_with_varied_attempts(imported_seeds, settings):
    settings.DEBUG = True
    out = StringIO()

    call_command("create_demo_accounts", stdout=out)
    call_command("create_demo_accounts", stdout=StringIO())  # idempotent

    tutor = User.objects.get(username="tutor")
    assert is_tutor(tutor)
    cohort = tutor.taught_cohorts.get()
    assert cohort.is_demo and "demo data" in cohort.name
    assert cohort.memberships.count() == 5
    credited = {
        u: Response.objects.filter(attempt__learner__username=u, awarded=True).count()
        for u in ("demo-amira", "demo-ben", "demo-chloe")
    }
    assert credited["demo-amira"] > credited["demo-ben"] > credited["demo-chloe"]
    quizzes = Attempt.objects.filter(assignment_link__isnull=True)
    assert quizzes.filter(learner__username="demo-amira").count() == 3
    assert "demo-tutor-pass" in out.getvalue()


def test_demo_data_include_an_assignment_with_a_submission(imported_seeds, settings):
    from assignments.models import Assignment
    from assignments.selectors import assignment_report, assignments_for_learner

    settings.DEBUG = True
    call_command("create_demo_accounts", stdout=StringIO())
    call_command("create_demo_accounts", stdout=StringIO())  # idempotent

    assignment = Assignment.objects.get()
    assert assignment.set_by.username == "tutor" and assignment.cohort.is_demo
    report = assignment_report(assignment)
    statuses = {row.learner.username: row.status for row in report.rows}
    assert statuses["demo-amira"] == "submitted"
    assert statuses["demo-ben"] == "in progress"
    assert statuses["learner"] == "not started"
    amira = next(row for row in report.rows if row.learner.username == "demo-amira")
    assert amira.marked and amira.credited > 0
    learner = User.objects.get(username="learner")
    assert [a.pk for a in assignments_for_learner(learner)] == [assignment.pk]


@pytest.mark.django_db
def test_a_tutors_group_made_afresh_gets_the_tutor_permissions():
    """If the Tutors group is missing (a database restored or flushed without it), making a
    tutor makes it with what the roles migration grants, not an empty group."""
    from django.contrib.auth.models import Group

    from accounts.roles import TUTOR_PERMISSIONS, TUTORS_GROUP
    from accounts.services import make_tutor
    from assessments.tests.factories import UserFactory

    Group.objects.filter(name=TUTORS_GROUP).delete()
    user = UserFactory()
    make_tutor(user=user)
    granted = set(
        Group.objects.get(name=TUTORS_GROUP).permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert granted == set(TUTOR_PERMISSIONS)
    assert user.has_perm("topics.view_topic")
