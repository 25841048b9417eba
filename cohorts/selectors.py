"""Reads for tutors. Every lookup of a cohort, learner or answer goes through these functions,
which only ever return what the tutor may see; anything else is ``Http404``."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, Lower, NullIf, Trim
from django.utils import timezone

from assessments.marking.exemplars import Learning
from assessments.models import Attempt, PointMastery, Question, Response
from assessments.services import below_agreement_threshold
from cohorts.models import (
    Cohort,
    CohortInvitation,
    CohortMembership,
    active_membership,
    visible_to_cohort,
)
from revision_portal.queries import count_of, get_or_404
from topics.models import MarkingPoint, Qualification, Topic

User = get_user_model()

ACTIVE_DAYS = 7


# --- access ----------------------------------------------------------------------------------


def cohort_for_tutor(tutor, pk: int) -> Cohort:
    cohorts = Cohort.objects.taught_by(tutor).select_related("qualification")
    return get_or_404(cohorts, "No such cohort.", pk=pk)


def visible_learners(tutor):
    """Learners a tutor may see: active members of cohorts they teach (admins: everyone).
    Which of their answers the tutor sees is narrower: ``visible_responses``."""
    if tutor.is_superuser:
        return User.objects.all()
    return User.objects.filter(
        pk__in=CohortMembership.objects.active().filter(cohort__tutors=tutor).values("learner_id")
    )


def learner_in_cohort(cohort: Cohort, learner_pk: int):
    """An active member of ``cohort`` (whose access the caller has already checked), with
    ``history_visible_from`` from their membership."""
    membership = CohortMembership.objects.filter(cohort=cohort, learner=OuterRef("pk"))
    learners = User.objects.annotate(
        history_visible_from=Subquery(membership.values("history_visible_from")[:1])
    )
    return get_or_404(
        learners,
        "No such learner in this cohort.",
        active_membership("cohort_memberships"),
        pk=learner_pk,
        cohort_memberships__cohort=cohort,
    )


def visible_responses(tutor, *, cohort_id: int | None = None):
    """Answers a tutor may see (and mark): by an active member of a cohort they teach (or of
    ``cohort_id`` only), given since the membership's ``history_visible_from``, to a question
    in that cohort's scope (its qualification's topics, or all). Admins see every answer
    unless ``cohort_id`` narrows them to one cohort's."""
    responses = Response.objects.all()
    if tutor.is_superuser and cohort_id is None:
        return responses
    cohorts = Cohort.objects.taught_by(tutor)
    if cohort_id is not None:
        cohorts = cohorts.filter(pk=cohort_id)
    memberships = (
        CohortMembership.objects.active()
        .filter(cohort__in=cohorts, learner=OuterRef("attempt__learner"))
        .filter(
            Q(history_visible_from__isnull=True)
            | Q(history_visible_from__lte=OuterRef("attempt__submitted_at"))
        )
        .filter(
            Q(cohort__qualification__isnull=True)
            | Q(cohort__qualification=OuterRef("question__topic__qualification"))
        )
    )
    return responses.filter(Exists(memberships))


def response_for_tutor(tutor, pk: int) -> Response:
    responses = (
        visible_responses(tutor)
        .select_related(
            "attempt",
            "attempt__learner",
            "question",
            "question__topic",
            "question__marking_point",
            "override_by",
        )
        .filter(attempt__marked_at__isnull=False)
    )
    return get_or_404(responses, "No such answer.", pk=pk)


# --- a learner's own cohorts -----------------------------------------------------------------


def learner_memberships(learner):
    """The learner's active memberships with their cohorts and qualifications."""
    return (
        CohortMembership.objects.active()
        .filter(learner=learner)
        .select_related("cohort", "cohort__qualification")
        .order_by("cohort__name", "cohort_id")
    )


def pending_invitations(learner):
    """Invitations waiting for the learner's answer, newest first."""
    return CohortInvitation.objects.filter(
        learner=learner, status=CohortInvitation.Status.PENDING
    ).select_related("cohort", "cohort__qualification", "invited_by")


# --- figures ---------------------------------------------------------------------------------


def topics_in_scope(cohort: Cohort, *, qualification_id: int | None = None):
    """Topics with active marking points (``point_count``) that the cohort's pages cover: its
    qualification's, or ``qualification_id``'s when the cohort has none, else every topic."""
    topics = Topic.objects.annotate(
        point_count=Count("marking_points", filter=Q(marking_points__retired_at__isnull=True))
    ).filter(point_count__gt=0)
    qualification_id = cohort.qualification_id or qualification_id
    if qualification_id:
        topics = topics.filter(qualification_id=qualification_id)
    return topics.order_by("title", "pk")


