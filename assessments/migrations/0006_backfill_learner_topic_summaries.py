"""Fill ``LearnerTopicSummary`` from the mastery rows that already exist.

Frozen copy of ``assessments.summaries``' aggregation over the historical models (a migration
must not depend on today's code). Later changes are kept up to date by the services; the
``rebuild_learner_summaries`` command recomputes everything at any time.
"""

from django.db import migrations
from django.db.models import Count, Max, Q

LEARNERS_PER_BATCH = 500


def backfill(apps, schema_editor):
    PointMastery = apps.get_model("assessments", "PointMastery")
    MarkingPoint = apps.get_model("topics", "MarkingPoint")
    Summary = apps.get_model("assessments", "LearnerTopicSummary")
    totals = dict(
        MarkingPoint.objects.filter(retired_at__isnull=True)
        .order_by()
        .values("topic_id")
        .annotate(total=Count("pk"))
        .values_list("topic_id", "total")
    )
    learner_ids = sorted(set(PointMastery.objects.values_list("learner_id", flat=True)))
    for start in range(0, len(learner_ids), LEARNERS_PER_BATCH):
        rows = (
            PointMastery.objects.filter(
                learner_id__in=learner_ids[start : start + LEARNERS_PER_BATCH],
                marking_point__retired_at__isnull=True,
            )
            .order_by()
            .values("learner_id", "topic_id")
            .annotate(
                answered=Count("pk"),
                credited=Count("pk", filter=Q(credited=True)),
                last=Max("answered_at"),
            )
        )
        Summary.objects.bulk_create(
            [
                Summary(
                    learner_id=row["learner_id"],
                    topic_id=row["topic_id"],
                    points_answered=row["answered"],
                    points_credited=row["credited"],
                    points_total=totals.get(row["topic_id"], 0),
                    last_answered_at=row["last"],
                )
                for row in rows
            ],
            batch_size=2000,
        )


def remove_all(apps, schema_editor):
    apps.get_model("assessments", "LearnerTopicSummary").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_learner_topic_summary"),
    ]

    operations = [migrations.RunPython(backfill, remove_all)]
