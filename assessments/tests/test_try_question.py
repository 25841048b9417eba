"""Issue 15: "Try this question" marks a typed answer (or chosen options) exactly as a quiz
would and saves nothing."""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Attempt, Question
from assessments.services import (
    QuizError,
    save_question,
    start_attempt,
    submit_attempt,
    try_question,
)
from assessments.tests.factories import UserFactory
from cohorts.tests.factories import CRM_ANSWER

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(db, seed_bytes):
    from topics.services import import_seed_bytes

    return import_seed_bytes(source_name="000_7ea13c0c7803a35f.txt", data=seed_bytes("000")).topic


def row_counts() -> dict[str, int]:
    """Rows in every table of the apps a marked answer can write to (their history included)."""
    return {
        model._meta.label: model._default_manager.count()
        for label in ("assessments", "revision", "topics", "notifications")
        for model in apps.get_app_config(label).get_models()
    }


def first_point_question(topic) -> Question:
    return topic.questions.filter(kind=Question.Kind.SHORT_ANSWER).order_by("position").first()


def test_trying_an_answer_writes_nothing(topic):
    question = first_point_question(topic)
    before = row_counts()

    with CaptureQueriesContext(connection) as queries:
        mark = try_question(question=question, answer_text=CRM_ANSWER)

    assert mark.awarded is True
    assert row_counts() == before
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_trying_gives_the_same_mark_and_evidence_as_a_quiz(topic):
    question = first_point_question(topic)
    attempt = start_attempt(
        learner=UserFactory(username="quizzer"), kind=Attempt.Kind.TOPIC, topic=topic, seed=1
    )
    position = attempt.responses.get(question=question).position
    submit_attempt(attempt=attempt, answers={position: CRM_ANSWER})
    marked = attempt.responses.get(question=question)

    mark = try_question(question=question, answer_text=CRM_ANSWER)

    assert mark.awarded == marked.awarded and mark.score == marked.score
    assert mark.result["matches"] == marked.result["matches"]
    assert mark.result["feedback"] == marked.result["feedback"]
    assert any("Ideas the marker looks for" in line for line in mark.rubric_lines)


def test_a_weak_answer_is_not_credited_and_says_what_is_missing(topic):
    mark = try_question(question=first_point_question(topic), answer_text="I am not sure.")

    assert mark.awarded is False
    assert mark.result["missing"]


def test_a_choice_question_is_marked_by_its_right_option(topic):
    question = topic.questions.exclude(kind=Question.Kind.SHORT_ANSWER).first()
    right = question.correct_positions()[0]
    wrong = next(p for p in range(len(question.option_texts())) if p != right)

    assert try_question(question=question, selected=right).awarded is True
    assert try_question(question=question, selected=wrong).awarded is False


def test_a_multiple_answer_question_needs_every_right_option_ticked(topic):
    question = Question(
        topic=topic,
        kind=Question.Kind.MULTIPLE_CHOICE,
        prompt="Which of these are benefits of loyal customers?",
        multiple_answers=True,
    )
    save_question(
        question=question,
        options=[("Repeat purchases", True), ("Referrals", True), ("Higher costs", False)],
    )

    assert try_question(question=question, selected=[0, 1]).awarded is True
    assert try_question(question=question, selected=[0]).awarded is False
    assert try_question(question=question, selected=[0, 1, 2]).awarded is False


def test_an_answer_over_the_limit_is_refused_with_a_message(topic):
    with pytest.raises(QuizError, match="characters"):
        try_question(question=first_point_question(topic), answer_text="x" * 100_000)
