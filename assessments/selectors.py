"""Reads for assessments: a learner's progress, weak points and the pages' querysets."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)

from assessments.models import Attempt, LearnerTopicSummary, PointMastery, Question, Response
from revision_portal.queries import count_of
from topics.models import MarkingPoint, Topic


@dataclass(frozen=True)
class TopicProgress:
    topic: Topic
    credited: int
    answered: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.credited / self.total) if self.total else 0


@dataclass(frozen=True)
class PointProgress:
    point: MarkingPoint
    credited: bool


def _latest_point_results(learner) -> dict[int, bool]:
    """Marking point id → whether the learner's latest answer to it is credited (a tutor's
    override counts instead of the auto mark). One query on the mastery table."""
    return dict(
        PointMastery.objects.filter(
            learner=learner, marking_point__retired_at__isnull=True
        ).values_list("marking_point_id", "credited")
    )


def weak_marking_point_ids(learner) -> list[int]:
    """Points whose latest answer earned no credit, in topic and document order."""
    latest = _latest_point_results(learner)
    missed = [point_id for point_id, credited in latest.items() if not credited]
    return list(
        MarkingPoint.objects.filter(pk__in=missed)
        .order_by("topic__title", "position")
        .values_list("pk", flat=True)
    )


def topics_with_learner_summary(learner) -> QuerySet[Topic]:
    """Every topic with the learner's summary figures beside it, in one query.

    Each topic carries ``summary_answered``, ``summary_credited`` and ``summary_total`` (all
    ``None`` when the learner has not started it) and ``active_point_count`` (the size shown
    for topics not started). Both are per-row lookups (a join on the learner's summary row and
    a correlated count on the marking point index), so a page of topics costs the same however
    many topics and answers there are.
    """
    active_points = MarkingPoint.objects.active().filter(topic=OuterRef("pk"))
    return (
        Topic.objects.select_related("qualification")
        # The pages show a topic's title and link: its search text is the bulk of the row.
        .defer("synopsis", "search_document", "search_vector", "source_file", "content_hash")
        .alias(
            mine=FilteredRelation(
                "learner_summaries", condition=Q(learner_summaries__learner=learner)
            )
        )
        .annotate(
            summary_answered=F("mine__points_answered"),
            summary_credited=F("mine__points_credited"),
            summary_total=F("mine__points_total"),
            summary_last_answered_at=F("mine__last_answered_at"),
            active_point_count=count_of(active_points, "topic"),
        )
    )


def topic_progress_row(topic: Topic) -> TopicProgress:
    """A row of ``topics_with_learner_summary`` as the figures the pages show."""
    if topic.summary_answered is None:
        return TopicProgress(topic, credited=0, answered=0, total=topic.active_point_count)
    return TopicProgress(
        topic,
        credited=topic.summary_credited,
        answered=topic.summary_answered,
        total=topic.summary_total,
    )


def learner_topic_progress(learner) -> QuerySet[Topic]:
    """Topics for the progress page: the ones the learner has practised first, most recent
    first, then the rest by title. Page it, then map rows through ``topic_progress_row``."""
    return topics_with_learner_summary(learner).order_by(
        F("summary_last_answered_at").desc(nulls_last=True), "title", "pk"
    )


def quiz_topics(learner) -> QuerySet[Topic]:
    """Topics with at least one active question, grouped by qualification (topics without one
    last) and by title, with ``question_count`` and the learner's summary figures
    (``topics_with_learner_summary``); per-row lookups only, so a page costs the same however
    many topics there are."""
    active_questions = Question.objects.active().filter(topic=OuterRef("pk")).order_by()
    return (
        topics_with_learner_summary(learner)
        .filter(is_published=True)
        .filter(Exists(active_questions))
        .annotate(question_count=count_of(active_questions, "topic"))
        .order_by(F("qualification__name").asc(nulls_last=True), "title", "pk")
    )


def weak_points(learner, *, limit: int | None = None) -> list[PointProgress]:
    """Active marking points whose latest answer earned no credit, in topic title and document
    order (``limit`` first), each with its topic loaded; one query on the mastery table."""
    missed = (
        PointMastery.objects.filter(
            learner=learner, credited=False, marking_point__retired_at__isnull=True
        )
        .select_related("marking_point__topic")
        .order_by(
            "marking_point__topic__title",
            "marking_point__topic_id",
            "marking_point__position",
            "marking_point_id",
        )
    )
    if limit is not None:
        missed = missed[:limit]
    return [PointProgress(row.marking_point, False) for row in missed]


def learner_progress(learner) -> tuple[list[TopicProgress], list[PointProgress]]:
    """Per-topic mastery for every topic (share of active marking points credited in the latest
    answers, from the learner's summaries) and every point the learner missed most recently, in
    two queries whatever the data size. Pages show a page of ``learner_topic_progress``."""
    topics = topics_with_learner_summary(learner).order_by("title", "pk")
    return [topic_progress_row(topic) for topic in topics], weak_points(learner)


def attempts_for_results(learner):
    """A learner's own attempts, newest first, with response counts for the history table."""
    return (
        Attempt.objects.for_learner(learner)
        .annotate(
            question_count=Count("responses"),
            credited_count=Count(
                "responses",
                filter=Q(responses__override_awarded=True)
                | Q(responses__override_awarded__isnull=True, responses__awarded=True),
            ),
        )
        .order_by("-started_at", "-id")
    )


UNFINISHED_SHOWN = 5


def unfinished_attempts(learner, *, limit: int = UNFINISHED_SHOWN) -> list[Attempt]:
    """The learner's most recently started quizzes not yet submitted, with how many of their
    questions are answered (``answered``, ``total``), for "continue" links. One query."""
    answered = (
        Q(responses__answer_text__gt="")
        | Q(responses__selected_choice__isnull=False)
        | Q(responses__selected_choices__0__isnull=False)
    )
    return list(
        Attempt.objects.for_learner(learner)
        .filter(submitted_at__isnull=True)
        .annotate(total=Count("responses"), answered=Count("responses", filter=answered))
        .only("pk", "title", "started_at")
        .order_by("-started_at", "-pk")[:limit]
    )


def attempt_with_responses(
    attempt_qs, pk: int, *, with_exam_tips: bool = False, with_options: bool = True
):
    """An attempt with every response and its question loaded up front, with the questions'
    answer options unless ``with_options`` is false (the results page shows the options kept
    with each mark); with ``with_exam_tips`` also the topics' exam tips, which only the results
    page shows."""
    prefetches = [
        Prefetch(
            "responses",
            queryset=Response.objects.select_related(
                "question", "question__topic", "question__marking_point", "override_by"
            ).order_by("position"),
        ),
    ]
    if with_options:
        prefetches.append(Prefetch("responses__question__options"))
    if with_exam_tips:
        prefetches.append(Prefetch("responses__question__topic__exam_tips"))
    return attempt_qs.select_related("topic").prefetch_related(*prefetches).get(pk=pk)


MAX_CHART_TOPICS = 8


def mastery_history(learner) -> list:
    """For the ``MAX_CHART_TOPICS`` topics the learner practised most recently, their mastery
    after each submitted quiz, as ``charts.Series``.

    The topics, their titles and sizes come from the learner's summaries (one query); only the
    answers in those topics are replayed, in submission order, keeping the latest credit per
    marking point (a tutor's override counts), in one more query.
    """
    from assessments.charts import Series

    recent = list(
        LearnerTopicSummary.objects.filter(learner=learner)
        .select_related("topic")
        .only("topic_id", "points_total", "last_answered_at", "topic__title")
        .order_by("-last_answered_at", "topic_id")[:MAX_CHART_TOPICS]
    )
    if not recent:
        return []
    rows = (
        Response.objects.filter(
            attempt__learner=learner,
            attempt__marked_at__isnull=False,
            question__topic_id__in=[summary.topic_id for summary in recent],
            question__marking_point__isnull=False,
            question__marking_point__retired_at__isnull=True,
        )
        .order_by("attempt__submitted_at", "attempt_id", "position")
        .values_list(
            "attempt__submitted_at",
            "question__topic_id",
            "question__marking_point_id",
            "awarded",
            "override_awarded",
        )
    )
    latest: dict[int, dict[int, bool]] = {}
    history: dict[int, list] = {}
    for submitted_at, topic_id, point_id, awarded, override in rows:
        latest.setdefault(topic_id, {})[point_id] = (
            override if override is not None else bool(awarded)
        )
        history.setdefault(topic_id, [])
        credited = sum(latest[topic_id].values())
        entry = (submitted_at, credited)
        if history[topic_id] and history[topic_id][-1][0] == submitted_at:
            history[topic_id][-1] = entry
        else:
            history[topic_id].append(entry)
    return [
        Series(
            label=summary.topic.title,
            points=tuple(
                (when, round(100 * credited / summary.points_total))
                for when, credited in history[summary.topic_id]
            ),
        )
        for summary in recent
        if summary.points_total and history.get(summary.topic_id)
    ]
