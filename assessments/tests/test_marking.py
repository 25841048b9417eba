import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments import lexicon
from assessments.marking import Marker, MarkResult, MisconceptionSpec
from assessments.marking.lexical import MAX_CHARS, LexicalMarker
from assessments.rubrics import build_rubric
from assessments.tests import marking_point, seed_documents

S000 = "000_7ea13c0c7803a35f.txt"
S001 = "001_ff5e01d8a45115a3.txt"
S002 = "002_b5f39bc41b65eb3f.txt"
S003 = "003_089f2672b73d4bee.txt"


_LEXICAL = LexicalMarker()


def mark_answer(answer, rubric, *, misconceptions=()):
    """These tests pin the structural (lexical) evidence channel on its own."""
    return _LEXICAL.mark(answer, rubric, misconceptions)


def rubric(source, point):
    return build_rubric(marking_point(source, point))


def misconceptions(source):
    return [
        MisconceptionSpec(m.statement, m.correction)
        for m in seed_documents()[source].misconceptions
    ]


def content_stems(text):
    return {
        t.stem for t in lexicon.tokenize(text, strict=True) if t.lower not in lexicon.FUNCTION_WORDS
    }


CRM_FEATURES = rubric(S000, 1)
CLV_LINK = rubric(S000, 2)


def test_textbook_answer_gets_full_credit():
    answer = (
        "A CRM system offers contact management to store customer details, interaction "
        "tracking to record every call and email, and data analysis to spot buying trends."
    )
    result = mark_answer(answer, CRM_FEATURES)
    assert result.awarded and result.confident
    assert result.score == result.max_score == 3
    assert {m.indicator for m in result.matches} >= {
        "contact management",
        "interaction tracking",
        "data analysis",
    }
    assert "Credit awarded" in result.feedback


def test_paraphrase_sharing_no_content_word_gets_credit():
    answer = (
        "It keeps an address book of every client, logs each phone call and email they make, "
        "and produces reports showing who buys what."
    )
    assert not content_stems(answer) & content_stems(marking_point(S000, 1))
    result = mark_answer(answer, CRM_FEATURES)
    assert result.awarded, result.reasons
    assert any("synonym" in reason for reason in result.reasons)


def test_paraphrase_for_a_link_point():
    answer = (
        "The longer a shopper keeps coming back to a store, the more money they spend there "
        "overall, so holding on to buyers makes each one worth far more."
    )
    assert not content_stems(answer) & content_stems(marking_point(S000, 2))
    assert mark_answer(answer, CLV_LINK).awarded


def test_misspelt_but_creditworthy():
    result = mark_answer("Contact managment, intraction trackin and data analisys.", CRM_FEATURES)
    assert result.awarded
    assert any("(spelling)" in reason for reason in result.reasons)
    # Said in the evidence, but not queued: these marks agree with examiners (docs/marking.md).
    assert "credit relies on reading a misspelling" in result.reasons
    assert result.confident


def test_the_spelling_corrector_allows_edits_by_the_length_of_what_it_compares():
    corrector = lexicon.SpellingCorrector(frozenset({"mentor", "redesign", "customer", "shopping"}))
    # A misspelt word is read by its stem when that is one edit from a known word…
    assert corrector("redesined") == "redesign"
    assert corrector("custmer") == "customer"
    # …but a real word is left as it is when its 7-letter stem is two edits from one, or its
    # stem is too short to compare ("stop" is one edit from the stem of "shopping").
    assert corrector("mentioning") == ""
    assert corrector("stopped") == ""


def test_partial_answer_two_of_three_gets_no_credit_and_is_queued_for_review():
    result = mark_answer(
        "A CRM lets you store contact details and track interactions with customers.",
        CRM_FEATURES,
    )
    assert not result.awarded
    assert result.score == 2 and result.max_score == 3
    assert "data analysis" in result.missing
    assert not result.confident
    assert "2 of the 3" in result.feedback


def test_same_idea_three_times_counts_once():
    result = mark_answer(
        "Contact management, storing contact details and keeping customer records.",
        CRM_FEATURES,
    )
    assert not result.awarded
    assert result.score == 1


