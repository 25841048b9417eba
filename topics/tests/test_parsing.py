"""The seed parser is pure: these tests need no database."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topics.parsing import (
    KeyConcept,
    Misconception,
    SeedParseError,
    decode_seed_bytes,
    derive_title,
    parse_seed_bytes,
    parse_seed_text,
)

# concepts, tips, misconceptions (with corrections), marking points, objectives, prerequisites
EXPECTED_COUNTS = {
    "000": (5, 3, 3, 0, 4, 0, 0),
    "001": (5, 7, 7, 3, 4, 3, 3),
    "002": (5, 8, 6, 0, 8, 0, 0),
    "003": (5, 8, 6, 0, 8, 0, 0),
    "004": (5, 2, 3, 0, 3, 0, 0),
}

EXPECTED_TITLES = {
    "000": "Building and maintaining a loyal customer base",
    "001": "Understand customers and customer retention",
    "002": "How businesses attract and maintain a loyal customer base",
    "003": "The critical role customers play in organisational success",
    "004": "Effective customer relationships in a business environment",
}


@pytest.mark.parametrize("prefix", sorted(EXPECTED_COUNTS))
def test_each_seed_has_the_expected_number_of_items_per_section(prefix, seed_bytes):
    document = parse_seed_bytes(seed_bytes(prefix))

    counts = (
        len(document.key_concepts),
        len(document.exam_tips),
        len(document.misconceptions),
        sum(1 for m in document.misconceptions if m.correction),
        len(document.marking_points),
        len(document.learning_objectives),
        len(document.prerequisites),
    )
    assert counts == EXPECTED_COUNTS[prefix]


@pytest.mark.parametrize("prefix", sorted(EXPECTED_TITLES))
def test_each_seed_gets_a_readable_title(prefix, seed_bytes):
    document = parse_seed_bytes(seed_bytes(prefix))

    assert document.title == EXPECTED_TITLES[prefix]
    assert document.title_was_derived is (prefix != "001")


def test_format_a_sections_keep_document_order_and_text(seed_bytes):
    document = parse_seed_bytes(seed_bytes("000"))

    assert document.key_concepts[0] == KeyConcept(
        term="Customer Service Excellence",
        explanation="Understanding how to exceed customer expectations through proactive "
        "service, personalisation, and effective problem-solving.",
    )
    assert document.marking_points[0].startswith(
        "Award credit for accurately identifying at least three features of a CRM system"
    )
    # The last line of the file has no newline; it must still be read whole.
    assert document.marking_points[-1] == (
        "Credit should be given for practical examples of how customer feedback leads to "
        "service adjustments."
    )
    assert document.synopsis.startswith("This subtopic explores the principles and strategies")
    assert document.qualification is None


def test_format_b_reads_qualification_and_awarding_body(seed_bytes):
    document = parse_seed_bytes(seed_bytes("001"))

    assert document.qualification is not None
    assert document.qualification.name == "iCQ Level 3 Diploma in Customer Service (RQF)"
    assert document.qualification.awarding_body == "iCan Qualifications Limited"
    assert document.qualification.level == 3
    assert document.qualification.description.startswith("The iCQ Level 3 Diploma")


def test_format_b_drops_page_noise_and_emoji_markers(seed_bytes):
    document = parse_seed_bytes(seed_bytes("001"))

    assert document.exam_tips[0].startswith("When completing assignments, provide specific")
    assert all(not tip.startswith("💡") for tip in document.exam_tips)
    every_item = [
        *document.exam_tips,
        *document.marking_points,
        *document.prerequisites,
        *(m.statement for m in document.misconceptions),
    ]
    for noise in ("Key criteria assessors look for", "Ready to learn?", "vocational", "4"):
        assert all(not item.startswith(noise) for item in every_item)
    # The synopsis appears three times on the page but once in the topic.
    assert document.synopsis.count("This subtopic explores") == 1


def test_format_b_misconceptions_split_statement_and_correction(seed_bytes):
    document = parse_seed_bytes(seed_bytes("001"))

    assert document.misconceptions[4] == Misconception(
        statement="Customer service is just about being friendly.",
        correction="While friendliness is important, effective customer service requires "
        "strategic skills like problem-solving, product knowledge, and process management to "
        "resolve issues efficiently.",
    )
    assert document.misconceptions[0].correction == ""


def test_comma_separated_objectives_are_separate_objectives(seed_bytes):
    document = parse_seed_bytes(seed_bytes("001"))

    assert document.learning_objectives == (
        "Understand Customer Relationship Management (CRM)",
        "Understand customer retention",
        "Understand the measurement of customer satisfaction",
    )
    assert [term.term for term in document.key_terms] == [
        "Customer Relationship Management (CRM)",
        "Customer retention",
        "Measurement of customer satisfaction",
    ]


def test_derive_title_from_the_synopsis_first_sentence():
    synopsis = (
        "This subtopic explores the principles and strategies essential for building and "
        "maintaining a loyal customer base. It examines the role of CRM."
    )

    assert derive_title(synopsis) == "Building and maintaining a loyal customer base"
    assert derive_title("") == ""


@pytest.mark.parametrize(
    ("synopsis", "title"),
    [
        # The probe's case: a list of verbs is one phrase, not a comma to cut at.
        (
            "This subtopic explores how organisations receive, record and respond to customer "
            "feedback. It also covers complaints.",
            "How organisations receive, record and respond to customer feedback",
        ),
        (
            "This subtopic explores the critical role customers play in organisational success, "
            "focusing on strategies to build and maintain customer confidence, retention, and "
            "loyalty.",
            "The critical role customers play in organisational success",
        ),
        (
            "This unit examines Customer Relationship Management (CRM) systems, which store "
            "every contact with a customer.",
            "Customer Relationship Management (CRM) systems",
        ),
        (
            "This topic covers service standards (speed, accuracy, courtesy) and how they are "
            "measured.",
            "Service standards (speed, accuracy, courtesy) and how they are measured",
        ),
        (
            "This subtopic explores complaint handling, escalation and recovery in retail "
            "settings, including online complaints.",
            "Complaint handling, escalation and recovery in retail settings",
        ),
        (
            "This element explores how businesses attract and maintain a loyal customer base "
            "by first understanding market demands.",
            "How businesses attract and maintain a loyal customer base",
        ),
        # Too long for a title: cut before a clause or a preposition, never mid-phrase.
        (
            "This topic covers the legal and regulatory framework that governs how "
            "organisations collect, store and share the personal data of their customers and "
            "employees across the United Kingdom.",
            "The legal and regulatory framework",
        ),
        (
            "This topic covers the handling of unreasonable, abusive or dissatisfied customers "
            "and colleagues in public sector contact centres across the whole of the United "
            "Kingdom and Ireland.",
            "The handling of unreasonable, abusive or dissatisfied customers and colleagues",
        ),
    ],
    ids=[
        "verb list",
        "focusing on",
        "brackets then which",
        "comma inside brackets",
        "noun list then including",
        "by",
        "long: relative clause",
        "long: prepositional phrase",
    ],
)
def test_derived_titles_are_whole_phrases(synopsis, title):
    assert derive_title(synopsis) == title


@pytest.mark.parametrize(
    "synopsis",
    [
        "This subtopic explores how organisations receive, record and respond to feedback.",
        "This unit covers the duties of care, diligence, confidentiality and loyalty that "
        "employees owe to employers, customers, suppliers, regulators and the wider public in "
        "every sector of the economy.",
        "Customer-service professionals in hospitality, retail, banking, utilities, transport "
        "and the public sector all need to manage expectations carefully and consistently "
        "every single working day.",
    ],
)
def test_a_derived_title_never_ends_on_a_dangling_word(synopsis):
    title = derive_title(synopsis)
    assert len(title) <= 90
    last = title.split()[-1].casefold() if title else ""
    assert last not in {"the", "a", "of", "to", "and", "or", "in", "for", "how", "that"}
    assert title.count("(") == title.count(")")
    if title:  # any cut falls between words of the sentence, at a phrase boundary
        assert (
            synopsis.casefold().replace("this unit covers ", "").startswith(title.casefold())
            or synopsis.casefold().find(title.casefold()) >= 0
        )


def test_key_concept_splits_on_the_first_colon_only():
    text = (
        "Topic Synopsis\nA synopsis.\nKey Concepts\n"
        "- Ratio: customers kept: customers lost, per quarter.\n"
        "Examiner Marking Points\n- Award credit for a ratio.\n"
    )

    concept = parse_seed_text(text).key_concepts[0]

    assert concept == KeyConcept(
        term="Ratio", explanation="customers kept: customers lost, per quarter."
    )


def test_crlf_bom_bullets_trailing_spaces_and_any_heading_order():
    text = (
        "\ufeffExaminer Marking Points  \r\n"
        "• Award credit for naming two complaint channels.   \r\n"
        "\r\n"
        "* Award credit for explaining escalation.\r\n"
        "Key Concepts:\r\n"
        "   •Escalation: passing a complaint to someone with more authority.\r\n"
        "Topic Synopsis\r\n"
        "This unit covers complaint handling in a contact centre.\r\n"
    )

    document = parse_seed_text(text)

    assert document.marking_points == (
        "Award credit for naming two complaint channels.",
        "Award credit for explaining escalation.",
    )
    assert document.key_concepts == (
        KeyConcept(
            term="Escalation", explanation="passing a complaint to someone with more authority."
        ),
    )
    assert document.synopsis == "This unit covers complaint handling in a contact centre."


def test_wrapped_bullet_lines_are_joined_to_their_item():
    text = (
        "Topic Synopsis\nShort.\nExaminer Marking Points\n"
        "- Award credit for explaining how feedback\n  improves service.\n"
        "- Award credit for one example.\n"
    )

    assert parse_seed_text(text).marking_points == (
        "Award credit for explaining how feedback improves service.",
        "Award credit for one example.",
    )


def test_document_without_bullets_takes_each_line_as_an_item():
    text = (
        "Topic Synopsis\nA synopsis.\n\nExaminer Marking Points\n"
        "Award credit for naming a channel.\nAward credit for explaining a channel.\n"
    )

    assert parse_seed_text(text).marking_points == (
        "Award credit for naming a channel.",
        "Award credit for explaining a channel.",
    )


def test_non_utf8_text_is_read_as_cp1252_with_a_warning():
    text = (
        "Topic Synopsis\nCaf\u00e9 staff\u2019s r\u00f4le in service.\n"
        "Examiner Marking Points\n- Award credit for the caf\u00e9 example.\n"
    )

    document = parse_seed_bytes(text.encode("cp1252"))

    assert document.synopsis == "Caf\u00e9 staff\u2019s r\u00f4le in service."
    assert document.encoding == "cp1252"
    assert any("not valid UTF-8" in warning for warning in document.warnings)


def test_latin1_bytes_undefined_in_cp1252_still_decode():
    text, encoding, warnings = decode_seed_bytes(b"Topic Synopsis\n\x81 odd byte\n")

    assert encoding == "latin-1"
    assert "odd byte" in text
    assert warnings


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\r\n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(1, 32)) * 20, "binary"),
        (b"Just some notes about customers.\nNothing else here.\n", "no recognisable sections"),
        (b"Topic Synopsis\nA synopsis.\nKey Concepts\n- A: b\n", "no examiner marking points"),
    ],
)
def test_unusable_documents_raise_a_readable_error(data, reason):
    with pytest.raises(SeedParseError, match=reason):
        parse_seed_bytes(data)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_gives_a_document_or_a_parse_error(text):
    try:
        document = parse_seed_text(text)
    except SeedParseError:
        return
    assert_usable(document)


def assert_usable(document) -> None:
    """What the importer relies on in any parsed document: a title, and marking points (the
    questions are made from them) with words in each."""
    assert document.title.strip()
    assert document.marking_points
    assert all(point.strip() for point in document.marking_points)


@settings(max_examples=300, deadline=None)
@given(st.binary())
def test_any_bytes_give_a_document_or_a_parse_error(data):
    try:
        document = parse_seed_bytes(data)
    except SeedParseError:
        return
    assert_usable(document)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Examiner Marking Points",
                "- ",
                "•",
                "Key Concepts",
                "Topic Synopsis",
                "x: y",
                "\n",
                " ",
                "1",
                "Misconception: a Correction: b",
            ]
        ),
        max_size=40,
    )
)
def test_heading_and_bullet_soup_never_crashes(pieces):
    try:
        document = parse_seed_text("".join(pieces))
    except SeedParseError:
        return
    assert_usable(document)
