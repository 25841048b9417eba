"""In-app notifications (and the e-mails that copy them), and who wants the e-mails."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """Something a learner should know about: one row per recipient and event.

    ``object_id`` is the event's own row: the ``OverrideRecord`` of a changed mark or comment,
    or the ``Assignment`` set or due. The unique constraint on (recipient, kind, object) is what
    makes every event notify once, however often the code that creates it runs.
    """

    class Kind(models.TextChoices):
        MARK_CHANGED = "mark_changed", "A tutor marked or commented on an answer"
        ASSIGNMENT_SET = "assignment_set", "An assignment was set"
        DUE_SOON = "due_soon", "An assignment is due within a day"

    class EmailStatus(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Not sent (opted out or no address)"
        FAILED = "failed", "Sending failed"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "object_id"], name="notification_once_per_event"
            )
        ]
        indexes = [
            # The navigation's unread count: an index-only count of the user's unread rows.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(
                fields=["email_status"],
                condition=Q(email_status="pending"),
                name="notification_email_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.message[:60]}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class EmailPreference(models.Model):
    """Whether a user wants notifications by e-mail too. No row: they do (the default)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference"
    )
    email_notifications = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: e-mails {'on' if self.email_notifications else 'off'}"
