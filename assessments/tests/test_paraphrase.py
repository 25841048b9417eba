"""Everyday wording meets examiner wording at the level of ideas, and structure still decides.

The answers here are written for these tests; none comes from an evaluation set. Each test
checks its own premise: the credited answer really shares no content word with the point.
"""

import re

import pytest

from assessments import lexicon
from assessments.marking import get_marker
from assessments.rubrics import build_rubric


def _content_stems(text: str) -> set[str]:
    return {
        lexicon.stem(word)
        for word in re.findall(r"[a-z]+", text.lower())
        if word not in lexicon.FUNCTION_WORDS
    }


CASES = [
    (
        "Award credit for identifying a way to measure customer satisfaction",
        "Send out a questionnaire asking shoppers how happy they were.",
        [
            "We never send a questionnaire to find out if shoppers are happy.",
            "Customers are happy.",
        ],
    ),
    (
        "Award credit for describing active listening",
        "Paying full attention to the caller and repeating back what they said.",
        ["Not paying attention to the caller."],
    ),
]


@pytest.mark.parametrize(("point", "everyday", "refused"), CASES)
def test_an_everyday_answer_sharing_no_word_with_the_point_is_credited(point, everyday, refused):
    assert not _content_stems(point) & _content_stems(everyday), "premise: no shared word"
    rubric = build_rubric(point)
    result = get_marker().mark(everyday, rubric)
    assert result.awarded, result.reasons


@pytest.mark.parametrize(("point", "everyday", "refused"), CASES)
def test_negated_or_merely_similar_answers_are_refused(point, everyday, refused):
    rubric = build_rubric(point)
    for answer in refused:
        result = get_marker().mark(answer, rubric)
        assert not result.awarded, (answer, result.reasons)
