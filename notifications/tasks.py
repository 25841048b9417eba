"""The job that sends notification e-mails (on the same Celery queue as marking)."""

from celery import shared_task
from django.db import DatabaseError

from notifications import services


@shared_task(
    name="notifications.send_pending_emails",
    autoretry_for=(DatabaseError,),
    retry_backoff=1,
    retry_backoff_max=60,
    max_retries=8,
)
def send_pending_emails() -> int:
    """Send the e-mail copies still pending. Idempotent: each is claimed before sending."""
    return services.send_pending_emails()
