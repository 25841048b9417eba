"""Answer options as rows (issue 15): the old JSON options migrate to them, option sets are
validated by one rule everywhere, multiple-answer and true/false questions are asked and marked,
the admin edits options as rows with a "correct" tick, and a marked answer keeps the options the
learner saw."""

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.template.loader import render_to_string
from django.urls import reverse

from assessments.answer_options import (
    ChoiceSnapshot,
    OptionSpec,
    answer_key_problems,
    listed_answer_matches,
    mark_choice,
)
from assessments.models import AnswerOption, Attempt, Question, Response
from assessments.services import (
    create_attempt_with_questions,
    remark_responses,
    save_question,
    submit_attempt,
    sync_question_bank,
)
from assessments.tests.factories import (
    ChoiceQuestionFactory,
    MultipleAnswerQuestionFactory,
    TrueFalseQuestionFactory,
    UserFactory,
)
from assessments.tests.test_remarking import change_form_data
from topics.tests.factories import KeyConceptFactory, TopicFactory

MC = Question.Kind.MULTIPLE_CHOICE
TF = Question.Kind.TRUE_FALSE

copy_migration = importlib.import_module(
    "assessments.migrations.0010_copy_choices_to_answer_options"
)


# --- the data migration ----------------------------------------------------------------------


def test_legacy_choices_become_option_rows_with_the_key_ticked():
    rows = copy_migration.legacy_options(["Escalation", "Empathy", "Churn"], 1)
    assert rows == [(0, "Escalation", False), (1, "Empathy", True), (2, "Churn", False)]


def test_a_broken_legacy_key_stays_visibly_broken():
    # Out of range: nothing is ticked right (the admin's "broken key" filter then lists it).
    assert [right for _, _, right in copy_migration.legacy_options(["A", "B"], 99)] == [
        False,
        False,
    ]
    assert copy_migration.legacy_options("A, B", 0) == []  # not a list: no rows
    assert copy_migration.legacy_options(["A", 3], 0) == [(0, "A", True), (1, "3", False)]


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_json_choices_to_options_and_sets_origin():
    executor = MigrationExecutor(connection)
    before = [("assessments", "0009_answer_options")]
    latest = executor.loader.graph.leaf_nodes("assessments")
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        topic = TopicFactory()  # the topics app's tables are as they are now
        OldQuestion = old.get_model("assessments", "Question")
        generated = OldQuestion.objects.create(
            topic_id=topic.pk,
            kind="concept_choice",
            prompt="Which concept?",
            choices=["Escalation", "Empathy", "Churn"],
            correct_choice=2,
            source_key="concept:escalation",
        )
        written = OldQuestion.objects.create(
            topic_id=topic.pk, kind="short_answer", prompt="Name two channels.", source_key=""
        )

        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)

        options = list(
            AnswerOption.objects.filter(question_id=generated.pk).values_list(
                "position", "text", "is_correct"
            )
        )
        assert options == [(0, "Escalation", False), (1, "Empathy", False), (2, "Churn", True)]
        assert Question.objects.get(pk=generated.pk).origin == Question.Origin.GENERATED
        assert Question.objects.get(pk=written.pk).origin == Question.Origin.AUTHORED
        assert not AnswerOption.objects.filter(question_id=written.pk).exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)


# --- validation rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "several", "options", "message"),
    [
        (MC, False, [("Only one", True)], "at least two options"),
        (MC, False, [("A", False), ("B", False)], "none is marked correct"),
        (MC, False, [("A", True), ("B", True)], "2 options are ticked as right"),
        (MC, True, [("A", False), ("B", False)], "at least one right option"),
        (MC, False, [("A", True), ("", False)], "needs some text"),
        (TF, False, [("True", True)], "“True” and “False”"),
        (TF, False, [("True", True), ("Maybe", False)], "“True” and “False”"),
        (TF, False, [("True", True), ("False", True)], "exactly one"),
        (TF, False, [("True", False), ("False", False)], "exactly one"),
    ],
)
def test_option_sets_that_cannot_be_marked_are_refused_with_a_message(
    kind, several, options, message
):
    problems = answer_key_problems(kind, several, options)
    assert message in " ".join(problems.values())


