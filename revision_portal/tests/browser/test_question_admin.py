"""The question admin's answer options, driven in Chromium: rows reordered with the ↑/↓ buttons
(no numbers typed), saved in the order shown; the page has no serious accessibility problems."""

import pytest
from playwright.sync_api import expect

from assessments.models import Question
from revision_portal.tests.browser.conftest import PASSWORD, axe_violations

pytestmark = pytest.mark.browser


def test_an_editor_reorders_options_with_the_arrow_buttons(page, site):
    question = (
        Question.objects.filter(kind=Question.Kind.CONCEPT_CHOICE)
        .prefetch_related("options")
        .first()
    )
    texts = question.option_texts()
    right = texts[question.correct_positions()[0]]
    page.goto(f"{site.url}/admin/")
    page.get_by_label("Username:").fill("ada")
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{site.url}/admin/assessments/question/{question.pk}/change/")
    found = axe_violations(page)
    assert found == []

    page.get_by_role("button", name="Move this option down").first.click()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text("was changed successfully")).to_be_visible()
    stored = Question.objects.prefetch_related("options").get(pk=question.pk)
    assert stored.option_texts() == [texts[1], texts[0], *texts[2:]]
    assert stored.option_texts()[stored.correct_positions()[0]] == right  # the tick moved too
    assert stored.is_customised
