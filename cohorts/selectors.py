"""Reads for tutors. Every lookup of a cohort, learner or answer goes through these functions,
which only ever return what the tutor may see; anything else is ``Http404``."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from assessments.models import Attempt, PointMastery, Response
from cohorts.models import Cohort, CohortMembership
from topics.models import MarkingPoint, Topic

User = get_user_model()

ACTIVE_DAYS = 7


# --- access ----------------------------------------------------------------------------------


def cohort_for_tutor(tutor, pk: int) -> Cohort:
    try:
        return Cohort.objects.taught_by(tutor).select_related("qualification").get(pk=pk)
    except Cohort.DoesNotExist:
        raise Http404("No such cohort.") from None


def visible_learners(tutor):
    """Learners a tutor may see: active members of cohorts they teach (admins: everyone)."""
    if tutor.is_superuser:
        return User.objects.all()
    return User.objects.filter(
        pk__in=CohortMembership.objects.active().filter(cohort__tutors=tutor).values("learner_id")
    )


def learner_in_cohort(cohort: Cohort, learner_pk: int):
    """An active member of ``cohort`` (whose access the caller has already checked)."""
    try:
        return User.objects.get(
            pk=learner_pk,
            cohort_memberships__cohort=cohort,
            cohort_memberships__removed_at__isnull=True,
        )
    except User.DoesNotExist:
        raise Http404("No such learner in this cohort.") from None


def response_for_tutor(tutor, pk: int) -> Response:
    try:
        return (
            Response.objects.select_related(
                "attempt",
                "attempt__learner",
                "question",
                "question__topic",
                "question__marking_point",
                "override_by",
            )
            .filter(attempt__marked_at__isnull=False, attempt__learner__in=visible_learners(tutor))
            .get(pk=pk)
        )
    except Response.DoesNotExist:
        raise Http404("No such answer.") from None


# --- figures ---------------------------------------------------------------------------------


def topics_in_scope(cohort: Cohort):
    topics = Topic.objects.annotate(
        point_count=Count("marking_points", filter=Q(marking_points__retired_at__isnull=True))
    ).filter(point_count__gt=0)
    if cohort.qualification_id:
        topics = topics.filter(qualification_id=cohort.qualification_id)
    return topics.order_by("title")


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


@dataclass(frozen=True)
class CohortSummary:
    cohort: Cohort
    size: int
    active_recently: int
    average_mastery: int


def cohort_summaries(tutor) -> list[CohortSummary]:
    """The tutor's cohorts with size, learners active in the last week and average mastery,
    in four queries however many cohorts and learners."""
    since = timezone.now() - datetime.timedelta(days=ACTIVE_DAYS)
    active_members = Q(memberships__removed_at__isnull=True)
    cohorts = list(
        Cohort.objects.taught_by(tutor)
        .select_related("qualification")
        .annotate(
            size=Count("memberships", filter=active_members, distinct=True),
            active_recently=Count(
                "memberships__learner",
                filter=active_members & Q(memberships__learner__attempts__submitted_at__gte=since),
                distinct=True,
            ),
        )
    )
    points_by_qualification: dict[int | None, int] = {}
    for qualification_id, count in (
        MarkingPoint.objects.active().values_list("topic__qualification_id").annotate(n=Count("pk"))
    ):
        points_by_qualification[qualification_id] = count
    all_points = sum(points_by_qualification.values())
    # Credited points per cohort, counting only topics in the cohort's qualification (if any).
    credited = dict(
        PointMastery.objects.filter(
            Q(learner__cohort_memberships__cohort__in=cohorts)
            & Q(learner__cohort_memberships__removed_at__isnull=True)
            & (
                Q(learner__cohort_memberships__cohort__qualification__isnull=True)
                | Q(topic__qualification=F("learner__cohort_memberships__cohort__qualification"))
            ),
            credited=True,
            marking_point__retired_at__isnull=True,
        )
        .values_list("learner__cohort_memberships__cohort")
        .annotate(n=Count("pk"))
    )
    summaries = []
    for cohort in cohorts:
        scope = (
            points_by_qualification.get(cohort.qualification_id, 0)
            if cohort.qualification_id
            else all_points
        )
        summaries.append(
            CohortSummary(
                cohort=cohort,
                size=cohort.size,
                active_recently=cohort.active_recently,
                average_mastery=_percent(credited.get(cohort.pk, 0), scope * cohort.size),
            )
        )
    return summaries


@dataclass(frozen=True)
class HeatmapCell:
    topic: Topic
    credited: int
    total: int

    @property
    def percent(self) -> int:
        return _percent(self.credited, self.total)

    @property
    def shade(self) -> int:
        """0–5, for the heatmap colour class; the number itself is always printed too."""
        return min(5, self.percent // 20)


@dataclass
class HeatmapRow:
    learner: object
    cells: list[HeatmapCell] = field(default_factory=list)

    @property
    def overall(self) -> int:
        return _percent(sum(c.credited for c in self.cells), sum(c.total for c in self.cells))

    @property
    def cells_html(self) -> SafeString:
        """The row's topic cells as HTML. Built here rather than in a template loop: with 50
        learners × 200 topics the loop was most of the page's time (profiled, `make bench`)."""
        return mark_safe(  # noqa: S308 - numbers and escaped titles only
            "".join(
                f'<td class="heat heat-{c.shade}">{c.percent}%<span class="visually-hidden">: '
                f"{c.credited} of {c.total} marking points in {escape(c.topic.title)}</span></td>"
                for c in self.cells
            )
        )