@pytest.mark.parametrize(
    ("kind", "several", "options"),
    [
        (MC, False, [("A", False), ("B", True)]),
        (MC, True, [("A", True), ("B", True), ("C", False)]),
        (TF, False, [("False", True), ("True", False)]),
        (Question.Kind.SHORT_ANSWER, False, [("client retention", True)]),
    ],
)
def test_sound_option_sets_pass(kind, several, options):
    assert answer_key_problems(kind, several, options) == {}


def test_a_true_false_question_cannot_take_several_answers():
    problems = answer_key_problems(TF, True, [("True", True), ("False", False)])
    assert "multiple_answers" in problems


# --- marking ---------------------------------------------------------------------------------


def test_multiple_answers_are_credited_only_for_exactly_the_right_set():
    snapshot = ChoiceSnapshot(
        options=("Repeat business", "Staff turnover", "Recommendations"),
        correct=(0, 2),
        multiple_answers=True,
    )
    assert mark_choice(snapshot, [0, 2])["awarded"] is True
    missed = mark_choice(snapshot, [0])
    assert missed["awarded"] is False
    assert "did not tick: “Recommendations”" in missed["feedback"]
    extra = mark_choice(snapshot, [0, 1, 2])
    assert extra["awarded"] is False
    assert "ticked that are wrong: “Staff turnover”" in extra["feedback"]
    assert mark_choice(snapshot, [])["awarded"] is False


@pytest.fixture
def learner(db):
    return UserFactory(username="chooser")


def _attempt(learner, *questions):
    return create_attempt_with_questions(
        learner=learner, kind=Attempt.Kind.MIXED, title="Options quiz", questions=list(questions)
    )


@pytest.mark.django_db
def test_a_multiple_answer_question_is_asked_with_tick_boxes_and_marked(client, learner):
    question = MultipleAnswerQuestionFactory(
        option_feedback=["Yes: loyal customers come back.", "", "", "No: fewer, if anything."],
        general_feedback="Loyalty pays through repeat business and word of mouth.",
    )
    attempt = _attempt(learner, question)
    client.force_login(learner)

    page = client.get(reverse("assessments:question", args=[attempt.pk, 1])).content.decode()
    assert page.count('type="checkbox"') == 4
    assert 'type="radio"' not in page

    client.post(
        reverse("assessments:all", args=[attempt.pk]),
        {"action": "submit", "q1-choice": ["0", "3"]},
    )

    response = Response.objects.get(attempt=attempt)
    assert response.selected_choices == [0, 3]
    assert response.awarded is False and response.max_score == 1
    assert "did not tick: “Recommendations”" in response.result["feedback"]
    assert "ticked that are wrong: “More complaints”" in response.result["feedback"]
    results = client.get(reverse("assessments:results", args=[attempt.pk])).content.decode()
    assert "Yes: loyal customers come back." in results  # feedback of options ticked
    assert "No: fewer, if anything." in results
    assert "Loyalty pays through repeat business" in results  # general feedback
    card = render_to_string("cohorts/_response_card.html", {"response": response})
    assert "No: fewer, if anything." in card
    assert "Loyalty pays through repeat business" in card
    assert "“Repeat business”; “More complaints”" in card


@pytest.mark.django_db
def test_the_right_set_of_ticks_is_credited(client, learner):
    attempt = _attempt(learner, MultipleAnswerQuestionFactory())
    client.force_login(learner)

    client.post(
        reverse("assessments:all", args=[attempt.pk]),
        {"action": "submit", "q1-choice": ["2", "0"]},
    )

    response = Response.objects.get(attempt=attempt)
    assert (response.awarded, response.score, response.result["feedback"]) == (
        True,
        1,
        "Correct.",
    )


