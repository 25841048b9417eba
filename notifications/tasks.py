"""The job that sends notification e-mails (on the same Celery queue as marking)."""

from celery import shared_task

from notifications import services
from revision_portal.celery import RETRY_ON_DATABASE_ERRORS


@shared_task(name="notifications.send_pending_emails", **RETRY_ON_DATABASE_ERRORS)
def send_pending_emails() -> int:
    """Send the e-mail copies still pending. Idempotent: each is claimed before sending."""
    return services.send_pending_emails()
