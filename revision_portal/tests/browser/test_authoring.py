"""Issue 15 in a real browser: a tutor who is not an admin writes a multiple-choice question
and a short-answer question with a model answer, tries the short answer without saving
anything, and a learner gets both in a topic quiz. The pages pass axe-core."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Question, Response
from revision_portal.tests.browser.conftest import axe_violations, log_in
from topics.models import Topic

pytestmark = pytest.mark.browser

TOPIC_TITLE = "Building and maintaining a loyal customer base"
MC_PROMPT = "Which of these measures how likely customers are to recommend you?"
SA_PROMPT = "Explain one benefit to a business of keeping loyal customers."
MODEL_ANSWER = (
    "Loyal customers make repeat purchases, so the business earns more revenue from each customer."
)
CREDITED_ANSWER = "They come back and buy again, which brings in more money."


def test_tutor_writes_and_tries_questions_and_a_learner_gets_them_in_a_quiz(
    browser, site, csp_violations, page
):
    topic = Topic.objects.get(source_file__startswith="000")
    assert not site.tutor.is_superuser  # an editor who is not an admin
    log_in(page, site, "tina")

    page.get_by_role("link", name="My questions").first.click()
    page.get_by_role("link", name=TOPIC_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Questions you wrote")
    assert axe_violations(page) == []

    # Multiple choice: options are rows with a "Correct" tick, not JSON or an index.
    page.get_by_role("link", name="Add: Multiple choice").click()
    page.get_by_label("Question").fill(MC_PROMPT)
    page.locator("#id_options-0-text").fill("Net Promoter Score")
    page.locator("#id_options-0-is_correct").check()
    page.locator("#id_options-0-feedback").fill("Yes: it asks exactly that.")
    page.locator("#id_options-1-text").fill("Gross margin")
    page.locator("#id_options-1-feedback").fill("That measures profit.")
    page.locator("#id_options-2-text").fill("Staff turnover")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Add question").click()
    expect(page.get_by_text("Question added")).to_be_visible()

    # Short answer with a model answer and the examiner's marking point.
    page.get_by_role("link", name="Add: Short answer").click()
    page.get_by_label("Question").fill(SA_PROMPT)
    page.get_by_label("Marking point (what earns credit)").fill(
        "Award credit for explaining that loyal customers make repeat purchases."
    )
    page.get_by_label("Model answer").fill(MODEL_ANSWER)
    page.get_by_role("button", name="Add question").click()
    expect(page.get_by_text("Question added")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text(SA_PROMPT[:40])

    # Try the short answer: the mark and the marker's evidence, nothing saved.
    responses_before = Response.objects.count()
    page.get_by_role("link", name=re.compile(r"^Try .*Explain one benefit")).click()
    page.get_by_label("Your answer").fill(CREDITED_ANSWER)
    page.get_by_role("button", name="Mark my answer").click()
    expect(page.get_by_role("heading", name=re.compile("^Credited"))).to_be_visible()
    expect(page.get_by_text("What earned credit")).to_be_visible()
    assert axe_violations(page) == []
    assert Response.objects.count() == responses_before

    # The learner's topic quiz includes both questions.
    learner_page = browser.new_page()
    log_in(learner_page, site, "lara")
    learner_page.get_by_role("link", name="Quizzes").first.click()
    learner_page.get_by_role("button", name=re.compile(f"Start quiz on {TOPIC_TITLE}")).click()
    expect(learner_page.locator("#progress-label")).to_have_text(re.compile(r"Question 1 of"))
    written = Question.objects.filter(author=site.tutor)
    assert written.count() == 2
    attempt_responses = Response.objects.filter(question__in=written, attempt__learner=site.learner)
    assert attempt_responses.count() == 2
    learner_page.get_by_role("link", name="Review all answers and submit").click()
    expect(learner_page.get_by_text(MC_PROMPT)).to_be_visible()
    expect(learner_page.get_by_text(SA_PROMPT)).to_be_visible()
    learner_page.close()
    assert topic.questions.filter(author=site.tutor, is_active=True).count() == 2
    assert csp_violations == []


def test_pages_print_black_on_white_without_navigation_or_buttons(page, site):
    """Issue 15 item 4: printing (and "Save as PDF") drops the site's chrome."""
    topic = Topic.objects.get(source_file__startswith="000")
    log_in(page, site, "tina")
    for path in [topic.get_absolute_url(), f"/tutor/cohorts/{site.cohort.pk}/report/"]:
        page.goto(f"{site.url}{path}")
        print_button = page.get_by_role("button", name="Print / save as PDF")
        expect(print_button).to_be_visible()  # JavaScript showed it ...
        expect(page.locator(".print-fallback")).to_be_hidden()  # ... and hid the fallback

        page.emulate_media(media="print")
        expect(page.locator(".portal-header")).to_be_hidden()
        expect(page.locator("body > footer")).to_be_hidden()
        expect(print_button).to_be_hidden()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        colours = page.evaluate(
            "() => [getComputedStyle(document.body).color,"
            " getComputedStyle(document.body).backgroundColor]"
        )
        assert colours == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"], path
        page.emulate_media(media="screen")


def test_a_question_in_the_admin_links_to_try_it(page, site):
    question = Topic.objects.get(source_file__startswith="000").questions.first()
    log_in(page, site, "tina")

    page.goto(f"{site.url}/admin/assessments/question/{question.pk}/change/")
    expect(page.get_by_role("link", name="View on site")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Try this question").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Try this question")
    expect(page.get_by_text(question.prompt[:40])).to_be_visible()
