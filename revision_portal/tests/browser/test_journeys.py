"""People's journeys through the portal in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Attempt, Response
from revision_portal.tests.browser.conftest import PASSWORD, log_in
from topics.models import MarkingPoint, Topic

pytestmark = pytest.mark.browser

CRM_ANSWER = (
    "A CRM system offers contact management to store customer details, interaction tracking "
    "to log every call and email, and data analysis to spot trends."
)


def test_learner_signs_up_revises_takes_a_quiz_and_sees_progress(page, site, csp_violations):
    page.goto(f"{site.url}/")
    page.get_by_role("link", name="Sign up").click()
    page.locator("#id_username").fill("sam")
    page.locator("#id_email").fill("sam@college.ac.uk")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_join_code").fill(site.cohort.join_code)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text(f"You have joined {site.cohort.name}")).to_be_visible()

    page.get_by_role("link", name="Topics", exact=True).click()
    page.get_by_role("link", name="Building and maintaining a loyal customer base").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Building and maintaining a loyal customer base"
    )
    expect(page.get_by_text("What the examiner gives credit for")).to_be_visible()

    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_label("Search topics").fill("delegation")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 topic found")).to_be_visible()

    page.get_by_role("link", name="Quizzes").click()
    page.get_by_role("button", name=re.compile("Start quiz on Building and maintaining")).click()
    expect(page.locator("#progress-label")).to_have_text(re.compile(r"Question 1 of \d+"))
    page.get_by_label("Your answer").fill(CRM_ANSWER)
    page.get_by_role("button", name="Save and next").click()
    expect(page.locator("#progress-label")).to_have_text(re.compile(r"Question 2 of \d+"))
    page.get_by_role("link", name="Review all answers and submit").click()
    page.get_by_role("button", name="Submit for marking").click()

    expect(page.get_by_role("heading", name=re.compile("^Results"))).to_be_visible()
    expect(page.locator("mark.evidence").first).to_be_visible()
    expect(page.get_by_text("What earned credit").first).to_be_visible()
    expect(page.get_by_text("Feedback:").first).to_be_visible()
    page.get_by_role("link", name="My progress").first.click()
    expect(page.get_by_role("heading", name="Mastery over time")).to_be_visible()
    expect(page.locator("svg.mastery-chart")).to_be_visible()
    assert csp_violations == []


def test_tutor_overrides_a_mark_and_the_learner_sees_the_comment(browser, site):
    from assessments.services import start_attempt, submit_attempt

    topic = Topic.objects.get(source_file__startswith="000")
    attempt = start_attempt(learner=site.learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=1)
    submit_attempt(attempt=attempt, answers={1: "It has a database."})

    tutor_page = browser.new_page()
    log_in(tutor_page, site, "tina")
    tutor_page.get_by_role("link", name="Tutor dashboard").click()
    tutor_page.get_by_role("link", name="Browser cohort").click()
    expect(tutor_page.get_by_role("table")).to_contain_text("0%")
    tutor_page.get_by_role("link", name="Lara").click()
    tutor_page.get_by_role("link", name=re.compile("Mark this answer")).first.click()
    tutor_page.get_by_label("Credit awarded").check()
    tutor_page.get_by_label("Comment for the learner").fill("A database of contacts counts here.")
    tutor_page.get_by_role("button", name="Save mark").click()
    expect(tutor_page.get_by_text("Mark saved")).to_be_visible()
    tutor_page.close()

    learner_page = browser.new_page()
    log_in(learner_page, site, "lara")
    learner_page.goto(f"{site.url}/attempts/{attempt.pk}/results/")
    expect(learner_page.get_by_text("Your tutor's mark: credited")).to_be_visible()
    expect(learner_page.get_by_text("A database of contacts counts here.")).to_be_visible()
    learner_page.close()
    assert Response.objects.get(attempt=attempt, position=1).override_awarded is True


def test_admin_edits_a_marking_point_and_uploads_a_seed(page, site, tmp_path, seed_bytes):
    point = MarkingPoint.objects.get(topic__source_file__startswith="000", position=2)
    page.goto(f"{site.url}/admin/")
    page.get_by_label("Username:").fill("ada")
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{site.url}/admin/topics/markingpoint/{point.pk}/change/")
    page.get_by_label("Text:").fill("Award credit for explaining customer lifetime value clearly.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    page.goto(f"{site.url}{point.topic.get_absolute_url()}")
    expect(page.get_by_text("explaining customer lifetime value clearly")).to_be_visible()

    seed = tmp_path / "004_c4c80a703f93ed7c.txt"
    seed.write_bytes(seed_bytes("004"))
    page.goto(f"{site.url}/admin/topics/topic/")
    page.get_by_role("link", name="Upload seed files").click()
    page.get_by_label("Seed files:").set_input_files(str(seed))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-report")).to_contain_text("created")
    expect(page.get_by_text("created 1, updated 0, unchanged 0, failed 0").first).to_be_visible()


def _tab_to(page, pattern: str, limit: int = 120) -> None:
    """Press Tab until the focused element's text or label matches ``pattern``."""
    regex = re.compile(pattern)
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        label = page.evaluate(
            "() => { const e = document.activeElement;"
            " return (e.innerText || e.value || e.getAttribute('aria-label') || e.id || '') }"
        )
        label = " ".join((label or "").split())
        if regex.search(label):
            return
        seen.append(label)
    raise AssertionError(f"could not reach {pattern!r} with the Tab key; focused {seen[:40]}")


