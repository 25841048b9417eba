"""Render admin-edited text (Markdown) as safe HTML.

Admins write Markdown; learners see HTML. Markdown passes raw HTML through, so every result is
cleaned with nh3 against an allow-list: admin input can never inject script or event handlers.
Links to other sites are then marked: ``rel="noopener noreferrer nofollow"`` (no ranking is
lent to them, and the page they open gets no handle on ours), the ``external-link`` class (an
arrow, from the site's CSS) and "(external link)" for screen readers. The site's own links are
left plain.
"""

import re
import threading
from html import unescape
from urllib.parse import urlsplit

import markdown as markdown_lib
import nh3
from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

register = template.Library()

# No h1/h2: each page has one h1 of its own, and sections use h2.
ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "em",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
_SINGLE_PARAGRAPH = re.compile(r"^<p>(?P<inner>(?:(?!<p>).)*)</p>$", re.DOTALL)
EXTERNAL_REL = "noopener noreferrer nofollow"
# An anchor in nh3's output: attribute values are double-quoted with '"' escaped (so a '>' can
# only end the tag outside quotes), and anchors never nest, so the next </a> closes it.
_ANCHOR = re.compile(r'<a\s(?P<attrs>(?:[^>"]|"[^"]*")*)>(?P<body>.*?)</a>', re.DOTALL)
_HREF = re.compile(r'\bhref="(?P<href>[^"]*)"')


# One Markdown converter per thread, reset before each text. Building one (its block and inline
# patterns, compiled regular expressions) cost more than converting a topic's short texts: a
# topic page renders about 20 of them, and building a converter for each was about half of
# rendering the page (bench/profile_pages.py). A converter keeps state while converting (link
# references, footnotes), so it is never shared between threads and is reset every time.
_converters = threading.local()
# The same holds for the sanitiser's allow-list, built once.
_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    # rel is set below, on links to other sites only (and any rel an author wrote is gone).
    link_rel=None,
)


def _converter() -> markdown_lib.Markdown:
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = markdown_lib.Markdown(extensions=["sane_lists"], output_format="html")
        _converters.markdown = converter
    return converter.reset()


def markdown_to_safe_html(text: str) -> str:
    """Markdown in, sanitised HTML out, with links to other sites marked external."""
    html = _converter().convert(text or "")
    return _ANCHOR.sub(_mark_external, _CLEANER.clean(html))


def _own_host(host: str) -> bool:
    """Whether a link's host is this site: one of ``ALLOWED_HOSTS`` (".example.ac.uk" also
    covers its subdomains; "*" matches nothing here, so a wildcard never hides a link)."""
    for allowed in settings.ALLOWED_HOSTS:
        allowed = allowed.lower()
        if allowed.startswith("."):
            if host == allowed[1:] or host.endswith(allowed):
                return True
        elif host == allowed.strip("[]"):
            return True
    return False


def is_external_link(href: str) -> bool:
    """Whether ``href`` leads to another site: it names a host that is not this one. Relative
    links, fragments and ``mailto:`` are not links to another site."""
    try:
        parts = urlsplit(href.strip())
    except ValueError:
        return True  # unparseable (e.g. a bad IPv6 literal): treat with suspicion
    if parts.scheme and parts.scheme.lower() not in {"http", "https"}:
        return False
    host = (parts.hostname or "").lower()
    return bool(host) and not _own_host(host)


def _mark_external(match: re.Match) -> str:
    attrs, body = match["attrs"], match["body"]
    href = _HREF.search(attrs)
    if href is None or not is_external_link(unescape(href["href"])):
        return match[0]
    return (
        f'<a {attrs} rel="{EXTERNAL_REL}" class="external-link">{body}'
        '<span class="visually-hidden"> (external link)</span></a>'
    )


@register.filter(name="markdown")
def render_markdown(text: str) -> str:
    """Block Markdown (paragraphs, lists) rendered and sanitised."""
    return mark_safe(markdown_to_safe_html(text))  # noqa: S308 - sanitised by nh3 above


@register.filter(name="markdown_inline")
def render_markdown_inline(text: str) -> str:
    """Markdown for a list item or table cell: a lone paragraph loses its <p> wrapper."""
    html = markdown_to_safe_html(text).strip()
    match = _SINGLE_PARAGRAPH.match(html)
    return mark_safe(match["inner"] if match else html)  # noqa: S308 - sanitised by nh3 above
