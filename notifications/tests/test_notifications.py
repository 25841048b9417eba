"""Notifications: created once per event (overrides and comments, assignments set, due
reminders), the reminder command idempotent, e-mail copies sent once and never to a learner who
opted out, the list page and marking read, the unread count in the navigation."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments.models import Attempt, Question
from assessments.services import accept_as_marked, override_mark, start_attempt, submit_attempt
from assessments.tests.factories import UserFactory
from assignments import services as assignment_services
from cohorts.services import add_member, create_cohort
from notifications import services
from notifications.models import EmailPreference, Notification
from topics.models import Topic

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def topic(db, seed_bytes):
    from topics.services import import_seed_bytes

    import_seed_bytes(source_name="000_7ea13c0c7803a35f.txt", data=seed_bytes("000"))
    return Topic.objects.get(source_file__startswith="000")


@pytest.fixture
def cohort(tutor):
    cohort = create_cohort(tutor=tutor, name="Evening class")
    for name in ("nia", "omar"):
        add_member(cohort=cohort, learner=UserFactory(username=name))
    return cohort


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = T0

    monkeypatch.setattr(timezone, "now", lambda: Clock.now)
    return Clock


def marked_answer(learner, topic):
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=1)
    submit_attempt(attempt=attempt, answers={1: "contact management"})
    return attempt.responses.filter(question__kind=Question.Kind.SHORT_ANSWER).first()


def test_an_override_notifies_the_learner_once_and_emails_them(tutor, topic, cohort):
    learner = cohort.memberships.first().learner
    response = marked_answer(learner, topic)
    mail.outbox.clear()

    override_mark(response=response, tutor=tutor, awarded=not response.credited, comment="See p.4")

    notes = list(Notification.objects.filter(recipient=learner))
    assert len(notes) == 1
    assert notes[0].kind == Notification.Kind.MARK_CHANGED
    assert "See p.4" in notes[0].message
    assert notes[0].url.startswith(
        reverse("assessments:results", kwargs={"pk": response.attempt_id})
    )
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [learner.email]
    assert notes[0].message in mail.outbox[0].body

    # Creating the same event again adds nothing and sends nothing.
    record = response.override_log.get()
    assert services.notify_mark_changed(record=record) == 0
    assert Notification.objects.filter(recipient=learner).count() == 1
    assert len(mail.outbox) == 1

    # A second override is a second event.
    override_mark(response=response, tutor=tutor, awarded=None)
    assert Notification.objects.filter(recipient=learner).count() == 2


def test_accepting_the_automatic_mark_does_not_notify(tutor, topic, cohort):
    learner = cohort.memberships.first().learner
    response = marked_answer(learner, topic)
    accept_as_marked(responses=[response], tutor=tutor)
    assert not Notification.objects.exists()


def test_a_comment_without_a_change_of_credit_notifies(tutor, topic, cohort):
    learner = cohort.memberships.first().learner
    response = marked_answer(learner, topic)
    override_mark(response=response, tutor=tutor, awarded=response.credited, comment="Good start")
    assert Notification.objects.get(recipient=learner).message.startswith("Your tutor commented on")


def test_setting_an_assignment_notifies_each_learner_once(tutor, topic, cohort, clock):
    assignment = assignment_services.create_assignment(
        cohort=cohort,
        tutor=tutor,
        title="Week 2",
        topics=[topic],
        question_count=3,
        opens_at=T0,
        due_at=T0 + datetime.timedelta(days=3),
    )
    notes = Notification.objects.filter(kind=Notification.Kind.ASSIGNMENT_SET)
    assert sorted(n.recipient.username for n in notes) == ["nia", "omar"]
    assert all(n.url == assignment.get_absolute_url() for n in notes)
    assert len(mail.outbox) == 2
    assert (
        services.notify_assignment_set(
            assignment=assignment, learner_ids=[n.recipient_id for n in notes]
        )
        == 0
    )


def test_due_reminders_are_idempotent_and_skip_submitted_learners(tutor, topic, cohort, clock):
    nia = cohort.memberships.get(learner__username="nia").learner
    assignment = assignment_services.create_assignment(
        cohort=cohort,
        tutor=tutor,
        title="Due soon",
        topics=[topic],
        question_count=2,
        opens_at=T0,
        due_at=T0 + datetime.timedelta(hours=30),
    )
    attempt = assignment_services.start_assignment_attempt(assignment=assignment, learner=nia)
    submit_attempt(attempt=attempt)

    # More than a day before it is due: nothing yet.
    call_command("send_due_reminders")
    assert not Notification.objects.filter(kind=Notification.Kind.DUE_SOON).exists()

    clock.now = T0 + datetime.timedelta(hours=8)
    mail.outbox.clear()
    call_command("send_due_reminders")
    call_command("send_due_reminders")
    clock.now += datetime.timedelta(minutes=5)
    assert services.send_due_reminders() == 0

    reminders = Notification.objects.filter(kind=Notification.Kind.DUE_SOON)
    assert [n.recipient.username for n in reminders] == ["omar"]
    assert len(mail.outbox) == 1 and "Due soon" in mail.outbox[0].subject

    # Past the due date, or closed: no reminders.
    clock.now = T0 + datetime.timedelta(hours=31)
    assert services.send_due_reminders() == 0


def test_the_reminder_command_prints_how_many_it_created(tutor, topic, cohort, clock, capsys):
    assignment_services.create_assignment(
        cohort=cohort,
        tutor=tutor,
        title="Tomorrow",
        topics=[topic],
        question_count=2,
        opens_at=T0,
        due_at=T0 + datetime.timedelta(hours=20),
    )
    call_command("send_due_reminders")
    call_command("send_due_reminders")
    out = capsys.readouterr().out
    assert out.splitlines() == ["2 new reminders.", "0 new reminders."]


def test_email_opt_out_is_respected(tutor, topic, cohort, clock, client):
    nia = cohort.memberships.get(learner__username="nia").learner
    client.force_login(nia)
    response = client.post(reverse("notifications:email"), {})  # the box left unticked
    assert response.status_code == 302
    assert EmailPreference.objects.get(user=nia).email_notifications is False
    mail.outbox.clear()

    assignment_services.create_assignment(
        cohort=cohort,
        tutor=tutor,
        title="Quiet",
        topics=[topic],
        question_count=2,
        opens_at=T0,
        due_at=T0 + datetime.timedelta(days=1),
    )

    assert [m.to for m in mail.outbox] == [["omar@example.invalid"]]
    # She still sees it in the portal.
    note = Notification.objects.get(recipient=nia)
    assert note.email_status == Notification.EmailStatus.SKIPPED

    # Opting out also stops what was waiting to be sent.
    omar = cohort.memberships.get(learner__username="omar").learner
    pending = Notification.objects.create(
        recipient=omar, kind=Notification.Kind.DUE_SOON, object_id=999, message="x"
    )
    services.set_email_preference(user=omar, email_notifications=False)
    assert services.send_pending_emails() == 0
    pending.refresh_from_db()
    assert pending.email_status == Notification.EmailStatus.SKIPPED

    # And opting back in is saved too.
    client.post(reverse("notifications:email"), {"email_notifications": "on"})
    assert EmailPreference.objects.get(user=nia).email_notifications is True
    assert (
        "E-mail me my notifications too" in client.get(reverse("accounts:profile")).content.decode()
    )


def test_list_page_unread_count_and_marking_read(client, django_assert_num_queries):
    learner = UserFactory(username="reader")
    other = UserFactory(username="someone-else")
    notes = [
        Notification.objects.create(
            recipient=learner, kind=Notification.Kind.DUE_SOON, object_id=n, message=f"Note {n}"
        )
        for n in range(3)
    ]
    theirs = Notification.objects.create(
        recipient=other, kind=Notification.Kind.DUE_SOON, object_id=1, message="Not yours"
    )
    client.force_login(learner)

    # session, user, unread count (with the groups check), notification count, page.
    with django_assert_num_queries(5):
        page = client.get(reverse("notifications:list")).content.decode()
    assert "Note 2" in page and "Not yours" not in page
    assert '3<span class="visually-hidden"> unread</span>' in page

    client.post(reverse("notifications:read", kwargs={"pk": notes[0].pk}))
    notes[0].refresh_from_db()
    assert notes[0].is_read
    assert client.post(reverse("notifications:read", kwargs={"pk": theirs.pk})).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_read

    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=learner, read_at__isnull=True).exists()
    page = client.get(reverse("topics:home")).content.decode()
    assert "unread" not in page


def test_the_list_page_is_paginated(client):
    learner = UserFactory(username="busy")
    Notification.objects.bulk_create(
        Notification(
            recipient=learner, kind=Notification.Kind.DUE_SOON, object_id=n, message=f"N{n}"
        )
        for n in range(30)
    )
    client.force_login(learner)
    first = client.get(reverse("notifications:list")).content.decode()
    assert "Page 1 of 2" in first
    assert client.get(reverse("notifications:list") + "?page=zz").status_code == 200


def test_a_failing_mail_server_marks_the_notification_failed(settings, cohort, monkeypatch):
    learner = cohort.memberships.first().learner

    def broken(**kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("notifications.services.send_mail", broken)
    services.notify(
        [services.Event(recipient_id=learner.pk, kind="due_soon", object_id=5, message="x")]
    )
    assert Notification.objects.get().email_status == Notification.EmailStatus.FAILED
