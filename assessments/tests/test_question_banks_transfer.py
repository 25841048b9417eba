"""Importing question banks into topics and exporting them: services and commands."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from assessments.models import AnswerOption, Question
from assessments.question_bank_transfer import export_question_bank, import_question_bank
from assessments.question_banks.reading import MAX_BANK_BYTES
from topics.models import Qualification, Topic
from topics.tests.factories import QualificationFactory, TopicFactory

pytestmark = pytest.mark.django_db

EXAMPLES = Path(settings.BASE_DIR) / "docs" / "examples"
EXAMPLE_FILES = ["question-bank.gift", "question-bank.xml"]
FORMAT_OF = {"question-bank.gift": "gift", "question-bank.xml": "moodle-xml"}


def import_example(name, **kwargs):
    return import_question_bank(name=name, data=(EXAMPLES / name).read_bytes(), **kwargs)


def empty_the_database():
    """As a fresh install has it: no questions, topics or qualifications."""
    AnswerOption.objects.all().delete()
    Question.objects.all().delete()
    Topic.objects.all().delete()
    Qualification.objects.all().delete()


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_imports_every_question_type_into_a_new_draft_topic(name):
    report = import_example(name)

    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (6, 0, 0)
    topic = Topic.objects.get()
    assert topic.title == "Handling complaints by phone and email"
    assert not topic.is_published
    assert topic.qualification.name == "Example question bank"
    questions = {q.name: q for q in topic.questions.prefetch_related("options")}
    assert {q.origin for q in questions.values()} == {Question.Origin.IMPORTED}

    phone = questions["Answering the phone"]
    assert phone.kind == Question.Kind.SHORT_ANSWER
    assert phone.model_answer == "Greet the caller and give your name"
    assert phone.marking_guidance == (
        "Award credit for greeting the caller and giving the agent's name."
    )
    assert [(o.text, o.is_correct) for o in phone.options.all()] == [
        ("Greet the caller and give your name", True),
        ("Say hello and introduce yourself", True),
        ("Ask for their account number", False),
    ]
    assert phone.options.all()[2].feedback == "Greet them first: the account number can wait."
    # The rubric is built, so the marker can mark it.
    assert phone.indicators.exists()

    tags = questions["Ticket tags"]
    assert tags.prompt.startswith("In the ticket system, tags look like {urgent} or #refund")
    assert "\n\nWhich tag marks a refund request?" in tags.prompt

    hold = questions["Putting a caller on hold"]
    assert hold.kind == Question.Kind.MULTIPLE_CHOICE
    assert not hold.multiple_answers
    assert hold.correct_positions() == [0]
    assert hold.general_feedback == "Asking first, and saying how long, keeps the caller's trust."

    calming = questions["Calming an upset customer"]
    assert calming.multiple_answers
    assert calming.correct_positions() == [0, 1]
    assert calming.option_texts()[3] == "Quote the complaints policy = end of discussion"

    refunds = questions["Promising refunds"]
    assert refunds.kind == Question.Kind.TRUE_FALSE
    assert [(o.text, o.is_correct) for o in refunds.options.all()] == [
        ("True", False),
        ("False", True),
    ]


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_importing_then_exporting_an_example_gives_the_same_file(name):
    import_example(name)

    export = export_question_bank(file_format=FORMAT_OF[name])

    assert export.text == (EXAMPLES / name).read_text()


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_reimporting_the_same_file_changes_nothing(name):
    import_example(name)
    before = list(Question.objects.values_list("pk", "updated_at").order_by("pk"))
    history = Question.history.count(), AnswerOption.objects.count()

    report = import_example(name)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 6)
    assert report.topics_created == []
    assert list(Question.objects.values_list("pk", "updated_at").order_by("pk")) == before
    assert (Question.history.count(), AnswerOption.objects.count()) == history


def test_a_changed_file_updates_only_the_changed_question():
    import_example("question-bank.gift")
    text = (EXAMPLES / "question-bank.gift").read_text()
    changed = text.replace("{TRUE}", "{FALSE}")
    untouched = Question.objects.get(name="Answering the phone").updated_at

    report = import_question_bank(name="bank.gift", data=changed.encode())

    assert (report.created, report.updated, report.unchanged) == (0, 1, 5)
    reply = Question.objects.get(name="Reply time")
    assert reply.correct_positions() == [1]
    assert Question.objects.get(name="Answering the phone").updated_at == untouched


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_dry_run_reports_but_saves_nothing(name):
    report = import_example(name, dry_run=True)

    assert report.created == 6
    assert report.topics_created == ["Handling complaints by phone and email"]
    assert "would be created" in report.summary
    assert not Question.objects.exists()
    assert not Topic.objects.exists()
    assert not Qualification.objects.exists()


def test_bad_questions_are_reported_with_file_and_line_and_the_rest_imported():
    text = (
        "$CATEGORY: $course$/top/Service/Phones\n\n"
        "::Fine::Is it fine?{T}\n\n"
        "::Broken::Which?{=a ~b\n\n"
        "::Number::How many?{#3}\n\n"
        "::Fine::Same name again{F}\n"
    )

    report = import_question_bank(name="phones.gift", data=text.encode())

    assert report.created == 1
    assert report.errors == [
        "phones.gift:5: the answer block has no closing “}”",
        "phones.gift:7: numerical questions “{#…}” are not imported",
        "phones.gift:9: another question in this category is named “Fine” (line 3): names must "
        "be unique within a category",
    ]
    assert report.failed


def test_questions_without_a_category_are_refused_with_their_line():
    report = import_question_bank(name="loose.gift", data=b"\n::Q::Is it?{T}\n")

    assert report.errors == [
        "loose.gift:2: the question is in no category: put a $CATEGORY line (GIFT) or a "
        "category question (Moodle XML) naming its topic before it"
    ]
    assert not Question.objects.exists()


def test_files_over_two_megabytes_are_refused_with_a_clear_message():
    data = b"$CATEGORY: A/B\n\n" + b"Q?{T}\n\n" * (MAX_BANK_BYTES // 7)

    report = import_question_bank(name="huge.gift", data=data)

    assert report.errors == [
        "huge.gift:1: the file is larger than 2 MB, the most a question bank may be: split it "
        "into several files"
    ]
    assert not Question.objects.exists()


def test_invalid_xml_and_undecodable_text_are_clear_errors():
    xml = import_question_bank(name="bank.xml", data=b"<quiz>\n  <question>\n</quiz>")
    assert xml.errors == ["bank.xml:3: the file is not well-formed XML: mismatched tag"]
    gift = import_question_bank(name="bank.gift", data=b"$CATEGORY: A\n\nCaf\xe9?{T}")
    assert gift.errors == [
        "bank.gift:3: the file is not UTF-8 text (byte 0xe9): save it as UTF-8 and upload it again"
    ]


def test_categories_find_existing_topics_by_title_or_slug():
    qualification = QualificationFactory(name="Service")
    by_title = TopicFactory(title="Phones", slug="phone-skills", qualification=qualification)
    by_slug = TopicFactory(title="Email etiquette", slug="email")
    text = "$CATEGORY: $course$/top/Service/phones\n\nA?{T}\n\n$CATEGORY: email\n\nB?{F}\n"

    report = import_question_bank(name="bank.gift", data=text.encode())

    assert report.errors == []
    assert report.topics_created == []
    assert by_title.questions.get().prompt == "A?"
    assert by_slug.questions.get().prompt == "B?"


def test_two_topics_with_the_title_refuse_the_question():
    TopicFactory(title="Phones", qualification=None)
    TopicFactory(title="Phones", qualification=None)

    report = import_question_bank(name="bank.gift", data=b"$CATEGORY: Phones\n\nA?{T}\n")

    assert report.errors == [
        "bank.gift:3: 2 topics are called “Phones”: rename one, or name the topic by its slug "
        "in the category"
    ]


@pytest.mark.parametrize("file_format,name", [("gift", "bank.gift"), ("moodle-xml", "bank.xml")])
def test_round_trip_of_generated_questions_into_an_empty_database(
    imported_seeds, file_format, name
):
    """Export every generated question (short answer with and without a model answer, concept
    and misconception choice), import the file into an empty database and export again: the
    same text."""
    assert {"short_answer", "concept_choice", "misconception_choice"} <= set(
        Question.objects.values_list("kind", flat=True)
    )
    first = export_question_bank(file_format=file_format)
    assert first.count == Question.objects.filter(is_active=True).count()
    assert first.left_out == ()
    empty_the_database()

    report = import_question_bank(name=name, data=first.text.encode())

    assert report.errors == []
    assert report.created == first.count
    assert export_question_bank(file_format=file_format).text == first.text
    again = import_question_bank(name=name, data=first.text.encode())
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.count)


def test_round_trip_keeps_marking_guidance_and_several_right_answers():
    topic = TopicFactory(title="Phones", qualification=QualificationFactory(name="Service"))
    text = (
        "$CATEGORY: $course$/top/Service/Phones\n\n"
        "// marking guidance: Award credit for a reason and its effect.\n"
        "::Why::Why apologise?{\n\t=%100%it calms the customer#\n}\n\n"
        "::Pick::Pick two{\n\t~%50%a\n\t~%50%b\n\t~c\n}\n"
    )
    import_question_bank(name="bank.gift", data=text.encode())
    assert topic.questions.get(name="Why").marking_guidance == (
        "Award credit for a reason and its effect."
    )
    for file_format in ("gift", "moodle-xml"):
        first = export_question_bank(file_format=file_format, topics=[topic]).text
        empty_the_database()
        import_question_bank(
            name="x.gift" if file_format == "gift" else "x.xml", data=first.encode()
        )
        assert export_question_bank(file_format=file_format).text == first
        topic = Topic.objects.get()


# Commands ------------------------------------------------------------------------------------


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_questions_command_imports_each_file_and_prints_a_summary():
    out, err = run("import_questions", *(str(EXAMPLES / name) for name in EXAMPLE_FILES))

    assert err == ""
    assert "question-bank.gift: 6 question(s) created" in out
    assert "question-bank.xml: 0 question(s) created, 0 updated, 6 unchanged" in out
    assert Question.objects.count() == 6


def test_import_questions_dry_run_writes_nothing():
    out, _ = run("import_questions", "--dry-run", str(EXAMPLES / "question-bank.xml"))

    assert out.startswith("dry run (nothing written): ")
    assert not Question.objects.exists()


def test_import_questions_reports_bad_questions_on_stderr_and_fails(tmp_path):
    bank = tmp_path / "bad.gift"
    bank.write_text("$CATEGORY: A/B\n\n::Ok::Fine?{T}\n\n::Bad::Broken {=a ~b\n")
    missing = tmp_path / "missing.gift"
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match="2 question"):
        call_command("import_questions", str(bank), str(missing), stdout=out, stderr=err)

    assert f"{bank}:5: the answer block has no closing “}}”" in err.getvalue()
    assert f"{missing}: no such file" in err.getvalue()
    assert "1 question(s) created" in out.getvalue()
    assert Question.objects.count() == 1


def test_export_questions_writes_to_stdout_or_a_file(tmp_path):
    import_example("question-bank.gift")

    out, err = run("export_questions", "--format", "gift")
    assert out == (EXAMPLES / "question-bank.gift").read_text()
    assert "6 question(s) exported as gift" in err

    target = tmp_path / "bank.xml"
    out, _ = run("export_questions", "--format", "moodle-xml", "-o", str(target))
    assert target.read_text() == (EXAMPLES / "question-bank.xml").read_text()
    assert f"to {target}" in out


def test_export_questions_filters_by_topic_and_qualification():
    import_example("question-bank.gift")
    other = TopicFactory(title="Other", slug="other")
    import_question_bank(name="o.gift", data=b"$CATEGORY: other\n\n::Solo::Alone?{T}\n")
    slug = Topic.objects.get(title__startswith="Handling").slug

    only_other, _ = run("export_questions", "--format", "gift", "--topic", other.slug)
    assert "::Solo::" in only_other and "Answering the phone" not in only_other
    by_name, _ = run(
        "export_questions", "--format", "gift", "--qualification", "example QUESTION bank"
    )
    assert "Answering the phone" in by_name and "::Solo::" not in by_name
    qualification_id = str(Qualification.objects.get(name="Example question bank").pk)
    by_id, _ = run("export_questions", "--format", "gift", "--qualification", qualification_id)
    assert by_id == by_name
    both, _ = run("export_questions", "--format", "gift", "--topic", slug)
    assert both == by_name


def test_export_questions_names_unknown_topics_and_qualifications():
    with pytest.raises(CommandError, match="No topic has the slug “nope”"):
        run("export_questions", "--format", "gift", "--topic", "nope")
    with pytest.raises(CommandError, match="No qualification is named"):
        run("export_questions", "--format", "gift", "--qualification", "Nope")


def test_essays_import_as_short_answer_marked_from_their_guidance_and_reimport_unchanged():
    text = (
        b"$CATEGORY: $course$/top/Service/Feedback\n\n"
        b"// marking guidance: Award credit for identifying two methods of measuring "
        b"satisfaction, such as NPS, CSAT or CES.\n"
        b"::Measures::Identify two methods of measuring customer satisfaction.{}\n"
    )

    first = import_question_bank(name="essay.gift", data=text)
    again = import_question_bank(name="essay.gift", data=text)

    assert first.created == 1 and first.errors == []
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    question = Question.objects.get()
    assert question.kind == Question.Kind.SHORT_ANSWER
    assert not question.options.exists()
    assert question.marking_guidance.startswith("Award credit for identifying two methods")
    assert question.indicators.exists()
    # The rubric builder wrote a model answer from the guidance's examples: not a change in
    # the file, so the second import left the question alone.
    assert question.model_answer


@pytest.mark.parametrize("file_format,name", [("gift", "tf.gift"), ("moodle-xml", "tf.xml")])
def test_a_true_false_question_with_false_first_round_trips(file_format, name):
    from assessments.services import save_question

    topic = TopicFactory(title="Phones", qualification=None)
    question = Question(
        topic=topic, kind=Question.Kind.TRUE_FALSE, name="Hold", prompt="Hold is mute."
    )
    save_question(question=question, options=[("False", True, "Right."), ("True", False, "No.")])
    first = export_question_bank(file_format=file_format).text
    empty_the_database()

    import_question_bank(name=name, data=first.encode())

    assert export_question_bank(file_format=file_format).text == first
    imported = Question.objects.get()
    assert [(o.text, o.is_correct, o.feedback) for o in imported.options.all()] == [
        ("True", False, "No."),
        ("False", True, "Right."),
    ]


def test_a_question_refused_on_save_leaves_its_new_topic_for_the_next(monkeypatch):
    from assessments import question_bank_transfer
    from assessments.services import save_question

    def refuse_bad(*, question, options, author=None):
        if question.name == "Bad":
            raise ValidationError({"options": "Refused for the test."})
        return save_question(question=question, options=options, author=author)

    monkeypatch.setattr(question_bank_transfer, "save_question", refuse_bad)
    text = b"$CATEGORY: Service/Phones\n\n::Bad::First?{T}\n\n::Good::Second?{F}\n"

    report = import_question_bank(name="bank.gift", data=text)

    assert report.errors == ["bank.gift:3: options: Refused for the test."]
    assert report.created == 1
    assert Topic.objects.get().questions.get().name == "Good"
