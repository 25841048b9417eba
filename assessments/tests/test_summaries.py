"""Learner topic summaries: kept equal to what the answers say, whatever happens to the marks."""

from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from accounts.services import make_tutor
from assessments.models import Attempt, LearnerTopicSummary, PointMastery, Response
from assessments.services import (
    override_mark,
    remark_responses,
    start_attempt,
    submit_attempt,
    sync_question_bank,
)
from assessments.summaries import rebuild_learner_summaries, summaries_from_mastery
from assessments.tests.factories import (
    IndicatorFactory,
    ShortAnswerQuestionFactory,
    UserFactory,
)
from topics.models import MarkingPoint
from topics.tests.factories import MarkingPointFactory, TopicFactory

CREDITED = "Customers make repeat purchases."
MISSED = "I am not sure."


def summaries_from_history() -> dict[tuple[int, int], dict]:
    """The summaries recomputed from every submitted answer, without the mastery table: replay
    the answers in submission order, keep the latest credit per learner and marking point (a
    tutor's override counts), then count each topic's active points."""
    latest: dict[tuple[int, int], tuple[int, bool, object]] = {}
    answers = (
        Response.objects.filter(
            attempt__submitted_at__isnull=False, question__marking_point__isnull=False
        )
        .order_by("attempt__submitted_at", "attempt_id", "position")
        .values_list(
            "attempt__learner_id",
            "question__marking_point_id",
            "question__topic_id",
            "awarded",
            "override_awarded",
            "attempt__submitted_at",
        )
    )
    for learner_id, point_id, topic_id, awarded, override, submitted_at in answers:
        credited = override if override is not None else bool(awarded)
        latest[(learner_id, point_id)] = (topic_id, credited, submitted_at)
    active = dict(MarkingPoint.objects.active().values_list("pk", "topic_id"))
    totals: dict[int, int] = {}
    for topic_id in active.values():
        totals[topic_id] = totals.get(topic_id, 0) + 1
    expected: dict[tuple[int, int], dict] = {}
    for (learner_id, point_id), (topic_id, credited, submitted_at) in latest.items():
        if point_id not in active:
            continue
        row = expected.setdefault(
            (learner_id, topic_id),
            {
                "points_answered": 0,
                "points_credited": 0,
                "points_total": totals[topic_id],
                "last_answered_at": submitted_at,
            },
        )
        row["points_answered"] += 1
        row["points_credited"] += int(credited)
        row["last_answered_at"] = max(row["last_answered_at"], submitted_at)
    return expected


def stored_summaries() -> dict[tuple[int, int], dict]:
    return {
        (row.pop("learner_id"), row.pop("topic_id")): row
        for row in LearnerTopicSummary.objects.values(
            "learner_id",
            "topic_id",
            "points_answered",
            "points_credited",
            "points_total",
            "last_answered_at",
        )
    }


def quiz_topic(points: int = 2):
    """A topic whose short-answer questions credit ``CREDITED`` and not ``MISSED``."""
    topic = TopicFactory()
    for _ in range(points):
        IndicatorFactory(question=ShortAnswerQuestionFactory(topic=topic))
    return topic


def take_quiz(learner, topic, credited: list[bool]) -> Attempt:
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=1)
    answers = {
        position: CREDITED if credited[(position - 1) % len(credited)] else MISSED
        for position in range(1, attempt.responses.count() + 1)
    }
    submit_attempt(attempt=attempt, answers=answers)
    return attempt


# --- the property: summaries always equal a recomputation from history ------------------------

operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("submit"),
            st.integers(0, 1),  # learner
            st.integers(0, 1),  # topic
            st.lists(st.booleans(), min_size=1, max_size=3),  # which answers earn credit
        ),
        st.tuples(st.just("override"), st.integers(0, 50), st.sampled_from([True, False, None])),
        # Re-mark every answer to one question after its rubric changed (one indicator asked
        # for twice can never be met; once, it can).
        st.tuples(st.just("remark"), st.integers(0, 10), st.sampled_from([1, 2])),
        # Content changes: a marking point retired or restored, or a new one added.
        st.tuples(st.just("toggle_point"), st.integers(0, 10)),
        st.tuples(st.just("add_point"), st.integers(0, 1)),
    ),
    min_size=1,
    max_size=10,
)


