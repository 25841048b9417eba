"""What a question's tutor-marked exemplars teach the marker (pure functions, no database).

Points and answers are written for these tests; none comes from an evaluation set.
"""

import random

import pytest

from assessments.marking import get_marker
from assessments.marking.exemplars import (
    Exemplar,
    Learning,
    apply_learning,
    learn_from_exemplars,
    remembered_mark,
)
from assessments.rubrics import build_rubric

RCD_POINT = (
    "Award credit for explaining how a residual current device protects a user from electric shock"
)
TUTOR_CREDITED = (
    "It switches off the supply within milliseconds when current leaks to earth, so the person "
    "is not electrocuted."
)
SIMILAR = (
    "It switches the supply off within milliseconds if current leaks to earth, so nobody gets "
    "electrocuted."
)


def rcd_rubric():
    return build_rubric(RCD_POINT, lexicon_name="general")


def test_no_exemplars_is_the_zero_shot_marker():
    marker, rubric = get_marker(), rcd_rubric()
    assert learn_from_exemplars(rubric, [], marker) == Learning()
    for answer in (TUTOR_CREDITED, SIMILAR, "It trips."):
        assert marker.mark(answer, rubric, (), Learning()) == marker.mark(answer, rubric)


def test_an_answer_next_to_a_credited_exemplar_gains_credit():
    marker, rubric = get_marker(), rcd_rubric()
    assert not marker.mark(SIMILAR, rubric).awarded  # zero-shot: the premise of the test
    learning = learn_from_exemplars(rubric, [Exemplar(TUTOR_CREDITED, True)], marker)
    result = marker.mark(SIMILAR, rubric, (), learning)
    assert result.awarded
    # The learned rule is shown as evidence, with the marks it came from.
    assert any("learned from 1 tutor mark" in reason for reason in result.reasons)
    # Unrelated answers are not swept along.
    assert not marker.mark("It switches off the lights.", rubric, (), learning).awarded


def test_a_learned_wording_keeps_its_denial():
    marker, rubric = get_marker(), rcd_rubric()
    # Nothing in it but the denial says the shock idea (in TUTOR_CREDITED the semantic channel
    # reads "current leaks to earth" as that idea, and the denial is then not what is learned).
    credited = "It switches off within milliseconds, so the person is not electrocuted."
    learning = learn_from_exemplars(rubric, [Exemplar(credited, True)], marker)
    denied = [w for _label, w, _n in learning.added if w.startswith("~not ")]
    assert denied, learning.added
    assert not marker.mark("The person is electrocuted.", rubric, (), learning).awarded


def test_the_same_answer_as_a_refused_exemplar_loses_credit():
    marker = get_marker()
    rubric = build_rubric(
        "Award credit for identifying two items of personal protective equipment "
        "(e.g., gloves, goggles, ear defenders)",
        lexicon_name="general",
    )
    answer = "Gloves and goggles from the cupboard."
    assert marker.mark(answer, rubric).awarded
    learning = learn_from_exemplars(rubric, [Exemplar(answer, False)], marker)
    assert remembered_mark("Goggles and gloves from the cupboard!", rubric, learning) is False
    result = marker.mark("Goggles and gloves from the cupboard!", rubric, (), learning)
    assert not result.awarded
    assert any("a tutor marked an answer with the same content words" in r for r in result.reasons)
    # A different answer is still marked on its own merits.
    assert marker.mark("Ear defenders and gloves.", rubric, (), learning).awarded


def test_learning_is_deterministic_whatever_the_order():
    marker, rubric = get_marker(), rcd_rubric()
    exemplars = [
        Exemplar(TUTOR_CREDITED, True),
        Exemplar("It is a fuse.", False),
        Exemplar("Cuts the power when it senses a leak to earth.", True),
        Exemplar("It protects you.", False),
    ]
    first = learn_from_exemplars(rubric, exemplars, marker)
    shuffled = exemplars[:]
    random.Random(7).shuffle(shuffled)
    assert learn_from_exemplars(rubric, shuffled, marker) == first
    assert Learning.from_dict(first.to_dict()) == Learning.from_dict(first.to_dict())
    assert Learning.from_dict(first.to_dict()).to_dict() == first.to_dict()


