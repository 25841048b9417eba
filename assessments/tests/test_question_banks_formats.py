"""The GIFT and Moodle XML readers and writers (pure: no database)."""

from pathlib import Path

import pytest

from assessments.question_banks.gift import parse_gift, write_gift
from assessments.question_banks.html_text import html_to_text, text_to_html
from assessments.question_banks.moodle_xml import parse_moodle_xml, write_moodle_xml
from assessments.question_banks.reading import (
    GIFT,
    MAX_BANK_BYTES,
    MOODLE_XML,
    detect_format,
    read_bank_file,
)
from assessments.question_banks.records import (
    MULTIPLE_CHOICE,
    SHORT_ANSWER,
    TRUE_FALSE,
    BankOption,
    BankQuestion,
    format_category_path,
    parse_category_path,
)

DATA = Path(__file__).parent / "data" / "question_banks"


def by_name(parsed):
    return {question.name: question for question in parsed.questions}


def options(question):
    return [(o.text, o.is_correct, o.feedback) for o in question.options]


# GIFT as Moodle exports it -------------------------------------------------------------------


@pytest.fixture(scope="module")
def moodle_gift():
    return parse_gift((DATA / "moodle_export.gift").read_text())


def test_gift_from_moodle_reads_every_question_without_errors(moodle_gift):
    assert moodle_gift.errors == ()
    assert [q.name for q in moodle_gift.questions] == [
        "Greeting",
        "Hold time",
        "Good habits",
        "Mute",
        "Symbols : escaped",
    ]
    assert {q.category for q in moodle_gift.questions} == {
        ("Default for Service Skills", "Call handling")
    }


def test_gift_short_answer_keeps_accepted_and_wrong_answers_with_feedback(moodle_gift):
    question = by_name(moodle_gift)["Greeting"]
    assert question.kind == SHORT_ANSWER
    # HTML (with escaped "=" and ":" in its attributes) becomes plain text.
    assert question.prompt == "What should an agent say first when answering a call?"
    assert options(question) == [
        (
            "their name and the company's name",
            True,
            "Good: callers want to know who they are talking to.",
        ),
        ("the company name", True, ""),
        ("what do you want", False, "Too abrupt."),
    ]
    assert question.model_answer == "their name and the company's name"
    assert question.general_feedback == "Greet, name yourself, then offer help."
    assert question.line == 6


def test_gift_single_answer_multiple_choice(moodle_gift):
    question = by_name(moodle_gift)["Hold time"]
    assert question.kind == MULTIPLE_CHOICE
    assert not question.multiple_answers
    assert question.prompt == "Before putting a caller on hold you should:"
    assert [o.is_correct for o in question.options] == [True, False, False]
    assert question.options[1].feedback == "They may think you hung up."
    assert question.general_feedback == "Ask first."


def test_gift_weights_without_an_equals_option_make_several_right_answers(moodle_gift):
    question = by_name(moodle_gift)["Good habits"]
    assert question.multiple_answers
    assert [(o.is_correct, o.fraction) for o in question.options] == [
        (True, 50.0),
        (True, 50.0),
        (False, -100.0),
    ]


def test_gift_true_false_feedback_is_wrong_then_right(moodle_gift):
    question = by_name(moodle_gift)["Mute"]
    assert question.kind == TRUE_FALSE
    assert options(question) == [
        ("True", False, "No: on mute the caller hears silence."),
        ("False", True, "Correct."),
    ]
    assert question.general_feedback == "Use hold and tell the caller."


def test_gift_escaped_characters_are_the_characters_themselves(moodle_gift):
    question = by_name(moodle_gift)["Symbols : escaped"]
    assert question.prompt == "Type ~ = # { } : and a backslash \\ here.\nSecond line."
    assert options(question) == [("True", True, ""), ("False", False, "")]


@pytest.mark.parametrize("key,truth", [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)])
def test_gift_true_false_keys(key, truth):
    (question,) = parse_gift(f"Is it so?{{{key}}}").questions
    assert question.kind == TRUE_FALSE
    assert [o.is_correct for o in question.options] == [truth, not truth]


def test_gift_bare_short_answer_and_name_from_prompt():
    (question,) = parse_gift("Which department handles refunds? {=Finance =Accounts}").questions
    assert question.kind == SHORT_ANSWER
    assert question.name == "Which department handles refunds?"
    assert [o.text for o in question.options] == ["Finance", "Accounts"]
    (bare,) = parse_gift("Say thank you in French. {merci}").questions
    assert options(bare) == [("merci", True, "")]


