"""The JSON options and key, now copied into AnswerOption rows (0010), are removed."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0010_copy_choices_to_answer_options"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="historicalquestion",
            name="choices",
        ),
        migrations.RemoveField(
            model_name="historicalquestion",
            name="correct_choice",
        ),
        migrations.RemoveField(
            model_name="question",
            name="choices",
        ),
        migrations.RemoveField(
            model_name="question",
            name="correct_choice",
        ),
    ]
