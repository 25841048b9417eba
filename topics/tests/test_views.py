import pytest
from django.urls import reverse

from topics.services import refresh_search_document
from topics.tests.factories import (
    KeyConceptFactory,
    MarkingPointFactory,
    QualificationFactory,
    TopicFactory,
    topic_with_sections,
)

pytestmark = pytest.mark.django_db


def test_home_lists_qualifications_and_topics(client, imported_seeds):
    response = client.get(reverse("topics:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "iCQ Level 3 Diploma in Customer Service (RQF)" in html
    for title in (
        "Understand customers and customer retention",
        "Building and maintaining a loyal customer base",
        "Effective customer relationships in a business environment",
    ):
        assert title in html
    assert html.count("<h1") == 1
    assert 'role="search"' in html


def test_home_without_topics_explains_how_to_add_them(client):
    response = client.get(reverse("topics:home"))

    assert "No topics have been imported yet" in response.content.decode()


def test_topic_page_shows_every_section(client, imported_seeds):
    from topics.models import Topic

    topic = Topic.objects.get(source_file="001_ff5e01d8a45115a3.txt")

    response = client.get(topic.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="mb-3">Understand customers and customer retention</h1>' in html
    for text in (
        "This subtopic explores the principles of Customer Relationship Management",
        "Complaint Handling",  # key concept term
        "Effective techniques for managing customer complaints",  # its explanation
        "provide specific workplace examples",  # exam tip
        "Customer service is just about being friendly.",  # misconception
        "While friendliness is important",  # its correction
        "Award credit for explaining at least two methods for measuring customer satisfaction",
        "Understand customer retention",  # objective
        "A basic understanding of customer service principles",  # prerequisite
        "Measurement of customer satisfaction",  # key term
    ):
        assert text in html, text


def test_unknown_topic_is_a_clean_404(client):
    response = client.get(reverse("topics:detail", kwargs={"slug": "no-such-topic"}))

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_retired_marking_points_are_not_shown(client):
    from django.utils import timezone

    topic = TopicFactory()
    MarkingPointFactory(topic=topic, text="Award credit for the current point.")
    MarkingPointFactory(
        topic=topic, text="Award credit for an old point.", retired_at=timezone.now()
    )

    html = client.get(topic.get_absolute_url()).content.decode()

    assert "the current point" in html
    assert "an old point" not in html


def test_markdown_with_script_is_rendered_inert(client):
    topic = TopicFactory(
        synopsis="**Bold** text <script>alert('x')</script> and [a link](javascript:alert(1)) "
        '<img src=x onerror="alert(2)">'
    )
    KeyConceptFactory(topic=topic, term="<b>Term</b>", explanation="<script>evil()</script>ok")

    html = client.get(topic.get_absolute_url()).content.decode()

    assert "<strong>Bold</strong>" in html
    assert "<script>alert" not in html
    assert "<script>evil" not in html
    assert "javascript:" not in html
    assert "onerror" not in html
    assert "&lt;b&gt;Term&lt;/b&gt;" in html  # plain-text fields are escaped


def test_search_finds_a_key_concept_by_a_word_in_its_explanation(client, imported_seeds):
    response = client.get(reverse("topics:search"), {"q": "delegation"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "1 topic found" in html
    assert "Understand customers and customer retention" in html
    assert "<mark>" in html


def test_search_ranks_and_paginates(client):
    for n in range(25):
        topic = TopicFactory(title=f"Topic {n:02d}", synopsis="escalation of complaints")
        refresh_search_document(topic)

    first = client.get(reverse("topics:search"), {"q": "escalation"}).content.decode()
    second = client.get(reverse("topics:search"), {"q": "escalation", "page": 2}).content.decode()

    assert "25 topics found" in first
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in second


def test_search_with_no_match_or_no_query_says_so(client, imported_seeds):
    no_match = client.get(reverse("topics:search"), {"q": "zebra"}).content.decode()
    empty = client.get(reverse("topics:search"), {"q": "  "})

    assert "No topics match" in no_match
    assert empty.status_code == 200


def test_search_escapes_the_query(client, imported_seeds):
    html = client.get(reverse("topics:search"), {"q": "<script>x</script>"}).content.decode()

    assert "<script>x" not in html
    assert "&lt;script&gt;" in html


def test_search_text_that_is_too_long_gets_a_message(client):
    response = client.get(reverse("topics:search"), {"q": "x" * 500})

    assert response.status_code == 200
    assert "Search text:" in response.content.decode()


# Query budgets. Home: qualifications, their topics (prefetch), topics without a qualification.
HOME_QUERIES = 3
# Topic page, anonymous and not yet cached: the topic's version (the page cache's key), then
# topic + qualification (join), then one prefetch per section (7 sections). A cache hit is the
# first query only (topics/tests/test_page_cache.py).
TOPIC_QUERIES = 9


@pytest.mark.parametrize("count", [5, 50])
def test_home_query_count_does_not_grow_with_topics(client, django_assert_num_queries, count):
    qualification = QualificationFactory()
    for _ in range(count):
        TopicFactory(qualification=qualification)
        TopicFactory(qualification=None)

    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(reverse("topics:home"))

    assert response.status_code == 200


@pytest.mark.parametrize("count", [5, 50])
def test_topic_page_query_count_does_not_grow_with_content(
    client, django_assert_num_queries, count
):
    topic = topic_with_sections()
    for _ in range(count):
        KeyConceptFactory(topic=topic)
        MarkingPointFactory(topic=topic)
    for _ in range(count):
        topic_with_sections()  # other topics must not matter either

    with django_assert_num_queries(TOPIC_QUERIES):
        response = client.get(topic.get_absolute_url())

    assert response.status_code == 200
