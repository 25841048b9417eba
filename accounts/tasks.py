"""Jobs the queue runs for accounts: e-mail that must not slow the page that asked for it."""

from __future__ import annotations

from celery import shared_task

from accounts import services
from revision_portal.celery import RETRY_ON_DATABASE_ERRORS


# A database error can only come from looking up the address's owner, before anything is sent,
# so retrying it never sends the notice twice.
@shared_task(name="accounts.send_taken_address_notice", **RETRY_ON_DATABASE_ERRORS)
def send_taken_address_notice(email: str, login_url: str, reset_url: str) -> bool:
    """Tell the owner of ``email`` that someone signed up with it (``services``). Queued, so
    sign-up takes as long whether or not the address has an account."""
    return services.send_taken_address_notice(email=email, login_url=login_url, reset_url=reset_url)
