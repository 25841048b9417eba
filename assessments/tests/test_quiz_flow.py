import pytest
from django.urls import reverse

from assessments.models import Attempt, PointMastery, Question, Response
from assessments.services import QuizError, save_answers, start_attempt, submit_attempt
from assessments.tests.factories import UserFactory
from topics.models import Topic

pytestmark = pytest.mark.django_db

CRM_ANSWER = (
    "A CRM system offers contact management to store customer details, interaction tracking "
    "to log every call and email, and data analysis to spot trends in buying behaviour."
)


@pytest.fixture
def learner():
    return UserFactory(username="amira")


@pytest.fixture
def crm_topic(imported_seeds):
    return Topic.objects.get(source_file__startswith="000")


def start(client, topic, layout="one"):
    return client.post(
        reverse("assessments:start"), {"kind": "topic", "topic": topic.slug, "layout": layout}
    )


def test_quiz_home_lists_topics_with_questions(client, learner, imported_seeds):
    client.force_login(learner)

    html = client.get(reverse("assessments:home")).content.decode()

    topics = list(Topic.objects.all())
    assert topics  # the seeds were imported: the loop below checks something
    for topic in topics:
        assert topic.title in html


def test_topic_quiz_one_question_per_page_to_results(client, learner, crm_topic):
    client.force_login(learner)

    response = start(client, crm_topic)

    attempt = Attempt.objects.get(learner=learner)
    assert response.url == reverse("assessments:question", args=[attempt.pk, 1])
    page = client.get(response.url).content.decode()
    total = attempt.responses.count()
    assert f"Question 1 of {total}" in page
    assert "Identify at least three features of a CRM system" in page

    first = attempt.responses.get(position=1)
    assert first.question.prompt.startswith("Identify at least three features")
    saved = client.post(response.url, {"answer": CRM_ANSWER, "action": "next"})
    assert saved.url == reverse("assessments:question", args=[attempt.pk, 2])

    review = client.get(reverse("assessments:review", args=[attempt.pk])).content.decode()
    assert f"{total - 1} questions not answered" in review

    submitted = client.post(reverse("assessments:submit", args=[attempt.pk]))
    assert submitted.url == reverse("assessments:results", args=[attempt.pk])
    results = client.get(submitted.url).content.decode()
    assert "Credited" in results
    assert '<mark class="evidence">' in results
    assert "What earned credit" in results
    assert "Exam tip:" in results
    first.refresh_from_db()
    assert first.awarded is True
    assert first.rubric_snapshot["required_count"] == 3


def test_ideas_found_in_an_answer_that_was_not_credited_are_not_called_credit(
    client, learner, crm_topic
):
    client.force_login(learner)
    start(client, crm_topic)
    attempt = Attempt.objects.get(learner=learner)
    first = attempt.responses.get(position=1)  # three CRM features needed
    client.post(
        reverse("assessments:question", args=[attempt.pk, 1]),
        {"answer": "A CRM system offers contact management.", "action": "next"},
    )

    client.post(reverse("assessments:submit", args=[attempt.pk]))

    first.refresh_from_db()
    assert first.awarded is False and first.result["matches"]  # the premise
    results = client.get(reverse("assessments:results", args=[attempt.pk])).content.decode()
    assert "What the marker found (not enough for credit)" in results
    assert "What earned credit" not in results


def test_all_questions_on_one_page_and_submit(client, learner, crm_topic):
    client.force_login(learner)
    attempt_url = start(client, crm_topic, layout="all").url
    attempt = Attempt.objects.get(learner=learner)
    assert attempt_url == reverse("assessments:all", args=[attempt.pk])
    page = client.get(attempt_url).content.decode()
    assert 'for="id_q1-answer"' in page

    data = {"action": "submit", "q1-answer": CRM_ANSWER}
    response = client.post(attempt_url, data)

    assert response.url == reverse("assessments:results", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.is_submitted
    assert attempt.responses.get(position=1).awarded is True
    # Unanswered questions are allowed and score zero.
    unanswered = attempt.responses.exclude(position=1)
    assert all(not r.credited and r.score == 0 for r in unanswered)


def test_double_submit_never_creates_a_second_attempt_or_loses_answers(client, learner, crm_topic):
    client.force_login(learner)
    start(client, crm_topic)
    attempt = Attempt.objects.get(learner=learner)
    client.post(
        reverse("assessments:question", args=[attempt.pk, 1]),
        {"answer": CRM_ANSWER, "action": "review"},
    )

    first = client.post(reverse("assessments:submit", args=[attempt.pk]))
    second = client.post(reverse("assessments:submit", args=[attempt.pk]))

    assert first.url == second.url == reverse("assessments:results", args=[attempt.pk])
    assert Attempt.objects.filter(learner=learner).count() == 1
    assert Response.objects.get(attempt=attempt, position=1).answer_text == CRM_ANSWER
    # A refresh of a question page after submitting goes to the results, changing nothing.
    again = client.post(
        reverse("assessments:question", args=[attempt.pk, 1]), {"answer": "changed"}
    )
    assert again.url == reverse("assessments:results", args=[attempt.pk])
    assert Response.objects.get(attempt=attempt, position=1).answer_text == CRM_ANSWER


def test_submit_attempt_service_is_idempotent(learner, crm_topic):
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=crm_topic)

    _, first = submit_attempt(attempt=attempt, answers={1: CRM_ANSWER})
    _, second = submit_attempt(attempt=attempt, answers={1: "something else"})

    assert (first, second) == (True, False)
    assert attempt.responses.get(position=1).answer_text == CRM_ANSWER