@dataclass(frozen=True)
class Heatmap:
    topics: list[Topic]
    rows: list[HeatmapRow]


def cohort_heatmap(
    cohort: Cohort,
    *,
    topics: list[Topic] | None = None,
    topic_ids: list[int] | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    sort: str = "name",
) -> Heatmap:
    """Learners × topics mastery for a cohort, in three queries whatever its size.

    A cell is the share of the topic's active marking points credited in the learner's latest
    answer to each (a tutor's override counts). With a date range, only latest answers given in
    that range count. ``sort`` is "name", "overall", "topic-<id>", each optionally prefixed
    with "-" for descending. ``topics`` is ``topics_in_scope(cohort)`` if the caller already
    has it (the page's filter form does).
    """
    topics = list(topics_in_scope(cohort)) if topics is None else list(topics)
    if topic_ids:
        topics = [t for t in topics if t.pk in set(topic_ids)]
    learners = list(
        User.objects.filter(
            cohort_memberships__cohort=cohort, cohort_memberships__removed_at__isnull=True
        ).only("pk", "username", "first_name", "last_name")
    )
    mastery = PointMastery.objects.filter(
        learner__in=[learner.pk for learner in learners],
        topic__in=[topic.pk for topic in topics],
        credited=True,
        marking_point__retired_at__isnull=True,
    )
    if date_from:
        mastery = mastery.filter(answered_at__date__gte=date_from)
    if date_to:
        mastery = mastery.filter(answered_at__date__lte=date_to)
    credited = {
        (learner_id, topic_id): n
        for learner_id, topic_id, n in mastery.values_list("learner_id", "topic_id").annotate(
            n=Count("pk")
        )
    }
    rows = [
        HeatmapRow(
            learner=learner,
            cells=[
                HeatmapCell(topic, credited.get((learner.pk, topic.pk), 0), topic.point_count)
                for topic in topics
            ],
        )
        for learner in learners
    ]
    _sort_rows(rows, topics, sort)
    return Heatmap(topics=topics, rows=rows)


def _sort_rows(rows: list[HeatmapRow], topics: list[Topic], sort: str) -> None:
    descending = sort.startswith("-")
    key_name = sort.lstrip("-")
    if key_name == "overall":

        def key(row):
            return (row.overall, row.learner.username)
    elif key_name.startswith("topic-"):
        index = next((i for i, t in enumerate(topics) if f"topic-{t.pk}" == key_name), None)
        if index is None:
            return _sort_rows(rows, topics, "name")

        def key(row):
            return (row.cells[index].percent, row.learner.username)
    else:

        def key(row):
            return (row.learner.get_full_name().casefold() or row.learner.username.casefold(),)

    rows.sort(key=key, reverse=descending)