def qualification_choices() -> list[tuple[int, str]]:
    """Every qualification as (id, name), for narrowing a cohort that spans them all."""
    return list(Qualification.objects.order_by("name").values_list("pk", "name"))


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
    active_members = active_membership("memberships")
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
            & active_membership("learner__cohort_memberships")
            & (
                Q(learner__cohort_memberships__history_visible_from__isnull=True)
                | Q(answered_at__gte=F("learner__cohort_memberships__history_visible_from"))
            )
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
    """Credited marking points out of those in one topic (or in every topic shown)."""

    credited: int
    total: int
    topic: Topic | None = None
    # Marking points answered (credited or not); None where not counted (the cohort totals).
    answered: int | None = None

    @property
    def not_started(self) -> bool:
        """No answer at all: "not started", which 0% would misstate."""
        return self.answered == 0

    @property
    def percent(self) -> int:
        return _percent(self.credited, self.total)

    @property
    def shade(self) -> int:
        """0–5, for the heatmap colour class; the number itself is always printed too."""
        return min(5, self.percent // 20)


@dataclass(frozen=True)
class HeatmapRow:
    learner: object
    overall: HeatmapCell
    cells: list[HeatmapCell]


@dataclass(frozen=True)
class Heatmap:
    """One page of learners × one page of topics, with totals over everything in scope.

    ``overall`` on each row and ``cohort_overall`` count every topic in scope, not just the
    page shown; ``topic_totals`` are the whole cohort's figures for the topics on the page.
    """

    topics: Page
    learners: Page
    rows: list[HeatmapRow]
    topic_totals: list[HeatmapCell]
    cohort_overall: HeatmapCell


HEATMAP_SORT_PATTERN = re.compile(r"-?(name|overall|topic-[0-9]{1,12})")


def heatmap_sort(value: str | None) -> str:
    """``value`` if it is a sort the heatmap knows ("name", "overall", "topic-<id>", each
    optionally prefixed with "-"), else "name"."""
    value = value or ""
    return value if HEATMAP_SORT_PATTERN.fullmatch(value) else "name"


def _scoped_mastery(
    *,
    qualification_id: int | None,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    credited_only: bool = True,
):
    """Credited mastery rows (or every answered one) on active marking points in scope and in
    the date range.

    A row on an active point implies its topic has active points, so the topic scope of
    ``topics_in_scope`` reduces to the qualification here.
    """
    mastery = PointMastery.objects.filter(marking_point__retired_at__isnull=True)
    if credited_only:
        mastery = mastery.filter(credited=True)
    if qualification_id:
        mastery = mastery.filter(topic__qualification_id=qualification_id)
    if date_from:
        mastery = mastery.filter(answered_at__date__gte=date_from)
    if date_to:
        mastery = mastery.filter(answered_at__date__lte=date_to)
    return mastery


def _heatmap_learners(cohort: Cohort, mastery, sort: str, answered_mastery=None):
    """The cohort's active members with ``credited`` (over everything in scope) and, given
    ``answered_mastery``, ``answered`` (points answered at all), ordered by ``sort`` in the
    database; ties fall back to the learner's name."""
    members = User.objects.filter(
        active_membership("cohort_memberships"), cohort_memberships__cohort=cohort
    ).only("pk", "username", "first_name", "last_name")
    mine = mastery.filter(learner=OuterRef("pk"))
    name_key = Lower(
        Coalesce(NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value("")), "username")
    )
    learners = members.annotate(credited=count_of(mine, "learner"), name_key=name_key)
    if answered_mastery is not None:
        learners = learners.annotate(
            answered=count_of(answered_mastery.filter(learner=OuterRef("pk")), "learner")
        )
    descending = sort.startswith("-")
    key_name = sort.lstrip("-")
    if key_name == "name":
        order = [name_key.desc() if descending else name_key.asc()]
    else:
        if key_name.startswith("topic-"):
            topic_id = int(key_name.removeprefix("topic-"))
            learners = learners.annotate(
                sort_credited=count_of(mine.filter(topic_id=topic_id), "learner")
            )
            key = F("sort_credited")
        else:
            key = F("credited")
        order = [key.desc() if descending else key.asc(), name_key.asc()]
    return learners.order_by(*order, "username", "pk")


