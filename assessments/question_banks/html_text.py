"""Question text written in HTML (as Moodle stores it) to the plain text the portal shows, and
back.

The portal shows prompts, answers and feedback as plain text (autoescaped), so HTML from a bank
is never kept as markup: paragraphs, line breaks and list items become line breaks, everything
else (tags, scripts, styles, images) is dropped and entities are decoded. ``text_to_html`` is
the inverse for text the portal wrote, so an export read back gives the same text.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

# Tags whose content is not text a person reads.
_SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript"})
# Tags that end a paragraph.
_BLOCKS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre"}
)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            if alt.strip():
                self.parts.append(alt)

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIPPED:
            self.skipping -= 1

    def handle_endtag(self, tag) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "tr":
            self.parts.append("\n")

    def handle_data(self, data) -> None:
        if not self.skipping:
            # Whitespace in HTML source is not layout: runs of it are one space.
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> str:
    """The text a person reads in ``markup``, with paragraphs as blank lines."""
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    text = "".join(collector.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def text_to_html(text: str) -> str:
    """Plain text as HTML: a ``<p>`` per paragraph, ``<br>`` per line break ('' for '').

    Spaces are written as ``html_to_text`` reads them (runs of them are one), so
    ``html_to_text(text_to_html(text))`` is ``canonical_text(text)`` and writing that again
    gives the same HTML.
    """
    paragraphs = [part for part in canonical_text(text).split("\n\n") if part]
    return "".join(
        "<p>" + "<br>".join(html.escape(line, quote=False) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


def canonical_text(text: str) -> str:
    """``text`` as it reads back from HTML: lines stripped, runs of spaces one space, blank
    lines between paragraphs one."""
    lines = [re.sub(r"[ \t\xa0]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