def test_saving_one_answer_leaves_the_attempts_other_answers_alone(learner, crm_topic):
    """save_answers reads only the posted positions' responses; the others keep their answers."""
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=crm_topic)
    short = [
        r.position
        for r in attempt.responses.select_related("question")
        if r.question.is_short_answer
    ]
    first, second = short[:2]
    save_answers(attempt=attempt, answers={first: "first answer", second: "second answer"})

    save_answers(attempt=attempt, answers={second: "second, rewritten"})

    answers = dict(attempt.responses.values_list("position", "answer_text"))
    assert answers[first] == "first answer"
    assert answers[second] == "second, rewritten"


def test_answer_over_the_limit_gets_a_clear_message_and_is_not_saved(client, learner, crm_topic):
    client.force_login(learner)
    start(client, crm_topic)
    attempt = Attempt.objects.get(learner=learner)

    response = client.post(
        reverse("assessments:question", args=[attempt.pk, 1]), {"answer": "x" * 5001}
    )

    assert response.status_code == 200
    assert "answers are limited to 5000 characters" in response.content.decode()
    assert attempt.responses.get(position=1).answer_text == ""


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "😀🎉🔥" * 50,
        "<script>alert('x')</script> contact management",
        "'; DROP TABLE assessments_response; --",
        "control\x01\x07chars\x1b[31m",
        "a" * 4999,
    ],
)
def test_hostile_answers_are_stored_marked_and_shown_escaped(client, learner, crm_topic, answer):
    client.force_login(learner)
    start(client, crm_topic, layout="all")
    attempt = Attempt.objects.get(learner=learner)

    client.post(
        reverse("assessments:all", args=[attempt.pk]), {"action": "submit", "q1-answer": answer}
    )

    attempt.refresh_from_db()
    assert attempt.is_submitted
    html = client.get(reverse("assessments:results", args=[attempt.pk])).content.decode()
    assert "<script>alert" not in html


def test_choice_question_is_marked_right_or_wrong(client, learner, crm_topic):
    client.force_login(learner)
    start(client, crm_topic, layout="all")
    attempt = Attempt.objects.get(learner=learner)
    choice = attempt.responses.exclude(question__kind=Question.Kind.SHORT_ANSWER).first()
    (correct,) = choice.question.correct_positions()

    client.post(
        reverse("assessments:all", args=[attempt.pk]),
        {"action": "submit", f"q{choice.position}-choice": str(correct)},
    )

    choice.refresh_from_db()
    assert choice.awarded is True and choice.score == 1


def test_retry_starts_a_new_attempt_at_the_same_questions(client, learner, crm_topic):
    client.force_login(learner)
    start(client, crm_topic)
    attempt = Attempt.objects.get(learner=learner)
    client.post(reverse("assessments:submit", args=[attempt.pk]))

    response = client.post(reverse("assessments:retry", args=[attempt.pk]))

    retry = Attempt.objects.exclude(pk=attempt.pk).get(learner=learner)
    assert retry.retry_of == attempt
    assert response.url == reverse("assessments:question", args=[retry.pk, 1])
    assert list(retry.responses.values_list("question_id", flat=True)) == list(
        attempt.responses.values_list("question_id", flat=True)
    )


def test_retry_posted_again_returns_the_same_new_attempt(client, learner, crm_topic):
    """A double click, a refresh or a second tab: one retry, not one per POST (issue 14 #13)."""
    client.force_login(learner)
    start(client, crm_topic)
    attempt = Attempt.objects.get(learner=learner)
    client.post(reverse("assessments:submit", args=[attempt.pk]))
    url = reverse("assessments:retry", args=[attempt.pk])

    replies = [client.post(url) for _ in range(10)]

    retries = Attempt.objects.filter(learner=learner, retry_of=attempt)
    assert retries.count() == 1
    assert {reply.url for reply in replies} == {
        reverse("assessments:question", args=[retries.get().pk, 1])
    }


