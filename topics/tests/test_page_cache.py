"""The anonymous page cache on topic pages and search (revision_portal.page_cache)."""

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.urls import reverse

from assessments.tests.factories import UserFactory
from revision_portal import page_cache
from topics.models import Topic
from topics.services import refresh_search_document
from topics.tests.factories import (
    KeyConceptFactory,
    MarkingPointFactory,
    QualificationFactory,
    TopicFactory,
    topic_with_sections,
)

pytestmark = pytest.mark.django_db

# A cached topic page: the topic's id and updated_at (the page's version). Nothing is rendered.
TOPIC_HIT_QUERIES = 1
# A cached search page: the content version.
SEARCH_HIT_QUERIES = 1


@pytest.fixture
def cache_writes(monkeypatch):
    """Every whole page stored during the test (not the topic-sections fragments)."""
    keys = []
    real_set = page_cache.cache.set

    def recording_set(key, *args, **kwargs):
        if key.startswith("anonymous-page:"):
            keys.append(key)
        return real_set(key, *args, **kwargs)

    monkeypatch.setattr(page_cache.cache, "set", recording_set)
    return keys


def searchable_topic(**kwargs) -> Topic:
    topic = TopicFactory(**kwargs)
    refresh_search_document(topic)
    return topic


@pytest.mark.parametrize("count", [5, 50])
def test_anonymous_topic_page_is_served_from_the_cache(client, django_assert_num_queries, count):
    topic = topic_with_sections()
    for _ in range(count):
        KeyConceptFactory(topic=topic)
        MarkingPointFactory(topic=topic)
    first = client.get(topic.get_absolute_url())

    with django_assert_num_queries(TOPIC_HIT_QUERIES):
        second = client.get(topic.get_absolute_url())

    assert second.status_code == 200
    assert second.context is None  # no template was rendered
    assert second.content == first.content
    assert topic.title in second.content.decode()


@pytest.mark.parametrize("count", [5, 50])
def test_anonymous_search_is_served_from_the_cache(client, django_assert_num_queries, count):
    for n in range(count):
        searchable_topic(title=f"Escalation {n}", synopsis="escalation of complaints")
    first = client.get(reverse("topics:search"), {"q": "escalation"})

    with django_assert_num_queries(SEARCH_HIT_QUERIES):
        second = client.get(reverse("topics:search"), {"q": "escalation"})

    assert second.context is None
    assert second.content == first.content
    assert f"{count} topics found" in second.content.decode()


def test_a_logged_in_user_never_gets_the_anonymous_page(client, cache_writes):
    topic = topic_with_sections()
    anonymous = client.get(topic.get_absolute_url()).content.decode()
    assert "Log in to take a quiz" in anonymous
    assert len(cache_writes) == 1

    user = UserFactory(username="learner-lena")
    client.force_login(user)
    personal = client.get(topic.get_absolute_url())
    html = personal.content.decode()

    assert personal.context is not None  # rendered for this user, not from the cache
    assert "Take a quiz on this topic" in html
    assert "csrfmiddlewaretoken" in html
    assert "learner-lena" in html
    assert "Log in to take a quiz" not in html
    assert "private" in personal["Cache-Control"]
    assert "public" not in personal["Cache-Control"]
    assert len(cache_writes) == 1  # the personal page was not stored


def test_a_logged_in_users_page_never_reaches_anonymous_visitors(client):
    topic = topic_with_sections()
    client.force_login(UserFactory(username="learner-lena"))
    client.get(topic.get_absolute_url())
    client.get(reverse("topics:search"), {"q": topic.title})
    client.logout()

    pages = [
        client.get(topic.get_absolute_url()),
        client.get(reverse("topics:search"), {"q": topic.title}),
    ]
    for page in pages:
        html = page.content.decode()
        assert "learner-lena" not in html
        assert "csrfmiddlewaretoken" not in html


def test_a_logged_in_users_topic_page_costs_no_version_query(client, django_assert_num_queries):
    topic = topic_with_sections()
    client.force_login(UserFactory())
    client.get(topic.get_absolute_url())  # sections now cached

    # topic + qualification, session, user, groups (the tutor link in the navigation); the
    # sections come from the fragment cache.
    with django_assert_num_queries(4):
        response = client.get(topic.get_absolute_url())

    assert response.status_code == 200


def test_a_visitor_with_a_session_cookie_is_not_served_from_the_cache(client, cache_writes):
    topic = topic_with_sections()
    client.get(topic.get_absolute_url())  # cached
    client.cookies["sessionid"] = "expired-or-unknown"

    response = client.get(topic.get_absolute_url())

    assert response.context is not None
    assert len(cache_writes) == 1


def test_a_section_edit_shows_at_once(client):
    topic = topic_with_sections()
    concept = KeyConceptFactory(topic=topic, term="Old wording")
    assert "Old wording" in client.get(topic.get_absolute_url()).content.decode()

    concept.term = "New wording"
    concept.save()  # touches the topic (topics.signals)

    html = client.get(topic.get_absolute_url()).content.decode()
    assert "New wording" in html
    assert "Old wording" not in html