@pytest.mark.parametrize(
    "answer",
    [
        "A CRM system is not about contact management, interaction tracking or data analysis.",
        "CRM never does contact management, interaction tracking or data analysis.",
        "It works without contact management, interaction tracking and data analysis.",
        "Contact management, interaction tracking and data analysis are not features of CRM.",
    ],
)
def test_negated_keywords_get_no_credit(answer):
    result = mark_answer(answer, CRM_FEATURES)
    assert not result.awarded, result.reasons
    assert any("negated" in reason for reason in result.reasons)


def test_denied_link_gets_no_credit():
    result = mark_answer(
        "There is no link between customer lifetime value and retention rates; they measure "
        "completely different things.",
        CLV_LINK,
    )
    assert not result.awarded
    assert "only to say it is not the case" in result.feedback


def test_not_only_is_not_a_negation():
    result = mark_answer(
        "CRM is not only contact management: it also tracks interactions and analyses data "
        "to find trends.",
        CRM_FEATURES,
    )
    assert result.awarded, result.reasons


def test_misconception_stated_as_true_is_flagged_and_withholds_credit():
    answer = (
        "Satisfied customers will always stay loyal, so once they are happy you never need "
        "service recovery."
    )
    result = mark_answer(answer, rubric(S002, 4), misconceptions=misconceptions(S002))
    assert result.misconceptions
    flagged = result.misconceptions[0]
    assert "satisfaction" in flagged.statement.lower()
    assert answer[flagged.start : flagged.end] == flagged.text
    assert not result.awarded
    assert "common mistake: assuming customer satisfaction" in result.feedback


def test_refuted_misconception_is_not_flagged():
    answer = (
        "Satisfaction alone does not guarantee retention, but a good experience makes "
        "customers happier and more likely to stay, and fixing mistakes quickly through "
        "service recovery stops them leaving."
    )
    result = mark_answer(answer, rubric(S002, 4), misconceptions=misconceptions(S002))
    assert not result.misconceptions
    assert result.awarded, result.reasons


@pytest.mark.parametrize(
    ("answer", "flag"),
    [
        ("Retention just means getting lots of new customers through the door.", True),
        ("Retention means keeping existing customers rather than attracting new ones.", False),
        ("CRM is only a piece of software for storing phone numbers.", True),
        ("CRM is not just a software tool; it is a strategy for managing relationships.", False),
        ("Complaints are always negative.", True),
        ("Complaints are not always negative; they show what to improve.", False),
    ],
)
def test_misconceptions_from_several_topics(answer, flag):
    result = mark_answer(answer, rubric(S001, 1), misconceptions=misconceptions(S001))
    assert bool(result.misconceptions) is flag, result.reasons


def test_off_topic_answer_reusing_the_points_words_gets_nothing():
    result = mark_answer(
        "The features of a CRM system are its price, its colour scheme and the font used for "
        "the logo.",
        CRM_FEATURES,
    )
    assert not result.awarded and result.score == 0
    measuring = mark_answer(
        "The measurement tool I would select is a tape measure because it is accurate for "
        "measuring the size of the shop.",
        rubric(S000, 3),
    )
    assert not measuring.awarded


@pytest.mark.parametrize(
    ("source", "point", "answer"),
    [
        (S000, 2, "customer lifetime value, retention rates, link, loyalty, CLV"),
        (S001, 3, "NPS, surveys, CSAT, focus groups"),
        (S002, 6, "IT systems, staffing, premises, engagement"),
    ],
)
def test_bare_keyword_list_for_an_explain_point_gets_nothing(source, point, answer):
    result = mark_answer(answer, rubric(source, point))
    assert not result.awarded
    assert result.score == 0
    assert any("explanation" in item for item in result.missing)


def test_a_list_is_fine_for_an_identify_point():
    assert mark_answer(
        "Contact management, interaction tracking, data analysis", CRM_FEATURES
    ).awarded


def test_link_point_needs_a_connective():
    unlinked = mark_answer(
        "Customer lifetime value and retention rates are both numbers shown on the manager's "
        "monthly report.",
        CLV_LINK,
    )
    linked = mark_answer(
        "Higher retention rates mean customers stay longer, so their lifetime value increases.",
        CLV_LINK,
    )
    assert not unlinked.awarded and linked.awarded


def test_word_order_does_not_matter():
    result = mark_answer(
        "It manages contacts, tracks interactions and analyses data.", CRM_FEATURES
    )
    assert result.awarded, result.reasons


