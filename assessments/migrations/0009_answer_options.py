"""Answer options as rows, question origin and authoring fields (the JSON choices are copied
by 0010 and removed by 0011)."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0008_remark_run"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalquestion",
            name="author",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The tutor or editor who wrote it (none for generated or imported questions).",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalquestion",
            name="general_feedback",
            field=models.TextField(
                blank=True,
                help_text="Shown to the learner after they answer, whatever their answer: the reason behind the right answer, or where to read more.",
            ),
        ),
        migrations.AddField(
            model_name="historicalquestion",
            name="marking_guidance",
            field=models.TextField(
                blank=True,
                help_text="For a short-answer question with no marking point: what earns credit, as an examiner would put it (e.g. “Award credit for identifying two benefits…”). The rubric is built from it (or from the prompt when it is blank) and the model answer.",
            ),
        ),
        migrations.AddField(
            model_name="historicalquestion",
            name="multiple_answers",
            field=models.BooleanField(
                default=False,
                help_text="Several options are right: the learner ticks boxes and is credited only when they tick every right option and no wrong one.",
            ),
        ),
        migrations.AddField(
            model_name="historicalquestion",
            name="name",
            field=models.CharField(
                blank=True,
                help_text="A short name to find the question by in lists (optional; the prompt's start is shown when it is blank).",
                max_length=255,
            ),
        ),
        migrations.AddField(
            model_name="historicalquestion",
            name="origin",
            field=models.CharField(
                choices=[
                    ("generated", "Generated from the topic document"),
                    ("authored", "Written by a tutor or editor"),
                    ("imported", "Imported from a question bank file"),
                ],
                default="generated",
                help_text="Where the question came from: only generated ones follow the topic document when it is imported again.",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="author",
            field=models.ForeignKey(
                blank=True,
                help_text="The tutor or editor who wrote it (none for generated or imported questions).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="authored_questions",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="general_feedback",
            field=models.TextField(
                blank=True,
                help_text="Shown to the learner after they answer, whatever their answer: the reason behind the right answer, or where to read more.",
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="marking_guidance",
            field=models.TextField(
                blank=True,
                help_text="For a short-answer question with no marking point: what earns credit, as an examiner would put it (e.g. “Award credit for identifying two benefits…”). The rubric is built from it (or from the prompt when it is blank) and the model answer.",
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="multiple_answers",
            field=models.BooleanField(
                default=False,
                help_text="Several options are right: the learner ticks boxes and is credited only when they tick every right option and no wrong one.",
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="name",
            field=models.CharField(
                blank=True,
                help_text="A short name to find the question by in lists (optional; the prompt's start is shown when it is blank).",
                max_length=255,
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="origin",
            field=models.CharField(
                choices=[
                    ("generated", "Generated from the topic document"),
                    ("authored", "Written by a tutor or editor"),
                    ("imported", "Imported from a question bank file"),
                ],
                default="generated",
                help_text="Where the question came from: only generated ones follow the topic document when it is imported again.",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="response",
            name="selected_choices",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AlterField(
            model_name="historicalquestion",
            name="kind",
            field=models.CharField(
                choices=[
                    ("short_answer", "Short answer (marked against a marking point)"),
                    ("concept_choice", "Multiple choice: which key concept"),
                    ("misconception_choice", "Multiple choice: spot the mistake"),
                    ("multiple_choice", "Multiple choice"),
                    ("true_false", "True or false"),
                ],
                default="short_answer",
                help_text="Short answer: written, marked against the rubric. Multiple choice: the learner picks from the options below. True or false: the options are “True” and “False”, one ticked as right.",
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="question",
            name="kind",
            field=models.CharField(
                choices=[
                    ("short_answer", "Short answer (marked against a marking point)"),
                    ("concept_choice", "Multiple choice: which key concept"),
                    ("misconception_choice", "Multiple choice: spot the mistake"),
                    ("multiple_choice", "Multiple choice"),
                    ("true_false", "True or false"),
                ],
                default="short_answer",
                help_text="Short answer: written, marked against the rubric. Multiple choice: the learner picks from the options below. True or false: the options are “True” and “False”, one ticked as right.",
                max_length=32,
            ),
        ),
        migrations.CreateModel(
            name="AnswerOption",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0)),
                ("text", models.TextField()),
                (
                    "is_correct",
                    models.BooleanField(
                        default=False,
                        help_text="Tick the right option (or every right option).",
                        verbose_name="correct",
                    ),
                ),
                (
                    "feedback",
                    models.TextField(
                        blank=True,
                        help_text="Shown to a learner who picks this option, after they answer.",
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="options",
                        to="assessments.question",
                    ),
                ),
            ],
            options={
                "ordering": ["position", "id"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalAnswerOption",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0)),
                ("text", models.TextField()),
                (
                    "is_correct",
                    models.BooleanField(
                        default=False,
                        help_text="Tick the right option (or every right option).",
                        verbose_name="correct",
                    ),
                ),
                (
                    "feedback",
                    models.TextField(
                        blank=True,
                        help_text="Shown to a learner who picks this option, after they answer.",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="assessments.question",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical answer option",
                "verbose_name_plural": "historical answer options",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
    ]
