"""Reads for the topics app: the querysets and search behind the revision pages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Prefetch
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from topics.models import ContentVersion, Qualification, Topic

SNIPPET_CHARS = 220
# Control characters cannot occur in topic text (the parser strips them), so they are safe
# markers for where PostgreSQL's headline starts and stops a match.
_START, _STOP = "\x02", "\x03"


@dataclass(frozen=True)
class SearchHit:
    topic: Topic
    snippet: SafeString


def content_version() -> str:
    """The current content version (topics.signals bumps it on every content change); one query."""
    token = ContentVersion.objects.order_by("pk").values_list("token", flat=True).first()
    return token or ""


def topic_version(slug: str) -> str:
    """The version a topic's page is cached under: its id and ``updated_at``, which every
    content edit moves (topics.signals); "" when there is no such topic. One small query."""
    # The only query of a cached page view, so it is written out: building it through the ORM
    # cost the request more than running it. Names come from the model, the slug is a parameter.
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote('id')}, {quote('updated_at')} FROM {quote(Topic._meta.db_table)} "  # noqa: S608
        f"WHERE {quote('slug')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [slug])
        row = cursor.fetchone()
    if row is None:
        return ""
    pk, updated_at = row
    return f"{pk}:{updated_at}"


def qualifications_with_topics():
    """Qualifications, each with its topics (titles and slugs only), in two queries."""
    return Qualification.objects.prefetch_related(
        Prefetch(
            "topics",
            queryset=Topic.objects.published().only("title", "slug", "qualification_id"),
        )
    )


def topics_without_qualification():
    return (
        Topic.objects.published()
        .filter(qualification__isnull=True)
        .only("title", "slug", "synopsis")
    )


def search_terms(query: str) -> list[str]:
    """The words of a query, lower-cased, without punctuation or duplicates."""
    seen: list[str] = []
    for word in re.findall(r"\w+", query.casefold()):
        if word not in seen:
            seen.append(word)
    return seen[:12]


def search_topics(query: str):
    """Topics matching ``query``, best first, as ``SearchHit``s with a highlighted snippet;
    a sequence a Paginator can count and slice.

    PostgreSQL uses full-text search (stemmed English, title weighted above body) with
    ``ts_rank``; other databases fall back to case-insensitive substring matching, ranked by
    how often the words occur, which is enough for a development machine.
    """
    terms = search_terms(query)
    if not terms:
        return []
    if connection.vendor == "postgresql":
        return _search_postgresql(query)
    return _search_fallback(terms)


class _LazySearchHits:
    """Search results that a Paginator can count and slice: the expensive highlighted extract
    (``ts_headline``) is computed only for the page being shown."""

    def __init__(self, queryset):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        rows = self.queryset[index]
        if isinstance(index, slice):
            return [SearchHit(t, _highlight_markers(t.headline)) for t in rows]
        return SearchHit(rows, _highlight_markers(rows.headline))


def _search_postgresql(query: str) -> _LazySearchHits:
    from django.contrib.postgres.search import SearchHeadline

    search_query = SearchQuery(query, search_type="websearch", config="english")
    topics = (
        # The stored, GIN-indexed vector (title weighted A, the rest B): see Topic.search_vector.
        Topic.objects.published()
        .filter(search_vector=search_query)
        .annotate(
            rank=SearchRank(F("search_vector"), search_query),
            headline=SearchHeadline(
                "search_document",
                search_query,
                config="english",
                start_sel=_START,
                stop_sel=_STOP,
                max_words=35,
                min_words=15,
            ),
        )
        .select_related("qualification")
        .defer("search_document", "search_vector")
        .order_by("-rank", "title")
    )
    return _LazySearchHits(topics)


def _highlight_markers(headline: str) -> SafeString:
    html = escape(headline).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - built from escaped text and our own tags


def _search_fallback(terms: list[str]) -> list[SearchHit]:
    topics = Topic.objects.published().select_related("qualification")
    for term in terms:
        topics = topics.filter(search_document__icontains=term)
    scored = []
    for topic in topics:
        title = topic.title.casefold()
        body = topic.search_document.casefold()
        score = sum(3 * title.count(term) + body.count(term) for term in terms)
        scored.append((-score, topic.title, topic))
    scored.sort(key=lambda item: item[:2])
    return [SearchHit(topic, _snippet(topic.search_document, terms)) for _, _, topic in scored]


def _snippet(text: str, terms: list[str]) -> SafeString:
    lowered = text.casefold()
    positions = [lowered.find(term) for term in terms if lowered.find(term) >= 0]
    start = max(0, min(positions) - SNIPPET_CHARS // 3) if positions else 0
    window = text[start : start + SNIPPET_CHARS]
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    pieces, last = [], 0
    for match in pattern.finditer(window):
        pieces.append(escape(window[last : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    pieces.append(escape(window[last:]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + SNIPPET_CHARS < len(text) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)  # noqa: S308 - every piece escaped
