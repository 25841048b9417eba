"""Revision pages. Topic content is not personal data, so these pages are public."""

from urllib.parse import urlencode

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.generic import DetailView

from revision_portal import page_cache
from topics.forms import SearchForm
from topics.models import Topic, section_prefetches
from topics.selectors import (
    content_version,
    qualifications_with_topics,
    search_topics,
    topic_version,
    topics_without_qualification,
)

SEARCH_RESULTS_PER_PAGE = 20
# Rendered topic sections stay in the cache this long (edits change the key, so they show at
# once); a day keeps a busy term's pages warm without holding retired versions for ever.
TOPIC_CACHE_SECONDS = 24 * 60 * 60


def home(request):
    return render(
        request,
        "topics/home.html",
        {
            "qualifications": qualifications_with_topics(),
            "other_topics": topics_without_qualification(),
            "search_form": SearchForm(),
        },
    )


class TopicDetailView(DetailView):
    """The revision page. Anonymous visitors get the whole page from the shared cache
    (revision_portal.page_cache) under the topic's id and ``updated_at``, read first in one
    small query; everyone else gets its sections (Markdown rendered and sanitised: most of the
    page's cost) from the cache under the same version. Every content edit moves
    ``updated_at`` (topics.signals), so an edit shows at once on every app server, whatever the
    cache backend."""

    template_name = "topics/topic_detail.html"
    context_object_name = "topic"
    # The search columns (every section's text, and its tsvector on PostgreSQL) are the
    # largest part of the row and the page shows neither.
    queryset = Topic.objects.select_related("qualification").defer(
        "search_document", "search_vector"
    )

    def get_queryset(self):
        # Drafts (uploads not yet published) are a 404 for everyone but staff, who preview them.
        return super().get_queryset().visible_to(self.request.user)

    def get(self, request, *args, **kwargs):
        return page_cache.anonymous_page(
            request,
            name="topic",
            version=lambda: topic_version(self.kwargs["slug"]),
            render=self._render_page,
        )

    def _render_page(self):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        topic = self.object
        key = f"topic-sections:{topic.pk}:{topic.updated_at.isoformat()}"
        sections_html = cache.get(key)
        if sections_html is None:
            # Cache miss: load every section in one query each and render them once.
            prefetch_related_objects([topic], *section_prefetches())
            sections_html = render_to_string("topics/_topic_sections.html", {"topic": topic})
            cache.set(key, sections_html, TOPIC_CACHE_SECONDS)
        # Our own template's output: every admin-edited text in it went through nh3.
        sections_html = mark_safe(sections_html)  # noqa: S308
        return super().get_context_data(sections_html=sections_html, **kwargs)


def search(request):
    """Search results. Anonymous visitors get them from the shared page cache, under the
    content version that every content change bumps (results depend on every topic)."""
    return page_cache.anonymous_page(
        request, name="search", version=content_version, render=lambda: _search_page(request)
    )


def _search_page(request):
    form = SearchForm(request.GET or None)
    query = ""
    page = None
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            page = Paginator(search_topics(query), SEARCH_RESULTS_PER_PAGE).get_page(
                request.GET.get("page")
            )
    return render(
        request,
        "topics/search.html",
        {
            "search_form": form,
            "query": query,
            "page": page,
            "search_query": urlencode({"q": query}),
        },
    )
