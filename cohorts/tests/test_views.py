"""The cohort pages a tutor (and a learner joining) uses: overrides, CSV downloads, the
heatmap, the class view, the dashboard and the review queue."""

import csv
import io

import pytest
from django.urls import reverse

from assessments.models import Attempt
from assessments.selectors import learner_progress
from assessments.tests.factories import UserFactory
from cohorts.services import add_member, create_cohort, remove_learner
from cohorts.tests.factories import CRM_ANSWER, first_short_answer, submitted_attempt
from topics.models import MarkingPoint

pytestmark = pytest.mark.django_db


def test_override_changes_progress_and_shows_on_results_keeping_the_auto_result(
    client, tutor, cohort, topic
):
    learner = UserFactory(username="lee")
    add_member(cohort=cohort, learner=learner)
    attempt = submitted_attempt(learner, topic, {1: "I am not sure."})
    response = first_short_answer(attempt)
    auto_result = response.result
    assert response.awarded is False
    client.force_login(tutor)

    posted = client.post(
        reverse("cohorts:override", args=[response.pk]),
        {"awarded": "yes", "comment": "Good enough: you named the features in class."},
    )

    assert posted.status_code == 302
    response.refresh_from_db()
    assert response.override_awarded is True
    assert response.override_by == tutor and response.override_at is not None
    assert response.awarded is False and response.result == auto_result  # original kept
    assert response.override_log.get().previous_awarded is False
    rows, _ = learner_progress(learner)
    assert next(r for r in rows if r.topic == topic).credited == 1

    client.force_login(learner)
    html = client.get(reverse("assessments:results", args=[attempt.pk])).content.decode()
    assert "Your tutor's mark: credited" in html
    assert "Good enough: you named the features in class." in html
    assert "The automatic mark was: not credited" in html


def test_cohort_csv_exports_rows_per_point_and_per_answer(client, tutor, cohort, topic):
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob", first_name="=cmd|x")
    add_member(cohort=cohort, learner=ann)
    add_member(cohort=cohort, learner=bob)
    submitted_attempt(ann, topic, {1: CRM_ANSWER})
    submitted_attempt(bob, topic, {1: '=HYPERLINK("http://evil")'})
    client.force_login(tutor)

    def download(kind):
        response = client.get(reverse("cohorts:export", args=[cohort.pk, kind]))
        assert response["Content-Disposition"] == f'attachment; filename="monday-group-{kind}.csv"'
        return list(
            csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
        )

    points = download("points")
    answers = download("answers")

    assert points[0][:6] == [
        "username",
        "full_name",
        "topic",
        "point_position",
        "marking_point",
        "credited",
    ]
    body = points[1:]
    assert len(body) == 2 * 4  # two learners × four marking points
    ann_point_1 = next(r for r in body if r[0] == "ann" and r[3] == "1")
    assert ann_point_1[5] == "1"
    assert all(r[5] == "0" for r in body if r[0] == "bob")
    assert next(r for r in body if r[0] == "bob")[1] == "'=cmd|x"  # formula neutralised
    questions_per_attempt = Attempt.objects.filter(learner=ann).get().responses.count()
    assert len(answers) == 1 + 2 * questions_per_attempt
    bob_answer = next(r for r in answers if r[0] == "bob" and r[7])
    assert bob_answer[7].startswith("'=HYPERLINK")


def test_removed_learner_disappears_from_tutor_views_but_keeps_work(client, tutor, cohort, topic):
    learner = UserFactory(username="leaver")
    add_member(cohort=cohort, learner=learner)
    submitted_attempt(learner, topic, {1: CRM_ANSWER})
    client.force_login(tutor)

    remove_learner(cohort=cohort, learner=learner)

    assert "leaver" not in client.get(reverse("cohorts:detail", args=[cohort.pk])).content.decode()
    assert client.get(reverse("cohorts:learner", args=[cohort.pk, learner.pk])).status_code == 404
    assert Attempt.objects.filter(learner=learner).count() == 1


def test_co_tutor_sees_the_cohort(client, tutor, other_tutor, cohort):
    client.force_login(tutor)
    client.post(reverse("cohorts:add_tutor", args=[cohort.pk]), {"username": other_tutor.username})
    client.force_login(other_tutor)

    assert client.get(reverse("cohorts:detail", args=[cohort.pk])).status_code == 200


def test_join_code_flow(client, tutor, cohort):
    old_code = cohort.join_code
    learner = UserFactory(username="joiner")
    client.force_login(learner)

    client.post(reverse("accounts:join"), {"code": old_code.lower()})
    assert cohort.memberships.filter(learner=learner).exists()

    client.force_login(tutor)
    client.post(reverse("cohorts:regenerate_code", args=[cohort.pk]))
    cohort.refresh_from_db()
    assert cohort.join_code != old_code

    late = UserFactory(username="late")
    client.force_login(late)
    response = client.post(reverse("accounts:join"), {"code": old_code}, follow=True)
    assert "does not match any cohort" in response.content.decode()
    assert not cohort.memberships.filter(learner=late).exists()