class TestSummariesMatchHistory(HypothesisTestCase):
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(operations)
    def test_after_submits_overrides_remarks_and_content_changes(self, steps):
        learners = [UserFactory(), UserFactory()]
        tutor = UserFactory()
        make_tutor(user=tutor)
        topics = [quiz_topic(2), quiz_topic(3)]
        for step in steps:
            self.apply(step, learners=learners, tutor=tutor, topics=topics)
            assert stored_summaries() == summaries_from_history(), step

    def apply(self, step, *, learners, tutor, topics) -> None:
        kind, *args = step
        submitted = list(
            Response.objects.filter(attempt__submitted_at__isnull=False).order_by("pk")
        )
        points = list(MarkingPoint.objects.order_by("pk"))
        if kind == "submit":
            learner, topic, credited = args
            take_quiz(learners[learner], topics[topic], credited)
        elif kind == "override" and submitted:
            index, awarded = args
            response = submitted[index % len(submitted)]
            override_mark(response=response, tutor=tutor, awarded=awarded, comment="Checked.")
        elif kind == "remark" and submitted:
            index, required = args
            question = submitted[index % len(submitted)].question
            question.required_count = required
            question.save(update_fields=["required_count"])
            remark_responses(
                responses=Response.objects.filter(question=question), reason="Rubric changed"
            )
        elif kind == "toggle_point":
            point = points[args[0] % len(points)]
            point.retired_at = None if point.retired_at else timezone.now()
            point.save(update_fields=["retired_at"])
            # What the marking point admin does after saving a point.
            sync_question_bank(topic=point.topic)
        elif kind == "add_point":
            topic = topics[args[0]]
            MarkingPointFactory(topic=topic)
            sync_question_bank(topic=topic)


# --- each hook on its own -----------------------------------------------------------------------


@pytest.mark.django_db
def test_submitting_creates_the_learners_summary_for_the_topic():
    learner, topic = UserFactory(), quiz_topic(2)

    take_quiz(learner, topic, [True, False])

    summary = LearnerTopicSummary.objects.get(learner=learner, topic=topic)
    assert (summary.points_answered, summary.points_credited, summary.points_total) == (2, 1, 2)
    assert summary.percent == 50
    assert summary.last_answered_at == Attempt.objects.get(learner=learner).submitted_at


@pytest.mark.django_db
def test_a_later_quiz_replaces_the_figures_instead_of_adding_to_them():
    learner, topic = UserFactory(), quiz_topic(2)
    take_quiz(learner, topic, [True])

    take_quiz(learner, topic, [False])

    summary = LearnerTopicSummary.objects.get(learner=learner, topic=topic)
    assert (summary.points_answered, summary.points_credited) == (2, 0)


@pytest.mark.django_db
def test_an_override_and_its_removal_move_the_summary(tutor):
    learner, topic = UserFactory(), quiz_topic(1)
    attempt = take_quiz(learner, topic, [False])
    response = attempt.responses.get()

    override_mark(response=response, tutor=tutor, awarded=True, comment="Fair enough.")
    assert LearnerTopicSummary.objects.get(learner=learner).points_credited == 1

    override_mark(response=response, tutor=tutor, awarded=None)
    assert LearnerTopicSummary.objects.get(learner=learner).points_credited == 0


@pytest.mark.django_db
def test_a_remark_against_a_stricter_rubric_moves_the_summary():
    learner, topic = UserFactory(), quiz_topic(1)
    attempt = take_quiz(learner, topic, [True])
    assert LearnerTopicSummary.objects.get(learner=learner).points_credited == 1
    question = attempt.responses.get().question
    question.required_count = 2
    question.save(update_fields=["required_count"])

    remark_responses(responses=attempt.responses.all(), reason="Stricter rubric")

    assert LearnerTopicSummary.objects.get(learner=learner).points_credited == 0


@pytest.mark.django_db
def test_retiring_and_adding_points_change_every_learners_totals():
    topic = quiz_topic(2)
    learners = UserFactory.create_batch(3)
    for learner in learners:
        take_quiz(learner, topic, [True])
    point = MarkingPoint.objects.filter(topic=topic).first()

    point.retired_at = timezone.now()
    point.save(update_fields=["retired_at"])
    sync_question_bank(topic=topic)

    assert set(
        LearnerTopicSummary.objects.filter(topic=topic).values_list(
            "points_answered", "points_credited", "points_total"
        )
    ) == {(1, 1, 1)}

    MarkingPointFactory(topic=topic)
    sync_question_bank(topic=topic)

    assert set(LearnerTopicSummary.objects.values_list("points_total", flat=True)) == {2}


@pytest.mark.django_db
def test_a_topic_whose_answered_points_all_retire_is_not_started_again():
    learner, topic = UserFactory(), quiz_topic(1)
    take_quiz(learner, topic, [True])

    MarkingPoint.objects.filter(topic=topic).update(retired_at=timezone.now())
    sync_question_bank(topic=topic)

    assert not LearnerTopicSummary.objects.filter(learner=learner).exists()