def test_learner_takes_a_quiz_with_the_keyboard_only(page, site):
    page.goto(f"{site.url}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent")
    assert "Skip to main content" in focused
    _tab_to(page, "^Log in$")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("/accounts/login/"))
    # The username field has autofocus (waited for: under load it can follow the load event).
    expect(page.locator("#id_username")).to_be_focused()
    page.keyboard.type("lara")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    # Learners land on their Today page; the quizzes are one link away.
    page.wait_for_url(re.compile("/today/"))
    _tab_to(page, "^Quizzes$")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("/quizzes/"))

    _tab_to(page, "Start quiz on Building and maintaining")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/questions/1/"))
    _tab_to(page, "^id_answer$")
    page.keyboard.type(CRM_ANSWER)
    _tab_to(page, "^Save and next$")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/questions/2/"))
    _tab_to(page, "Review all answers and submit")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/review/"))
    _tab_to(page, "^Submit for marking$")
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"/results/"))
    expect(page.get_by_text(re.compile(r"\d+ of \d+ credited"))).to_be_visible()
    assert Attempt.objects.get(learner=site.learner).is_submitted


def test_quiz_works_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, site, "lara")
    page.goto(f"{site.url}/quizzes/")
    page.get_by_role(
        "button", name=re.compile("All questions on one page for Building and maintaining")
    ).click()
    page.get_by_label("Answer to question 1").fill(CRM_ANSWER)
    page.get_by_role("button", name="Submit for marking").click()

    expect(page.get_by_role("heading", name=re.compile("^Results"))).to_be_visible()
    expect(page.locator("mark.evidence").first).to_be_visible()
    context.close()
    attempt = Attempt.objects.get(learner=site.learner)
    assert attempt.responses.get(position=1).awarded is True


def test_results_page_waits_for_marking_then_shows_the_marks_by_itself(
    page, site, csp_violations, monkeypatch
):
    from assessments import services

    topic = Topic.objects.get(source_file__startswith="000")
    attempt = services.start_attempt(
        learner=site.learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=1
    )
    with monkeypatch.context() as patch:
        patch.setattr(services, "enqueue_marking", lambda **kwargs: None)  # the queue is slow
        services.submit_attempt(attempt=attempt, answers={1: CRM_ANSWER})
    log_in(page, site, "lara")

    with page.expect_request(re.compile(rf"/attempts/{attempt.pk}/status/$")):
        page.goto(f"{site.url}/attempts/{attempt.pk}/results/")
        expect(page.get_by_text("Marking your answers…")).to_be_visible()
        expect(page.get_by_role("link", name="Check again")).to_be_visible()
    services.mark_attempt(attempt_id=attempt.pk)  # a worker gets to it

    expect(page.get_by_role("heading", name=re.compile("Question 1"))).to_be_visible()
    expect(page.get_by_text("Marking your answers…")).to_have_count(0)
    assert csp_violations == []


def test_tutor_clears_the_queue_and_sees_the_agreement_figure_move(browser, site):
    """Accepting the waiting automatic marks makes them exemplars: the by-marking-point page
    then says how far the marker agrees with those marks, where it said there were none."""
    from assessments.services import start_attempt, submit_attempt
    from assessments.tests.factories import UserFactory
    from cohorts.services import add_member

    topic = Topic.objects.get(source_file__startswith="000")
    leo = UserFactory(username="leo", first_name="Leo")
    add_member(cohort=site.cohort, learner=leo)
    for learner, answer in [(site.learner, CRM_ANSWER), (leo, "It keeps contact details.")]:
        attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=1)
        submit_attempt(attempt=attempt, answers={1: answer})
    # The marker was unsure of both answers to the first question: they wait for the tutor.
    Response.objects.filter(position=1, attempt__learner__in=[site.learner, leo]).update(
        needs_tutor=True
    )

    page = browser.new_page()
    log_in(page, site, "tina")
    page.goto(f"{site.url}/tutor/cohorts/{site.cohort.pk}/points/")
    expect(page.get_by_text("No tutor marks yet").first).to_be_visible()

    page.goto(f"{site.url}/tutor/")
    page.get_by_role("link", name=re.compile("Answers waiting for you")).click()
    expect(page.get_by_text("no tutor marks on this question yet")).to_be_visible()
    for box in page.get_by_role("checkbox").all():
        box.check()
    page.get_by_role("button", name="Accept the ticked automatic marks").click()
    expect(page.get_by_text("Accepted 2 automatic mark(s)")).to_be_visible()
    expect(page.get_by_text("Nothing is waiting for you.")).to_be_visible()

    page.get_by_role("link", name="Tutor dashboard").click()
    page.get_by_role("link", name="Browser cohort").click()
    page.get_by_role("link", name="By marking point", exact=True).click()
    expect(page.get_by_text(re.compile(r"\d+% of 2 tutor marks")).first).to_be_visible()
    page.close()