def test_essays_are_short_answer_questions_with_no_set_answer():
    (gift,) = parse_gift(
        "// marking guidance: Award credit for a reason.\n::E::Why?{####Because.}"
    ).questions
    assert (gift.kind, gift.options, gift.general_feedback) == (SHORT_ANSWER, (), "Because.")
    assert gift.marking_guidance == "Award credit for a reason."
    assert write_gift([gift]).endswith("::E::Why?{####Because.}\n")
    xml = write_moodle_xml([gift])
    assert '<question type="essay">' in xml
    (again,) = parse_moodle_xml(xml.encode()).questions
    assert again == gift.__class__(**{**gift.__dict__, "line": again.line})


def test_gift_markdown_and_plain_formats_keep_the_text():
    (question,) = parse_gift("[markdown]Is **this** kept?{T}").questions
    assert question.prompt == "Is **this** kept?"


def test_gift_category_path_with_a_slash_in_a_name():
    parsed = parse_gift("$CATEGORY: $course$/top/Sales//Service/Refunds\n\nQ?{T}")
    assert parsed.questions[0].category == ("Sales/Service", "Refunds")
    assert (
        format_category_path(("Sales/Service", "Refunds")) == "$course$/top/Sales//Service/Refunds"
    )
    assert parse_category_path("$system$/top/A") == ("A",)


def test_gift_marking_guidance_comment_belongs_to_the_next_question():
    text = (
        "// marking guidance: Award credit for naming the customer.\n"
        "// marking guidance: Second line.\n"
        "::Q1::Who?{=the customer}\n\n"
        "// marking guidance: orphaned by the blank line\n\n"
        "::Q2::Who else?{=the manager}\n"
    )
    first, second = parse_gift(text).questions
    assert first.marking_guidance == "Award credit for naming the customer.\nSecond line."
    assert second.marking_guidance == ""


MALFORMED_GIFT = """\
::Good one::Which is polite?{=please ~oi}

::Unclosed::Which is polite?{=please ~oi

::No answers::Just a description.

::Feedbacks::Is it so?{T#one#two#three}

::Number::How many rings before answering?{#3}

::Match::Match them {=a -> b =c -> d}

::Missing word::Please {=hold ~wait} the line.

::Two right::Pick one {=a =b ~c}

::One option::Pick one {~a}

::Format::[rtf]Styled?{T}

::No name end Which?{T}

::Nothing right::Pick {~a ~b}

::Weight::Pick {~%abc%a ~b}

::Good one::Duplicate name {T}

::Last::Still read after the errors?{TRUE}
"""


def test_gift_malformed_questions_are_reported_by_line_and_the_rest_read():
    parsed = parse_gift(MALFORMED_GIFT)
    assert [q.name for q in parsed.questions] == ["Good one", "Last"]
    reasons = {error.line: error.reason for error in parsed.errors}
    assert sorted(reasons) == [3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27]
    assert "no closing “}”" in reasons[3]
    assert "no answer block" in reasons[5]
    assert "at most two feedbacks" in reasons[7]
    assert "numerical" in reasons[9]
    assert "matching" in reasons[11]
    assert "missing-word" in reasons[13]
    assert "more than one option starts with “=”" in reasons[15]
    assert "at least two options" in reasons[17]
    assert "[rtf]" in reasons[19]
    assert "closing “::”" in reasons[21]
    assert "no option is right" in reasons[23]
    assert "%abc%" in reasons[25]
    assert "named “Good one” (line 1)" in reasons[27]


def test_gift_writer_escapes_special_characters_and_reads_back():
    question = BankQuestion(
        kind=MULTIPLE_CHOICE,
        name="Odd: {name}",
        prompt="Which one ~ has = signs # and {braces}?\nSecond line \\ end",
        options=(
            BankOption("a = b", True, "yes # really"),
            BankOption("c ~ d", False, ""),
        ),
        general_feedback="All: done",
        category=("Qual", "Topic"),
        marking_guidance="",
    )
    text = write_gift([question])
    assert "::Odd\\: \\{name\\}::Which one \\~ has \\= signs \\# and \\{braces\\}?\\nSecond" in text
    (again,) = parse_gift(text).questions
    assert again.prompt == question.prompt
    assert again.name == question.name
    assert options(again) == options(question)
    assert again.general_feedback == "All: done"
    assert write_gift(parse_gift(text).questions) == text