# --- rebuilding ---------------------------------------------------------------------------------


def damaged_world():
    """Two learners with answers, then summaries that no longer match: one row wrong, one
    missing and one for a topic nobody answered."""
    learners = UserFactory.create_batch(2)
    topics = [quiz_topic(2), quiz_topic(1)]
    for learner in learners:
        take_quiz(learner, topics[0], [True, False])
    take_quiz(learners[0], topics[1], [True])
    expected = summaries_from_history()
    LearnerTopicSummary.objects.filter(learner=learners[0], topic=topics[0]).update(
        points_credited=0
    )
    LearnerTopicSummary.objects.filter(learner=learners[1]).delete()
    LearnerTopicSummary.objects.create(
        learner=learners[1],
        topic=TopicFactory(),
        points_answered=3,
        points_credited=3,
        points_total=3,
        last_answered_at=timezone.now() - timedelta(days=1),
    )
    return expected


@pytest.mark.django_db
def test_rebuild_command_repairs_every_summary_and_is_idempotent():
    expected = damaged_world()
    assert stored_summaries() != expected

    out = StringIO()
    call_command("rebuild_learner_summaries", "--batch-size", "1", stdout=out)

    assert stored_summaries() == expected
    assert "1 of 2 learners rebuilt" in out.getvalue()
    assert "Summaries rebuilt for 2 learners." in out.getvalue()
    call_command("rebuild_learner_summaries", stdout=StringIO())
    assert stored_summaries() == expected


@pytest.mark.django_db
def test_rebuild_command_refuses_a_batch_size_below_one():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="at least 1"):
        call_command("rebuild_learner_summaries", "--batch-size", "0")


@pytest.mark.django_db
def test_the_backfill_migration_fills_summaries_from_existing_mastery():
    from importlib import import_module

    backfill = import_module(
        "assessments.migrations.0006_backfill_learner_topic_summaries"
    ).backfill
    learner, topic = UserFactory(), quiz_topic(2)
    take_quiz(learner, topic, [True, False])
    expected = summaries_from_history()
    LearnerTopicSummary.objects.all().delete()

    backfill(django_apps, None)

    assert stored_summaries() == expected


@pytest.mark.django_db
def test_mastery_aggregate_and_history_replay_agree_with_the_stored_rows():
    learners = UserFactory.create_batch(2)
    topic = quiz_topic(3)
    take_quiz(learners[0], topic, [True, False, True])
    take_quiz(learners[1], topic, [False])

    assert summaries_from_mastery() == summaries_from_history() == stored_summaries()
    assert rebuild_learner_summaries() == 2
    assert PointMastery.objects.count() == 6


# --- who sees what ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_learner_sees_only_their_own_figures_on_progress_and_quiz_home(client):
    learner, other = UserFactory(), UserFactory()
    topic = quiz_topic(2)
    take_quiz(other, topic, [True, True])
    client.force_login(learner)

    progress = client.get(reverse("assessments:progress"))
    home = client.get(reverse("assessments:home"))

    (row,) = progress.context["topic_progress"]
    assert (row.credited, row.answered, row.total) == (0, 0, 2)
    assert "not started" in progress.content.decode()
    assert "2 of 2" not in progress.content.decode()
    assert progress.context["series"] == []
    assert progress.context["weak_points"] == []
    assert "not started" in home.content.decode()
    assert "credited" not in home.content.decode()


@pytest.mark.django_db
def test_each_learner_sees_their_own_figures(client):
    learner, other = UserFactory(), UserFactory()
    topic = quiz_topic(2)
    take_quiz(learner, topic, [True, False])
    take_quiz(other, topic, [True, True])
    client.force_login(learner)

    progress = client.get(reverse("assessments:progress"))
    home = client.get(reverse("assessments:home")).content.decode()

    (row,) = progress.context["topic_progress"]
    assert (row.credited, row.answered, row.total, row.percent) == (1, 2, 2, 50)
    assert [series.label for series in progress.context["series"]] == [topic.title]
    assert len(progress.context["weak_points"]) == 1
    assert "1 of 2 marking points credited" in home


@pytest.mark.django_db
def test_pages_need_a_login(client):
    for name in ("assessments:home", "assessments:progress"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["0", "-3", "999", "abc", "1" * 40])
def test_bad_page_numbers_show_a_page_not_an_error(client, page):
    quiz_topic(1)
    client.force_login(UserFactory())

    for name, param in (("assessments:home", "page"), ("assessments:progress", "topics")):
        response = client.get(reverse(name), {param: page})
        assert response.status_code == 200
