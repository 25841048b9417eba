import re

import pytest

from assessments.generation import as_practice
from assessments.models import AnswerOption, Question
from assessments.services import sync_question_bank
from topics.models import MarkingPoint, Topic
from topics.services import import_seed_bytes

pytestmark = pytest.mark.django_db

POINTS_PER_SEED = {"000": 4, "001": 4, "002": 8, "003": 8, "004": 3}


@pytest.mark.parametrize("prefix", sorted(POINTS_PER_SEED))
def test_every_marking_point_gets_a_readable_short_answer_question(imported_seeds, prefix):
    topic = Topic.objects.get(source_file__startswith=prefix)

    questions = list(topic.questions.filter(kind=Question.Kind.SHORT_ANSWER, is_active=True))

    assert len(questions) == POINTS_PER_SEED[prefix]
    assert {q.marking_point_id for q in questions} == set(
        topic.marking_points.active().values_list("pk", flat=True)
    )
    for question in questions:
        assert re.match(r"^[A-Z][a-z]+", question.prompt), question.prompt
        assert question.prompt.endswith((".", "?")), question.prompt
        assert "award credit" not in question.prompt.lower()
        # Either the marker can mark it (it has something to look for) or a tutor will.
        assert question.indicators.exists() or not question.auto_markable


def test_crm_features_point_becomes_an_identify_three_question(imported_seeds):
    point = MarkingPoint.objects.get(text__startswith="Award credit for accurately identifying")

    question = point.questions.get()

    assert question.prompt.startswith("Identify at least three features of a CRM system")
    assert question.required_count == 3
    labels = " ".join(question.indicators.values_list("label", flat=True)).lower()
    assert "contact management" in labels


def test_role_play_point_is_flagged_for_the_tutor(imported_seeds):
    point = MarkingPoint.objects.get(text__contains="simulated customer interaction")

    assert point.questions.get().auto_markable is False


def test_multiple_choice_questions_are_generated_per_topic(imported_seeds):
    topic = Topic.objects.get(source_file__startswith="000")

    concept = topic.questions.filter(kind=Question.Kind.CONCEPT_CHOICE)
    mistakes = topic.questions.filter(kind=Question.Kind.MISCONCEPTION_CHOICE)

    assert concept.count() == 5
    assert mistakes.count() == 3
    for question in [*concept, *mistakes]:
        assert len(question.option_texts()) == 4
        assert len(set(question.option_texts())) == 4
        assert len(question.correct_positions()) == 1
        assert question.origin == Question.Origin.GENERATED
    statements = {
        as_practice(statement, mistake=True)
        for statement in topic.misconceptions.values_list("statement", flat=True)
    }
    for question in mistakes:
        (right,) = question.correct_positions()
        assert question.option_texts()[right] in statements
        assert sum(1 for choice in question.option_texts() if choice in statements) == 1


def test_regeneration_is_idempotent_and_reproducible(imported_seeds):
    topic = Topic.objects.get(source_file__startswith="002")

    def bank():
        questions = topic.questions.prefetch_related("options")
        return [(q.pk, q.prompt, q.option_texts(), q.correct_positions()) for q in questions]

    def option_ids():
        return sorted(
            AnswerOption.objects.filter(question__topic=topic).values_list("pk", flat=True)
        )

    before, ids_before = bank(), option_ids()

    report = sync_question_bank(topic=topic)

    assert report.created == 0 and report.retired == 0
    assert bank() == before
    # Unchanged options are not rewritten (their history would record a change that is none).
    assert option_ids() == ids_before


def test_a_question_edited_by_a_person_survives_reimport(seed_bytes):
    data = seed_bytes("000")
    topic = import_seed_bytes(source_name="000.txt", data=data).topic
    question = topic.questions.filter(kind=Question.Kind.SHORT_ANSWER).first()
    Question.objects.filter(pk=question.pk).update(prompt="My own wording.", is_customised=True)

    import_seed_bytes(source_name="000.txt", data=data + b"\n- Award credit for one more idea.")

    question.refresh_from_db()
    assert question.prompt == "My own wording."
    assert topic.questions.filter(kind=Question.Kind.SHORT_ANSWER, is_active=True).count() == 5


