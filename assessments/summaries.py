"""Per-learner topic summaries: recomputed from ``PointMastery`` whenever marks or topics change.

The services call these inside their own transactions:

* ``refresh_learner_summaries`` when an attempt is marked (next to ``_record_mastery``);
* ``refresh_summaries_for_responses`` after an override or a re-mark;
* ``refresh_topic_summaries`` when content changes what a topic contains (marking points added
  or retired), from ``sync_question_bank``, which every content change goes through;
* ``rebuild_learner_summaries`` from the management command of the same name.

Rows are always recomputed from the mastery table (one aggregate query), never incremented, so
a refresh is idempotent and a missed one is repaired by the next refresh or by the rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Max, Q

from assessments.models import Attempt, LearnerTopicSummary, PointMastery, Question, Response
from topics.models import MarkingPoint

# Rows written per INSERT … ON CONFLICT statement in a rebuild or a topic refresh.
UPSERT_BATCH = 2000
# Learners recomputed per transaction by the rebuild.
REBUILD_LEARNERS_PER_BATCH = 500

_SUMMARY_FIELDS = ["points_answered", "points_credited", "points_total", "last_answered_at"]


def refresh_learner_summaries(*, learner_id: int, topic_ids: Iterable[int]) -> None:
    """Recompute one learner's summary rows for ``topic_ids`` from their mastery rows.

    Call inside the transaction that changed the learner's mastery rows.
    """
    topic_ids = set(topic_ids)
    if topic_ids:
        _recompute(learner_ids={learner_id}, topic_ids=topic_ids)


def refresh_summaries_for_responses(responses: Iterable[Response]) -> None:
    """Recompute the summaries that these (re-marked or overridden) responses can change: for
    each response's learner, the topics of the responses they gave. Needs ``attempt_id`` and
    ``question_id`` only; two queries plus the recomputation."""
    responses = list(responses)
    if not responses:
        return
    learner_by_attempt = dict(
        Attempt.objects.filter(pk__in={r.attempt_id for r in responses}).values_list(
            "pk", "learner_id"
        )
    )
    topic_by_question = dict(
        Question.objects.filter(pk__in={r.question_id for r in responses}).values_list(
            "pk", "topic_id"
        )
    )
    learner_ids = {learner_by_attempt[r.attempt_id] for r in responses}
    topic_ids = {topic_by_question[r.question_id] for r in responses}
    # The cross product is a superset of the pairs touched; recomputing an untouched pair
    # rewrites the same figures, and one aggregate covers a whole re-mark.
    _recompute(learner_ids=learner_ids, topic_ids=topic_ids)


def refresh_topic_summaries(*, topic_ids: Iterable[int]) -> None:
    """Recompute every learner's summary rows for these topics (their active marking points
    changed: points added or retired, which moves both the totals and what was answered)."""
    topic_ids = set(topic_ids)
    if topic_ids:
        _recompute(learner_ids=None, topic_ids=topic_ids)


def rebuild_learner_summaries(
    *,
    batch_size: int = REBUILD_LEARNERS_PER_BATCH,
    on_progress: Callable[[int, int], None] | None = None,
) -> int:
    """Recompute every learner's summaries from the mastery table; idempotent.

    Learners are done ``batch_size`` at a time, each batch in its own transaction, so a large
    rebuild neither holds one long transaction nor loses finished batches if interrupted.
    Rows of learners who no longer have any mastery are deleted. ``on_progress(done, total)``
    is called after each batch. Returns how many learners were processed.
    """
    learner_ids = sorted(
        set(PointMastery.objects.values_list("learner_id", flat=True).distinct())
        | set(LearnerTopicSummary.objects.values_list("learner_id", flat=True).distinct())
    )
    total = len(learner_ids)
    for start in range(0, total, batch_size):
        batch = learner_ids[start : start + batch_size]
        with transaction.atomic():
            _recompute(learner_ids=set(batch), topic_ids=None)
        if on_progress is not None:
            on_progress(min(start + batch_size, total), total)
    return total


def summaries_from_mastery(
    *, learner_ids: Collection[int] | None = None, topic_ids: Collection[int] | None = None
) -> dict[tuple[int, int], dict]:
    """What the summary rows in scope should hold: ``{(learner_id, topic_id): fields}``, for the
    pairs with at least one answered active marking point. ``None`` means no restriction."""
    mastery = PointMastery.objects.filter(marking_point__retired_at__isnull=True)
    if learner_ids is not None:
        mastery = mastery.filter(learner_id__in=learner_ids)
    if topic_ids is not None:
        mastery = mastery.filter(topic_id__in=topic_ids)
    rows = list(
        mastery.order_by()
        .values("learner_id", "topic_id")
        .annotate(
            answered=Count("pk"),
            credited=Count("pk", filter=Q(credited=True)),
            last=Max("answered_at"),
        )
    )
    if not rows:
        return {}
    totals = dict(
        MarkingPoint.objects.active()
        .filter(topic_id__in={row["topic_id"] for row in rows})
        .order_by()
        .values("topic_id")
        .annotate(total=Count("pk"))
        .values_list("topic_id", "total")
    )
    return {
        (row["learner_id"], row["topic_id"]): {
            "points_answered": row["answered"],
            "points_credited": row["credited"],
            "points_total": totals.get(row["topic_id"], 0),
            "last_answered_at": row["last"],
        }
        for row in rows
    }


def _recompute(*, learner_ids: set[int] | None, topic_ids: set[int] | None) -> None:
    """Make the summary rows in scope (learners × topics; ``None`` is every one) equal to
    ``summaries_from_mastery``: upsert the pairs that have answers, delete the others."""
    if learner_ids is not None:
        _lock_learners(learner_ids)
    wanted = summaries_from_mastery(learner_ids=learner_ids, topic_ids=topic_ids)
    if wanted:
        LearnerTopicSummary.objects.bulk_create(
            [
                LearnerTopicSummary(learner_id=learner_id, topic_id=topic_id, **fields)
                for (learner_id, topic_id), fields in wanted.items()
            ],
            update_conflicts=True,
            unique_fields=["learner", "topic"],
            update_fields=_SUMMARY_FIELDS,
            batch_size=UPSERT_BATCH,
        )
    existing = LearnerTopicSummary.objects.all()
    if learner_ids is not None:
        existing = existing.filter(learner_id__in=learner_ids)
    if topic_ids is not None:
        existing = existing.filter(topic_id__in=topic_ids)
    stale = [
        pk
        for pk, learner_id, topic_id in existing.values_list("pk", "learner_id", "topic_id")
        if (learner_id, topic_id) not in wanted
    ]
    if stale:
        LearnerTopicSummary.objects.filter(pk__in=stale).delete()


def _lock_learners(learner_ids: set[int]) -> None:
    """Serialise summary refreshes per learner.

    Under READ COMMITTED two transactions marking answers of the same learner (two tabs, two
    queue workers) would each aggregate without the other's uncommitted mastery rows, and the
    later upsert would win with figures missing the earlier one's answers. Locking the
    learner's row first makes the second wait for the first to commit; its aggregate, a new
    statement, then sees both. Locked in id order so two re-marks never deadlock on each other.
    """
    list(
        get_user_model()
        .objects.select_for_update()
        .filter(pk__in=learner_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