def test_deleting_a_qualification_shows_at_once(client):
    qualification = QualificationFactory(name="Level 9 Diploma in Vanishing")
    topic = topic_with_sections(qualification=qualification)
    assert "Level 9 Diploma in Vanishing" in client.get(topic.get_absolute_url()).content.decode()

    qualification.delete()

    assert "Level 9 Diploma" not in client.get(topic.get_absolute_url()).content.decode()


def test_a_content_change_shows_in_search_at_once(client, django_capture_on_commit_callbacks):
    searchable_topic(title="Complaints", synopsis="handling complaints")
    before = client.get(reverse("topics:search"), {"q": "zebra"}).content.decode()
    assert "No topics match" in before

    # The version is bumped when the edit commits, as it would be after an admin save.
    with django_capture_on_commit_callbacks(execute=True):
        searchable_topic(title="Zebra crossings", synopsis="zebra")

    after = client.get(reverse("topics:search"), {"q": "zebra"}).content.decode()
    assert "1 topic found" in after
    assert "Zebra crossings" in after


@pytest.mark.parametrize(
    "change",
    [
        lambda topic: topic.delete(),
        lambda topic: KeyConceptFactory(topic=topic),
        lambda topic: QualificationFactory(),  # a new one: other topics unchanged
        lambda topic: setattr(topic, "title", "Renamed") or topic.save(),
    ],
    ids=["topic deleted", "section added", "qualification added", "topic renamed"],
)
def test_every_content_change_moves_the_content_version(django_capture_on_commit_callbacks, change):
    from topics.selectors import content_version

    topic = searchable_topic()
    with django_capture_on_commit_callbacks(execute=True):
        pass
    before = content_version()

    with django_capture_on_commit_callbacks(execute=True):
        change(topic)

    assert content_version() != before


def test_different_query_strings_are_different_pages(client):
    for n in range(25):
        searchable_topic(title=f"Alpha {n:02d}", synopsis="alpha")
    searchable_topic(title="Beta", synopsis="beta")

    alpha = client.get(reverse("topics:search"), {"q": "alpha"}).content.decode()
    beta = client.get(reverse("topics:search"), {"q": "beta"}).content.decode()
    alpha_page_2 = client.get(reverse("topics:search"), {"q": "alpha", "page": 2}).content
    alpha_again = client.get(reverse("topics:search"), {"q": "alpha"}).content.decode()

    assert "25 topics found" in alpha and "Page 1 of 2" in alpha
    assert "1 topic found" in beta
    assert "Page 2 of 2" in alpha_page_2.decode()
    assert alpha_again == alpha


def test_not_found_pages_are_not_cached(client, cache_writes):
    url = reverse("topics:detail", kwargs={"slug": "not-yet"})
    assert client.get(url).status_code == 404
    assert client.get(url).status_code == 404
    assert cache_writes == []

    TopicFactory(slug="not-yet", title="Now here")
    assert client.get(url).status_code == 200


def test_anonymous_pages_carry_shared_cache_headers_and_revalidate(client):
    topic = topic_with_sections()

    first = client.get(topic.get_absolute_url())
    again = client.get(topic.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])

    cache_control = {part.strip() for part in first["Cache-Control"].split(",")}
    assert cache_control == {"public", "max-age=0", "must-revalidate"}
    assert "Cookie" in first["Vary"]
    assert first["ETag"]
    assert again.status_code == 304
    assert not first.cookies


def test_personal_parts_keep_a_page_out_of_the_cache():
    factory = RequestFactory()

    def shareable(prepare) -> bool:
        request = factory.get("/")
        response = HttpResponse("page")
        prepare(request, response)
        return page_cache.is_shareable(request, response)

    assert shareable(lambda request, response: None)
    assert not shareable(lambda request, response: response.set_cookie("sessionid", "x"))
    assert not shareable(lambda request, response: get_token(request))
    assert not shareable(lambda request, response: setattr(request, "_csp_nonce", "abc"))
    assert not shareable(lambda request, response: setattr(response, "status_code", 500))
    assert not shareable(
        lambda request, response: response.set_cookie(CookieStorage.cookie_name, "m")
    )


def test_a_visitor_with_pending_messages_gets_a_fresh_page(client, cache_writes):
    topic = topic_with_sections()
    client.get(topic.get_absolute_url())
    client.cookies[CookieStorage.cookie_name] = "pending"

    response = client.get(topic.get_absolute_url())

    assert response.context is not None
    assert len(cache_writes) == 1


def test_an_import_moves_the_content_version_once_it_is_written(seed_bytes):
    from topics.selectors import content_version
    from topics.services import import_seed_bytes

    data = seed_bytes("001")
    before = content_version()

    import_seed_bytes(source_name="001.txt", data=data, dry_run=True)
    assert content_version() == before  # rolled back with the rest

    import_seed_bytes(source_name="001.txt", data=data)
    after = content_version()
    assert after != before

    assert import_seed_bytes(source_name="001.txt", data=data).status == "unchanged"
    assert content_version() == after
