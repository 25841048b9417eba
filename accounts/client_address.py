"""The client's address, read from ``X-Forwarded-For`` only as far as trusted proxies vouch for
it.

Each reverse proxy appends the address it received the request from to ``X-Forwarded-For``;
anything to the left of what our own proxies wrote was sent by the client and may be forged. With
``TRUSTED_PROXY_COUNT`` proxies in front of the app, the client is therefore the entry that many
places from the right. With none (the default) the header is ignored and ``REMOTE_ADDR`` is the
client. django-axes reads the address through this function (``AXES_CLIENT_IP_CALLABLE``), and so
does the password-reset limit, so both agree.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """The address of the client that sent ``request`` (a string), or ``REMOTE_ADDR`` when the
    trusted proxies' header is missing, too short or not an address."""
    remote = request.META.get("REMOTE_ADDR")
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if trusted <= 0:
        return remote
    entries = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(entries) < trusted:
        # The request did not pass through every trusted proxy, so no entry can be vouched for.
        return remote
    candidate = entries[-trusted]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
