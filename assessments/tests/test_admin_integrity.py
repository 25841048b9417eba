"""The admin cannot bypass the rules the learner and tutor pages keep (issue 14, items 4 and 5).

* A mark changed in the response admin goes through the tutor's override service: it is logged
  as the admin who made it (``override_by`` cannot be forged) and progress follows it.
* A multiple-choice answer key must point at one of at least two non-empty options, on the model
  and in the admin form; a question still broken in the database is left out of quizzes,
  reported to admins and never turns a submit into a 500.
"""

import pytest
from django.urls import reverse

from assessments.answer_options import answer_key_problems
from assessments.models import (
    AnswerOption,
    Attempt,
    LearnerTopicSummary,
    OverrideRecord,
    PointMastery,
    Question,
    Response,
)
from assessments.services import start_attempt, submit_attempt
from assessments.tests.factories import (
    ChoiceQuestionFactory,
    IndicatorFactory,
    ShortAnswerQuestionFactory,
    UserFactory,
)
from assessments.tests.test_remarking import change_form_data


def _admin_form_data(page) -> dict:
    """What the admin change page would post back unchanged: the main form's initial values
    and every inline's management form."""
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        data[name] = value if not isinstance(value, bool) else ("true" if value else "false")
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for index, inline_form in enumerate(formset.forms):
            data[f"{formset.prefix}-{index}-id"] = inline_form.instance.pk
            data[f"{formset.prefix}-{index}-response"] = inline_form.instance.response_id
    return data


@pytest.fixture
def marked_answer(db):
    """A learner's credited, marked answer, with its mastery and topic summary recorded."""
    question = ShortAnswerQuestionFactory()
    IndicatorFactory(question=question)
    learner = UserFactory()
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=question.topic)
    submit_attempt(attempt=attempt, answers={1: "Loyal customers bring repeat business."})
    response = Response.objects.get(attempt=attempt)
    assert response.awarded is True
    return response


@pytest.mark.django_db
def test_a_mark_changed_in_the_response_admin_is_logged_as_the_admin_and_progress_follows(
    admin_client, admin_user, marked_answer, tutor
):
    url = reverse("admin:assessments_response_change", args=[marked_answer.pk])
    data = _admin_form_data(admin_client.get(url))
    data.update(
        override_awarded="false",
        override_comment="Say why repeat business matters.",
        # A forged author: the mark must still be the admin's own.
        override_by=tutor.pk,
    )

    reply = admin_client.post(url, data)

    assert reply.status_code == 302, reply.context and reply.context["adminform"].form.errors
    response = Response.objects.get(pk=marked_answer.pk)
    assert response.override_awarded is False
    assert response.override_by == admin_user
    assert response.override_comment == "Say why repeat business matters."
    record = OverrideRecord.objects.get(response=response)
    assert (record.tutor, record.previous_awarded, record.awarded) == (admin_user, True, False)
    assert record.comment == "Say why repeat business matters."
    # Progress agrees with the results page: the point is no longer credited.
    assert PointMastery.objects.get(response=response).credited is False
    summary = LearnerTopicSummary.objects.get(learner=response.attempt.learner)
    assert summary.points_credited == 0


@pytest.mark.django_db
def test_the_response_admin_shows_who_marked_it_read_only(admin_client, marked_answer):
    url = reverse("admin:assessments_response_change", args=[marked_answer.pk])
    form = admin_client.get(url).context["adminform"].form
    assert "override_by" not in form.fields
    assert "override_at" not in form.fields
    assert set(form.fields) == {"override_awarded", "override_comment"}


@pytest.mark.django_db
def test_saving_the_response_admin_unchanged_logs_nothing(admin_client, marked_answer):
    url = reverse("admin:assessments_response_change", args=[marked_answer.pk])
    reply = admin_client.post(url, _admin_form_data(admin_client.get(url)))
    assert reply.status_code == 302
    assert not OverrideRecord.objects.exists()


@pytest.mark.django_db
def test_removing_a_mark_in_the_admin_is_logged_and_restores_the_automatic_mark(
    admin_client, admin_user, marked_answer, tutor
):
    from assessments.services import override_mark

    override_mark(response=marked_answer, tutor=tutor, awarded=False, comment="No.")
    url = reverse("admin:assessments_response_change", args=[marked_answer.pk])
    data = _admin_form_data(admin_client.get(url))
    data.update(override_awarded="unknown", override_comment="")
    assert admin_client.post(url, data).status_code == 302
    response = Response.objects.get(pk=marked_answer.pk)
    assert response.override_awarded is None and response.override_by is None
    latest = OverrideRecord.objects.filter(response=response).first()
    assert (latest.tutor, latest.previous_awarded, latest.awarded) == (admin_user, False, None)
    assert PointMastery.objects.get(response=response).credited is True
    assert LearnerTopicSummary.objects.get(learner=response.attempt.learner).points_credited == 1