def test_tutor_sets_an_assignment_and_sees_a_learners_submission(browser, site, csp_violations):
    tutor_page = browser.new_page()
    tutor_page.on(
        "console",
        lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    log_in(tutor_page, site, "tina")
    tutor_page.get_by_role("link", name="Tutor dashboard").click()
    tutor_page.get_by_role("link", name="Browser cohort").click()
    tutor_page.get_by_role("link", name="Set an assignment").click()
    tutor_page.get_by_label("Title").fill("Retention homework")
    tutor_page.get_by_label("Building and maintaining a loyal customer base").check()
    tutor_page.get_by_label("Number of questions").fill("3")
    tutor_page.get_by_label("Attempts allowed").fill("1")
    tutor_page.get_by_role("button", name="Set assignment").click()
    expect(tutor_page.get_by_text("Assignment set with 3 questions")).to_be_visible()
    expect(tutor_page.get_by_role("table").first).to_contain_text("not started")
    assignment_url = tutor_page.url

    learner_page = browser.new_page()
    log_in(learner_page, site, "lara")
    learner_page.goto(f"{site.url}/")
    expect(learner_page.get_by_role("link", name=re.compile("Notifications 1"))).to_be_visible()
    learner_page.get_by_role("link", name="Assignments", exact=True).click()
    learner_page.get_by_role("link", name="Retention homework").click()
    learner_page.get_by_role("button", name="Start the assignment").click()
    expect(learner_page.locator("#progress-label")).to_have_text("Question 1 of 3")
    # The questions are drawn at random from the topic: a written answer or a choice (whose
    # radio buttons can also be labelled "Your answer…", so ask for the text box by its role).
    written = learner_page.get_by_role("textbox", name="Your answer")
    if written.count():
        written.fill(CRM_ANSWER)
    else:
        learner_page.get_by_role("radio").first.check()
    learner_page.get_by_role("button", name="Save and next").click()
    learner_page.get_by_role("link", name="Review all answers and submit").click()
    learner_page.get_by_role("button", name="Submit for marking").click()
    expect(learner_page.get_by_role("heading", name=re.compile("^Results"))).to_be_visible()
    learner_page.close()

    tutor_page.goto(assignment_url)
    row = tutor_page.get_by_role("row", name=re.compile("Lara"))
    expect(row).to_contain_text("submitted")
    expect(row).to_contain_text(re.compile(r"\d of 3 \(\d+%\)"))
    expect(tutor_page.get_by_text("1 submitted")).to_be_visible()
    tutor_page.close()
    assert csp_violations == []


def test_tutor_invites_a_learner_who_accepts_then_leaves(browser, site):
    """Issue 14: a tutor's "add" is an invitation; the learner is told at sign-in, accepts on
    My cohorts, appears in the cohort, and later leaves it after confirming."""
    from assessments.tests.factories import UserFactory
    from cohorts.models import CohortMembership

    UserFactory(username="nina", first_name="Nina", password=PASSWORD)
    tutor_page = browser.new_page()
    log_in(tutor_page, site, "tina")
    tutor_page.goto(f"{site.url}/tutor/cohorts/{site.cohort.pk}/members/")
    tutor_page.get_by_label("Username or e-mail address").fill("nina")
    tutor_page.get_by_role("button", name="Invite learner").click()
    expect(tutor_page.get_by_text("they will see an invitation")).to_be_visible()
    expect(tutor_page.get_by_role("list").filter(has_text="Lara")).not_to_contain_text("Nina")

    learner_page = browser.new_page()
    log_in(learner_page, site, "nina")
    expect(learner_page.get_by_text("Tina invited you to join Browser cohort")).to_be_visible()
    learner_page.get_by_role("link", name="My cohorts").click()
    learner_page.get_by_role("button", name="Accept and join Browser cohort").click()
    expect(learner_page.get_by_text("You have joined Browser cohort")).to_be_visible()

    tutor_page.reload()
    expect(tutor_page.get_by_role("link", name="Remove nina")).to_be_visible()

    learner_page.get_by_role("link", name="Leave Browser cohort").click()
    learner_page.get_by_role("button", name="Leave the cohort").click()
    expect(learner_page.get_by_text("You have left Browser cohort")).to_be_visible()
    assert not CohortMembership.objects.active().filter(learner__username="nina").exists()
    tutor_page.close()
    learner_page.close()
