"""Every main page: no serious accessibility violations (axe-core), no horizontal scrolling on
a phone or a laptop, no CSP violations, and a screenshot of each for CI's artefacts."""

import pytest

from assessments.models import Attempt
from assessments.services import start_attempt, submit_attempt
from revision_portal.tests.browser.conftest import (
    axe_violations,
    has_horizontal_scroll,
    log_in,
    screenshot,
    widest_elements,
)
from topics.models import Topic

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
    return {
        "home": (None, "/"),
        "topic": (None, topic.get_absolute_url()),
        "search": (None, "/search/?q=customer"),
        "login": (None, "/accounts/login/"),
        "signup": (None, "/accounts/signup/"),
        "quiz": ("lara", f"/attempts/{open_attempt.pk}/questions/1/"),
        "results": ("lara", f"/attempts/{done.pk}/results/"),
        "progress": ("lara", "/progress/"),
        "today": ("lara", "/today/"),
        "flashcards": ("lara", "/flashcards/"),
        "revision-topics": ("lara", "/flashcards/topics/"),
        "tutor-dashboard": ("tina", "/tutor/"),
        "cohort": ("tina", f"/tutor/cohorts/{site.cohort.pk}/"),
        "learner-drilldown": (
            "tina",
            f"/tutor/cohorts/{site.cohort.pk}/learners/{site.learner.pk}/",
        ),
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
    "today",
    "flashcards",
    "revision-topics",
    "tutor-dashboard",
    "cohort",
    "learner-drilldown",
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
        if viewport_name == "desktop":
            assert axe_violations(page) == [], name
        assert violations == [], violations
        context.close()
