"""Issue 14 item 1: learners join a cohort only with its join code or by accepting an
invitation; a tutor's "add" is an invitation that answers the same whether or not the account
exists; tutors and staff are never learners; a learner sees their cohorts and can leave; a new
tutor sees only answers from the day the learner joined unless the learner agreed otherwise."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Attempt, Question
from assessments.services import start_attempt, submit_attempt
from assessments.tests.factories import UserFactory
from cohorts.models import CohortInvitation, CohortMembership
from cohorts.services import CohortError, add_member, create_cohort

pytestmark = pytest.mark.django_db

CRM_ANSWER = (
    "Contact management keeps customer details, interaction tracking logs every call and "
    "email, and data analysis finds trends."
)


@pytest.fixture
def other_cohort(other_tutor):
    return create_cohort(tutor=other_tutor, name="Otto's group")


def answered(learner, topic, answers, *, days_ago=0):
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=1)
    submit_attempt(attempt=attempt, answers=answers)
    if days_ago:
        when = timezone.now() - datetime.timedelta(days=days_ago)
        Attempt.objects.filter(pk=attempt.pk).update(
            started_at=when, submitted_at=when, marked_at=when
        )
        attempt.responses.update(marked_at=when)
        from assessments.models import PointMastery

        PointMastery.objects.filter(response__attempt=attempt).update(answered_at=when)
    return attempt


def add_via_form(client, cohort, identifier):
    """POST the form; returns the response and the messages the next page shows."""
    response = client.post(
        reverse("cohorts:add_member", args=[cohort.pk]), {"identifier": identifier}
    )
    shown = client.get(response["Location"]) if response.status_code == 302 else response
    return response, [str(m) for m in shown.context["messages"]]


def test_a_tutor_cannot_take_another_tutors_learner_only_invite_them(
    client, tutor, other_tutor, cohort, other_cohort
):
    learner = UserFactory(username="otto-learner", email="ol@example.invalid")
    add_member(cohort=other_cohort, learner=learner)
    client.force_login(tutor)

    add_via_form(client, cohort, "ol@example.invalid")

    assert not CohortMembership.objects.filter(cohort=cohort, learner=learner).exists()
    invitation = CohortInvitation.objects.get(cohort=cohort, learner=learner)
    assert invitation.status == CohortInvitation.Status.PENDING
    assert invitation.invited_by == tutor
    assert client.get(reverse("cohorts:learner", args=[cohort.pk, learner.pk])).status_code == 404


def test_the_add_form_answers_the_same_whether_or_not_the_account_exists(client, tutor, cohort):
    UserFactory(username="real-one", email="real@example.invalid")
    client.force_login(tutor)

    existing, existing_messages = add_via_form(client, cohort, "real@example.invalid")
    missing, missing_messages = add_via_form(client, cohort, "nobody@example.invalid")

    assert existing.status_code == missing.status_code == 302
    assert existing["Location"] == missing["Location"]
    assert existing_messages == missing_messages
    assert len(existing_messages) == 1


@pytest.mark.parametrize("role", ["tutor", "staff", "admin"])
def test_tutors_staff_and_admins_are_never_learners(client, tutor, other_tutor, cohort, role):
    person = {
        "tutor": other_tutor,
        "staff": UserFactory(username="staffer", is_staff=True),
        "admin": UserFactory(username="boss", is_staff=True, is_superuser=True),
    }[role]
    client.force_login(tutor)

    _, invited_messages = add_via_form(client, cohort, person.username)
    _, missing_messages = add_via_form(client, cohort, "nobody-at-all")

    assert invited_messages == missing_messages
    assert not CohortInvitation.objects.filter(learner=person).exists()
    with pytest.raises(CohortError):
        add_member(cohort=cohort, learner=person)
    client.force_login(person)
    client.post(reverse("accounts:join"), {"code": cohort.join_code})
    assert not CohortMembership.objects.filter(learner=person).exists()


def test_a_learner_accepts_an_invitation_and_the_tutor_sees_answers_from_then_on(
    client, tutor, cohort, topic
):
    learner = UserFactory(username="newbie")
    old = answered(learner, topic, {1: "An old answer from before: " + CRM_ANSWER}, days_ago=30)
    client.force_login(tutor)
    add_via_form(client, cohort, "newbie")
    invitation = CohortInvitation.objects.get(cohort=cohort, learner=learner)

    client.force_login(learner)
    page = client.get(reverse("my_cohorts:list")).content.decode()
    assert "Monday group" in page and "invited" in page.lower()
    client.post(reverse("my_cohorts:accept", args=[invitation.pk]), {})

    membership = CohortMembership.objects.active().get(cohort=cohort, learner=learner)
    assert membership.history_visible_from is not None
    old_response = old.responses.filter(question__kind=Question.Kind.SHORT_ANSWER).first()
    client.force_login(tutor)
    # Every tutor page leaves the earlier answer out.
    answers = client.get(reverse("cohorts:answers", args=[cohort.pk])).content.decode()
    assert "An old answer from before" not in answers
    detail = client.get(reverse("cohorts:learner", args=[cohort.pk, learner.pk]))
    assert list(detail.context["attempts"]) == []
    heatmap = client.get(reverse("cohorts:detail", args=[cohort.pk]))
    assert heatmap.context["heatmap"].rows[0].overall.credited == 0
    export = client.get(reverse("cohorts:export", args=[cohort.pk, "answers"]))
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1
    points = client.get(reverse("cohorts:export", args=[cohort.pk, "points"]))
    assert len(b"".join(points.streaming_content).decode("utf-8-sig").splitlines()) == 1
    assert client.get(reverse("cohorts:override", args=[old_response.pk])).status_code == 404
    assert list(client.get(reverse("cohorts:queue")).context["page"].object_list) == []
    # An answer given after joining is visible.
    answered(learner, topic, {1: "A new answer: " + CRM_ANSWER})
    answers = client.get(reverse("cohorts:answers", args=[cohort.pk])).content.decode()
    assert "A new answer" in answers


def test_consent_when_accepting_shares_earlier_answers(client, tutor, cohort, topic):
    learner = UserFactory(username="sharer")
    answered(learner, topic, {1: "Shared old answer: " + CRM_ANSWER}, days_ago=30)
    client.force_login(tutor)
    add_via_form(client, cohort, "sharer")
    invitation = CohortInvitation.objects.get(cohort=cohort, learner=learner)
    client.force_login(learner)

    client.post(reverse("my_cohorts:accept", args=[invitation.pk]), {"share_earlier_answers": "on"})

    client.force_login(tutor)
    answers = client.get(reverse("cohorts:answers", args=[cohort.pk])).content.decode()
    assert "Shared old answer" in answers


def test_joining_with_a_code_shows_only_answers_from_then_on(client, tutor, cohort, topic):
    learner = UserFactory(username="coder")
    answered(learner, topic, {1: "Before the code: " + CRM_ANSWER}, days_ago=3)
    client.force_login(learner)
    client.post(reverse("accounts:join"), {"code": cohort.join_code})

    client.force_login(tutor)
    answers = client.get(reverse("cohorts:answers", args=[cohort.pk])).content.decode()
    assert "Before the code" not in answers


def test_a_learner_declines_an_invitation(client, tutor, cohort):
    learner = UserFactory(username="decliner")
    client.force_login(tutor)
    add_via_form(client, cohort, "decliner")
    invitation = CohortInvitation.objects.get(cohort=cohort, learner=learner)
    client.force_login(learner)

    client.post(reverse("my_cohorts:decline", args=[invitation.pk]))

    invitation.refresh_from_db()
    assert invitation.status == CohortInvitation.Status.DECLINED
    assert not CohortMembership.objects.filter(learner=learner).exists()


def test_someone_elses_invitation_is_404(client, tutor, cohort):
    learner = UserFactory(username="invitee")
    client.force_login(tutor)
    add_via_form(client, cohort, "invitee")
    invitation = CohortInvitation.objects.get(cohort=cohort, learner=learner)
    client.force_login(UserFactory(username="intruder"))

    response = client.post(reverse("my_cohorts:accept", args=[invitation.pk]))

    assert response.status_code == 404
    assert not CohortMembership.objects.exists()


def test_a_learner_sees_their_cohorts_and_leaves_one_after_confirming(client, cohort):
    learner = UserFactory(username="leaver")
    add_member(cohort=cohort, learner=learner)
    client.force_login(learner)

    assert "Monday group" in client.get(reverse("my_cohorts:list")).content.decode()
    confirm = client.get(reverse("my_cohorts:leave", args=[cohort.pk]))
    assert confirm.status_code == 200
    assert CohortMembership.objects.active().filter(learner=learner).exists()

    client.post(reverse("my_cohorts:leave", args=[cohort.pk]))

    assert not CohortMembership.objects.active().filter(learner=learner).exists()
    assert client.get(reverse("my_cohorts:leave", args=[cohort.pk])).status_code == 404


def test_pending_invitations_are_announced_at_login(client, tutor, cohort):
    UserFactory(username="announced")
    client.force_login(tutor)
    add_via_form(client, cohort, "announced")
    client.logout()

    response = client.post(
        reverse("login"),
        {"username": "announced", "password": "a-long-test-password"},
        follow=True,
    )

    assert "invited you to join" in response.content.decode()


def test_an_admin_adds_a_learner_directly_in_the_admin_but_never_a_tutor(
    client, cohort, other_tutor
):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    learner = UserFactory(username="direct")
    client.force_login(admin)
    url = reverse("admin:cohorts_cohortmembership_add")

    client.post(url, {"cohort": cohort.pk, "learner": learner.pk})
    refused = client.post(url, {"cohort": cohort.pk, "learner": other_tutor.pk})

    assert CohortMembership.objects.active().filter(cohort=cohort, learner=learner).exists()
    assert refused.status_code == 200  # the form again, with the reason
    assert "cannot be a learner" in refused.content.decode()
    assert not CohortMembership.objects.filter(learner=other_tutor).exists()


@pytest.mark.parametrize(
    "identifier",
    ["a\x00b", "x" * 300, "<script>alert(1)</script>", "' OR 1=1 --", "   "],
    ids=["nul", "too long", "script", "sql", "blank"],
)
def test_hostile_identifiers_in_the_add_form_are_a_message_not_a_500(
    client, tutor, cohort, identifier
):
    client.force_login(tutor)

    response, shown = add_via_form(client, cohort, identifier)

    assert response.status_code == 302
    assert len(shown) == 1 and "<script>" not in shown[0]
    assert not CohortInvitation.objects.exists()


def test_an_answered_invitation_cannot_be_answered_again(client, tutor, cohort):
    learner = UserFactory(username="twice")
    client.force_login(tutor)
    add_via_form(client, cohort, "twice")
    invitation = CohortInvitation.objects.get(learner=learner)
    client.force_login(learner)
    client.post(reverse("my_cohorts:decline", args=[invitation.pk]))

    response = client.post(reverse("my_cohorts:accept", args=[invitation.pk]))

    assert response.status_code == 404
    assert not CohortMembership.objects.filter(learner=learner).exists()
