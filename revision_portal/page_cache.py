"""Whole pages from the shared cache for visitors without a session (topic pages, search).

Most visitors to the revision pages are anonymous and all of them see the same page, so it is
rendered once per content version and then served from Django's cache framework (local memory,
or Redis with ``CACHE_URL``). Two parts share the work:

- A view calls ``anonymous_page(request, name=..., version=..., render=...)``. For a visitor with
  no session (no session or messages cookie, not logged in) on a GET it looks the page up under
  a key made of the view's name, the content ``version`` (an edit changes it, so an edit shows
  at once) and the full path with its query string; a hit is returned without rendering. On a
  miss the page is rendered and *offered*.
  Everyone else gets the page rendered for them, marked ``private`` and never stored.
- ``AnonymousPageCacheMiddleware`` sits outside the session, CSRF and messages middleware, so it
  sees the response as it will leave: it stores an offered page only if it is a plain 200 that
  sets no cookie, used no CSRF token and no CSP nonce (a page that needed any of those is
  per-request and is simply rendered again next time), and answers a browser that already
  holds it with a 304.

Cached responses carry ``Vary: Cookie`` and ``Cache-Control: public, max-age=0,
must-revalidate`` with an ``ETag``: browsers and proxies may keep a copy but must ask again,
so they never show a page older than the server's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)

# How long a stored page lives. Edits change the key, so this only bounds how long retired
# versions take up room (and the staleness should a content-version bump ever be lost).
PAGE_CACHE_SECONDS = 10 * 60
_KEY_PREFIX = "anonymous-page"
# Set on a response for an anonymous visitor: the middleware's cue to check and store it.
_OFFER_ATTRIBUTE = "_anonymous_page_offer"


@dataclass(frozen=True)
class _Offer:
    key: str
    etag: str
    stored: bool  # served from the cache (True) or rendered on a miss (False)


def anonymous_page(
    request: HttpRequest,
    *,
    name: str,
    version: str | Callable[[], str],
    render: Callable[[], HttpResponse],
) -> HttpResponse:
    """The page from the cache for an anonymous visitor, or ``render()``'s response.

    ``name`` names the view; ``version`` is the content version the page was made from (or a
    callable returning it, so personal requests do not pay for reading it); ``render`` makes the
    response. Errors from ``render`` (a 404) propagate and are never cached.
    """
    if not _is_anonymous_without_session(request):
        response = render()
        # Personal (it carries a CSRF token and the user's name): no shared copy anywhere.
        add_never_cache_headers(response)
        return response
    if callable(version):
        version = version()
    key = page_key(name=name, version=version, full_path=request.get_full_path())
    entry = cache.get(key)
    if entry is not None:
        content, content_type, etag = entry
        response = HttpResponse(content, content_type=content_type)
        setattr(response, _OFFER_ATTRIBUTE, _Offer(key=key, etag=etag, stored=True))
        return response
    response = render()
    if hasattr(response, "render") and callable(response.render):
        response.render()  # a TemplateResponse: the content is needed for the ETag now
    if response.status_code == 200 and not response.streaming:
        offer = _Offer(key=key, etag=_etag(response.content), stored=False)
        setattr(response, _OFFER_ATTRIBUTE, offer)
    return response


def page_key(*, name: str, version: str, full_path: str) -> str:
    """The cache key of one page: view, content version and path with query string."""
    digest = hashlib.sha256(f"{version}\n{full_path}".encode()).hexdigest()
    return f"{_KEY_PREFIX}:{name}:{digest}"


class AnonymousPageCacheMiddleware:
    """Store pages offered by ``anonymous_page`` once the inner middleware is done with them.

    Goes before SessionMiddleware in ``MIDDLEWARE``, so the session, CSRF and messages cookies
    are already on the response when it is checked. Shareable pages get their shared-cache
    headers here; an offered page that turned out personal gets ``private`` ones instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        offer = getattr(response, _OFFER_ATTRIBUTE, None)
        if offer is None:
            return response
        if not is_shareable(request, response):
            add_never_cache_headers(response)
            return response
        if not offer.stored:
            cache.set(
                offer.key,
                (response.content, response["Content-Type"], offer.etag),
                PAGE_CACHE_SECONDS,
            )
        response["ETag"] = offer.etag
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        patch_vary_headers(response, ("Cookie",))
        # A browser revalidating a page it holds gets a bodiless 304.
        return get_conditional_response(request, etag=offer.etag, response=response)


def is_shareable(request: HttpRequest, response: HttpResponse) -> bool:
    """True if nothing in ``response`` belongs to this one request or visitor."""
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if response.cookies:
        return False  # a session, CSRF or messages cookie: this visitor's, not everyone's
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page holds a CSRF token
    if isinstance(getattr(request, "_csp_nonce", None), str):
        return False  # the page holds this request's CSP nonce (django-csp makes it on use)
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


def _is_anonymous_without_session(request: HttpRequest) -> bool:
    if request.method != "GET":
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return False
    # No session cookie means an empty session, so this costs no query.
    return not request.user.is_authenticated


def _etag(content: bytes) -> str:
    return f'"{hashlib.sha256(content).hexdigest()[:32]}"'
