"""Issue 15 item 2: tutors write short-answer, multiple-choice and true/false questions on the
site. Who may add, edit, retire and try them, how bad answer keys are refused, and that their
questions are asked and marked like generated ones."""

import pytest
from django.urls import reverse

from assessments.models import AnswerOption, Attempt, Question, Response
from assessments.services import start_attempt, submit_attempt
from assessments.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SHORT_ANSWER = {
    "name": "Loyalty benefits",
    "prompt": "Explain one benefit to a business of keeping loyal customers.",
    "marking_guidance": "Award credit for explaining that loyal customers make repeat purchases.",
    "model_answer": "Loyal customers make repeat purchases, so the business earns more "
    "revenue from each customer.",
    "general_feedback": "Keeping a customer costs less than finding a new one.",
}
# A learner's answer that earns the point above.
CREDITED_ANSWER = "They come back and buy again, which brings in more money."


def options_data(rows, *, prefix="options"):
    """The option formset's POST data for ``rows`` of (text, correct, feedback)."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "12",
    }
    for i, (text, correct, feedback) in enumerate(rows):
        data[f"{prefix}-{i}-text"] = text
        data[f"{prefix}-{i}-feedback"] = feedback
        if correct:
            data[f"{prefix}-{i}-is_correct"] = "on"
    return data


def choice_data(rows, **fields):
    return {
        "name": "",
        "prompt": "Which of these is a way to measure customer loyalty?",
        "general_feedback": "",
        **fields,
        **options_data(rows),
    }


MC_ROWS = [
    ("Net Promoter Score", True, "Yes: it asks how likely customers are to recommend you."),
    ("Gross margin", False, "That measures profit, not loyalty."),
    ("Staff turnover", False, ""),
    ("", False, ""),
]


def add_url(topic, kind):
    return reverse("authoring:add", args=[topic.slug, kind])


@pytest.fixture
def topic(db, seed_bytes):
    from topics.services import import_seed_bytes

    return import_seed_bytes(source_name="000_7ea13c0c7803a35f.txt", data=seed_bytes("000")).topic


@pytest.fixture
def learner():
    return UserFactory(username="lena")


@pytest.fixture
def admin_user():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def written(client, tutor, topic, kind="short_answer", data=None) -> Question:
    client.force_login(tutor)
    response = client.post(add_url(topic, kind), data or SHORT_ANSWER)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Question.objects.filter(topic=topic, author=tutor).latest("pk")


# --- adding ----------------------------------------------------------------------------------


def test_a_tutor_adds_a_short_answer_question_with_a_rubric_built_for_the_marker(
    client, tutor, topic
):
    question = written(client, tutor, topic)

    assert question.origin == Question.Origin.AUTHORED and question.author == tutor
    assert question.kind == Question.Kind.SHORT_ANSWER and question.is_active
    assert question.marking_guidance == SHORT_ANSWER["marking_guidance"]
    assert question.indicators.exists()
    page = client.get(reverse("authoring:topic", args=[topic.slug])).content.decode()
    assert "Loyalty benefits" in page


def test_a_short_answer_needs_a_model_answer(client, tutor, topic):
    client.force_login(tutor)

    response = client.post(add_url(topic, "short_answer"), {**SHORT_ANSWER, "model_answer": ""})

    assert response.status_code == 200
    assert "model_answer" in response.context["form"].errors
    assert not Question.objects.filter(author=tutor).exists()


def test_a_tutor_adds_a_multiple_choice_question_with_feedback_per_option(client, tutor, topic):
    question = written(client, tutor, topic, "multiple_choice", choice_data(MC_ROWS))

    options = list(question.options.order_by("position"))
    assert [o.text for o in options] == ["Net Promoter Score", "Gross margin", "Staff turnover"]
    assert [o.is_correct for o in options] == [True, False, False]
    assert options[1].feedback == "That measures profit, not loyalty."
    assert question.multiple_answers is False


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("Net Promoter Score", False, ""), ("Gross margin", False, "")], "none is marked"),
        ([("Net Promoter Score", True, ""), ("Gross margin", True, "")], "one right"),
        ([("Net Promoter Score", True, "")], "at least two options"),
    ],
)
def test_an_option_set_that_cannot_be_marked_is_refused_with_a_message(
    client, tutor, topic, rows, message
):
    client.force_login(tutor)

    response = client.post(add_url(topic, "multiple_choice"), choice_data(rows))

    assert response.status_code == 200
    assert message in " ".join(response.context["option_errors"])
    assert 'id="option-errors"' in response.content.decode()
    assert not Question.objects.filter(author=tutor).exists()


def test_several_right_answers_are_allowed_when_ticked(client, tutor, topic):
    rows = [("Repeat purchases", True, ""), ("Referrals", True, ""), ("Higher costs", False, "")]

    question = written(
        client, tutor, topic, "multiple_choice", choice_data(rows, multiple_answers="on")
    )

    assert question.multiple_answers is True
    assert question.correct_positions() == [0, 1]


def test_a_tutor_adds_a_true_false_question_choosing_which_is_true(client, tutor, topic):
    data = {
        "prompt": "A loyal customer always buys the cheapest option.",
        "answer": "false",
        "feedback_true": "Loyal customers often pay more for a brand they trust.",
        "feedback_false": "Right: loyalty is not about price alone.",
        "general_feedback": "",
        "name": "",
    }

    question = written(client, tutor, topic, "true_false", data)

    options = {o.text: o for o in question.options.all()}
    assert question.kind == Question.Kind.TRUE_FALSE
    assert options["False"].is_correct and not options["True"].is_correct
    assert options["True"].feedback.startswith("Loyal customers often pay more")


def test_an_unknown_kind_is_not_found(client, tutor, topic):
    client.force_login(tutor)

    assert client.get(add_url(topic, "concept_choice")).status_code == 404
    assert client.get(add_url(topic, "essay")).status_code == 404


# --- editing and who may -------------------------------------------------------------------


def test_a_tutor_edits_their_own_question(client, tutor, topic):
    question = written(client, tutor, topic, "multiple_choice", choice_data(MC_ROWS))
    rows = [("Customer retention rate", True, ""), ("Gross margin", False, "")]

    response = client.post(
        reverse("authoring:edit", args=[question.pk]),
        choice_data(rows, prompt="Which of these measures loyalty?"),
    )

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.prompt == "Which of these measures loyalty?"
    assert question.option_texts() == ["Customer retention rate", "Gross margin"]


def test_a_tutor_cannot_edit_or_retire_another_tutors_question(client, tutor, other_tutor, topic):
    question = written(client, tutor, topic)
    client.force_login(other_tutor)

    for name in ["authoring:edit", "authoring:retire"]:
        assert client.get(reverse(name, args=[question.pk])).status_code == 404
        assert client.post(reverse(name, args=[question.pk]), SHORT_ANSWER).status_code == 404
    question.refresh_from_db()
    assert question.prompt == SHORT_ANSWER["prompt"] and question.is_active
    page = client.get(reverse("authoring:topic", args=[topic.slug])).content.decode()
    assert "Loyalty benefits" not in page


def test_a_tutor_cannot_edit_or_retire_a_generated_question(client, tutor, topic):
    generated = topic.questions.filter(origin=Question.Origin.GENERATED).first()
    client.force_login(tutor)

    for name in ["authoring:edit", "authoring:retire"]:
        assert client.post(reverse(name, args=[generated.pk]), SHORT_ANSWER).status_code == 404
    generated.refresh_from_db()
    assert generated.is_active and generated.prompt != SHORT_ANSWER["prompt"]


def test_a_tutor_cannot_edit_an_imported_question_but_an_admin_can(
    client, tutor, admin_user, topic
):
    imported = written(client, tutor, topic)
    Question.objects.filter(pk=imported.pk).update(origin=Question.Origin.IMPORTED, author=None)

    assert client.get(reverse("authoring:edit", args=[imported.pk])).status_code == 404
    client.force_login(admin_user)
    assert client.get(reverse("authoring:edit", args=[imported.pk])).status_code == 200


def test_an_admin_edits_any_tutors_question(client, tutor, admin_user, topic):
    question = written(client, tutor, topic)
    client.force_login(admin_user)

    response = client.post(
        reverse("authoring:edit", args=[question.pk]), {**SHORT_ANSWER, "name": "Renamed"}
    )

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.name == "Renamed" and question.author == tutor


@pytest.mark.parametrize("who", ["learner", "anonymous"])
def test_learners_and_visitors_never_reach_the_authoring_pages(client, tutor, learner, topic, who):
    question = written(client, tutor, topic)
    client.logout()
    if who == "learner":
        client.force_login(learner)
    urls = [
        reverse("authoring:home"),
        reverse("authoring:topic", args=[topic.slug]),
        add_url(topic, "short_answer"),
        reverse("authoring:edit", args=[question.pk]),
        reverse("authoring:retire", args=[question.pk]),
        reverse("authoring:try", args=[question.pk]),
    ]

    for url in urls:
        response = client.post(url, SHORT_ANSWER)
        if who == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 404, url
    assert Question.objects.filter(author=tutor).count() == 1


# --- retiring --------------------------------------------------------------------------------


def test_retiring_asks_first_then_keeps_learners_answers_linked(client, tutor, learner, topic):
    question = written(client, tutor, topic)
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=1)
    answered = attempt.responses.get(question=question)
    submit_attempt(attempt=attempt, answers={answered.position: CREDITED_ANSWER})

    confirm = client.get(reverse("authoring:retire", args=[question.pk]))
    assert confirm.status_code == 200 and "keep their answers" in confirm.content.decode()
    question.refresh_from_db()
    assert question.is_active  # asking is not retiring

    client.post(reverse("authoring:retire", args=[question.pk]))

    question.refresh_from_db()
    answered.refresh_from_db()
    assert not question.is_active
    assert answered.question_id == question.pk and answered.marked_at is not None
    client.force_login(learner)
    results = client.get(reverse("assessments:results", args=[attempt.pk])).content.decode()
    assert SHORT_ANSWER["prompt"] in results
    fresh = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=2)
    assert not fresh.responses.filter(question=question).exists()


# --- asked and marked like generated questions ---------------------------------------------


def test_written_questions_are_in_topic_quizzes_and_marked_by_the_same_marker(
    client, tutor, learner, topic
):
    short = written(client, tutor, topic)
    choice = written(client, tutor, topic, "multiple_choice", choice_data(MC_ROWS))

    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=3)
    positions = {r.question_id: r.position for r in attempt.responses.all()}
    assert short.pk in positions and choice.pk in positions
    submit_attempt(
        attempt=attempt,
        answers={positions[short.pk]: CREDITED_ANSWER, positions[choice.pk]: 0},
    )

    short_response = Response.objects.get(attempt=attempt, question=short)
    choice_response = Response.objects.get(attempt=attempt, question=choice)
    assert short_response.awarded is True
    assert short_response.result["matches"]  # the marker's evidence, as for any short answer
    assert choice_response.awarded is True


def test_a_learner_is_not_credited_for_a_wrong_option(client, tutor, learner, topic):
    choice = written(client, tutor, topic, "multiple_choice", choice_data(MC_ROWS))
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=3)
    position = attempt.responses.get(question=choice).position

    submit_attempt(attempt=attempt, answers={position: 1})

    assert Response.objects.get(attempt=attempt, question=choice).awarded is False


# --- the lists -------------------------------------------------------------------------------

# Session and user, the tutor check (with the unread count), the topic, the page's count and
# its questions.
TOPIC_LIST_QUERIES = 6


@pytest.mark.parametrize("size", [2, 30])
def test_questions_you_wrote_has_a_constant_query_count(
    client, django_assert_num_queries, tutor, topic, size
):
    for number in range(size):
        Question.objects.create(
            topic=topic,
            kind=Question.Kind.SHORT_ANSWER,
            prompt=f"Question {number}",
            origin=Question.Origin.AUTHORED,
            author=tutor,
        )
    client.force_login(tutor)

    with django_assert_num_queries(TOPIC_LIST_QUERIES):
        response = client.get(reverse("authoring:topic", args=[topic.slug]))

    assert response.status_code == 200
    assert response.context["page"].paginator.count == size


def test_the_topic_list_counts_each_tutors_own_questions(client, tutor, other_tutor, topic):
    written(client, tutor, topic)
    client.force_login(other_tutor)

    page = client.get(reverse("authoring:home"))

    row = next(t for t in page.context["page"] if t.pk == topic.pk)
    assert row.written == 0


def test_options_are_rows_not_json(client, tutor, topic):
    question = written(client, tutor, topic, "multiple_choice", choice_data(MC_ROWS))

    html = client.get(reverse("authoring:edit", args=[question.pk])).content.decode()

    assert 'name="options-0-is_correct"' in html and "checked" in html
    assert AnswerOption.objects.filter(question=question).count() == 3


# --- trying, and the links to it -----------------------------------------------------------


def test_the_try_page_marks_an_answer_with_the_evidence_and_saves_nothing(client, tutor, topic):
    question = written(client, tutor, topic)
    responses, attempts = Response.objects.count(), Attempt.objects.count()

    page = client.post(reverse("authoring:try", args=[question.pk]), {"answer": CREDITED_ANSWER})

    html = page.content.decode()
    assert page.status_code == 200
    assert "Credited" in html and "What earned credit" in html
    assert "Ideas the marker looks for" in html  # the rubric preview
    assert SHORT_ANSWER["general_feedback"] in html
    assert (Response.objects.count(), Attempt.objects.count()) == (responses, attempts)


def test_the_try_page_shows_each_options_feedback_for_a_choice(client, tutor, topic):
    question = written(client, tutor, topic, "multiple_choice", choice_data(MC_ROWS))

    html = client.post(reverse("authoring:try", args=[question.pk]), {"choice": "1"}).content
    html = html.decode()

    assert "Not credited" in html
    assert "That measures profit, not loyalty." in html


def test_staff_who_are_not_tutors_may_try_but_not_write_questions(client, topic):
    editor = UserFactory(username="editor", is_staff=True)
    question = topic.questions.first()
    client.force_login(editor)

    assert client.get(reverse("authoring:try", args=[question.pk])).status_code == 200
    assert client.get(reverse("authoring:home")).status_code == 404


def test_the_admin_question_page_links_to_try_it_and_to_the_site(client, admin_user, topic):
    question = topic.questions.first()
    client.force_login(admin_user)

    html = client.get(
        reverse("admin:assessments_question_change", args=[question.pk])
    ).content.decode()

    assert reverse("authoring:try", args=[question.pk]) in html
    assert "Try this question" in html and "View on site" in html


def test_the_tutor_list_links_each_question_to_try_it(client, tutor, topic):
    question = written(client, tutor, topic)

    html = client.get(reverse("authoring:topic", args=[topic.slug])).content.decode()

    assert reverse("authoring:try", args=[question.pk]) in html


# --- flashcards ------------------------------------------------------------------------------


def test_a_written_question_is_a_flashcard_for_learners_revising_the_topic(
    client, tutor, learner, topic
):
    from revision.models import Card
    from revision.selectors import card_face
    from revision.services import study_topics

    study_topics(learner=learner, topics=[topic])
    question = written(client, tutor, topic)

    card = Card.objects.get(learner=learner, kind=Card.Kind.QUESTION)
    face = card_face(card)
    assert face.front == SHORT_ANSWER["prompt"] and face.back == SHORT_ANSWER["model_answer"]

    client.post(reverse("authoring:retire", args=[question.pk]))

    card.refresh_from_db()
    assert card.retired_at is not None


def test_written_questions_are_drawn_into_assignments(client, tutor, topic):
    from assignments.services import choose_questions

    short = written(client, tutor, topic)
    choice = written(client, tutor, topic, "multiple_choice", choice_data(MC_ROWS))

    pool = choose_questions(topics=[topic], marking_points=[], count=1000, seed=1)

    assert {short.pk, choice.pk} <= {q.pk for q in pool}


# Session and user, the tutor check (with the unread count), the page's count and its topics
# with their counts of written questions.
HOME_QUERIES = 5


@pytest.mark.parametrize("size", [1, 40])
def test_the_topic_list_has_a_constant_query_count(client, django_assert_num_queries, tutor, size):
    from topics.tests.factories import TopicFactory

    for topic in TopicFactory.create_batch(size):
        Question.objects.create(
            topic=topic,
            kind=Question.Kind.SHORT_ANSWER,
            prompt="Written",
            origin=Question.Origin.AUTHORED,
            author=tutor,
        )
    client.force_login(tutor)

    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(reverse("authoring:home"))

    assert response.status_code == 200
    assert [t.written for t in response.context["page"]] == [1] * size