def test_unreadable_stored_learning_means_nothing_learned():
    assert Learning.from_dict(None) == Learning()
    assert Learning.from_dict({"added": [["only two"]]}) == Learning()


def test_apply_learning_adds_and_narrows_wordings():
    rubric = rcd_rubric()
    label = rubric.indicators[0].label
    dropped = rubric.indicators[0].alternatives[-1]
    learning = Learning(added=((label, "trips the supply", 2),), removed=((label, dropped, 1),))
    changed = apply_learning(rubric, learning).indicators[0]
    assert "trips the supply" in changed.alternatives
    assert dropped not in changed.alternatives
    assert [c.describe() for c in learning.changes] == [
        f"Accepts ‘trips the supply’ for {label} (learned from 2 tutor marks)",
        f"No longer accepts ‘{dropped}’ for {label} (learned from 1 tutor mark)",
    ]


PPE_POINT = (
    "Award credit for identifying two items of personal protective equipment "
    "(e.g., gloves, goggles, ear defenders)"
)


def test_leave_one_out_agreement_on_a_hand_built_case():
    """Four tutor marks; each is marked by what the other three taught. Three agree (the two
    plain cases and the denial); 'a hard hat' is an item the point's examples never name and no
    other exemplar teaches, so it is marked wrong: accuracy 3/4, kappa 0.5."""
    marker = get_marker()
    rubric = build_rubric(PPE_POINT, lexicon_name="general")
    exemplars = [
        Exemplar("Gloves and goggles.", True),
        Exemplar("Ear defenders and a hard hat.", True),
        Exemplar("Goggles.", False),
        Exemplar("I don't wear gloves or goggles.", False),
    ]
    learning = learn_from_exemplars(rubric, exemplars, marker, with_agreement=True)
    assert (learning.agreement_n, learning.agreement_accuracy) == (4, 0.75)
    assert learning.agreement_kappa == pytest.approx(0.5)
    # Learning without the figure is the same learning.
    plain = learn_from_exemplars(rubric, exemplars, marker)
    assert plain.added == learning.added and plain.bias == learning.bias
    assert plain.agreement_n == 0


DOORS_POINT = "Award credit for explaining why fire doors should be kept closed"


def test_a_credited_answer_without_an_explanation_stops_the_question_requiring_one():
    marker = get_marker()
    rubric = build_rubric(DOORS_POINT, lexicon_name="general")
    assert rubric.requires_explanation  # the premise: the point asks for a reason
    bare = "Fire doors must be kept closed."
    other_bare = "The fire doors are always to be kept closed."
    assert not marker.mark(bare, rubric).awarded
    assert not marker.mark(other_bare, rubric).awarded

    learning = learn_from_exemplars(rubric, [Exemplar(bare, True)], marker)

    assert learning.relaxed == 1
    assert "without an explanation or linking word (learned from 1 tutor mark)" in (
        " ".join(c.describe() for c in learning.changes)
    )
    result = marker.mark(other_bare, rubric, (), learning)
    assert result.awarded
    assert any("without an explanation" in reason for reason in result.reasons)
    assert Learning.from_dict(learning.to_dict()).relaxed == 1
    # An answer with none of the ideas is still refused.
    assert not marker.mark("I am not sure.", rubric, (), learning).awarded


def test_a_refusal_for_the_missing_explanation_keeps_the_requirement():
    marker = get_marker()
    rubric = build_rubric(DOORS_POINT, lexicon_name="general")
    learning = learn_from_exemplars(
        rubric,
        [
            Exemplar("Fire doors must be kept closed.", True),
            Exemplar("The fire doors are always to be kept closed.", False),
        ],
        marker,
    )
    assert learning.relaxed == 0
    assert apply_learning(rubric, learning).requires_explanation