def test_queue_lists_role_play_answers_for_the_tutor_only(
    client, tutor, other_tutor, cohort, seed_bytes
):
    from topics.services import import_seed_bytes

    topic = import_seed_bytes(source_name="003_089f2672b73d4bee.txt", data=seed_bytes("003")).topic
    learner = UserFactory()
    add_member(cohort=cohort, learner=learner)
    role_play = MarkingPoint.objects.get(
        topic=topic, text__contains="simulated customer interaction"
    )
    submitted_attempt(learner, topic, {role_play.position: "I kept a calm, polite tone."})
    client.force_login(tutor)

    assert "I kept a calm, polite tone." in client.get(reverse("cohorts:queue")).content.decode()
    client.force_login(other_tutor)
    assert (
        "I kept a calm, polite tone." not in client.get(reverse("cohorts:queue")).content.decode()
    )


def test_heatmap_sorts_filters_and_shows_numbers_to_screen_readers(client, tutor, cohort, topic):
    strong, weak = UserFactory(username="strong"), UserFactory(username="weak")
    for learner in (strong, weak):
        add_member(cohort=cohort, learner=learner)
    submitted_attempt(strong, topic, {1: CRM_ANSWER})
    client.force_login(tutor)

    html = client.get(
        reverse("cohorts:detail", args=[cohort.pk]), {"sort": "-overall"}
    ).content.decode()

    assert html.index("strong") < html.index("weak")
    assert "25%" in html
    assert "1 of 4 marking points in" in html
    filtered = client.get(
        reverse("cohorts:detail", args=[cohort.pk]),
        {"date_from": "2000-01-01", "date_to": "2000-01-02"},
    ).content.decode()
    assert "25%" not in filtered


def test_class_view_lists_missed_points_and_misconceptions(client, tutor, cohort, topic):
    learner = UserFactory()
    add_member(cohort=cohort, learner=learner)
    submitted_attempt(
        learner,
        topic,
        {2: "High satisfaction scores automatically mean customers will stay loyal."},
    )
    client.force_login(tutor)

    html = client.get(reverse("cohorts:class_view", args=[cohort.pk])).content.decode()

    assert "Marking points missed most" in html
    assert "customer lifetime value" in html


def test_dashboard_shows_size_activity_and_mastery(client, tutor, cohort, topic):
    learner = UserFactory()
    add_member(cohort=cohort, learner=learner)
    add_member(cohort=cohort, learner=UserFactory())
    submitted_attempt(learner, topic, {1: CRM_ANSWER})
    client.force_login(tutor)

    html = client.get(reverse("cohorts:dashboard")).content.decode()

    assert "Monday group" in html
    # 2 learners, 1 active this week, 1 of 8 learner-points credited.
    assert "<td>2</td>" in html and "<td>1</td>" in html and "<td>12%</td>" in html


# Cohort page: session, user, groups (role check), cohort, qualifications (the filter's
# choices, for a cohort not tied to one), active points in scope (the overall figures'
# denominator), topic count, topic page, learner count, learner page with each learner's overall
# credit, the page's cells, the cohort's totals overall and per shown topic. Was 7 when the page
# drew every topic and learner in Python; the extra ones count and page in the database instead.
COHORT_PAGE_QUERIES = 12


@pytest.mark.parametrize("size", [5, 200])
def test_cohort_page_query_count_is_constant(client, django_assert_num_queries, tutor, topic, size):
    cohort = create_cohort(tutor=tutor, name="Big")
    learners = UserFactory.create_batch(size)
    for learner in learners:
        add_member(cohort=cohort, learner=learner)
    submitted_attempt(learners[0], topic, {1: CRM_ANSWER})
    client.force_login(tutor)

    with django_assert_num_queries(COHORT_PAGE_QUERIES):
        response = client.get(reverse("cohorts:detail", args=[cohort.pk]))

    assert response.status_code == 200
    assert response.context["page"].paginator.count == size


def test_heatmap_says_not_started_for_learners_and_topics_without_answers(
    client, tutor, topic, cohort, seed_bytes
):
    from topics.services import import_seed_bytes

    other_topic = import_seed_bytes(
        source_name="001_ff5e01d8a45115a3.txt", data=seed_bytes("001")
    ).topic
    keen, idle = UserFactory(username="keen"), UserFactory(username="idle")
    for learner in (keen, idle):
        add_member(cohort=cohort, learner=learner)
    # Keen answers the CRM topic, wrongly except for one point; nothing on the other topic.
    submitted_attempt(keen, topic, {1: "no idea"})
    client.force_login(tutor)

    heatmap = client.get(reverse("cohorts:detail", args=[cohort.pk])).context["heatmap"]
    rows = {row.learner.username: row for row in heatmap.rows}
    assert rows["idle"].overall.not_started
    assert all(cell.not_started for cell in rows["idle"].cells)
    assert not rows["keen"].overall.not_started
    cells = {cell.topic.pk: cell for cell in rows["keen"].cells}
    assert not cells[topic.pk].not_started and cells[topic.pk].percent == 0
    assert cells[other_topic.pk].not_started

    html = client.get(reverse("cohorts:detail", args=[cohort.pk])).content.decode()
    # Idle: overall and both topics; keen: the topic not answered.
    assert html.count(">not started<") == 4
