"""Revision pages. Topic content is not personal data, so these pages are public."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.generic import DetailView

from topics.forms import SearchForm
from topics.models import Topic
from topics.selectors import qualifications_with_topics, search_topics, topics_without_qualification

SEARCH_RESULTS_PER_PAGE = 20


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
    template_name = "topics/topic_detail.html"
    context_object_name = "topic"
    queryset = Topic.objects.with_sections()


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
        {"search_form": form, "query": query, "page": page},
    )
