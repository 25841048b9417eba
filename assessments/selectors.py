"""Reads for assessments: a learner's progress, weak points and the pages' querysets."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from assessments.models import Attempt, PointMastery, Question, Response
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


def learner_progress(learner) -> tuple[list[TopicProgress], list[PointProgress]]:
    """Per-topic mastery (share of active marking points credited in the latest answers) and
    the points the learner missed most recently, in three queries whatever the data size."""
    latest = _latest_point_results(learner)
    topics = (
        Topic.objects.select_related("qualification")
        .annotate(
            point_count=Count("marking_points", filter=Q(marking_points__retired_at__isnull=True))
        )
        .prefetch_related(
            Prefetch(
                "marking_points",
                queryset=MarkingPoint.objects.active().only("pk", "topic_id", "text", "position"),
                to_attr="active_points",
            )
        )
    )
    progress, weak = [], []
    for topic in topics:
        for point in topic.active_points:
            point.topic = topic  # the page names each weak point's topic: no query per point
        credited = sum(1 for p in topic.active_points if latest.get(p.pk))
        answered = sum(1 for p in topic.active_points if p.pk in latest)
        progress.append(TopicProgress(topic, credited, answered, topic.point_count))
        weak += [PointProgress(p, False) for p in topic.active_points if latest.get(p.pk) is False]
    return progress, weak


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


def attempt_with_responses(attempt_qs, pk: int, *, with_exam_tips: bool = False):
    """An attempt with every response and its question loaded up front; with
    ``with_exam_tips`` also the topics' exam tips, which only the results page shows."""
    prefetches = [
        Prefetch(
            "responses",
            queryset=Response.objects.select_related(
                "question", "question__topic", "question__marking_point", "override_by"
            ).order_by("position"),
        )
    ]
    if with_exam_tips:
        prefetches.append(Prefetch("responses__question__topic__exam_tips"))
    return attempt_qs.select_related("topic").prefetch_related(*prefetches).get(pk=pk)


def questions_for_admin():
    return Question.objects.select_related("topic", "marking_point")


MAX_CHART_TOPICS = 8


def mastery_history(learner, topic_progress: list[TopicProgress]) -> list:
    """Per topic the learner has answered, their mastery after each submitted quiz.

    Replays the learner's answers in submission order, keeping the latest credit per marking
    point (a tutor's override counts), in one query; topic titles and sizes come from
    ``topic_progress`` (``learner_progress``'s first result). Returns ``charts.Series`` for the
    ``MAX_CHART_TOPICS`` most recently practised topics.
    """
    from assessments.charts import Series

    rows = (
        Response.objects.filter(
            attempt__learner=learner,
            attempt__marked_at__isnull=False,
            question__marking_point__isnull=False,
            question__marking_point__retired_at__isnull=True,
        )
        .order_by("attempt__submitted_at", "position")
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
    recent = sorted(history, key=lambda t: history[t][-1][0], reverse=True)[:MAX_CHART_TOPICS]
    topics = {row.topic.pk: row for row in topic_progress}
    series = []
    for topic_id in recent:
        row = topics.get(topic_id)
        if row is None or not row.total:
            continue
        series.append(
            Series(
                label=row.topic.title,
                points=tuple(
                    (when, round(100 * credited / row.total))
                    for when, credited in history[topic_id]
                ),
            )
        )
    return series
