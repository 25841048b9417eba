"""Error responses that work when nothing else does.

The 500, 503 and 413 pages are rendered without the request's context processors: those read
the session and the user, which needs the database that may be the very thing that failed.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

DATABASE_ERRORS = (OperationalError, InterfaceError)


def database_unavailable_response(request=None) -> HttpResponse:
    retry_after = settings.DATABASE_RETRY_AFTER_SECONDS
    body = loader.render_to_string("503.html", {"retry_after": retry_after})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(retry_after)
    # Never cache an outage page.
    response["Cache-Control"] = "no-store"
    return response


def request_too_large_response(request, length: int) -> HttpResponse:
    limit_mb = settings.REQUEST_MAX_BYTES / (1024 * 1024)
    body = loader.render_to_string(
        "413.html", {"size_mb": f"{length / (1024 * 1024):.1f}", "limit_mb": f"{limit_mb:g}"}
    )
    return HttpResponse(body, status=413)


@requires_csrf_token
def server_error(request, template_name: str = "500.html") -> HttpResponse:
    """``handler500``: the 503 page if the database is the cause, the 500 page otherwise."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        return database_unavailable_response(request)
    return HttpResponseServerError(loader.render_to_string(template_name))