def cohort_heatmap(
    cohort: Cohort,
    *,
    qualification_id: int | None = None,
    title_contains: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    sort: str = "name",
    learner_page: str | int | None = 1,
    topic_page: str | int | None = 1,
    learners_per_page: int = 25,
    topics_per_page: int = 20,
) -> Heatmap:
    """One page of learners × one page of topics of a cohort's mastery, in seven queries
    at most however many learners, topics and answers there are.

    A cell is the share of the topic's active marking points credited in the learner's latest
    answer to each (a tutor's override counts). With a date range, only latest answers given in
    that range count. Totals are counted in the database: a learner's overall figure over every
    topic in scope, each shown topic's figure over the whole cohort. ``sort`` is as
    ``heatmap_sort`` accepts; page numbers out of range give the last page, unreadable ones the
    first (``Paginator.get_page``). ``qualification_id`` narrows a cohort that is not already
    tied to a qualification; ``title_contains`` narrows the topics shown, not the totals.
    """
    qualification_id = cohort.qualification_id or qualification_id
    # Titles only: a topic row also holds its search text, which the heatmap never shows.
    topics = topics_in_scope(cohort, qualification_id=qualification_id).only("pk", "title")
    points_in_scope = MarkingPoint.objects.active()
    if qualification_id:
        points_in_scope = points_in_scope.filter(topic__qualification_id=qualification_id)
    total_points = points_in_scope.count()

    # Only what the cohort's tutors may see: active members' answers since they joined (or
    # all, where the learner agreed).
    mastery = _scoped_mastery(
        qualification_id=qualification_id, date_from=date_from, date_to=date_to
    ).filter(visible_to_cohort(cohort, learner_path="learner", when_path="answered_at"))
    answered_mastery = _scoped_mastery(
        qualification_id=qualification_id,
        date_from=date_from,
        date_to=date_to,
        credited_only=False,
    ).filter(visible_to_cohort(cohort, learner_path="learner", when_path="answered_at"))
    if title_contains:
        topics = topics.filter(title__icontains=title_contains)
    topic_page_ = Paginator(topics, topics_per_page).get_page(topic_page)
    learners = Paginator(
        _heatmap_learners(cohort, mastery, heatmap_sort(sort), answered_mastery),
        learners_per_page,
    )
    learner_page_ = learners.get_page(learner_page)
    size = learners.count

    shown_topics = list(topic_page_.object_list)
    shown_learners = list(learner_page_.object_list)
    # (credited, answered) per learner and topic shown: one query for the page's cells.
    counts = {}
    if shown_topics and shown_learners:
        counts = {
            (learner_id, topic_id): (credited, answered)
            for learner_id, topic_id, credited, answered in answered_mastery.filter(
                learner__in=[learner.pk for learner in shown_learners],
                topic__in=[topic.pk for topic in shown_topics],
            )
            .values_list("learner_id", "topic_id")
            .annotate(credited=Count("pk", filter=Q(credited=True)), answered=Count("pk"))
        }
    # The whole cohort's credit overall and in each shown topic, as one row of counts.
    totals = mastery.aggregate(
        overall=Count("pk"),
        **{f"topic_{t.pk}": Count("pk", filter=Q(topic_id=t.pk)) for t in shown_topics},
    )
    rows = [
        HeatmapRow(
            learner=learner,
            overall=HeatmapCell(learner.credited, total_points, answered=learner.answered),
            cells=[
                HeatmapCell(credited, t.point_count, t, answered=answered)
                for t in shown_topics
                for credited, answered in [counts.get((learner.pk, t.pk), (0, 0))]
            ],
        )
        for learner in shown_learners
    ]
    return Heatmap(
        topics=topic_page_,
        learners=learner_page_,
        rows=rows,
        topic_totals=[
            HeatmapCell(totals[f"topic_{t.pk}"], t.point_count * size, t) for t in shown_topics
        ],
        cohort_overall=HeatmapCell(totals["overall"], total_points * size),
    )


@dataclass(frozen=True)
class PointSummary:
    point: MarkingPoint
    answered: int
    credited: int
    # How far the question's automatic marks agree with tutors' marks (leave-one-out over its
    # exemplars); ``None`` until tutors have marked some of its answers.
    agreement: Learning | None = None

    @property
    def agreement_below_threshold(self) -> bool:
        """Tutors' marks say its automatic marks cannot be trusted yet: every answer goes to
        the review queue."""
        return self.agreement is not None and below_agreement_threshold(self.agreement)

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


