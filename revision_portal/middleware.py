"""Small security and reliability middleware for the whole site."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError

from revision_portal.errors import database_unavailable_response, request_too_large_response

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)


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
