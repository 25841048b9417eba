"""Quiz pages run a fixed number of queries however long the quiz or the learner's history."""

import pytest
from django.urls import reverse

from assessments.models import Attempt, Response
from assessments.services import submit_attempt
from assessments.tests.factories import (
    AttemptFactory,
    ChoiceQuestionFactory,
    IndicatorFactory,
    ShortAnswerQuestionFactory,
    UserFactory,
)
from topics.tests.factories import ExamTipFactory, TopicFactory

pytestmark = pytest.mark.django_db

# session, user, the attempt, its responses (joined with question, topic, point, overrider) and
# the user's groups (the navigation shows tutors their dashboard link); the results page also
# loads the topics' exam tips.
QUESTION_PAGE_QUERIES = 5
RESULTS_PAGE_QUERIES = 6
# session, user, topic count, the page of topics (each joined with the learner's summary and
# its active point count), the summaries of the recently practised topics and their answers
# behind the chart, weak points, history count, history page, groups. (Was 9 before summaries:
# the topic table is now paged, which costs its count.)
PROGRESS_QUERIES = 10


def make_attempt(learner, questions: int) -> Attempt:
    topic = TopicFactory()
    ExamTipFactory(topic=topic, text="Give an example of repeat business.")
    attempt = AttemptFactory(learner=learner, topic=topic)
    for position in range(1, questions + 1):
        if position % 3:
            question = ShortAnswerQuestionFactory(topic=topic)
            IndicatorFactory(question=question)
        else:
            question = ChoiceQuestionFactory(topic=topic)
        Response.objects.create(attempt=attempt, question=question, position=position)
    return attempt


@pytest.mark.parametrize("questions", [3, 30])
def test_question_page_query_count(client, django_assert_num_queries, questions):
    learner = UserFactory()
    attempt = make_attempt(learner, questions)
    client.force_login(learner)
    url = reverse("assessments:question", args=[attempt.pk, 2])

    with django_assert_num_queries(QUESTION_PAGE_QUERIES):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("questions", [3, 30])
def test_results_page_query_count(client, django_assert_num_queries, questions):
    learner = UserFactory()
    attempt = make_attempt(learner, questions)
    submit_attempt(attempt=attempt, answers={1: "Customers come back and make repeat purchases."})
    client.force_login(learner)
    url = reverse("assessments:results", args=[attempt.pk])

    with django_assert_num_queries(RESULTS_PAGE_QUERIES):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("attempts", [1, 15])
def test_progress_page_query_count(client, django_assert_num_queries, attempts):
    learner = UserFactory()
    for _ in range(attempts):
        attempt = make_attempt(learner, 3)
        submit_attempt(attempt=attempt, answers={1: "repeat purchases"})
    client.force_login(learner)

    with django_assert_num_queries(PROGRESS_QUERIES):
        assert client.get(reverse("assessments:progress")).status_code == 200