def missed_points(cohort: Cohort):
    """Active marking points in the cohort's scope that its active members have answered, with
    ``answered`` and ``credited`` counted in the database, most missed first (then the highest
    share missed): a queryset, so a page of it costs one query however many points there are."""
    points = MarkingPoint.objects.active().filter(cohort.in_scope("topic"))
    # The filter comes before the counts so that they count only this cohort's mastery rows
    # (one filter call, so every condition reads the same mastery and membership rows).
    return (
        points.filter(
            visible_to_cohort(
                cohort, learner_path="mastery__learner", when_path="mastery__answered_at"
            )
        )
        .annotate(
            answered=Count("mastery"),
            credited=Count("mastery", filter=Q(mastery__credited=True)),
        )
        .annotate(missed=F("answered") - F("credited"))
        .annotate(missed_share=Cast("missed", FloatField()) / F("answered"))
        .select_related("topic")
        .prefetch_related(
            Prefetch(
                "questions",
                queryset=Question.objects.active()
                .filter(kind=Question.Kind.SHORT_ANSWER)
                .only("pk", "marking_point_id", "learning"),
                to_attr="short_answer_questions",
            )
        )
        .order_by("-missed", "-missed_share", "topic__title", "position", "pk")
    )


def point_summaries(points) -> list[PointSummary]:
    """``missed_points`` rows (a page of them) as summaries for the page, each with its
    question's agreement with tutors' marks."""
    return [
        PointSummary(point, point.answered, point.credited, _agreement(point)) for point in points
    ]


def _agreement(point: MarkingPoint) -> Learning | None:
    for question in getattr(point, "short_answer_questions", ()):
        learning = Learning.from_dict(question.learning)
        if learning.agreement_n:
            return learning
    return None


def common_misconceptions(cohort: Cohort) -> list[MisconceptionSummary]:
    """The 20 misconceptions stated most often in the cohort's latest answers (at most
    ``MISCONCEPTION_SCAN_LIMIT`` answers that state any are read, so the cost is bounded)."""
    flagged: Counter[tuple[str, str]] = Counter()
    results = (
        cohort_responses(cohort)
        .filter(misconception_count__gt=0)
        .order_by("-id")
        .values_list("result", flat=True)[:MISCONCEPTION_SCAN_LIMIT]
    )
    for result in results:
        for item in (result or {}).get("misconceptions", []):
            flagged[(item.get("statement", ""), item.get("correction", ""))] += 1
    return [
        MisconceptionSummary(statement, correction, count)
        for (statement, correction), count in flagged.most_common(20)
    ]


def cohort_responses(cohort: Cohort):
    """Marked answers the cohort's tutors may see: by its active members since they joined
    (or all, where the learner agreed), to questions in the cohort's scope."""
    return Response.objects.filter(
        visible_to_cohort(
            cohort, learner_path="attempt__learner", when_path="attempt__submitted_at"
        ),
        cohort.in_scope("question__topic"),
        attempt__marked_at__isnull=False,
    )


def cohort_answers(cohort: Cohort, *, point_id: int | None = None, misconception: str = ""):
    """Marked answers by the cohort's learners, newest first, optionally for one marking
    point or stating one misconception: a queryset either way.

    Misconceptions live in each answer's JSON result, which neither backend can match exactly
    in the same way, so the latest ``MISCONCEPTION_SCAN_LIMIT`` answers stating any are read
    (ids and results only) and the ones stating this one are kept by id."""
    answers = (
        cohort_responses(cohort)
        .select_related(
            "attempt__learner", "question", "question__topic", "question__marking_point"
        )
        .order_by("-attempt__submitted_at", "position")
    )
    if point_id:
        answers = answers.filter(question__marking_point_id=point_id)
    if misconception:
        scanned = answers.filter(misconception_count__gt=0).values_list("pk", "result")
        matching = [
            pk
            for pk, result in scanned[:MISCONCEPTION_SCAN_LIMIT]
            if any(
                m.get("statement") == misconception
                for m in (result or {}).get("misconceptions", [])
            )
        ]
        answers = answers.filter(pk__in=matching)
    return answers


