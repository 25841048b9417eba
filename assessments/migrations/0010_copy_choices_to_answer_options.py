"""Copy every question's JSON options and key into AnswerOption rows, and set each question's
origin (generated questions carry a source key; the others were written by a person)."""

from django.db import migrations

BATCH = 2000


def legacy_options(choices, correct_choice) -> list[tuple[int, str, bool]]:
    """The ``(position, text, is_correct)`` rows of a question's old ``choices`` list and
    ``correct_choice`` index. Pure (tested on its own). A list that was not a list gives no
    rows; an option that was not a text is kept as its text, and a key out of range marks
    nothing right, so a broken key stays visibly broken (the admin's filter lists it) rather
    than silently becoming another answer."""
    if not isinstance(choices, list):
        return []
    return [
        (position, text if isinstance(text, str) else str(text), position == correct_choice)
        for position, text in enumerate(choices)
    ]


def copy_choices(apps, schema_editor):
    Question = apps.get_model("assessments", "Question")
    AnswerOption = apps.get_model("assessments", "AnswerOption")
    Question.objects.filter(source_key="").update(origin="authored")
    Question.objects.exclude(source_key="").update(origin="generated")
    rows = []
    questions = (
        Question.objects.exclude(kind="short_answer")
        .order_by("pk")
        .values_list("pk", "choices", "correct_choice")
    )
    for pk, choices, correct_choice in questions.iterator(chunk_size=BATCH):
        rows.extend(
            AnswerOption(question_id=pk, position=position, text=text, is_correct=is_correct)
            for position, text, is_correct in legacy_options(choices, correct_choice)
        )
        if len(rows) >= BATCH:
            AnswerOption.objects.bulk_create(rows)
            rows = []
    AnswerOption.objects.bulk_create(rows)


def copy_options_back(apps, schema_editor):
    """Reverse: the options as the JSON list again, the first right one as the key."""
    Question = apps.get_model("assessments", "Question")
    AnswerOption = apps.get_model("assessments", "AnswerOption")
    by_question: dict[int, list] = {}
    for option in AnswerOption.objects.order_by("question_id", "position", "id"):
        by_question.setdefault(option.question_id, []).append(option)
    for pk, options in by_question.items():
        correct = next((i for i, o in enumerate(options) if o.is_correct), None)
        Question.objects.filter(pk=pk).update(
            choices=[o.text for o in options], correct_choice=correct
        )
    AnswerOption.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0009_answer_options"),
    ]

    operations = [
        migrations.RunPython(copy_choices, copy_options_back),
    ]