def test_evidence_spans_slice_the_original_answer_exactly():
    answer = (
        "  <p>Our CRM   keeps CONTACT details,\n logs every CALL and e-mail, and runs "
        "data-analysis reports.</p> 😀"
    )
    result = mark_answer(answer, CRM_FEATURES)
    assert result.matches
    for match in result.matches:
        assert answer[match.start : match.end] == match.text
        assert "<" not in match.text


def test_marking_is_deterministic():
    answer = "It keeps an address book, logs every call and produces reports."
    first = mark_answer(answer, CRM_FEATURES, misconceptions=misconceptions(S000))
    second = LexicalMarker().mark(answer, CRM_FEATURES, misconceptions(S000))
    assert first == second
    assert json.dumps(first.to_dict(), sort_keys=True) == json.dumps(
        second.to_dict(), sort_keys=True
    )


def test_role_play_point_goes_to_a_tutor():
    result = mark_answer("Good afternoon, how can I help you today?", rubric(S003, 2))
    assert not result.awarded and result.score == 0 and not result.confident
    assert "tutor" in result.feedback


def test_result_round_trips_through_json():
    result = mark_answer(
        "CRM is only software. It stores contact details and logs calls.",
        CRM_FEATURES,
        misconceptions=misconceptions(S001),
    )
    data = json.loads(json.dumps(result.to_dict()))
    assert MarkResult.from_dict(data) == result
    with pytest.raises(ValueError, match="mark result"):
        MarkResult.from_dict({"awarded": True})


def test_default_marker_satisfies_the_protocol():
    marker: Marker = LexicalMarker()
    assert isinstance(marker.mark("contact management", CRM_FEATURES), MarkResult)


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "   \n\t ",
        "😀🎉🙃",
        "a" * 100_000,
        "contact management " * 6000,
        "<script>alert('x')</script><b>contact management</b> &amp; data analysis",
        "\x00\x01\x1b[31mcontact\x07 management\x7f",
        "不是 CRM — 联系人管理",
        "no no not never without",
        "-" * 10_000,
        "'" * 500 + "’" * 500,
    ],
)
def test_hostile_inputs_do_not_raise(answer):
    for point in (CRM_FEATURES, CLV_LINK, rubric(S003, 2)):
        result = mark_answer(answer, point, misconceptions=misconceptions(S001))
        assert isinstance(result, MarkResult)
        for match in result.matches:
            assert answer[match.start : match.end] == match.text
            assert match.end <= MAX_CHARS


def test_very_long_answer_says_it_was_truncated():
    result = mark_answer("contact management " * 6000, CRM_FEATURES)
    assert any("only the first" in reason for reason in result.reasons)
    assert not result.confident


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_any_text_marks_without_error_and_spans_are_exact(answer):
    result = mark_answer(answer, CRM_FEATURES, misconceptions=misconceptions(S000))
    assert 0 <= result.score <= result.max_score
    for match in result.matches:
        assert answer[match.start : match.end] == match.text


DESCRIBE = build_rubric("Describe two ways of greeting a customer in a shop.")
OUTLINE = build_rubric("Outline how staff should behave towards customers.")


def test_be_nice_to_them_is_a_sentence_not_a_list_of_terms():
    result = mark_answer("Be nice to them.", OUTLINE)
    assert "list of terms" not in result.feedback
    assert not any("list of terms" in reason for reason in result.reasons)
    assert not any("list of terms" in item for item in result.missing)


@pytest.mark.parametrize("answer", ["Smile, eye contact, greeting", "politeness\npatience\nhelp"])
def test_a_real_list_is_still_called_a_list(answer):
    result = mark_answer(answer, OUTLINE)
    assert not result.awarded
    assert "list of terms" in result.feedback


@pytest.mark.parametrize("point", [DESCRIBE, OUTLINE])
def test_describe_and_outline_points_do_not_demand_a_causal_link(point):
    result = mark_answer("Staff smile and say hello to every customer who comes in.", point)
    assert "connected" not in result.feedback
    assert not any("linking" in reason for reason in result.reasons)


