"""Quiz pages run a fixed number of queries however long the quiz or the learner's history."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Attempt, PointMastery, Question, Response
from assessments.selectors import MAX_CHART_TOPICS
from assessments.services import submit_attempt
from assessments.summaries import rebuild_learner_summaries
from assessments.tests.factories import (
    AttemptFactory,
    ChoiceQuestionFactory,
    IndicatorFactory,
    ShortAnswerQuestionFactory,
    UserFactory,
)
from assessments.views import TOPICS_PER_PAGE
from revision_portal.tests.test_query_budgets import BUDGETS
from topics.models import MarkingPoint, Topic
from topics.tests.factories import ExamTipFactory, QualificationFactory, TopicFactory

pytestmark = pytest.mark.django_db

# session, user, the attempt, its responses (joined with question, topic, point, overrider), the
# questions' answer options and the user's groups (the navigation shows tutors their dashboard
# link); the results page loads the topics' exam tips instead of the options (a marked answer
# shows the options as the learner saw them, kept with its mark).
QUESTION_PAGE_QUERIES = 6
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


def learner_with_topics(topics: int):
    """``topics`` topics (three qualifications, two marking points and one question each) and a
    learner who answered one point in every topic, half of them credited; made in bulk, with the
    summaries rebuilt the way the command does."""
    qualifications = [QualificationFactory() for _ in range(3)]
    made = Topic.objects.bulk_create(
        Topic(
            title=f"Bulk topic {n:04d}",
            slug=f"bulk-topic-{n:04d}",
            qualification=qualifications[n % 3],
        )
        for n in range(topics)
    )
    points = MarkingPoint.objects.bulk_create(
        MarkingPoint(
            topic=topic,
            position=position,
            text=f"Award credit for point {position}.",
            normalised_text=f"award credit for point {position}",
        )
        for topic in made
        for position in (1, 2)
    )
    questions = Question.objects.bulk_create(
        Question(topic=point.topic, marking_point=point, prompt=point.text, position=1)
        for point in points[::2]
    )
    learner = UserFactory()
    now = timezone.now()
    attempt = AttemptFactory(learner=learner, submitted_at=now, marked_at=now)
    responses = Response.objects.bulk_create(
        Response(
            attempt=attempt,
            question=question,
            position=position,
            answer_text="Customers come back.",
            awarded=position % 2 == 0,
            marked_at=now,
        )
        for position, question in enumerate(questions, start=1)
    )
    PointMastery.objects.bulk_create(
        PointMastery(
            learner=learner,
            marking_point_id=response.question.marking_point_id,
            topic_id=response.question.topic_id,
            response=response,
            credited=bool(response.awarded),
            answered_at=now,
        )
        for response in responses
    )
    rebuild_learner_summaries()
    return learner


@pytest.mark.parametrize("topics", [5, 500])
def test_progress_and_quiz_home_query_counts_from_5_to_500_topics(
    client, django_assert_num_queries, topics
):
    client.force_login(learner_with_topics(topics))
    shown = min(topics, TOPICS_PER_PAGE)

    with django_assert_num_queries(PROGRESS_QUERIES):
        progress = client.get(reverse("assessments:progress"))
    with django_assert_num_queries(BUDGETS["quiz_home"]):
        home = client.get(reverse("assessments:home"))

    assert progress.status_code == home.status_code == 200
    assert len(progress.context["topic_progress"]) == shown
    assert all(row.answered == 1 and row.total == 2 for row in progress.context["topic_progress"])
    assert len(progress.context["series"]) == min(topics, MAX_CHART_TOPICS)
    assert len(progress.context["weak_points"]) == min(topics // 2 + topics % 2, 10)
    assert progress.context["topic_page"].paginator.count == topics
    assert home.content.decode().count('name="topic"') == shown
    assert home.context["page"].paginator.count == topics
    assert ("Topic pages" in home.content.decode()) == (topics > TOPICS_PER_PAGE)
