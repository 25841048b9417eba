"""Revision pages. Topic content is not personal data, so these pages are public."""

from urllib.parse import urlencode

from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.shortcuts import render
from django.views.generic import DetailView

from topics.forms import SearchForm
from topics.models import Topic, section_prefetches
from topics.selectors import qualifications_with_topics, search_topics, topics_without_qualification

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
    """The revision page. Its sections (Markdown rendered and sanitised: most of the page's
    cost) are cached through Django's cache framework, keyed by the topic's id and
    ``updated_at``; every content edit moves ``updated_at`` (topics.signals), so an edit shows
    at once on every app server, whatever the cache backend. A cache hit costs one query."""

    template_name = "topics/topic_detail.html"
    context_object_name = "topic"
    queryset = Topic.objects.select_related("qualification")

    def get_object(self, queryset=None):
        topic = super().get_object(queryset)
        key = make_template_fragment_key("topic_article", [topic.pk, topic.updated_at.isoformat()])
        if cache.get(key) is None:
            # Cache miss: load every section in one query each, as the template will read them.
            prefetch_related_objects([topic], *section_prefetches())
        return topic

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic_cache_seconds=TOPIC_CACHE_SECONDS, **kwargs)


def search(request):
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
