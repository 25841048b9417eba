"""Tutor pages scale with what they show, not with the question bank or the cohort.

Every tutor page runs the same number of queries with 5 or 500 topics and 5 or 500 learners
(data made in bulk so the tests stay fast), shows at most a page of rows and columns, copes
with any page number, and the CSV exports stream.
"""

import csv
import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.http import StreamingHttpResponse
from django.urls import reverse

from accounts.services import make_tutor
from assessments.models import Attempt, PointMastery, Question
from assessments.tests.factories import UserFactory, bulk_responses_waiting_for_a_tutor
from cohorts.models import CohortMembership
from cohorts.services import create_cohort
from cohorts.tests.test_views import COHORT_PAGE_QUERIES
from cohorts.views import (
    ANSWERS_PER_PAGE,
    ATTEMPTS_PER_PAGE,
    LEARNERS_PER_PAGE,
    POINTS_PER_PAGE,
    TOPICS_PER_PAGE,
)
from revision_portal.tests.test_query_budgets import BUDGETS
from topics.models import MarkingPoint, Topic
from topics.tests.factories import QualificationFactory

pytestmark = pytest.mark.django_db

User = get_user_model()

ANSWERED_AT = datetime.datetime(2026, 3, 2, 10, 30, tzinfo=datetime.UTC)

# Tutor pages whose budgets are not pinned elsewhere.
# session, user, groups, cohort, the ids and results of the answers stating any misconception
# (scanned, capped), then the paginator's count and page of those stating this one. Was 5 when
# the selector returned the scanned answers as a list; it returns a queryset like the other
# filters now (issue 16), which costs the count and the page (when none match, Django knows
# both without asking, and the page runs 5).
ANSWERS_BY_MISCONCEPTION_QUERIES = 7
# session, user, groups, the answer (with its learner, question and tutor), its override log.
OVERRIDE_PAGE_QUERIES = 5
# session, user, groups, cohort, the rows (read through one iterator while streaming).
EXPORT_QUERIES = 5


def tutor_world(*, topics: int, learners: int):
    """A tutor teaching one cohort (not tied to a qualification) of ``learners`` learners, and
    ``topics`` topics of two marking points each; every learner has one submitted answer
    (waiting for the tutor, stating a misconception) and mastery rows on two topics' points,
    the first learner several attempts. Made in bulk."""
    tutor = UserFactory(username="scale-tutor")
    make_tutor(user=tutor)
    cohort = create_cohort(tutor=tutor, name="Scale cohort")
    qualification = QualificationFactory()
    topic_rows = Topic.objects.bulk_create(
        Topic(
            qualification=qualification,
            title=f"Scale topic {n:04d}",
            slug=f"scale-topic-{n:04d}",
            source_file=f"{n:04d}_scale.txt",
        )
        for n in range(topics)
    )
    points = MarkingPoint.objects.bulk_create(
        MarkingPoint(
            topic=topic,
            position=position,
            text=f"Point {position} of {topic.title}",
            normalised_text=f"point {position} of {topic.title.lower()}",
        )
        for topic in topic_rows
        for position in (1, 2)
    )
    question = Question.objects.create(
        topic=topic_rows[0],
        marking_point=points[0],
        kind=Question.Kind.SHORT_ANSWER,
        prompt="Name a benefit of loyal customers.",
        required_count=1,
    )
    members = User.objects.bulk_create(
        User(username=f"scale-learner-{n:04d}", first_name=f"Learner {n:04d}")
        for n in range(learners)
    )
    CohortMembership.objects.bulk_create(
        CohortMembership(cohort=cohort, learner=learner) for learner in members
    )
    attempts = Attempt.objects.bulk_create(
        Attempt(
            learner=learner,
            kind=Attempt.Kind.TOPIC,
            topic=topic_rows[0],
            title="Topic quiz",
            submitted_at=ANSWERED_AT,
            marked_at=ANSWERED_AT,
        )
        for n, learner in enumerate(members)
        for _ in range(15 if n == 0 else 1)
    )
    responses = bulk_responses_waiting_for_a_tutor(attempts, question, ANSWERED_AT)
    latest = {response.attempt.learner_id: response for response in responses}
    PointMastery.objects.bulk_create(
        PointMastery(
            learner=learner,
            marking_point=point,
            topic_id=point.topic_id,
            response=latest[learner.pk],
            credited=(n + k) % 2 == 0,
            answered_at=ANSWERED_AT,
        )
        for n, learner in enumerate(members)
        for k, point in enumerate(dict.fromkeys([points[0], points[(2 * n + 3) % len(points)]]))
    )
    return tutor, cohort, members, responses


