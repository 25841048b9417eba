"""Issue 15 item 4: the tutor's cohort report as a printable page and as CSV, and the print
stylesheet that makes revision pages, results and the report print cleanly."""

import csv
import io
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from assessments.tests.factories import UserFactory
from cohorts.selectors import cohort_report, report_sheets
from cohorts.services import add_member, create_cohort
from cohorts.tests.factories import CRM_ANSWER, submitted_attempt

pytestmark = pytest.mark.django_db

# Session and user, the tutor check with the unread count, the cohort, then the report's
# heatmap queries (points in scope, topics and their count, learners and their count, the
# page's cells, the cohort's totals).
REPORT_PAGE_QUERIES = 11


def report_csv(client, cohort) -> list[dict]:
    response = client.get(reverse("cohorts:export", args=[cohort.pk, "report"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_report_csv_has_a_row_per_learner_with_each_topics_percentage(client, tutor, cohort, topic):
    ann, bob = UserFactory(username="ann", first_name="Ann"), UserFactory(username="bob")
    add_member(cohort=cohort, learner=ann)
    add_member(cohort=cohort, learner=bob)
    submitted_attempt(ann, topic, {1: CRM_ANSWER})
    client.force_login(tutor)

    rows = report_csv(client, cohort)

    assert [row["username"] for row in rows] == ["ann", "bob"]
    column = f"{topic.title} (%)"
    points = topic.marking_points.active().count()
    assert rows[0]["full_name"] == "Ann"
    assert rows[0]["points_credited"] == "1" and rows[0]["points_total"] == str(points)
    assert rows[0][column] == str(round(100 / points))
    # Bob has not answered anything: empty, not a 0 that says he tried and missed.
    assert rows[1][column] == "" and rows[1]["points_credited"] == "0"


def test_report_csv_streams_every_learner_page(client, tutor, cohort, topic, monkeypatch):
    monkeypatch.setattr("cohorts.selectors.REPORT_LEARNERS_PER_PAGE", 2)
    for name in ["ann", "bob", "cat", "dan", "eve"]:
        add_member(cohort=cohort, learner=UserFactory(username=name))
    client.force_login(tutor)

    rows = report_csv(client, cohort)

    assert [row["username"] for row in rows] == ["ann", "bob", "cat", "dan", "eve"]


def test_report_page_shows_learners_against_topics_with_counts(client, tutor, cohort, topic):
    ann = UserFactory(username="ann", first_name="Ann", last_name="Archer")
    add_member(cohort=cohort, learner=ann)
    submitted_attempt(ann, topic, {1: CRM_ANSWER})
    points = topic.marking_points.active().count()
    client.force_login(tutor)

    response = client.get(reverse("cohorts:report", args=[cohort.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ann Archer" in html and topic.title in html
    assert f"(1/{points})" in html
    assert "data-print-button" in html
    assert reverse("cohorts:export", args=[cohort.pk, "report"]) in html


@pytest.mark.parametrize("who", ["other_tutor", "learner", "anonymous"])
def test_report_and_its_csv_are_for_the_cohorts_tutors_only(client, cohort, other_tutor, who):
    learner = UserFactory(username="member")
    add_member(cohort=cohort, learner=learner)
    if who != "anonymous":
        client.force_login(other_tutor if who == "other_tutor" else learner)

    page = client.get(reverse("cohorts:report", args=[cohort.pk]))
    download = client.get(reverse("cohorts:export", args=[cohort.pk, "report"]))

    expected = 302 if who == "anonymous" else 404
    assert page.status_code == expected and download.status_code == expected


def test_an_admin_sees_any_cohorts_report(client, cohort):
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(admin)

    assert client.get(reverse("cohorts:report", args=[cohort.pk])).status_code == 200


def test_report_splits_topics_into_tables_that_fit_a_sheet(tutor, imported_seeds):
    cohort = create_cohort(tutor=tutor, name="Everything")
    add_member(cohort=cohort, learner=UserFactory(username="ann"))
    report = cohort_report(cohort)
    topics = list(report.topics.object_list)

    sheets = report_sheets(report, per_sheet=4)

    assert len(topics) > 4
    assert [t for sheet in sheets for t in sheet.topics] == topics
    assert all(len(sheet.topics) <= 4 for sheet in sheets)
    assert all(len(sheet.rows[0][2]) == len(sheet.topics) for sheet in sheets)


@pytest.mark.parametrize("size", [3, 60])
def test_report_page_query_count_is_constant(client, django_assert_num_queries, tutor, topic, size):
    cohort = create_cohort(tutor=tutor, name="Big")
    learners = UserFactory.create_batch(size)
    for learner in learners:
        add_member(cohort=cohort, learner=learner)
    submitted_attempt(learners[0], topic, {1: CRM_ANSWER})
    client.force_login(tutor)

    with django_assert_num_queries(REPORT_PAGE_QUERIES):
        response = client.get(reverse("cohorts:report", args=[cohort.pk]))

    assert response.status_code == 200
    assert response.context["page"].paginator.count == size


# --- printing ------------------------------------------------------------------------------


def test_every_page_links_the_print_stylesheet_for_print_only(client, topic):
    html = client.get(reverse("topics:detail", args=[topic.slug])).content.decode()

    assert 'css/print.css" media="print"' in html


def test_print_stylesheet_hides_navigation_buttons_forms_and_footer():
    css = Path(finders.find("css/print.css")).read_text(encoding="utf-8")

    # The selectors of the rule that hides what only makes sense on screen.
    hidden = css[: css.index("display: none !important")]
    for selector in [".portal-header", "body > footer", "form", ".btn", "button"]:
        assert selector in hidden
    assert "color: #000 !important" in css


def test_revision_page_and_results_offer_print_with_a_no_javascript_fallback(client, tutor, topic):
    learner = UserFactory(username="printer")
    attempt = submitted_attempt(learner, topic, {1: CRM_ANSWER})
    client.force_login(learner)

    pages = [
        client.get(reverse("topics:detail", args=[topic.slug])).content.decode(),
        client.get(reverse("assessments:results", args=[attempt.pk])).content.decode(),
    ]

    for html in pages:
        assert "Print / save as PDF" in html
        assert "js/print.js" in html
        assert "use your browser's Print command" in html