@pytest.mark.django_db
def test_a_true_false_question_is_two_radios_and_marked(client, learner):
    question = TrueFalseQuestionFactory(correct_choice=1)  # the statement is false
    attempt = _attempt(learner, question)
    client.force_login(learner)

    page = client.get(reverse("assessments:question", args=[attempt.pk, 1])).content.decode()
    assert page.count('type="radio"') == 2
    client.post(reverse("assessments:question", args=[attempt.pk, 1]), {"choice": "0"})
    submit_attempt(attempt=attempt)

    response = Response.objects.get(attempt=attempt)
    assert response.selected_choice == 0
    assert response.awarded is False
    assert response.result["feedback"] == "Not quite. The answer is: False"


# --- what the learner saw --------------------------------------------------------------------


@pytest.mark.django_db
def test_results_keep_the_options_the_learner_saw_after_an_editor_changes_them(client, learner):
    question = ChoiceQuestionFactory(choices=["Escalation", "Empathy", "Churn"], correct_choice=0)
    attempt = _attempt(learner, question)
    submit_attempt(attempt=attempt, answers={1: 0})
    response = Response.objects.get(attempt=attempt)
    assert response.awarded is True
    assert response.rubric_snapshot["options"] == ["Escalation", "Empathy", "Churn"]

    # An editor rewrites the options and moves the right one.
    save_question(
        question=question,
        options=[("Handing a complaint upwards", False), ("Escalation", True), ("Churn", False)],
    )
    remark_responses(responses=[response], reason="test")
    client.force_login(learner)
    page = client.get(reverse("assessments:results", args=[attempt.pk])).content.decode()

    response.refresh_from_db()
    assert response.awarded is True  # still right: position 0 was "Escalation" when chosen
    assert response.rubric_snapshot["options"] == ["Escalation", "Empathy", "Churn"]
    assert "Handing a complaint upwards" not in page
    assert "✔ <strong>Escalation</strong>" in page


@pytest.mark.django_db
def test_a_corrected_key_re_marks_when_the_options_read_the_same(learner):
    question = ChoiceQuestionFactory(choices=["Escalation", "Empathy"], correct_choice=1)
    attempt = _attempt(learner, question)
    submit_attempt(attempt=attempt, answers={1: 0})
    response = Response.objects.get(attempt=attempt)
    assert response.awarded is False

    # Saving the corrected key re-marks the question's answers (in the background).
    save_question(question=question, options=[("Escalation", True), ("Empathy", False)])

    response.refresh_from_db()
    assert response.awarded is True


# --- saving questions ------------------------------------------------------------------------


@pytest.mark.django_db
def test_save_question_refuses_a_bad_option_set_and_saves_nothing():
    topic = TopicFactory()
    question = Question(topic=topic, kind=MC, prompt="Pick one.")
    with pytest.raises(ValidationError) as error:
        save_question(question=question, options=[("A", False), ("B", False)])
    assert "none is marked correct" in error.value.message_dict["options"][0]
    assert not Question.objects.filter(topic=topic).exists()


@pytest.mark.django_db
def test_save_question_writes_an_authored_question_with_its_options(tutor):
    question = Question(topic=TopicFactory(), kind=TF, prompt="NPS measures loyalty.")
    save_question(
        question=question,
        options=[OptionSpec("True", True, "Yes."), OptionSpec("False", False, "It does.")],
        author=tutor,
    )
    stored = Question.objects.prefetch_related("options").get(pk=question.pk)
    assert (stored.origin, stored.author) == (Question.Origin.AUTHORED, tutor)
    assert stored.option_texts() == ["True", "False"] and stored.correct_positions() == [0]
    assert [o.feedback for o in stored.options.all()] == ["Yes.", "It does."]


@pytest.mark.django_db
def test_a_written_short_answer_gets_its_rubric_from_its_marking_guidance(tutor):
    question = Question(
        topic=TopicFactory(),
        kind=Question.Kind.SHORT_ANSWER,
        prompt="Why do loyal customers matter?",
        marking_guidance="Award credit for identifying two benefits of customer loyalty, "
        "such as repeat business, recommendations or lower marketing costs.",
        model_answer="They come back and recommend the business to friends.",
    )
    save_question(question=question, options=[("repeat custom", True)], author=tutor)

    question.refresh_from_db()
    labels = list(question.indicators.values_list("label", flat=True))
    assert len(labels) >= 2
    assert question.required_count == 2
    assert question.to_rubric().point_text.startswith("Award credit for identifying two")
    assert question.model_answer.startswith("They come back")  # the person's, kept


