"""Every main page: no serious accessibility violations (axe-core), no horizontal scrolling on
a phone or a laptop, no CSP violations, and a screenshot of each for CI's artefacts."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Attempt
from assessments.services import start_attempt, submit_attempt, sync_question_bank
from assessments.tests.factories import response_waiting_for_a_tutor
from assignments.services import create_assignment, start_assignment_attempt
from cohorts.services import create_cohort, invite_learner
from revision_portal.tests.browser.conftest import (
    axe_violations,
    has_horizontal_scroll,
    log_in,
    screenshot,
    widest_elements,
    words_split_in_tables,
)
from topics.models import Topic
from topics.tests.factories import MarkingPointFactory, TopicFactory

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 800}}
CRM_ANSWER = (
    "Contact management keeps customer details, interaction tracking logs every call and "
    "email, and data analysis finds trends."
)


@pytest.fixture
def pages(site):
    """Main pages by name: (who is logged in, path)."""
    topic = Topic.objects.get(source_file__startswith="000")
    done = start_attempt(learner=site.learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=1)
    submit_attempt(
        attempt=done,
        answers={
            1: CRM_ANSWER,
            2: "Customers who stay longer spend more, so retention raises lifetime value.",
        },
    )
    open_attempt = start_attempt(learner=site.learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=2)
    assignment = create_assignment(
        cohort=site.cohort,
        tutor=site.tutor,
        title="Week 3 retention check",
        topics=[topic],
        question_count=4,
        opens_at=timezone.now() - datetime.timedelta(days=1),
        due_at=timezone.now() + datetime.timedelta(days=1),
        attempts_allowed=2,
    )
    submit_attempt(
        attempt=start_assignment_attempt(assignment=assignment, learner=site.learner),
        answers={1: CRM_ANSWER},
    )
    # An answer waiting for the tutor, on a topic whose title is longer than a phone is wide:
    # the review queue's topic filter lists it.
    long_topic = TopicFactory(
        title="Handling complaints, refunds and escalations across every channel a customer uses"
    )
    MarkingPointFactory(
        topic=long_topic, text="Award credit for identifying two stages of a complaints procedure."
    )
    sync_question_bank(topic=long_topic)
    response_waiting_for_a_tutor(
        question=long_topic.questions.get(kind="short_answer"),
        learner=site.learner,
        text="Listen to the customer, then put it right.",
        awarded=False,
    )
    # An invitation waiting for the learner, so My cohorts shows its accept form too.
    evening = create_cohort(tutor=site.tutor, name="Evening cohort")
    invite_learner(cohort=evening, identifier=site.learner.username, invited_by=site.tutor)
    return {
        "home": (None, "/"),
        "topic": (None, topic.get_absolute_url()),
        "search": (None, "/search/?q=customer"),
        "login": (None, "/accounts/login/"),
        "signup": (None, "/accounts/signup/"),
        "quiz": ("lara", f"/attempts/{open_attempt.pk}/questions/1/"),
        "results": ("lara", f"/attempts/{done.pk}/results/"),
        "progress": ("lara", "/progress/"),
        "my-cohorts": ("lara", "/cohorts/"),
        "today": ("lara", "/today/"),
        "flashcards": ("lara", "/flashcards/"),
        "revision-topics": ("lara", "/flashcards/topics/"),
        "tutor-dashboard": ("tina", "/tutor/"),
        "cohort": ("tina", f"/tutor/cohorts/{site.cohort.pk}/"),
        "learner-drilldown": (
            "tina",
            f"/tutor/cohorts/{site.cohort.pk}/learners/{site.learner.pk}/",
        ),
        "assignments": ("lara", "/assignments/"),
        "assignment": ("lara", f"/assignments/{assignment.pk}/"),
        "notifications": ("lara", "/notifications/"),
        "tutor-assignment": ("tina", f"/tutor/assignments/{assignment.pk}/"),
        "set-assignment": ("tina", f"/tutor/cohorts/{site.cohort.pk}/assignments/new/"),
        "cohort-report": ("tina", f"/tutor/cohorts/{site.cohort.pk}/report/"),
        "my-questions": ("tina", f"/tutor/questions/topics/{topic.slug}/"),
        "try-question": ("tina", f"/tutor/questions/{done.responses.first().question_id}/try/"),
        "review-queue": ("tina", "/tutor/queue/"),
    }


PAGE_NAMES = [
    "home",
    "topic",
    "search",
    "login",
    "signup",
    "quiz",
    "results",
    "progress",
    "my-cohorts",
    "today",
    "flashcards",
    "revision-topics",
    "tutor-dashboard",
    "cohort",
    "learner-drilldown",
    "assignments",
    "assignment",
    "notifications",
    "tutor-assignment",
    "set-assignment",
    "cohort-report",
    "my-questions",
    "try-question",
    "review-queue",
]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_main_page_is_accessible_and_fits_phone_and_desktop(browser, site, pages, name):
    who, path = pages[name]
    for viewport_name, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        violations = []
        page.on(
            "console",
            lambda message, found=violations: (
                found.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        if who:
            log_in(page, site, who)
        response = page.goto(f"{site.url}{path}")
        assert response.status == 200, f"{name}: {response.status}"

        screenshot(page, f"{name}-{viewport_name}")
        assert not has_horizontal_scroll(page), (
            f"{name} scrolls sideways at {viewport_name}: {widest_elements(page)}"
        )
        assert words_split_in_tables(page) == [], f"{name} at {viewport_name}"
        if viewport_name == "desktop":
            assert axe_violations(page) == [], name
        assert violations == [], violations
        context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_phone_navigation_collapses_behind_a_menu_button(browser, site, javascript):
    """At 375 px the navigation is one row with a Menu button (it wrapped to three rows,
    170-200 px); the button opens the links with or without JavaScript."""
    context = browser.new_context(viewport=VIEWPORTS["phone"], java_script_enabled=javascript)
    page = context.new_page()
    log_in(page, site, "lara")
    page.goto(f"{site.url}/")
    header = page.locator("header").bounding_box()
    assert header["height"] < 80, header
    expect(page.get_by_role("link", name="My progress")).to_have_count(0)  # hidden until opened
    page.locator("summary", has_text="Menu").click()
    page.get_by_role("link", name="My progress").click()
    expect(page.get_by_role("heading", name="My progress")).to_be_visible()
    context.close()


def test_heatmap_keeps_the_learner_column_in_view_while_it_scrolls(browser, site, seed_bytes):
    from topics.services import import_seed_bytes

    for prefix, name in [("002", "002_b5f39bc41b65eb3f.txt"), ("003", "003_089f2672b73d4bee.txt")]:
        import_seed_bytes(source_name=name, data=seed_bytes(prefix))
    context = browser.new_context(viewport=VIEWPORTS["phone"])
    page = context.new_page()
    log_in(page, site, "tina")
    page.goto(f"{site.url}/tutor/cohorts/{site.cohort.pk}/")
    cell = page.locator(".heatmap-table tbody th[scope=row]").first
    before = cell.bounding_box()["x"]
    scrolled = page.locator(".heatmap-table").evaluate(
        "t => { const s = t.closest('.table-responsive'); s.scrollLeft = s.scrollWidth;"
        " return s.scrollLeft; }"
    )
    assert scrolled > 100  # the table is wider than the phone: it did scroll
    page.wait_for_timeout(100)
    assert abs(cell.bounding_box()["x"] - before) < 2
    context.close()
