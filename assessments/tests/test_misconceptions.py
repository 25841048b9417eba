"""Misconceptions are flagged only when an answer asserts their distinctive claim.

The statements here are written for subjects the lexicon knows nothing about (science, health
and social care, IT, business) as well as customer service, because uploaded topics will bring
misconceptions nobody here has seen. For each: asserted -> flagged, the topic's words merely
present -> not flagged, refuted or reported -> not flagged.
"""

import pytest

from assessments.lexicon import load_lexicon
from assessments.marking import MisconceptionSpec
from assessments.marking.lexical import LexicalMarker, _claims_for
from assessments.rubrics import Rubric, build_rubric

_MARKER = LexicalMarker()
_POINT = build_rubric("Explain how staff should deal with the situation.")

# (misconception, answer, flagged?)
CASES = [
    # customer service: the failure seen on an uploaded topic
    ("Treating every complaint as the fault of the customer", "Every complaint is the fault of the customer.", True),
    ("Treating every complaint as the fault of the customer", "Complaints are always the customer's fault, so never apologise.", True),
    ("Treating every complaint as the fault of the customer", "Treat every complaint as the customer's fault.", True),
    ("Treating every complaint as the fault of the customer", "Listen to the complaint, apologise and put it right quickly.", False),
    ("Treating every complaint as the fault of the customer", "A complaint is a chance to fix a fault in our service.", False),
    ("Treating every complaint as the fault of the customer", "Complaints are not always the customer's fault.", False),
    ("Treating every complaint as the fault of the customer", "Not every complaint is the customer's fault.", False),
    ("Treating every complaint as the fault of the customer", "It is a myth that every complaint is the customer's fault.", False),
    ("Treating every complaint as the fault of the customer", "Some staff wrongly think every complaint is the customer's fault.", False),
    ("Treating every complaint as the fault of the customer", "Is every complaint the customer's fault?", False),
    ("Customers only care about price", "Customers only care about price.", True),
    ("Customers only care about price", "Price matters to customers, but so does friendly service.", False),
    ("Customers only care about price", "Customers care about more than just price.", False),
    ("Customers only care about price", "Customers don't only care about price.", False),
    ("Customers only care about price", "It is wrong to say customers only care about price.", False),
    # science
    ("Believing that antibiotics work against viruses", "Antibiotics work against viruses, so take them for a cold.", True),
    ("Believing that antibiotics work against viruses", "Antibiotics treat bacterial infections such as strep throat.", False),
    ("Believing that antibiotics work against viruses", "Antibiotics do not work against viruses, only bacteria.", False),
    ("Believing that antibiotics work against viruses", "Many people believe antibiotics work against viruses, but they don't.", False),
    ("Heavier objects fall faster than lighter ones", "Heavier objects fall faster than lighter ones.", True),
    ("Heavier objects fall faster than lighter ones", "All objects fall at the same rate in a vacuum.", False),
    ("Heavier objects fall faster than lighter ones", "Heavier objects do not fall faster than lighter ones.", False),
    # health and social care
    ("Thinking that dignity only matters during personal care", "Dignity only matters during personal care such as washing.", True),
    ("Thinking that dignity only matters during personal care", "Protect dignity during personal care by closing the door.", False),
    ("Thinking that dignity only matters during personal care", "Dignity matters in all care, not only during personal care.", False),
    ("Assuming that hand gel replaces hand washing", "Hand gel replaces hand washing.", True),
    ("Assuming that hand gel replaces hand washing", "Use hand gel between patients and wash hands after using the toilet.", False),
    ("Assuming that hand gel replaces hand washing", "Hand gel does not replace hand washing when hands are dirty.", False),
    ("Seeing mental health conditions as a sign of weakness", "Mental health conditions are a sign of weakness.", True),
    ("Seeing mental health conditions as a sign of weakness", "Staff should support people with mental health conditions.", False),
    ("Seeing mental health conditions as a sign of weakness", "Some people see mental health conditions as a sign of weakness, which stops them asking for help.", False),
    # IT
    ("Assuming that a strong password alone keeps an account secure", "A strong password alone keeps your account secure.", True),
    ("Assuming that a strong password alone keeps an account secure", "Having a strong password is enough to keep an account secure.", True),
    ("Assuming that a strong password alone keeps an account secure", "Use a strong password and two-factor authentication to keep the account secure.", False),
    ("Assuming that a strong password alone keeps an account secure", "A strong password does not keep an account secure on its own.", False),
    ("Thinking that backing up data once is enough", "Backing up data once is enough.", True),
    ("Thinking that backing up data once is enough", "Back up your data to the cloud.", False),
    ("Thinking that backing up data once is enough", "Back up data regularly, because one backup is not enough.", False),
    # business
    ("Confusing profit with revenue", "Profit is the same as revenue.", True),
    ("Confusing profit with revenue", "Revenue and profit are the same thing.", True),
    ("Confusing profit with revenue", "Revenue rose last year and profit rose too.", False),
    ("Confusing profit with revenue", "Profit is revenue minus costs.", False),
    ("Confusing profit with revenue", "Profit is not the same as revenue.", False),
]  # fmt: skip


@pytest.mark.parametrize(("statement", "answer", "flagged"), CASES)
def test_flagged_only_when_the_answer_asserts_the_claim(statement, answer, flagged):
    result = _MARKER.mark(answer, _POINT, [MisconceptionSpec(statement, "")])
    assert bool(result.misconceptions) is flagged, result.reasons
    for item in result.misconceptions:
        assert answer[item.start : item.end] == item.text


@pytest.mark.parametrize(
    "statement",
    [
        "Believing that the customer is always right",
        "Thinking the customer is always right",
        "Assuming the customer is always right",
        "The customer is always right",
        "Misconception: the customer is always right.",
    ],
)
def test_framing_verbs_are_stripped_before_matching(statement):
    flagged = _MARKER.mark("The customer is always right.", _POINT, [MisconceptionSpec(statement)])
    polite = _MARKER.mark(
        "Help the customer and put things right.", _POINT, [MisconceptionSpec(statement)]
    )
    assert flagged.misconceptions and not polite.misconceptions


def test_omissions_give_no_claim_to_match():
    assert (
        _claims_for(
            "Failing to check a patient's identity before giving medication", load_lexicon()
        )
        == ()
    )
    assert _claims_for("Overlooking the need for regular software updates", load_lexicon()) == ()


def test_a_learner_may_think_it_means_clause_is_checked_too():
    statement = (
        "Confusing assertiveness with aggression; learners may think it means always "
        "raising your voice"
    )
    specs = [MisconceptionSpec(statement)]
    assert _MARKER.mark("Always raise your voice at them.", _POINT, specs).misconceptions
    assert not _MARKER.mark("Never raise your voice.", _POINT, specs).misconceptions


def test_a_textbook_answer_sharing_the_topic_word_keeps_its_credit():
    rubric = Rubric.from_dict(
        {
            "point_text": "Describe how to handle a complaint.",
            "required_count": 2,
            "indicators": [
                {"label": "listen", "alternatives": ["listen", "listening"]},
                {"label": "apologise", "alternatives": ["apologise", "say sorry"]},
            ],
            "requires_explanation": True,
        }
    )
    specs = [MisconceptionSpec("Treating every complaint as the fault of the customer")]
    answer = "Listen to the complaint without interrupting, then apologise and offer a fix."
    result = _MARKER.mark(answer, rubric, specs)
    assert result.awarded and not result.misconceptions, result.reasons
    wrong = _MARKER.mark(answer + " Every complaint is the customer's fault though.", rubric, specs)
    assert not wrong.awarded and wrong.misconceptions
