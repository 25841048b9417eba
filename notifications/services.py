"""Writes for notifications: creating them once per event, marking them read, sending the
e-mail copies, and the learner's e-mail opt-out.

Every creator goes through ``notify``, which inserts with ``ignore_conflicts`` against the
(recipient, kind, object) constraint: running the same event twice (a re-delivered task, the
reminder command run every few minutes) adds nothing.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from notifications.models import EmailPreference, Notification

logger = logging.getLogger(__name__)

# E-mails sent per task run; the rest wait for the next run (each run queues the next).
EMAIL_BATCH = 200


@dataclass(frozen=True)
class Event:
    """One notification to create: for whom, what kind, about which row, saying what."""

    recipient_id: int
    kind: str
    object_id: int
    message: str
    url: str = ""


def notify(events: Iterable[Event]) -> int:
    """Create the notifications for ``events`` that do not exist yet; returns how many were
    new. E-mail copies are queued for when the transaction commits (recipients who opted out,
    or have no address, are marked ``skipped`` and never e-mailed)."""
    events = list(events)
    if not events:
        return 0
    with transaction.atomic():
        keys = {(e.recipient_id, e.kind, e.object_id) for e in events}
        existing = set(
            Notification.objects.filter(
                recipient_id__in={k[0] for k in keys},
                kind__in={k[1] for k in keys},
                object_id__in={k[2] for k in keys},
            ).values_list("recipient_id", "kind", "object_id")
        )
        fresh = {}
        for event in events:
            key = (event.recipient_id, event.kind, event.object_id)
            if key not in existing and key not in fresh:
                fresh[key] = event
        if not fresh:
            return 0
        no_email = _not_emailed({e.recipient_id for e in fresh.values()})
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=e.recipient_id,
                    kind=e.kind,
                    object_id=e.object_id,
                    message=e.message[:300],
                    url=e.url[:300],
                    email_status=(
                        Notification.EmailStatus.SKIPPED
                        if e.recipient_id in no_email
                        else Notification.EmailStatus.PENDING
                    ),
                )
                for e in fresh.values()
            ],
            # A concurrent run that got there first wins; this one adds nothing for that key.
            ignore_conflicts=True,
        )
        if len(no_email) < len({e.recipient_id for e in fresh.values()}):
            queue_emails()
    return len(fresh)


def _not_emailed(user_ids: set[int]) -> set[int]:
    """Of ``user_ids``, those who opted out of e-mails or have no address."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    opted_out = EmailPreference.objects.filter(user=OuterRef("pk"), email_notifications=False)
    return set(
        User.objects.filter(pk__in=user_ids)
        .filter(Q(email="") | Exists(opted_out))
        .values_list("pk", flat=True)
    )


def queue_emails() -> None:
    """Send pending e-mails on the job queue once the current transaction commits."""
    from notifications.tasks import send_pending_emails as task

    def queue_notification_emails() -> None:
        task.delay()

    transaction.on_commit(queue_notification_emails, robust=True)


def send_pending_emails(*, limit: int = EMAIL_BATCH) -> int:
    """Send the e-mail copy of up to ``limit`` pending notifications; returns how many were
    sent. Each is claimed with a conditional UPDATE before it is sent, so two workers never
    send the same one; a recipient who has opted out since is skipped, not sent."""
    pending = list(
        Notification.objects.filter(email_status=Notification.EmailStatus.PENDING)
        .select_related("recipient", "recipient__email_preference")
        .order_by("pk")[:limit]
    )
    sent = 0
    now = timezone.now()
    for notification in pending:
        recipient = notification.recipient
        wants = getattr(recipient, "email_preference", None)
        if (wants is not None and not wants.email_notifications) or not recipient.email:
            Notification.objects.filter(
                pk=notification.pk, email_status=Notification.EmailStatus.PENDING
            ).update(email_status=Notification.EmailStatus.SKIPPED)
            continue
        claimed = Notification.objects.filter(
            pk=notification.pk, email_status=Notification.EmailStatus.PENDING
        ).update(email_status=Notification.EmailStatus.SENT, emailed_at=now)
        if not claimed:
            continue
        try:
            send_mail(
                subject=f"Revision Portal: {notification.message[:70]}",
                message=_email_body(notification),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[recipient.email],
            )
        except Exception:  # any transport failure: recorded, never retried in a loop
            logger.exception("Could not send notification %s by e-mail", notification.pk)
            Notification.objects.filter(pk=notification.pk).update(
                email_status=Notification.EmailStatus.FAILED
            )
            continue
        sent += 1
    if len(pending) == limit:
        queue_emails()
    return sent


