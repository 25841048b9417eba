"""Issue 14 item 17: one scope for a cohort on every page (its qualification's topics, or all
of them), shown on the page; and item 14: the override form's ``next`` stays on this site."""

import csv
import io

import pytest
from django.urls import reverse

from assessments.models import Attempt, Question, Response
from assessments.services import start_attempt, submit_attempt
from assessments.tests.factories import UserFactory
from cohorts.services import add_member, create_cohort
from topics.models import MarkingPoint, Qualification, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def topics(db, seed_bytes):
    """The customer-service topic, and a role-play topic moved into another qualification."""
    from topics.services import import_seed_bytes

    inside = import_seed_bytes(source_name="000_7ea13c0c7803a35f.txt", data=seed_bytes("000"))
    outside = import_seed_bytes(source_name="003_089f2672b73d4bee.txt", data=seed_bytes("003"))
    own = Qualification.objects.create(name="Customer service diploma")
    other = Qualification.objects.create(name="Another qualification")
    Topic.objects.filter(pk=inside.topic.pk).update(qualification=own)
    Topic.objects.filter(pk=outside.topic.pk).update(qualification=other)
    return Topic.objects.get(pk=inside.topic.pk), Topic.objects.get(pk=outside.topic.pk)


@pytest.fixture
def world(client, tutor, topics):
    inside, outside = topics
    cohort = create_cohort(tutor=tutor, name="Scoped", qualification=inside.qualification)
    learner = UserFactory(username="scoped-learner")
    add_member(cohort=cohort, learner=learner)
    for topic, answers in (
        (inside, {1: "Inside answer: contact management and interaction tracking."}),
        (outside, {}),
    ):
        attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=1)
        if topic == outside:
            role_play = MarkingPoint.objects.get(
                topic=outside, text__contains="simulated customer interaction"
            )
            answers = {role_play.position: "Outside answer: I kept a calm, polite tone."}
        submit_attempt(attempt=attempt, answers=answers)
    client.force_login(tutor)
    return cohort, learner, inside, outside


def test_answers_list_and_exports_cover_only_the_cohorts_qualification(client, world):
    cohort, learner, inside, outside = world

    answers = client.get(reverse("cohorts:answers", args=[cohort.pk]))
    exported = client.get(reverse("cohorts:export", args=[cohort.pk, "answers"]))
    points = client.get(reverse("cohorts:export", args=[cohort.pk, "points"]))

    topics_listed = {r.question.topic_id for r in answers.context["page"].object_list}
    assert topics_listed == {inside.pk}
    for export in (exported, points):
        rows = list(
            csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig")))
        )
        assert rows and {row["topic"] for row in rows} == {inside.title}


def test_queue_and_learner_page_cover_only_the_cohorts_qualification(client, world):
    cohort, learner, inside, outside = world
    outside_answer = Response.objects.get(
        attempt__topic=outside, answer_text__startswith="Outside answer"
    )

    queue = client.get(reverse("cohorts:queue"), {"cohort": cohort.pk})
    detail = client.get(reverse("cohorts:learner", args=[cohort.pk, learner.pk]))

    assert outside_answer not in list(queue.context["page"].object_list)
    assert {a.topic_id for a in detail.context["attempts"]} == {inside.pk}
    assert client.get(reverse("cohorts:override", args=[outside_answer.pk])).status_code == 404


def test_misconception_list_covers_only_the_cohorts_qualification(client, world):
    cohort, learner, inside, outside = world
    Response.objects.filter(attempt__topic=outside).update(
        misconception_count=1,
        result={"misconceptions": [{"statement": "Outside belief", "correction": "No."}]},
    )

    page = client.get(reverse("cohorts:class_view", args=[cohort.pk]))

    assert "Outside belief" not in page.content.decode()


@pytest.mark.parametrize("name", ["cohorts:detail", "cohorts:class_view", "cohorts:answers"])
def test_cohort_pages_show_their_scope(client, world, name):
    cohort = world[0]

    html = client.get(reverse(name, args=[cohort.pk])).content.decode()

    assert f"Scope: {cohort.qualification.name}" in html


def test_a_cohort_without_a_qualification_says_all_topics(client, tutor, topics):
    cohort = create_cohort(tutor=tutor, name="Everything")
    client.force_login(tutor)

    html = client.get(reverse("cohorts:answers", args=[cohort.pk])).content.decode()

    assert "Scope: all topics" in html


@pytest.mark.parametrize(
    "next_url",
    ["/\\evil.example/", "https://evil.example/", "//evil.example/", "/\t/evil.example/"],
)
def test_override_next_never_leaves_the_site(client, world, next_url):
    cohort, learner, inside, outside = world
    response = Response.objects.filter(
        attempt__topic=inside, question__kind=Question.Kind.SHORT_ANSWER
    ).first()

    posted = client.post(
        reverse("cohorts:override", args=[response.pk]),
        {"awarded": "yes", "comment": "", "next": next_url},
    )

    assert posted.status_code == 302
    assert posted["Location"] == reverse("cohorts:queue")


def test_override_next_on_this_site_is_followed(client, world):
    cohort, learner, inside, outside = world
    response = Response.objects.filter(
        attempt__topic=inside, question__kind=Question.Kind.SHORT_ANSWER
    ).first()
    next_url = reverse("cohorts:answers", args=[cohort.pk]) + "?page=2"

    posted = client.post(
        reverse("cohorts:override", args=[response.pk]),
        {"awarded": "yes", "comment": "", "next": next_url},
    )

    assert posted["Location"] == next_url