def test_question_for_a_retired_point_is_deactivated_not_deleted(seed_bytes):
    data = seed_bytes("004")
    topic = import_seed_bytes(source_name="004.txt", data=data).topic
    last_point = topic.marking_points.order_by("-position").first()
    question = last_point.questions.get()
    lines = data.decode().splitlines()
    shorter = "\n".join(line for line in lines if not line.startswith("- Credit should be given"))

    import_seed_bytes(source_name="004.txt", data=shorter.encode())

    question.refresh_from_db()
    assert question.is_active is False
    assert topic.questions.filter(kind=Question.Kind.SHORT_ANSWER, is_active=True).count() == 2


def test_a_concept_named_twice_still_imports_with_one_question():
    seed = b"""Topic Synopsis
This unit explores complaint handling.
Key Concepts
- Escalation: passing a complaint to a manager.
- Escalation: moving a complaint up a level when it exceeds your authority.
- Empathy: understanding how the customer feels.
Examiner Marking Points
- Award credit for explaining when to escalate a complaint.
"""

    result = import_seed_bytes(source_name="dup.txt", data=seed)

    assert result.status == "created", result.message
    keys = list(result.topic.questions.values_list("source_key", flat=True))
    assert keys.count("concept:escalation") == 1


def _topic_with_points(points: int) -> Topic:
    from topics.tests.factories import (
        ExamTipFactory,
        KeyConceptFactory,
        MarkingPointFactory,
        MisconceptionFactory,
        TopicFactory,
    )

    topic = TopicFactory()
    for n in range(points):
        MarkingPointFactory(topic=topic, text=f"Award credit for explaining benefit {n} of CRM.")
        KeyConceptFactory(topic=topic, term=f"Concept {n}", explanation=f"Idea number {n}.")
        ExamTipFactory(topic=topic)
        MisconceptionFactory(topic=topic)
    return topic


# A new topic's bank, whatever its size: savepoint; the existing questions (none), its active
# marking points, its key concepts, its qualification (which lexicon its rubrics use), its exam
# tips, its misconceptions; one batched insert of the questions and one of their history rows,
# the same for the indicators and for the choice questions' answer options; the learners' topic
# summaries refreshed; who revises the topic (nobody yet: no revision cards to sync); release.
# (Other topics' concept terms are read only for a topic with fewer than four concepts.)
NEW_BANK_QUERIES = 16


@pytest.mark.parametrize("points", [4, 12])
def test_a_new_topics_bank_is_written_in_batches(django_assert_num_queries, points):
    topic = _topic_with_points(points)

    with django_assert_num_queries(NEW_BANK_QUERIES) as captured:
        report = sync_question_bank(topic=topic)

    assert report.created >= 2 * points  # a short-answer and a concept question each, at least
    assert Question.objects.filter(topic=topic).count() == report.created
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 6


def test_a_topic_with_few_concepts_draws_distractors_from_other_topics():
    from topics.tests.factories import KeyConceptFactory, TopicFactory

    other = TopicFactory()
    for term in ("Escalation", "Empathy", "Rapport", "Loyalty"):
        KeyConceptFactory(topic=other, term=term, explanation=f"About {term.lower()}.")
    topic = TopicFactory()
    KeyConceptFactory(topic=topic, term="Retention", explanation="Keeping customers.")

    sync_question_bank(topic=topic)

    question = topic.questions.get(source_key="concept:retention")
    assert len(question.option_texts()) == 4
    assert set(question.option_texts()) - {"Retention"} <= {
        "Escalation",
        "Empathy",
        "Rapport",
        "Loyalty",
    }


def test_every_generated_question_and_indicator_records_its_creation(seed_bytes):
    from assessments.models import Indicator

    topic = import_seed_bytes(source_name="002.txt", data=seed_bytes("002")).topic

    questions = Question.objects.filter(topic=topic)
    indicators = Indicator.objects.filter(question__topic=topic)
    assert questions.exists() and indicators.exists()
    for model, rows in ((Question, questions), (Indicator, indicators)):
        history = model.history.filter(id__in=rows.values("id"))
        assert history.count() == rows.count()
        assert set(history.values_list("history_type", flat=True)) == {"+"}


def test_an_unchanged_reimport_writes_no_history(seed_bytes):
    from assessments.models import Indicator

    data = seed_bytes("003")
    import_seed_bytes(source_name="003.txt", data=data)
    counts = (Question.history.count(), Indicator.history.count())
    topic = Topic.objects.get(source_file="003.txt")

    assert import_seed_bytes(source_name="003.txt", data=data).status == "unchanged"
    report = sync_question_bank(topic=topic)  # regenerating unchanged content changes nothing

    assert report.retired == 0
    assert (Question.history.count(), Indicator.history.count()) == counts