@pytest.mark.parametrize(
    ("answer", "point"),
    [
        ("Be nice to them.", OUTLINE),
        ("Contact management and data analysis.", CRM_FEATURES),
        ("There is no link between customer lifetime value and retention rates.", CLV_LINK),
        ("CRM is only software. It stores contact details and logs calls.", CRM_FEATURES),
        ("contact management, interaction tracking, data analysis", CLV_LINK),
    ],
)
def test_feedback_never_claims_credit_that_was_not_given(answer, point):
    result = mark_answer(answer, point, misconceptions=misconceptions(S001))
    assert not result.awarded
    text = result.feedback.lower()
    assert "credit awarded" not in text and "earned" not in text and "credited" not in text
    assert text.startswith("no credit")


def test_feedback_says_what_was_found_and_what_is_missing():
    result = mark_answer(
        "A CRM lets you store contact details and track interactions with customers.",
        CRM_FEATURES,
    )
    assert "You mentioned contact management and interaction tracking" in result.feedback
    assert "data analysis" in result.feedback


# --- what a learner sees once a tutor has overridden the marker ---------------------------------


@pytest.mark.django_db
def test_results_put_the_tutors_not_credited_first_and_never_say_credit_awarded(client, tutor):
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import timezone

    from assessments.tests.factories import AttemptFactory, ResponseFactory

    answer = "A CRM system offers contact management and data analysis."
    marked = mark_answer(
        answer, CRM_FEATURES.__class__.from_dict({**CRM_FEATURES.to_dict(), "required_count": 2})
    )
    assert marked.awarded and marked.feedback.startswith("Credit awarded")
    response = ResponseFactory(
        attempt=AttemptFactory(submitted_at=timezone.now(), marked_at=timezone.now()),
        answer_text=answer,
        result=marked.to_dict(),
        awarded=True,
        override_awarded=False,
        override_by=tutor,
        override_comment="Name the features and say what each one does.",
    )
    client.force_login(response.attempt.learner)

    page = client.get(reverse("assessments:results", args=[response.attempt.pk])).content.decode()

    assert "Credit awarded" not in page
    assert "Credit: " not in page  # the highlighted evidence does not claim credit either
    tutor_mark = page.index("Your tutor's mark: not credited")
    original = page.index("The automatic marker's original view")
    assert tutor_mark < original
    assert "You covered contact management" in page[original:]
    card = render_to_string("cohorts/_response_card.html", {"response": response})
    assert "Credit awarded" not in card
    assert card.index("Tutor's mark: not credited") < card.index("original view")


def _ideas(result):
    return {m.indicator for m in result.matches}


def test_a_general_word_never_names_an_idea_through_its_word_class():
    # "regulars" is one wording of retention and sits in the lexicon's class of customer
    # words, but "customer" or "client" on its own says nothing about customers coming back.
    for answer in (
        "Lifetime value depends on the customer.",
        "Lifetime value is what a client pays.",
    ):
        assert "retention" not in _ideas(mark_answer(answer, CLV_LINK)), answer
    assert "retention" in _ideas(
        mark_answer("Lifetime value grows when regulars keep coming in.", CLV_LINK)
    )


def test_a_wording_that_needs_its_function_words_matches_only_its_own_word():
    # "what they buy" compiles to "buy"; through its class it would take any shopping word.
    segments = rubric(S002, 1)
    assert "behaviours" not in _ideas(
        mark_answer("Our shop sells phones and most of our customers are students.", segments)
    )
    assert "behaviours" in _ideas(
        mark_answer("We look at what they buy and how often they visit.", segments)
    )


def test_words_inside_a_longer_idea_do_not_also_count_for_another_one():
    result = mark_answer("Customer lifetime value is the total amount spent.", CLV_LINK)
    assert "customer lifetime value" in _ideas(result)
    assert "retention" not in _ideas(result)


def test_a_negator_after_and_denies_what_follows_it():
    for answer in (
        "Good service makes people stay and not look elsewhere, so lifetime value rises.",
        "Good service makes people stay and never look elsewhere, so lifetime value rises.",
    ):
        result = mark_answer(answer, CLV_LINK)
        assert "retention" in _ideas(result), answer
        assert not any("is negated" in reason for reason in result.reasons), answer
    denied = mark_answer("Retention and loyalty are not linked to lifetime value.", CLV_LINK)
    assert any("is negated" in reason for reason in denied.reasons)