@dataclass(frozen=True)
class PointSummary:
    point: MarkingPoint
    answered: int
    credited: int

    @property
    def missed(self) -> int:
        return self.answered - self.credited

    @property
    def miss_rate(self) -> int:
        return _percent(self.missed, self.answered)


@dataclass(frozen=True)
class MisconceptionSummary:
    statement: str
    correction: str
    count: int


MISCONCEPTION_SCAN_LIMIT = 5000


def class_view(cohort: Cohort) -> tuple[list[PointSummary], list[MisconceptionSummary]]:
    """Which marking points the cohort misses most, and the misconceptions its answers state."""
    members = CohortMembership.objects.active().filter(cohort=cohort).values("learner_id")
    points = {
        p.pk: p
        for p in MarkingPoint.objects.active()
        .filter(topic__in=topics_in_scope(cohort).values("pk"))
        .select_related("topic")
    }
    counts = (
        PointMastery.objects.filter(learner__in=members, marking_point__in=list(points))
        .values_list("marking_point_id")
        .annotate(answered=Count("pk"), credited=Count("pk", filter=Q(credited=True)))
    )
    summaries = [
        PointSummary(points[point_id], answered, credited)
        for point_id, answered, credited in counts
    ]
    summaries.sort(key=lambda s: (-s.missed, -s.miss_rate, s.point.topic.title, s.point.position))

    flagged: Counter[tuple[str, str]] = Counter()
    results = (
        Response.objects.filter(
            attempt__learner__in=members,
            attempt__marked_at__isnull=False,
            misconception_count__gt=0,
        )
        .order_by("-id")
        .values_list("result", flat=True)[:MISCONCEPTION_SCAN_LIMIT]
    )
    for result in results:
        for item in (result or {}).get("misconceptions", []):
            flagged[(item.get("statement", ""), item.get("correction", ""))] += 1
    misconceptions = [
        MisconceptionSummary(statement, correction, count)
        for (statement, correction), count in flagged.most_common(20)
    ]
    return summaries, misconceptions


def cohort_answers(cohort: Cohort, *, point_id: int | None = None, misconception: str = ""):
    """Marked answers by the cohort's learners, newest first, optionally for one marking
    point or stating one misconception."""
    members = CohortMembership.objects.active().filter(cohort=cohort).values("learner_id")
    answers = (
        Response.objects.filter(attempt__learner__in=members, attempt__marked_at__isnull=False)
        .select_related(
            "attempt__learner", "question", "question__topic", "question__marking_point"
        )
        .order_by("-attempt__submitted_at", "position")
    )
    if point_id:
        answers = answers.filter(question__marking_point_id=point_id)
    if misconception:
        answers = answers.filter(misconception_count__gt=0)
        return [
            r
            for r in answers[:MISCONCEPTION_SCAN_LIMIT]
            if any(m.get("statement") == misconception for m in r.result.get("misconceptions", []))
        ]
    return answers


def learner_attempts(learner):
    """Every marked attempt of a learner with every answer, for the tutor's drill-down (one
    still in the marking queue appears once the worker has marked it)."""
    return (
        Attempt.objects.filter(learner=learner)
        .marked()
        .select_related("topic")
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=Response.objects.select_related(
                    "question", "question__marking_point", "override_by"
                ).order_by("position"),
            )
        )
        .order_by("-submitted_at")
    )


def review_queue(tutor):
    """Answers waiting for the tutor: role-play points and answers the marker was unsure of."""
    return (
        Response.objects.filter(
            needs_tutor=True,
            override_awarded__isnull=True,
            attempt__marked_at__isnull=False,
            attempt__learner__in=visible_learners(tutor),
        )
        .select_related("attempt__learner", "question", "question__topic")
        .order_by("attempt__submitted_at", "position")
    )
