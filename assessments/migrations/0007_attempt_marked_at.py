from django.db import migrations, models
from django.db.models import F


def mark_existing_submissions(apps, schema_editor):
    # Before the job queue every attempt was marked in the same transaction that submitted it.
    Attempt = apps.get_model("assessments", "Attempt")
    Attempt.objects.filter(submitted_at__isnull=False, marked_at__isnull=True).update(
        marked_at=F("submitted_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0006_backfill_learner_topic_summaries"),
    ]

    operations = [
        migrations.AddField(
            model_name="attempt",
            name="marked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_existing_submissions, migrations.RunPython.noop),
    ]
