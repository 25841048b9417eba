"""Query budgets for the pages not pinned elsewhere: each runs a fixed number of queries
however much data there is (5 vs 50 topics, 5 vs 200 learners, 1 vs 15 attempts).

Pinned elsewhere: home and topic page (topics/tests/test_views.py), quiz question, results and
progress (assessments/tests/test_query_counts.py), cohort heatmap
(cohorts/tests/test_views.py). A budget that changes must change here on purpose.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.services import make_tutor
from assessments.models import Attempt, PointMastery
from assessments.tests.factories import (
    ShortAnswerQuestionFactory,
    UserFactory,
    bulk_responses_waiting_for_a_tutor,
)
from cohorts.models import CohortMembership
from cohorts.services import create_cohort
from cohorts.tests.factories import CohortMembershipFactory
from cohorts.views import ATTEMPTS_PER_PAGE
from topics.models import ExamTip
from topics.services import refresh_search_document
from topics.tests.factories import ExamTipFactory, TopicFactory, topic_with_sections

pytestmark = pytest.mark.django_db

# Every page below that needs a login: session, user; pages with the navigation add the user's
# groups (is the user a tutor?) once, or use the tutor check's result for it. That one query
# also counts the user's unread notifications for the navigation (notifications.selectors).
BUDGETS = {
    # Anonymous, page cache cold: the content version (the page cache's key), then topics
    # matching (one row per topic, qualification joined). A cache hit is the first one only.
    "search": 2,
    # session, user, topic count, the page of topics (question counts and the learner's summary
    # per row), unfinished quizzes, groups. (Was 4 before the topics were paged, 5 before the
    # unfinished quizzes' "continue" links.)
    "quiz_home": 6,
    # session, user, groups, cohorts with sizes, points per qualification, credited per cohort,
    # qualifications for the new-cohort form, answers waiting in the review queue.
    "dashboard": 8,
    # session, user, groups, cohort, points in scope, mastery counts, misconception scan.
    "class_view": 8,
    # session, user, groups, cohort, answer count, answer page.
    "answers": 6,
    # session, user, groups, cohort, learner, attempt count, attempt page, their responses
    # (was 7 before the attempts were paged).
    "learner": 8,
    # session, user, groups, the filter's cohorts and topics, queue count, queue page.
    "queue": 7,
    # session, user, groups, cohort, member count, member page, tutors.
    "members": 7,
    # session, user, memberships, groups with the unread notification count, the e-mail
    # notification setting (was 4 before that setting).
    "profile": 5,
}


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


def topics_with_questions(count: int) -> None:
    for n in range(count):
        topic = TopicFactory(synopsis=f"Customer complaint handling, part {n}.")
        refresh_search_document(topic)
        ShortAnswerQuestionFactory(topic=topic)


def cohort_world(size: int, *, attempts_each: int = 1):
    """A tutor's cohort of ``size`` learners, each with submitted answers (one waiting for the
    tutor, with a misconception) and mastery rows, made in bulk."""
    tutor = UserFactory(username="budget-tutor")
    make_tutor(user=tutor)
    cohort = create_cohort(tutor=tutor, name="Budget cohort")
    question = ShortAnswerQuestionFactory()
    learners = UserFactory.create_batch(size)
    CohortMembership.objects.bulk_create(
        CohortMembership(cohort=cohort, learner=learner) for learner in learners
    )
    now = timezone.now()
    attempts = Attempt.objects.bulk_create(
        Attempt(
            learner=learner,
            kind="topic",
            topic=question.topic,
            title="Quiz",
            submitted_at=now,
            marked_at=now,
        )
        for learner in learners
        for _ in range(attempts_each)
    )
    responses = bulk_responses_waiting_for_a_tutor(attempts, question, now)
    PointMastery.objects.bulk_create(
        PointMastery(
            learner_id=response.attempt.learner_id,
            marking_point_id=question.marking_point_id,
            topic_id=question.topic_id,
            response=response,
            credited=False,
            answered_at=now,
        )
        for response in responses[::attempts_each]
    )
    return tutor, cohort, learners


@pytest.mark.parametrize("topics", [5, 50])
def test_search_query_budget(client, django_assert_num_queries, topics):
    topics_with_questions(topics)

    # PostgreSQL pages through the ranked query (a count, then the page's rows with their
    # highlighted extracts); the SQLite fallback filters in one query.
    budget = BUDGETS["search"] + (1 if connection.vendor == "postgresql" else 0)
    with django_assert_num_queries(budget):
        response = client.get(reverse("topics:search"), {"q": "complaint"})

    assert response.status_code == 200
    assert response.context["page"].paginator.count == topics


@pytest.mark.parametrize("topics", [5, 50])
def test_quiz_home_query_budget(client, django_assert_num_queries, topics):
    topics_with_questions(topics)
    client.force_login(UserFactory())

    with django_assert_num_queries(BUDGETS["quiz_home"]):
        response = client.get(reverse("assessments:home"))

    assert response.status_code == 200
    assert response.content.decode().count('name="topic"') == topics


@pytest.mark.parametrize("size", [5, 200])
def test_tutor_dashboard_query_budget(client, django_assert_num_queries, size):
    tutor, cohort, _ = cohort_world(size)
    create_cohort(tutor=tutor, name="Second cohort")
    client.force_login(tutor)

    with django_assert_num_queries(BUDGETS["dashboard"]):
        response = client.get(reverse("cohorts:dashboard"))

    assert response.status_code == 200
    assert response.context["summaries"][0].size == size


@pytest.mark.parametrize("size", [5, 200])
def test_class_view_query_budget(client, django_assert_num_queries, size):
    tutor, cohort, _ = cohort_world(size)
    client.force_login(tutor)

    with django_assert_num_queries(BUDGETS["class_view"]):
        response = client.get(reverse("cohorts:class_view", args=[cohort.pk]))

    assert response.status_code == 200
    assert response.context["points"][0].answered == size


@pytest.mark.parametrize("size", [5, 200])
def test_answers_list_query_budget(client, django_assert_num_queries, size):
    tutor, cohort, _ = cohort_world(size)
    client.force_login(tutor)

    with django_assert_num_queries(BUDGETS["answers"]):
        response = client.get(reverse("cohorts:answers", args=[cohort.pk]))

    assert response.status_code == 200
    assert response.context["page"].paginator.count == size


@pytest.mark.parametrize(("size", "attempts"), [(5, 1), (200, 15)])
def test_learner_drill_down_query_budget(client, django_assert_num_queries, size, attempts):
    tutor, cohort, learners = cohort_world(size, attempts_each=attempts)
    client.force_login(tutor)

    with django_assert_num_queries(BUDGETS["learner"]):
        response = client.get(reverse("cohorts:learner", args=[cohort.pk, learners[0].pk]))

    assert response.status_code == 200
    assert response.context["page"].paginator.count == attempts
    assert len(response.context["attempts"]) == min(attempts, ATTEMPTS_PER_PAGE)


@pytest.mark.parametrize("size", [5, 200])
def test_queue_query_budget(client, django_assert_num_queries, size):
    tutor, _, _ = cohort_world(size)
    client.force_login(tutor)

    with django_assert_num_queries(BUDGETS["queue"]):
        response = client.get(reverse("cohorts:queue"))

    assert response.status_code == 200
    assert response.context["page"].paginator.count == size


@pytest.mark.parametrize("size", [5, 200])
def test_members_query_budget(client, django_assert_num_queries, size):
    tutor, cohort, _ = cohort_world(size)
    client.force_login(tutor)

    with django_assert_num_queries(BUDGETS["members"]):
        response = client.get(reverse("cohorts:members", args=[cohort.pk]))

    assert response.status_code == 200
    assert response.context["memberships"].paginator.count == size


@pytest.mark.parametrize("cohorts", [1, 10])
def test_profile_query_budget(client, django_assert_num_queries, cohorts):
    learner = UserFactory()
    tutor = UserFactory(username="profile-tutor")
    for n in range(cohorts):
        cohort = create_cohort(tutor=tutor, name=f"Cohort {n}")
        CohortMembershipFactory(cohort=cohort, learner=learner)
    client.force_login(learner)

    with django_assert_num_queries(BUDGETS["profile"]):
        response = client.get(reverse("accounts:profile"))

    assert response.status_code == 200
    assert len(response.context["memberships"]) == cohorts


# --- the topic page cache --------------------------------------------------------------------


def test_cached_topic_page_costs_one_query_and_edits_show_at_once(
    client, django_assert_num_queries
):
    topic = topic_with_sections()
    url = topic.get_absolute_url()
    client.get(url)  # renders and caches the sections

    with django_assert_num_queries(1):  # the topic (with its qualification); sections cached
        assert client.get(url).status_code == 200

    tip = ExamTip.objects.get(topic=topic)
    tip.text = "A freshly edited exam tip."
    tip.save()
    assert "A freshly edited exam tip." in client.get(url).content.decode()

    ExamTipFactory(topic=topic, text="A tip added later.")
    assert "A tip added later." in client.get(url).content.decode()

    tip.delete()
    html = client.get(url).content.decode()
    assert "A freshly edited exam tip." not in html and "A tip added later." in html

    topic.qualification.name = "Renamed qualification"
    topic.qualification.save()
    assert "Renamed qualification" in client.get(url).content.decode()
