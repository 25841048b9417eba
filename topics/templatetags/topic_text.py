"""Render admin-edited text (Markdown) as safe HTML.

Admins write Markdown; learners see HTML. Markdown passes raw HTML through, so every result is
cleaned with nh3 against an allow-list: admin input can never inject script or event handlers.
"""

import re

import markdown as markdown_lib
import nh3
from django import template
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


def markdown_to_safe_html(text: str) -> str:
    """Markdown in, sanitised HTML out."""
    html = markdown_lib.markdown(text or "", extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
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