@pytest.mark.django_db
def test_the_bank_sync_leaves_written_and_imported_questions_alone():
    topic = TopicFactory()
    KeyConceptFactory(topic=topic, term="Escalation", explanation="Passing it upwards.")
    imported = ChoiceQuestionFactory(
        topic=topic,
        origin=Question.Origin.IMPORTED,
        source_key="concept:escalation",
        choices=["Mine", "Yours"],
    )

    sync_question_bank(topic=topic)

    imported.refresh_from_db()
    assert imported.is_active
    assert list(imported.options.values_list("text", flat=True)) == ["Mine", "Yours"]


@pytest.mark.django_db
def test_editing_a_generated_question_customises_it():
    question = ChoiceQuestionFactory(source_key="concept:x")
    save_question(question=question, options=[("One", True), ("Two", False)])
    question.refresh_from_db()
    assert question.is_customised and question.origin == Question.Origin.GENERATED


# --- the admin -------------------------------------------------------------------------------


def _options_formset(reply):
    (formset,) = [
        inline.formset
        for inline in reply.context["inline_admin_formsets"]
        if inline.formset.prefix == "options"
    ]
    return formset


def _with_options(data: dict, options: list[tuple[str, bool]], *, initial: int = 0) -> dict:
    """``data`` with its option rows replaced by ``options`` (new rows after ``initial``)."""
    data = {k: v for k, v in data.items() if not k.startswith("options-")}
    data.update(
        {
            "options-TOTAL_FORMS": len(options),
            "options-INITIAL_FORMS": initial,
            "options-MIN_NUM_FORMS": 0,
            "options-MAX_NUM_FORMS": 1000,
        }
    )
    for index, (text, right) in enumerate(options):
        data[f"options-{index}-text"] = text
        if right:
            data[f"options-{index}-is_correct"] = "on"
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        (MC, [("Escalation", True)], "at least two options"),
        (MC, [("Escalation", False), ("Empathy", False)], "none is marked correct"),
        (MC, [("Escalation", True), ("Empathy", True)], "2 options are ticked as right"),
        (TF, [("True", True), ("Nope", False)], "“True” and “False”"),
        (TF, [("True", True), ("False", True)], "exactly one"),
    ],
)
def test_the_admin_refuses_an_invalid_option_set_with_a_message(
    admin_client, kind, options, message
):
    topic = TopicFactory()
    url = reverse("admin:assessments_question_add")
    data = change_form_data(admin_client.get(url))
    data.update({"topic": topic.pk, "kind": kind, "prompt": "Which is it?", "position": 0})

    reply = admin_client.post(url, _with_options(data, options))

    assert reply.status_code == 200
    assert message in " ".join(_options_formset(reply).non_form_errors())
    assert not Question.objects.filter(topic=topic).exists()


@pytest.mark.django_db
def test_an_editor_adds_a_multiple_answer_question_with_ticks_in_the_admin(
    admin_client, admin_user
):
    topic = TopicFactory()
    url = reverse("admin:assessments_question_add")
    page = admin_client.get(url)
    html = page.content.decode()
    assert "js/admin_option_order.js" in html
    assert "0-based" not in html and "JSON" not in html
    data = change_form_data(page)
    data.update(
        {
            "topic": topic.pk,
            "kind": MC,
            "multiple_answers": "on",
            "name": "Loyalty benefits",
            "prompt": "Which are benefits of loyalty?",
            "position": 0,
        }
    )
    data = _with_options(data, [("Repeat business", True), ("Churn", False), ("Referrals", True)])
    # The page sent the rows in this order (the up/down buttons keep the hidden positions).
    data.update({"options-0-position": 1, "options-1-position": 2, "options-2-position": 0})

    reply = admin_client.post(url, data)

    assert reply.status_code == 302, reply.context and _options_formset(reply).non_form_errors()
    question = Question.objects.prefetch_related("options").get(topic=topic)
    assert question.option_texts() == ["Referrals", "Repeat business", "Churn"]
    assert question.correct_positions() == [0, 1]
    assert [o.position for o in question.options.all()] == [0, 1, 2]
    assert (question.origin, question.author, question.display_name) == (
        Question.Origin.AUTHORED,
        admin_user,
        "Loyalty benefits",
    )


