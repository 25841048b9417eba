"""Small security and reliability middleware for the whole site."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.cache import patch_cache_control

from revision_portal.errors import (
    DATABASE_ERRORS,
    database_unavailable_response,
    request_too_large_response,
)

logger = logging.getLogger(__name__)


class PermissionsPolicyMiddleware:
    """Send ``Permissions-Policy`` (Django has no setting for it) on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response


class PrivatePagesMiddleware:
    """``Cache-Control: no-store, private`` on every response to a signed-in person.

    Progress, tutor pages, CSV exports and ``my-data.json`` are personal: no browser history,
    disk cache or shared proxy may keep a copy (issue 14). One middleware rather than a
    decorator per view, so a new page cannot forget it. Anonymous visitors are untouched, so
    the anonymous page cache (``revision_portal.page_cache``) keeps sharing public pages; a
    request that signs in or out counts as signed in, as its response is about the person.
    Goes after ``AuthenticationMiddleware`` (it reads ``request.user``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Signing in or out sets or deletes the session cookie: that response counts too.
        if _is_signed_in(request) or settings.SESSION_COOKIE_NAME in response.cookies:
            # ``private`` replaces any ``public``; ``max-age`` etc. set by a view stay.
            patch_cache_control(response, no_store=True, private=True)
        return response


def _is_signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body exceeds ``REQUEST_MAX_BYTES`` before reading it.

    Django limits form fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but streams any size of file
    upload to disk; this caps the whole body, uploads included, with a clear 413 page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            return request_too_large_response(request, length)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Turn a lost or unreachable database in a view into the 503 page with ``Retry-After``.

    Every write is one transaction, so when the database goes away mid-request nothing is half
    written; the learner is told to try again. Errors raised outside views (e.g. saving the
    session) reach ``handler500``, which makes the same decision.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            logger.error(
                "Database unavailable while serving %s %s: %s",
                request.method,
                request.path,
                exception,
            )
            return database_unavailable_response(request)
        return None