SIZES = [(5, 5), (500, 5), (5, 500), (500, 500)]


@pytest.mark.parametrize(("topics", "learners"), SIZES)
def test_every_tutor_page_runs_the_same_queries_and_shows_a_page(
    client, django_assert_num_queries, topics, learners
):
    tutor, cohort, members, responses = tutor_world(topics=topics, learners=learners)
    client.force_login(tutor)
    detail = reverse("cohorts:detail", args=[cohort.pk])
    first_topic = Topic.objects.order_by("title").first()
    pages = [
        (reverse("cohorts:dashboard"), {}, BUDGETS["dashboard"]),
        (detail, {}, COHORT_PAGE_QUERIES),
        (detail, {"sort": f"-topic-{first_topic.pk}", "page": 2}, COHORT_PAGE_QUERIES),
        (
            detail,
            {"sort": "-overall", "topics": 2, "qualification": "", "title": "topic"},
            COHORT_PAGE_QUERIES,
        ),
        (reverse("cohorts:class_view", args=[cohort.pk]), {}, BUDGETS["class_view"]),
        (reverse("cohorts:answers", args=[cohort.pk]), {}, BUDGETS["answers"]),
        (
            reverse("cohorts:answers", args=[cohort.pk]),
            {"point": responses[0].question.marking_point_id},
            BUDGETS["answers"],
        ),
        (
            reverse("cohorts:answers", args=[cohort.pk]),
            {"misconception": "Complaints are bad."},
            ANSWERS_BY_MISCONCEPTION_QUERIES,
        ),
        (
            reverse("cohorts:learner", args=[cohort.pk, members[0].pk]),
            {},
            BUDGETS["learner"],
        ),
        (reverse("cohorts:queue"), {}, BUDGETS["queue"]),
        (reverse("cohorts:members", args=[cohort.pk]), {}, BUDGETS["members"]),
        (reverse("cohorts:override", args=[responses[0].pk]), {}, OVERRIDE_PAGE_QUERIES),
        (reverse("cohorts:export", args=[cohort.pk, "points"]), {}, EXPORT_QUERIES),
        (reverse("cohorts:export", args=[cohort.pk, "answers"]), {}, EXPORT_QUERIES),
    ]
    for url, query, budget in pages:
        with django_assert_num_queries(budget, info=f"{url} {query}"):
            response = client.get(url, query)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, (url, query)

    heatmap = client.get(detail).context["heatmap"]
    assert heatmap.topics.paginator.count == topics
    assert len(heatmap.topics.object_list) == min(topics, TOPICS_PER_PAGE)
    assert heatmap.learners.paginator.count == learners
    assert len(heatmap.rows) == min(learners, LEARNERS_PER_PAGE)
    assert all(len(row.cells) == min(topics, TOPICS_PER_PAGE) for row in heatmap.rows)
    points = client.get(reverse("cohorts:class_view", args=[cohort.pk])).context
    assert len(points["points"]) <= POINTS_PER_PAGE
    answers = client.get(reverse("cohorts:answers", args=[cohort.pk])).context["page"]
    assert answers.paginator.count == len(responses)
    assert len(answers.object_list) == min(len(responses), ANSWERS_PER_PAGE)
    drill_down = client.get(reverse("cohorts:learner", args=[cohort.pk, members[0].pk]))
    assert len(drill_down.context["attempts"]) == ATTEMPTS_PER_PAGE


def test_heatmap_totals_match_a_count_over_every_topic_and_learner(client):
    tutor, cohort, members, _ = tutor_world(topics=45, learners=30)
    client.force_login(tutor)

    heatmap = client.get(reverse("cohorts:detail", args=[cohort.pk])).context["heatmap"]

    all_points = MarkingPoint.objects.count()
    credited = PointMastery.objects.filter(credited=True)
    for row in heatmap.rows:
        assert row.overall.total == all_points
        assert row.overall.credited == credited.filter(learner=row.learner).count()
    assert heatmap.cohort_overall.credited == credited.count()
    assert heatmap.cohort_overall.total == all_points * len(members)
    for total in heatmap.topic_totals:
        assert total.credited == credited.filter(topic=total.topic).count()
        assert total.total == 2 * len(members)
    # Overall figures count topics beyond the page shown.
    shown = {topic.pk for topic in heatmap.topics.object_list}
    assert credited.exclude(topic__in=shown).exists()