def test_gift_written_by_the_portal_reads_back_identically(moodle_gift):
    text = write_gift(moodle_gift.questions)
    parsed = parse_gift(text)
    assert parsed.errors == ()
    assert write_gift(parsed.questions) == text
    assert [options(q) for q in parsed.questions] == [options(q) for q in moodle_gift.questions]


# Moodle XML as Moodle exports it -------------------------------------------------------------


@pytest.fixture(scope="module")
def moodle_xml():
    return parse_moodle_xml((DATA / "moodle_export.xml").read_bytes())


def test_xml_from_moodle_reads_every_question(moodle_xml):
    assert moodle_xml.errors == ()
    assert [q.name for q in moodle_xml.questions] == [
        "Subject line",
        "Reply time",
        "Tone words",
        "Reply all",
    ]
    assert moodle_xml.questions[0].category == ("Service Skills", "Email etiquette")


def test_xml_short_answer_with_cdata_html_and_entities(moodle_xml):
    question = by_name(moodle_xml)["Subject line"]
    assert question.kind == SHORT_ANSWER
    assert question.prompt == (
        "What belongs in the subject line of a reply to a complaint?\n\nGive one thing."
    )
    assert options(question) == [
        ("the case reference", True, "Yes & keep it."),
        ("reference number", True, ""),
        ("urgent", False, "Shouting in a subject line <never> helps."),
    ]
    assert question.general_feedback == "The customer's reference lets them find the thread."
    assert question.line == 15


def test_xml_html_scripts_are_dropped_not_kept(moodle_xml):
    question = by_name(moodle_xml)["Reply time"]
    assert question.prompt == "How soon should a first reply go out?"
    assert not question.multiple_answers
    assert options(question)[0] == ("Within one working day", True, "That is the usual promise.")


def test_xml_single_false_is_several_right_answers(moodle_xml):
    question = by_name(moodle_xml)["Tone words"]
    assert question.multiple_answers
    assert question.prompt == "Which words suit a formal reply?\n\n- Pick all that apply"
    assert [o.is_correct for o in question.options] == [True, True, True, False]


def test_xml_true_false(moodle_xml):
    question = by_name(moodle_xml)["Reply all"]
    assert question.kind == TRUE_FALSE
    assert options(question) == [
        ("True", False, "Only those who need it."),
        ("False", True, "Right."),
    ]


MALFORMED_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="numerical">
    <name><text>Number</text></name>
    <questiontext format="html"><text>How many?</text></questiontext>
  </question>
  <question type="truefalse">
    <name><text>Bad tf</text></name>
    <questiontext format="html"><text>Yes?</text></questiontext>
    <answer fraction="100"><text>yes</text></answer>
    <answer fraction="0"><text>no</text></answer>
  </question>
  <question type="multichoice">
    <name><text>Bad fraction</text></name>
    <questiontext format="html"><text>Pick</text></questiontext>
    <answer fraction="lots"><text>a</text></answer>
    <answer fraction="0"><text>b</text></answer>
  </question>
  <question type="multichoice">
    <name><text>Two full</text></name>
    <questiontext format="html"><text>Pick</text></questiontext>
    <single>true</single>
    <answer fraction="100"><text>a</text></answer>
    <answer fraction="100"><text>b</text></answer>
  </question>
  <question type="shortanswer">
    <name><text>No text</text></name>
    <questiontext format="html"><text></text></questiontext>
    <answer fraction="100"><text>a</text></answer>
  </question>
  <question type="shortanswer">
    <name><text>Fine</text></name>
    <questiontext format="html"><text>Say hello</text></questiontext>
    <answer fraction="100"><text>hello</text></answer>
  </question>
