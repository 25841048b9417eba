"""Revision in a real browser: clearing today's flashcards with the keyboard only, and on a
375 px phone by touch."""

import re

import pytest
from playwright.sync_api import expect

from revision.models import ReviewLog
from revision.services import study_topics
from revision_portal.tests.browser.conftest import (
    PASSWORD,
    has_horizontal_scroll,
    log_in,
    screenshot,
    widest_elements,
)
from revision_portal.tests.browser.test_journeys import _tab_to
from topics.models import Topic

pytestmark = pytest.mark.browser

NEW_CARDS = 4


@pytest.fixture
def revising(site, settings):
    settings.REVISION_NEW_CARDS_PER_DAY = NEW_CARDS
    study_topics(learner=site.learner, topics=[Topic.objects.get(source_file__startswith="000")])
    return site


def test_learner_clears_todays_cards_with_the_keyboard_only(page, revising, csp_violations):
    site = revising
    page.goto(f"{site.url}/accounts/login/")
    # The username field has autofocus; under load the browser may apply it a moment after the
    # page's load event, and keys typed before then go nowhere.
    expect(page.locator("#id_username")).to_be_focused()
    page.keyboard.type("lara")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("/today/"))
    expect(page.locator("#due-now")).to_contain_text(f"{NEW_CARDS} cards")

    _tab_to(page, "^Revise now$")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("/flashcards/"))
    for _ in range(NEW_CARDS):
        expect(page.locator("#card-back")).not_to_have_attribute("open", "")
        page.keyboard.press("Space")  # show the answer
        expect(page.locator("#card-back")).to_have_attribute("open", "")
        with page.expect_navigation():
            page.keyboard.press("3")  # Good
    expect(page.locator("#session-done")).to_contain_text("You have cleared today's cards")

    assert ReviewLog.objects.filter(learner=site.learner, source="flashcard").count() == NEW_CARDS
    assert set(ReviewLog.objects.values_list("rating", flat=True)) == {3}
    assert csp_violations == []


def test_learner_clears_todays_cards_on_a_phone(browser, revising):
    site = revising
    context = browser.new_context(viewport={"width": 375, "height": 812}, has_touch=True)
    page = context.new_page()
    log_in(page, site, "lara")
    expect(page).to_have_url(re.compile("/today/"))
    assert not has_horizontal_scroll(page), widest_elements(page)
    screenshot(page, "revise-today-phone")

    page.get_by_role("link", name="Revise now").tap()
    for number in range(NEW_CARDS):
        page.get_by_text("Show the answer").tap()
        assert not has_horizontal_scroll(page), widest_elements(page)
        if number == 0:
            screenshot(page, "revise-flashcard-phone")
        page.get_by_role("button", name=re.compile("^Easy")).tap()
    expect(page.locator("#session-done")).to_be_visible()
    context.close()

    assert ReviewLog.objects.filter(learner=site.learner, rating=4).count() == NEW_CARDS