@pytest.mark.parametrize(
    "query",
    [
        {"page": "999"},
        {"page": "0"},
        {"page": "-3"},
        {"page": "abc"},
        {"page": "1e3"},
        {"page": "9" * 40},
        {"topics": "999"},
        {"topics": "x"},
        {"topics": "0"},
        {"sort": "nonsense"},
        {"sort": "topic-999999"},
        {"sort": "-topic-abc"},
        {"sort": "topic-" + "9" * 40},
        {"qualification": "abc"},
        {"qualification": "999999"},
        {"title": "x" * 500},
        {"date_from": "2026-13-45"},
        {"date_from": "2026-02-02", "date_to": "2026-01-01"},
    ],
)
def test_heatmap_copes_with_any_query(client, query):
    tutor, cohort, _, _ = tutor_world(topics=45, learners=30)
    client.force_login(tutor)

    response = client.get(reverse("cohorts:detail", args=[cohort.pk]), query)

    assert response.status_code == 200
    heatmap = response.context["heatmap"]
    if query.get("page") in {"999", "0", "-3", "9" * 40}:
        assert heatmap.learners.number == 2  # out of range: the last page
    elif "page" in query:
        assert heatmap.learners.number == 1  # unreadable: the first page
    if query.get("topics") in {"999", "0"}:
        assert heatmap.topics.number == 3
    elif "topics" in query:
        assert heatmap.topics.number == 1
    if {"qualification", "title", "date_from"} & set(query):
        assert response.context["form"].errors
        assert heatmap.topics.paginator.count == 45  # a bad filter narrows nothing


@pytest.mark.parametrize(
    ("name", "per_page"),
    [("class_view", POINTS_PER_PAGE), ("answers", ANSWERS_PER_PAGE), ("learner", None)],
)
@pytest.mark.parametrize(("page", "expected"), [("999", "last"), ("0", "last"), ("x", 1)])
def test_paged_tutor_lists_cope_with_any_page_number(client, name, per_page, page, expected):
    tutor, cohort, members, _ = tutor_world(topics=60, learners=60)
    client.force_login(tutor)
    args = [cohort.pk, members[0].pk] if name == "learner" else [cohort.pk]

    response = client.get(reverse(f"cohorts:{name}", args=args), {"page": page})

    assert response.status_code == 200
    paged = response.context["page"]
    assert paged.paginator.num_pages > 1
    assert paged.number == (paged.paginator.num_pages if expected == "last" else expected)


def test_heatmap_pages_topics_and_learners_with_links_that_keep_the_rest(client):
    tutor, cohort, _, _ = tutor_world(topics=45, learners=30)
    client.force_login(tutor)
    url = reverse("cohorts:detail", args=[cohort.pk])

    first = client.get(url, {"sort": "-overall", "date_from": "2026-01-01"}).content.decode()
    last = client.get(url, {"topics": 3, "page": 2}).content.decode()

    assert "Scale topic 0000" in first and "Scale topic 0019" in first
    assert "Scale topic 0020" not in first
    assert "Topics 1–20 of 45" in first
    assert "?date_from=2026-01-01&amp;sort=-overall&amp;topics=2" in first  # next topics
    assert "?date_from=2026-01-01&amp;sort=-overall&amp;page=2" in first  # next learners
    assert '"?date_from=2026-01-01&amp;topics=1&amp;sort=name"' in first  # sort, same topics
    assert "Topics 41–45 of 45" in last and "Scale topic 0044" in last
    assert "Scale topic 0039" not in last and "Next topics" not in last
    assert "Previous topics" in last and "Previous learners" in last


def test_heatmap_sorts_by_a_topic_across_pages(client):
    tutor, cohort, members, _ = tutor_world(topics=45, learners=30)
    client.force_login(tutor)
    topic = Topic.objects.get(title="Scale topic 0026")  # on the second page of topics
    credited = PointMastery.objects.filter(topic=topic, credited=True)
    assert list(credited.values_list("learner__username", flat=True)) == ["scale-learner-0025"]
    url = reverse("cohorts:detail", args=[cohort.pk])

    top = client.get(url, {"sort": f"-topic-{topic.pk}"}).context["heatmap"].rows
    bottom = client.get(url, {"sort": f"topic-{topic.pk}", "page": 2}).context["heatmap"].rows

    assert top[0].learner.username == "scale-learner-0025"
    assert [row.learner.username for row in top[1:4]] == [
        "scale-learner-0000",
        "scale-learner-0001",
        "scale-learner-0002",
    ]
    assert bottom[-1].learner.username == "scale-learner-0025"