</quiz>
"""


def test_xml_malformed_questions_are_reported_by_line_and_the_rest_read():
    parsed = parse_moodle_xml(MALFORMED_XML)
    assert [q.name for q in parsed.questions] == ["Fine"]
    reasons = {error.line: error.reason for error in parsed.errors}
    assert sorted(reasons) == [3, 7, 16, 19, 26]
    assert "“numerical” questions are not imported" in reasons[3]
    assert "“true” and “false”" in reasons[7]
    # The answer's own line, not the question's.
    assert "fraction “lots”" in reasons[16]
    assert "2 answers have fraction 100" in reasons[19]
    assert "no text" in reasons[26]


@pytest.mark.parametrize(
    "data,line,reason",
    [
        (b"<quiz>\n<question type='shortanswer'>\n</quiz>", 3, "not well-formed XML"),
        (b'<!DOCTYPE q [<!ENTITY a "b">]><quiz>&a;</quiz>', 1, "refused for safety"),
        (b"<html><body/></html>", 1, "not a Moodle XML question bank"),
    ],
)
def test_xml_unreadable_files_are_one_error_with_its_line(data, line, reason):
    parsed = parse_moodle_xml(data)
    assert parsed.questions == ()
    (error,) = parsed.errors
    assert error.line == line
    assert reason in error.reason


def test_xml_writer_uses_cdata_for_html_and_reads_back_identically(moodle_xml):
    text = write_moodle_xml(moodle_xml.questions)
    assert "<text><![CDATA[<p>What belongs in the subject line" in text
    assert "<graderinfo" not in text
    parsed = parse_moodle_xml(text.encode())
    assert parsed.errors == ()
    assert write_moodle_xml(parsed.questions) == text
    assert [options(q) for q in parsed.questions] == [options(q) for q in moodle_xml.questions]


def test_xml_marking_guidance_rides_in_graderinfo():
    question = BankQuestion(
        kind=SHORT_ANSWER,
        name="Q",
        prompt="Why apologise?",
        options=(BankOption("it calms the customer", True),),
        marking_guidance="Award credit for a reason & an effect.",
    )
    text = write_moodle_xml([question])
    assert '<graderinfo format="plain_text">' in text
    (again,) = parse_moodle_xml(text.encode()).questions
    assert again.marking_guidance == "Award credit for a reason & an effect."


# Files, sizes and encodings ------------------------------------------------------------------


def test_format_is_told_by_extension_then_content():
    assert detect_format("bank.XML", b"") == MOODLE_XML
    assert detect_format("bank.gift", b"<?xml") == GIFT
    assert detect_format("bank.txt", b"") == GIFT
    assert detect_format("upload", b"\xef\xbb\xbf<?xml version='1.0'?>") == MOODLE_XML
    assert detect_format("upload", b"::Q::Hi{T}") == GIFT


def test_files_over_two_megabytes_are_refused_whole():
    bank = read_bank_file("big.gift", b"Q?{T}\n\n" * (MAX_BANK_BYTES // 7 + 1))
    assert bank.failed
    (error,) = bank.parsed.errors
    assert "larger than 2 MB" in error.reason


def test_files_just_under_the_limit_are_read():
    data = b"Q?{T}\n\n".ljust(MAX_BANK_BYTES, b" ")
    assert read_bank_file("ok.gift", data).parsed.questions


def test_undecodable_gift_names_the_line_and_byte():
    bank = read_bank_file("latin.gift", b"Q1?{T}\n\nCaf\xe9?{T}")
    assert bank.failed
    (error,) = bank.parsed.errors
    assert error.line == 3
    assert "not UTF-8 text (byte 0xe9)" in error.reason


def test_xml_in_a_declared_encoding_is_read():
    data = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><quiz><question type="truefalse">'
        "<questiontext format='plain_text'><text>Caf\xe9?</text></questiontext>"
        "<answer fraction='100'><text>true</text></answer>"
        "<answer fraction='0'><text>false</text></answer></question></quiz>"
    ).encode("latin-1")
    (question,) = read_bank_file("x.xml", data).parsed.questions
    assert question.prompt == "Café?"


def test_html_to_text_keeps_paragraphs_lines_and_lists_only():
    assert html_to_text("<p>A&nbsp;&amp; B</p><p>C<br>D</p><ul><li>x</li><li>y</li></ul>") == (
        "A & B\n\nC\nD\n\n- x\n- y"
    )
    assert html_to_text("<style>p{}</style><p onclick='x()'>Hi<img src=x alt='pic'></p>") == (
        "Hipic"
    )
    text = "One & two\n\nThree <four>\nfive"
    assert html_to_text(text_to_html(text)) == text


@pytest.mark.parametrize(
    "name,data,kind",
    [
        ("empty.gift", b"", "GIFT"),
        ("comments.txt", b"// only a comment\n\n$CATEGORY: A\n", "GIFT"),
        ("empty.xml", b"<?xml version='1.0'?><quiz></quiz>", "Moodle XML"),
    ],
)
def test_files_without_questions_are_an_error(name, data, kind):
    bank = read_bank_file(name, data)

    assert bank.failed
    (error,) = bank.parsed.errors
    assert error.line == 1
    assert error.reason == f"no questions found: the file is empty or not a {kind} question bank"
