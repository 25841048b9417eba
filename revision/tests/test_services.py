"""Cards, quiz reviews, flashcard ratings, re-imports and rebuilding, through the services."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments.models import Attempt, Response
from assessments.services import override_mark, remark_responses, submit_attempt
from assessments.tests.factories import (
    AttemptFactory,
    ChoiceQuestionFactory,
    IndicatorFactory,
    ShortAnswerQuestionFactory,
    UserFactory,
)
from revision import services
from revision.models import Card, ReviewLog, StudiedTopic
from topics.services import import_seed_bytes
from topics.tests.factories import KeyConceptFactory, MisconceptionFactory, TopicFactory

pytestmark = pytest.mark.django_db

CREDITED = "Customers come back and make repeat purchases."
NOT_CREDITED = "They like the colour of the shop."

SMALL_SEED = b"""Topic Synopsis
This unit explores how contact centres handle complaints. It covers escalation.
Key Concepts & Core Principles
- Escalation: passing a complaint to someone with more authority.
Common Mistakes
- Thinking every complaint must be escalated. Correction: most are resolved at first contact.
Examiner Marking Points
- Award credit for identifying two complaint channels.
- Award credit for explaining when to escalate a complaint.
- Award credit for describing a service recovery strategy.
"""


def quiz(learner, topic, questions, answers) -> Attempt:
    attempt = AttemptFactory(learner=learner, topic=topic)
    for position, question in enumerate(questions, start=1):
        Response.objects.create(attempt=attempt, question=question, position=position)
    submit_attempt(attempt=attempt, answers=answers)
    attempt.refresh_from_db()
    assert attempt.marked_at is not None
    return attempt


@pytest.fixture
def topic_world():
    topic = TopicFactory()
    questions = []
    for _ in range(2):
        question = ShortAnswerQuestionFactory(topic=topic)
        IndicatorFactory(question=question)
        questions.append(question)
    KeyConceptFactory(topic=topic, term="Escalation", explanation="Passing a complaint upwards.")
    MisconceptionFactory(topic=topic)
    return topic, questions


def point_card(learner, question) -> Card:
    return Card.objects.get(
        learner=learner, kind=Card.Kind.POINT, marking_point=question.marking_point
    )


def test_answering_a_quiz_makes_the_topic_revised_and_moves_the_answered_cards(topic_world):
    topic, (q1, q2) = topic_world
    learner = UserFactory()

    attempt = quiz(learner, topic, [q1, q2], {1: CREDITED, 2: NOT_CREDITED})

    assert StudiedTopic.objects.filter(learner=learner, topic=topic).exists()
    kinds = sorted(Card.objects.filter(learner=learner).values_list("kind", flat=True))
    assert kinds == ["definition", "misconception", "point", "point", "term"]
    good, again = point_card(learner, q1), point_card(learner, q2)
    assert good.reps == again.reps == 1
    assert good.last_review == again.last_review == attempt.submitted_at
    assert good.due > again.due  # credited → Good, not credited → Again
    assert set(ReviewLog.objects.values_list("rating", "source")) == {(3, "quiz"), (1, "quiz")}
    # Cards the quiz did not test stay new.
    assert Card.objects.filter(learner=learner, last_review__isnull=True).count() == 3


def test_multiple_choice_answers_review_their_concept_card(topic_world):
    topic, _ = topic_world
    learner = UserFactory()
    choice = ChoiceQuestionFactory(topic=topic, source_key="concept:escalation")

    quiz(learner, topic, [choice], {1: 0})

    card = Card.objects.get(learner=learner, kind=Card.Kind.DEFINITION)
    assert card.reps == 1
    assert card.reviews.get().rating == ReviewLog.Rating.HARD


def test_blank_answers_review_nothing(topic_world):
    topic, (q1, _) = topic_world
    learner = UserFactory()

    quiz(learner, topic, [q1], {})

    assert not ReviewLog.objects.exists()


def test_marking_again_or_remarking_does_not_review_twice(topic_world):
    topic, (q1, _) = topic_world
    learner = UserFactory()
    attempt = quiz(learner, topic, [q1], {1: CREDITED})
    before = Card.objects.values_list("pk", "due", "reps", "stability").get(
        pk=point_card(learner, q1).pk
    )

    responses = list(attempt.responses.select_related("question"))
    services.record_quiz_reviews(
        learner_id=learner.pk, responses=responses, reviewed_at=attempt.submitted_at
    )
    remark_responses(responses=responses, reason="rubric changed")

    assert ReviewLog.objects.count() == 1
    after = Card.objects.values_list("pk", "due", "reps", "stability").get(pk=before[0])
    assert after == before


def test_a_tutors_override_corrects_the_review_and_replays_the_card(topic_world, tutor):
    topic, (q1, _) = topic_world
    learner = UserFactory()
    attempt = quiz(learner, topic, [q1], {1: CREDITED})
    card = point_card(learner, q1)
    credited_due = card.due

    override_mark(response=attempt.responses.get(), tutor=tutor, awarded=False, comment="No.")

    card.refresh_from_db()
    log = ReviewLog.objects.get()
    assert log.rating == ReviewLog.Rating.AGAIN
    assert card.reps == 1
    assert card.due < credited_due

    override_mark(response=attempt.responses.get(), tutor=tutor, awarded=None)
    card.refresh_from_db()
    assert card.due == credited_due


def test_rating_a_flashcard_is_idempotent_for_the_same_card_view(topic_world):
    topic, _ = topic_world
    learner = UserFactory()
    services.study_topics(learner=learner, topics=[topic])
    card = Card.objects.filter(learner=learner).first()
    now = timezone.now()

    first = services.rate_card(card=card, learner=learner, rating=3, token=0, now=now)
    second = services.rate_card(card=card, learner=learner, rating=3, token=0, now=now)

    assert (first, second) == (True, False)
    card.refresh_from_db()
    assert card.reps == 1
    log = ReviewLog.objects.get()
    assert (log.source, log.was_new) == ("flashcard", True)


def test_rating_refuses_a_bad_rating_and_another_learners_card(topic_world):
    topic, _ = topic_world
    learner, other = UserFactory(), UserFactory()
    services.study_topics(learner=learner, topics=[topic])
    card = Card.objects.filter(learner=learner).first()

    with pytest.raises(services.RevisionError):
        services.rate_card(card=card, learner=learner, rating=7, token=0)
    with pytest.raises(services.RevisionError):
        services.rate_card(card=card, learner=other, rating=3, token=0)
    assert not ReviewLog.objects.exists()


def test_a_schedule_survives_reimport_and_cards_of_retired_points_retire():
    topic = import_seed_bytes(source_name="900_small.txt", data=SMALL_SEED).topic
    learner = UserFactory()
    services.study_topics(learner=learner, topics=[topic])
    assert Card.objects.filter(learner=learner).count() == 3 + 2 + 1
    now = timezone.now()
    for card in Card.objects.filter(learner=learner):
        services.rate_card(card=card, learner=learner, rating=3, token=0, now=now)
    states = dict(Card.objects.values_list("content_key", "due"))
    removed = topic.marking_points.get(position=3)

    # The same file with a point removed and a new concept: cards keep their schedule.
    changed = SMALL_SEED.replace(
        b"- Award credit for describing a service recovery strategy.\n", b""
    ).replace(b"more authority.\n", b"more authority.\n- Rapport: a friendly connection.\n")
    import_seed_bytes(source_name="900_small.txt", data=changed)

    retired = Card.objects.get(learner=learner, marking_point=removed)
    assert retired.retired_at is not None
    kept = Card.objects.filter(learner=learner, retired_at__isnull=True).exclude(
        content_key="concept:rapport"
    )
    assert kept.count() == 5
    assert all(card.due == states[card.content_key] and card.reps == 1 for card in kept)
    # The new concept made new cards for the learner who revises the topic.
    assert Card.objects.filter(learner=learner, content_key="concept:rapport").count() == 2

    # The point comes back: so does its card, with its schedule.
    import_seed_bytes(source_name="900_small.txt", data=SMALL_SEED)
    retired.refresh_from_db()
    assert retired.retired_at is None
    assert retired.due == states[retired.content_key]
    assert Card.objects.get(learner=learner, content_key="concept:rapport", kind="term").retired_at


def test_rebuild_schedules_replays_logs_and_changes_nothing_when_state_is_right(topic_world):
    topic, (q1, q2) = topic_world
    learner = UserFactory()
    quiz(learner, topic, [q1, q2], {1: CREDITED, 2: NOT_CREDITED})
    card = Card.objects.filter(learner=learner, kind=Card.Kind.TERM).get()
    later = timezone.now() + datetime.timedelta(days=2)
    services.rate_card(card=card, learner=learner, rating=4, token=0, now=later)
    fields = ("pk", "due", "stability", "difficulty", "state", "step", "last_review", "reps")
    before = list(Card.objects.order_by("pk").values_list(*fields))
    # Corrupt the stored state: the logs are the truth.
    Card.objects.update(due=timezone.now(), stability=None, reps=0)

    call_command("rebuild_schedules")

    assert list(Card.objects.order_by("pk").values_list(*fields)) == before


def test_new_cards_a_day_are_bounded_by_the_setting(settings, topic_world):
    from revision.selectors import next_card, today_summary

    settings.REVISION_NEW_CARDS_PER_DAY = 2
    topic, _ = topic_world
    learner = UserFactory()
    services.study_topics(learner=learner, topics=[topic])
    assert today_summary(learner).due_now == 2

    for _ in range(2):
        card = next_card(learner)
        services.rate_card(card=card, learner=learner, rating=4, token=card.reps)

    summary = today_summary(learner)
    assert summary.new_today == 0
    assert next_card(learner) is None  # Easy on a new card: not due again today


def test_study_topics_is_idempotent(topic_world):
    topic, _ = topic_world
    learner = UserFactory()
    assert services.study_topics(learner=learner, topics=[topic]) == 1
    assert services.study_topics(learner=learner, topics=[topic]) == 0
    assert Card.objects.filter(learner=learner).count() == 5


def test_rebuild_schedules_names_an_unknown_learner():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No such learner: nobody"):
        call_command("rebuild_schedules", "--learner", "nobody")