def test_once_the_retry_is_submitted_retrying_again_starts_another(client, learner, crm_topic):
    client.force_login(learner)
    start(client, crm_topic)
    attempt = Attempt.objects.get(learner=learner)
    client.post(reverse("assessments:submit", args=[attempt.pk]))
    client.post(reverse("assessments:retry", args=[attempt.pk]))
    first_retry = Attempt.objects.get(retry_of=attempt)
    client.post(reverse("assessments:submit", args=[first_retry.pk]))

    client.post(reverse("assessments:retry", args=[attempt.pk]))

    assert Attempt.objects.filter(retry_of=attempt).count() == 2


def test_mixed_quiz_spans_topics(learner, imported_seeds):
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.MIXED, seed=7)

    topics = set(attempt.responses.values_list("question__topic", flat=True))
    assert attempt.responses.count() == 10
    assert len(topics) > 1


def test_weak_points_quiz_needs_missed_points_first(client, learner, crm_topic):
    with pytest.raises(QuizError, match="no weak points"):
        start_attempt(learner=learner, kind=Attempt.Kind.WEAK_POINTS)
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=crm_topic)
    submit_attempt(attempt=attempt, answers={1: CRM_ANSWER})

    weak = start_attempt(learner=learner, kind=Attempt.Kind.WEAK_POINTS)

    asked = set(weak.responses.values_list("question__marking_point__position", flat=True))
    assert asked == {2, 3, 4}  # point 1 was credited


def test_weak_points_without_history_shows_a_message(client, learner, imported_seeds):
    client.force_login(learner)

    response = client.post(reverse("assessments:start"), {"kind": "weak_points"}, follow=True)

    assert "no weak points to practise yet" in response.content.decode()


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_every_seed_topic_can_be_quizzed_and_shows_per_point_feedback(
    client, learner, imported_seeds, prefix
):
    topic = Topic.objects.get(source_file__startswith=prefix)
    client.force_login(learner)
    start(client, topic, layout="all")
    attempt = Attempt.objects.get(learner=learner)
    first_point = topic.marking_points.active().order_by("position").first()

    client.post(
        reverse("assessments:all", args=[attempt.pk]),
        {"action": "submit", "q1-answer": f"My answer mentions {first_point.text[:60]}"},
    )

    html = client.get(reverse("assessments:results", args=[attempt.pk])).content.decode()
    assert attempt.responses.filter(question__kind=Question.Kind.SHORT_ANSWER).count() == (
        topic.marking_points.active().count()
    )
    assert "Feedback:" in html
    assert html.count('class="card mb-3"') == attempt.responses.count()


def test_remarking_with_a_changed_rubric_keeps_the_earlier_result(admin_client, learner, crm_topic):
    from assessments.models import Indicator, ResultRevision

    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=crm_topic, seed=1)
    submit_attempt(attempt=attempt, answers={1: "Loyalty cards and a points scheme."})
    response = attempt.responses.get(position=1)
    assert response.awarded is False
    question = response.question
    # An admin decides loyalty schemes count as a CRM feature, and one feature is enough.
    Question.objects.filter(pk=question.pk).update(required_count=1, is_customised=True)
    Indicator.objects.create(
        question=question, position=99, label="loyalty scheme", alternatives=["loyalty cards"]
    )

    admin_client.post(
        reverse("admin:assessments_response_changelist"),
        {"action": "remark_with_current_rubric", "_selected_action": [response.pk]},
    )

    response.refresh_from_db()
    assert response.awarded is True
    assert response.rubric_snapshot["required_count"] == 1
    earlier = ResultRevision.objects.get(response=response)
    assert earlier.awarded is False
    assert earlier.rubric_snapshot["required_count"] == 3
    assert PointMastery.objects.get(response=response).credited is True


def test_an_unfinished_quiz_has_a_continue_link_on_quiz_home(client, learner, crm_topic):
    client.force_login(learner)
    start(client, crm_topic)
    attempt = Attempt.objects.get(learner=learner)
    client.post(
        reverse("assessments:question", args=[attempt.pk, 1]),
        {"answer": CRM_ANSWER, "action": "next"},
    )

    html = client.get(reverse("assessments:home")).content.decode()
    continue_url = reverse("assessments:question", args=[attempt.pk, 1])
    assert "Unfinished quizzes" in html
    assert f'href="{continue_url}"' in html
    assert f"1 of {attempt.responses.count()} answered" in html

    client.post(reverse("assessments:submit", args=[attempt.pk]))
    html = client.get(reverse("assessments:home")).content.decode()
    assert "Unfinished quizzes" not in html