def test_qualification_filter_narrows_topics_and_totals(client):
    tutor, cohort, members, _ = tutor_world(topics=10, learners=5)
    other = QualificationFactory(name="Another qualification")
    moved = list(Topic.objects.order_by("title")[:4])
    Topic.objects.filter(pk__in=[t.pk for t in moved]).update(qualification=other)
    client.force_login(tutor)
    url = reverse("cohorts:detail", args=[cohort.pk])

    html = client.get(url).content.decode()
    narrowed = client.get(url, {"qualification": other.pk}).context["heatmap"]

    assert "Another qualification" in html  # offered as a choice
    assert [t.title for t in narrowed.topics.object_list] == [t.title for t in moved]
    assert narrowed.rows[0].overall.total == 2 * len(moved)
    credited = PointMastery.objects.filter(credited=True, topic__in=moved)
    assert narrowed.cohort_overall.credited == credited.count()


def test_a_cohort_tied_to_a_qualification_offers_no_other(client, tutor):
    qualification = QualificationFactory(name="Tied qualification")
    QualificationFactory(name="Elsewhere")
    cohort = create_cohort(tutor=tutor, name="Tied", qualification=qualification)
    client.force_login(tutor)

    response = client.get(reverse("cohorts:detail", args=[cohort.pk]), {"qualification": 1})

    assert "qualification" not in response.context["form"].fields
    assert "Elsewhere" not in response.content.decode()


def test_cells_are_escaped_and_read_out(client):
    tutor, cohort, _, _ = tutor_world(topics=1, learners=1)
    Topic.objects.update(title="<b>Bold</b> & co")
    client.force_login(tutor)

    html = client.get(reverse("cohorts:detail", args=[cohort.pk])).content.decode()

    assert "<b>Bold</b>" not in html
    assert "marking points in &lt;b&gt;Bold&lt;/b&gt; &amp; co</span>" in html
    assert "marking points in every topic in scope</span>" in html


# --- exports ---------------------------------------------------------------------------------

EXPECTED_POINTS_CSV = """\
username,full_name,topic,point_position,marking_point,credited,overridden_by_tutor,answered_at
scale-learner-0000,Learner 0000,Scale topic 0000,1,Point 1 of Scale topic 0000,1,0,2026-03-02T10:30:00+00:00
scale-learner-0000,Learner 0000,Scale topic 0001,2,Point 2 of Scale topic 0001,0,0,2026-03-02T10:30:00+00:00
scale-learner-0001,Learner 0001,Scale topic 0000,1,Point 1 of Scale topic 0000,0,0,2026-03-02T10:30:00+00:00
scale-learner-0001,Learner 0001,Scale topic 0002,2,Point 2 of Scale topic 0002,1,0,2026-03-02T10:30:00+00:00
"""


def test_exports_stream_the_same_rows_as_before(client):
    tutor, cohort, _, _ = tutor_world(topics=3, learners=2)
    client.force_login(tutor)

    points = client.get(reverse("cohorts:export", args=[cohort.pk, "points"]))
    answers = client.get(reverse("cohorts:export", args=[cohort.pk, "answers"]))

    for response in (points, answers):
        assert isinstance(response, StreamingHttpResponse)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
    points_text = b"".join(points.streaming_content).decode("utf-8-sig")
    assert points_text.replace("\r\n", "\n") == EXPECTED_POINTS_CSV
    rows = list(csv.reader(io.StringIO(b"".join(answers.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == [
        "username",
        "full_name",
        "attempt_id",
        "submitted_at",
        "topic",
        "question",
        "point_position",
        "answer",
        "auto_awarded",
        "tutor_awarded",
        "tutor_comment",
        "credited",
    ]
    assert len(rows) == 1 + 15 + 1  # the first learner's 15 attempts, the second's one
    assert rows[1][:2] == ["scale-learner-0000", "Learner 0000"]
    assert rows[1][3:] == [
        "2026-03-02T10:30:00+00:00",
        "Scale topic 0000",
        "Name a benefit of loyal customers.",
        "1",
        "Customers come back.",
        "0",
        "",
        "",
        "0",
    ]


def test_exports_are_only_for_the_cohorts_tutors(client, other_tutor):
    _, cohort, members, _ = tutor_world(topics=3, learners=2)

    client.force_login(other_tutor)
    assert client.get(reverse("cohorts:export", args=[cohort.pk, "points"])).status_code == 404
    client.force_login(members[0])
    assert client.get(reverse("cohorts:export", args=[cohort.pk, "answers"])).status_code == 404