@pytest.mark.django_db
def test_reordering_existing_options_in_the_admin_renumbers_them(admin_client):
    question = ChoiceQuestionFactory(choices=["Escalation", "Empathy", "Churn"], correct_choice=0)
    url = reverse("admin:assessments_question_change", args=[question.pk])
    data = change_form_data(admin_client.get(url))
    data.update({"options-0-position": 2, "options-1-position": 0, "options-2-position": 1})
    # The page numbers its two blank rows for new options too: they stay blank, not errors.
    assert data["options-TOTAL_FORMS"] == 5
    data.update({"options-3-position": 3, "options-4-position": 4})

    reply = admin_client.post(url, data)

    assert reply.status_code == 302
    stored = Question.objects.prefetch_related("options").get(pk=question.pk)
    assert stored.option_texts() == ["Empathy", "Churn", "Escalation"]
    assert stored.correct_positions() == [2]
    assert stored.is_customised


# --- short answers listed on the question ----------------------------------------------------


@pytest.mark.parametrize(
    ("listed", "answer", "matches"),
    [
        ("Net Promoter Score", "net promoter score.", True),
        ("Net Promoter Score", "  Net   Promoter Score  ", True),
        ("Net Promoter Score", "Net Promoter", False),
        ("net * score", "net promoter score", True),
        ("net * score", "gross promoter score", False),
        ("", "anything", False),
    ],
)
def test_listed_answers_match_whole_answers_like_moodle(listed, answer, matches):
    assert listed_answer_matches(listed, answer) is matches


@pytest.mark.django_db
def test_a_short_answer_listed_on_the_question_takes_its_verdict_and_feedback(learner):
    question = Question(
        topic=TopicFactory(),
        kind=Question.Kind.SHORT_ANSWER,
        prompt="What does NPS stand for?",
        marking_guidance="Award credit for naming the Net Promoter Score.",
    )
    save_question(
        question=question,
        options=[
            OptionSpec("Net Promoter Score", True, "Yes."),
            OptionSpec("Net Profit Score", False, "Promoter, not profit."),
        ],
    )
    right, wrong = (_attempt(learner, question), _attempt(learner, question))
    submit_attempt(attempt=right, answers={1: "net promoter score"})
    submit_attempt(attempt=wrong, answers={1: "Net profit score."})

    credited = Response.objects.get(attempt=right)
    refused = Response.objects.get(attempt=wrong)
    assert (credited.awarded, credited.needs_tutor) == (True, False)
    assert credited.result["feedback"].endswith("Yes.")
    assert refused.awarded is False
    assert "Promoter, not profit." in refused.result["feedback"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "several", "options"),
    [
        (MC, False, [("A", False), ("B", True)]),
        (MC, False, [("A", True)]),
        (MC, False, [("A", False), ("B", False)]),
        (MC, False, [("A", True), ("B", True)]),
        (MC, True, [("A", True), ("B", True)]),
        (MC, True, [("A", False), ("B", False)]),
        (MC, False, [("A", True), ("  ", False)]),
        (TF, False, [("True", False), ("False", True)]),
        (TF, False, [("True", True), ("True", False)]),
        (TF, False, [("True", True), ("False", True)]),
        (TF, True, [("True", True), ("False", False)]),
        (TF, False, [("True", True)]),
    ],
)
def test_the_admins_broken_key_filter_follows_the_same_rules(kind, several, options):
    question = ChoiceQuestionFactory(
        kind=kind,
        multiple_answers=several,
        choices=[text for text, _ in options],
        correct_choice=[i for i, (_, right) in enumerate(options) if right],
    )
    broken = Question.objects.with_broken_answer_key().filter(pk=question.pk).exists()
    assert broken is bool(answer_key_problems(kind, several, options))