def learner_attempts(learner, cohort: Cohort | None = None):
    """Every marked attempt of a learner with every answer, for the tutor's drill-down (one
    still in the marking queue appears once the worker has marked it).

    With ``cohort``, only what its tutors may see: attempts submitted since
    ``learner.history_visible_from`` (as ``learner_in_cohort`` annotates it; none means all)
    with their answers in the cohort's scope, and no attempt left without any."""
    attempts = Attempt.objects.filter(learner=learner).marked()
    responses = Response.objects.all()
    if cohort is not None:
        visible_from = getattr(learner, "history_visible_from", None)
        if visible_from is not None:
            attempts = attempts.filter(submitted_at__gte=visible_from)
        responses = responses.filter(cohort.in_scope("question__topic"))
        attempts = attempts.filter(Exists(responses.filter(attempt=OuterRef("pk"))))
    return (
        attempts.select_related("topic")
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=responses.select_related(
                    "question", "question__marking_point", "override_by"
                ).order_by("position"),
            )
        )
        .order_by("-submitted_at")
    )


def review_queue(
    tutor,
    *,
    cohort_id: int | None = None,
    topic_id: int | None = None,
    question_id: int | None = None,
):
    """Answers waiting for the tutor: role-play points, answers the marker was unsure of, and
    answers to questions whose tutors' marks it disagrees with, as far as ``visible_responses``
    lets the tutor see them (each cohort's scope and visible history). Grouped by question
    (topic, then the question's place), oldest first within each; optionally one cohort's
    learners, one topic or one question."""
    queue = visible_responses(tutor, cohort_id=cohort_id).filter(
        needs_tutor=True,
        override_awarded__isnull=True,
        attempt__marked_at__isnull=False,
    )
    if topic_id is not None:
        queue = queue.filter(question__topic_id=topic_id)
    if question_id is not None:
        queue = queue.filter(question_id=question_id)
    return queue.select_related(
        "attempt__learner", "question", "question__topic", "question__marking_point"
    ).order_by(
        "question__topic__title", "question__position", "question_id", "attempt__submitted_at", "id"
    )


def queue_topics(tutor) -> list[tuple[int, str]]:
    """(id, title) of the topics with answers waiting for the tutor, for the queue's filter."""
    return list(
        review_queue(tutor)
        .order_by()
        .values_list("question__topic_id", "question__topic__title")
        .distinct()
        .order_by("question__topic__title")
    )


# --- the printable report ----------------------------------------------------------------------

# Learners on one page of the printable report (and per query batch of its CSV): a class list
# fits, and a very large cohort is split into pages rather than one unbounded table.
REPORT_LEARNERS_PER_PAGE = 200
# Topic columns printed side by side: more do not fit across a portrait A4 sheet, so the
# report prints the topics as several tables ("sheets") of this many.
REPORT_TOPICS_PER_SHEET = 6
# Every topic in scope is one column set; a qualification has far fewer.
_REPORT_ALL_TOPICS = 10_000


@dataclass(frozen=True)
class ReportSheet:
    """The report's learners against a few of its topics: one printed table."""

    topics: list
    rows: list[tuple[object, HeatmapCell, list[HeatmapCell]]]
    totals: list[HeatmapCell]


def cohort_report(cohort: Cohort, *, learner_page: str | int | None = 1) -> Heatmap:
    """Every topic in the cohort's scope against one page of its learners (sorted by name),
    with totals: the heatmap's figures, counted the same way, in as many queries."""
    return cohort_heatmap(
        cohort,
        learner_page=learner_page,
        learners_per_page=REPORT_LEARNERS_PER_PAGE,
        topics_per_page=_REPORT_ALL_TOPICS,
    )


def report_sheets(heatmap: Heatmap, *, per_sheet: int = REPORT_TOPICS_PER_SHEET) -> list:
    """Split a report's topic columns into printable tables of ``per_sheet`` topics each, every
    table with all the learners and the whole cohort's totals. A report without topics is one
    table of the learners' overall figures."""
    topics = list(heatmap.topics.object_list)
    starts = range(0, len(topics), per_sheet) if topics else [0]
    return [
        ReportSheet(
            topics=topics[start : start + per_sheet],
            rows=[
                (row.learner, row.overall, row.cells[start : start + per_sheet])
                for row in heatmap.rows
            ],
            totals=heatmap.topic_totals[start : start + per_sheet],
        )
        for start in starts
    ]