# --- item 5: a multiple-choice answer key that cannot be right -------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ([("Escalation", False), ("Empathy", False)], "none is marked correct"),
        ([("Escalation", True)], "at least two options"),
        ([("Escalation", True), ("  ", False)], "needs some text"),
        ([], "at least two options"),
        ([("Escalation", True), ("Empathy", True)], "2 options are ticked as right"),
    ],
)
def test_a_choice_question_with_a_broken_answer_key_is_refused(options, message):
    problems = answer_key_problems(Question.Kind.CONCEPT_CHOICE, False, options)
    assert message in problems["options"]


def test_a_sound_choice_question_and_a_short_answer_question_validate():
    options = [("Escalation", False), ("Empathy", True)]
    assert answer_key_problems(Question.Kind.CONCEPT_CHOICE, False, options) == {}
    assert answer_key_problems(Question.Kind.SHORT_ANSWER, False, []) == {}


@pytest.mark.django_db
def test_the_question_admin_refuses_a_key_with_no_right_option_with_a_message(admin_client):
    question = ChoiceQuestionFactory()
    url = reverse("admin:assessments_question_change", args=[question.pk])
    data = change_form_data(admin_client.get(url))
    data.pop("options-0-is_correct")  # untick the only right option

    reply = admin_client.post(url, data)

    assert reply.status_code == 200  # the form again, with the error on the options
    (options,) = [
        inline.formset
        for inline in reply.context["inline_admin_formsets"]
        if inline.formset.prefix == "options"
    ]
    assert "none is marked correct" in " ".join(options.non_form_errors())
    assert Question.objects.prefetch_related("options").get(pk=question.pk).correct_positions() == [
        0
    ]


@pytest.fixture
def broken_choice_question(db):
    """A topic with a sound written question and a choice question whose key was broken
    behind the model's back (``.update()`` runs no validation)."""
    written = ShortAnswerQuestionFactory()
    IndicatorFactory(question=written)
    broken = ChoiceQuestionFactory(topic=written.topic)
    AnswerOption.objects.filter(question=broken).update(is_correct=False)
    return Question.objects.get(pk=broken.pk)


@pytest.mark.django_db
def test_quizzes_leave_out_a_question_whose_key_is_broken(broken_choice_question):
    learner = UserFactory()
    topic_quiz = start_attempt(
        learner=learner, kind=Attempt.Kind.TOPIC, topic=broken_choice_question.topic
    )
    mixed = start_attempt(learner=learner, kind=Attempt.Kind.MIXED)
    for attempt in (topic_quiz, mixed):
        asked = set(attempt.responses.values_list("question_id", flat=True))
        assert broken_choice_question.pk not in asked
        assert asked


@pytest.mark.django_db
def test_submitting_an_attempt_that_holds_a_broken_question_never_500s(
    client, broken_choice_question
):
    learner = UserFactory()
    # The attempt was started while the key was sound; an admin broke it before the submit.
    key = AnswerOption.objects.filter(question=broken_choice_question, position=0)
    key.update(is_correct=True)
    attempt = start_attempt(
        learner=learner, kind=Attempt.Kind.TOPIC, topic=broken_choice_question.topic, seed=1
    )
    key.update(is_correct=False)
    position = attempt.responses.get(question=broken_choice_question).position
    client.force_login(learner)

    page = client.get(reverse("assessments:question", args=[attempt.pk, position]))
    assert page.status_code == 200
    reply = client.post(reverse("assessments:submit", args=[attempt.pk]))
    assert reply.status_code == 302
    results = client.get(reverse("assessments:results", args=[attempt.pk]))

    assert results.status_code == 200
    assert b"could not be marked" in results.content
    response = Response.objects.get(attempt=attempt, question=broken_choice_question)
    assert response.marked_at is not None and response.max_score == 0


@pytest.mark.django_db
def test_admins_are_told_about_questions_with_a_broken_key(admin_client, broken_choice_question):
    changelist = reverse("admin:assessments_question_changelist")
    page = admin_client.get(changelist)
    assert b"1 multiple-choice question has a broken answer key" in page.content
    only_broken = admin_client.get(changelist, {"answer_key": "broken"})
    assert list(only_broken.context["cl"].result_list) == [broken_choice_question]