def _email_body(notification: Notification) -> str:
    link = ""
    if notification.url:
        link = f"\n\nOpen it: {settings.SITE_URL.rstrip('/')}{notification.url}"
    settings_url = f"{settings.SITE_URL.rstrip('/')}{reverse('accounts:profile')}"
    return (
        f"{notification.message}{link}\n\n"
        f"You can turn these e-mails off on your profile page: {settings_url}"
    )


def mark_read(*, user, notification_id: int) -> bool:
    """Mark one of ``user``'s notifications read; ``False`` if it is not theirs."""
    return bool(
        Notification.objects.filter(
            pk=notification_id, recipient=user, read_at__isnull=True
        ).update(read_at=timezone.now())
        or Notification.objects.filter(pk=notification_id, recipient=user).exists()
    )


def mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def set_email_preference(*, user, email_notifications: bool) -> EmailPreference:
    with transaction.atomic():
        preference, _ = EmailPreference.objects.update_or_create(
            user=user, defaults={"email_notifications": email_notifications}
        )
        if not email_notifications:
            # What was waiting to go is not sent either.
            Notification.objects.filter(
                recipient=user, email_status=Notification.EmailStatus.PENDING
            ).update(email_status=Notification.EmailStatus.SKIPPED)
    return preference


# --- the events ------------------------------------------------------------------------------


def notify_mark_changed(*, record) -> int:
    """A tutor changed the mark of (or commented on) a learner's answer: ``record`` is the
    ``OverrideRecord`` (with its response and attempt loaded)."""
    response = record.response
    attempt = response.attempt
    if record.awarded is None:
        what = "removed their mark on"
    elif record.previous_awarded != record.awarded:
        what = "marked" + (" (credited)" if record.awarded else " (not credited)")
    else:
        what = "commented on"
    message = f"Your tutor {what} your answer to question {response.position} in “{attempt.title}”."
    if record.comment and record.awarded is not None:
        message += f" “{record.comment[:120]}”"
    url = reverse("assessments:results", kwargs={"pk": attempt.pk}) + f"#q{response.position}"
    return notify(
        [
            Event(
                recipient_id=attempt.learner_id,
                kind=Notification.Kind.MARK_CHANGED,
                object_id=record.pk,
                message=message,
                url=url,
            )
        ]
    )


def _assignment_events(assignment, kind: str, message: str, learner_ids: Iterable[int]):
    """The same notification about ``assignment`` for each learner, linking to it."""
    return (
        Event(
            recipient_id=learner_id,
            kind=kind,
            object_id=assignment.pk,
            message=message,
            url=assignment.get_absolute_url(),
        )
        for learner_id in learner_ids
    )


def notify_assignment_set(*, assignment, learner_ids: Iterable[int]) -> int:
    opens = timezone.localtime(assignment.opens_at)
    due = timezone.localtime(assignment.due_at)
    message = (
        f"New assignment for {assignment.cohort.name}: “{assignment.title}”, "
        f"due {due:%a %d %b %Y, %H:%M}."
    )
    if opens > timezone.now():
        message += f" It opens {opens:%a %d %b, %H:%M}."
    return notify(
        _assignment_events(assignment, Notification.Kind.ASSIGNMENT_SET, message, learner_ids)
    )


def send_due_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind every learner who has not submitted an open assignment due within the next 24
    hours. Safe to run as often as you like: each learner is reminded once per assignment.
    Returns how many reminders were new."""
    from assignments.selectors import due_soon_without_submission

    now = now or timezone.now()
    events = []
    for assignment, learner_ids in due_soon_without_submission(now=now):
        due = timezone.localtime(assignment.due_at)
        message = f"Reminder: “{assignment.title}” is due {due:%a %d %b %Y, %H:%M}."
        events.extend(
            _assignment_events(assignment, Notification.Kind.DUE_SOON, message, learner_ids)
        )
    return notify(events)


def forget_assignment(*, assignment_id: int) -> None:
    """Remove the notifications about an assignment that is being deleted."""
    Notification.objects.filter(
        kind__in=[Notification.Kind.ASSIGNMENT_SET, Notification.Kind.DUE_SOON],
        object_id=assignment_id,
    ).delete()
