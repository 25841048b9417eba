import json

import pytest

from assessments.rubrics import Indicator, Rubric, build_rubric, make_prompt
from assessments.tests import marking_point, seed_documents

IMPERATIVES = {
    "Identify",
    "Explain",
    "Describe",
    "Outline",
    "Give",
    "Select",
    "Link",
    "Use",
    "Demonstrate",
    "Analyse",
    "Evaluate",
    "Justify",
    "List",
    "State",
    "Compare",
    "Discuss",
    "Propose",
}

ALL_POINTS = [
    (source, index, text)
    for source, document in seed_documents().items()
    for index, text in enumerate(document.marking_points, 1)
]


def test_there_are_27_seed_points():
    assert len(ALL_POINTS) == 27


@pytest.mark.parametrize(("source", "index", "text"), ALL_POINTS)
def test_prompts_are_readable_questions(source, index, text):
    prompt = build_rubric(text).prompt
    first = prompt.split()[0]
    assert first in IMPERATIVES, prompt
    assert prompt[-1] in ".?", prompt
    lower = prompt.lower()
    for framing in (
        "award credit",
        "look for",
        "marks should",
        "credit should",
        "evidence of",
        "learners should",
        "e.g.",
        "accurately",
        "clearly",
    ):
        assert framing not in lower, prompt
    assert "  " not in prompt and " ," not in prompt and "(" not in prompt.replace("(CRM)", "")


def test_prompt_examples_from_the_brief():
    assert make_prompt(marking_point("000_7ea13c0c7803a35f.txt", 1)) == (
        "Identify at least three features of a CRM system."
    )
    assert make_prompt(marking_point("000_7ea13c0c7803a35f.txt", 2)) == (
        "Explain the link between customer lifetime value and retention rates."
    )
    assert make_prompt(marking_point("003_089f2672b73d4bee.txt", 4)) == (
        "Outline a strategy to develop a productive relationship with a customer over time."
    )
    assert make_prompt(marking_point("000_7ea13c0c7803a35f.txt", 4)).startswith(
        "Give practical examples of how customer feedback"
    )


@pytest.mark.parametrize(
    ("source", "index", "expected"),
    [
        ("000_7ea13c0c7803a35f.txt", 1, 3),  # "at least three features"
        ("001_ff5e01d8a45115a3.txt", 3, 2),  # "at least two methods"
        ("003_089f2672b73d4bee.txt", 1, 2),  # "at least two benefits"
        ("000_7ea13c0c7803a35f.txt", 3, 1),  # "an appropriate measurement tool"
        ("000_7ea13c0c7803a35f.txt", 2, 2),  # links two named concepts
    ],
)
def test_required_counts(source, index, expected):
    assert build_rubric(marking_point(source, index)).required_count == expected


def test_two_methods_without_at_least():
    rubric = build_rubric(
        "Award credit for describing two methods of collecting customer feedback."
    )
    assert rubric.required_count == 2


def test_role_play_point_is_not_auto_markable_and_others_are():
    role_play = build_rubric(marking_point("003_089f2672b73d4bee.txt", 2))
    assert not role_play.auto_markable
    others = [text for source, index, text in ALL_POINTS if (source[:3], index) != ("003", 2)]
    assert all(build_rubric(text).auto_markable for text in others)
    assert not build_rubric("Learners take part in a role-play of a complaint call.").auto_markable


def test_explanation_flags():
    identify = build_rubric(marking_point("000_7ea13c0c7803a35f.txt", 1))
    link = build_rubric(marking_point("000_7ea13c0c7803a35f.txt", 2))
    describe = build_rubric(marking_point("003_089f2672b73d4bee.txt", 6))
    assert not identify.requires_explanation and not identify.requires_link
    assert link.requires_explanation and link.requires_link
    assert describe.requires_explanation


def test_indicators_come_from_examples_with_lexicon_alternatives():
    rubric = build_rubric(marking_point("000_7ea13c0c7803a35f.txt", 1))
    by_label = {indicator.label: indicator for indicator in rubric.indicators}
    assert {"contact management", "interaction tracking", "data analysis"} <= set(by_label)
    assert "address book" in by_label["contact management"].alternatives
    # "e.g." is not exhaustive: other CRM features are accepted too.
    assert len(rubric.indicators) > 3
    nps = build_rubric(marking_point("001_ff5e01d8a45115a3.txt", 3))
    labels = [indicator.label for indicator in nps.indicators]
    assert "Net Promoter Score (NPS)" in labels
    alternatives = nps.indicators[labels.index("Net Promoter Score (NPS)")].alternatives
    assert "NPS" in alternatives and "Net Promoter Score" in alternatives


def test_category_names_are_not_accepted_as_instances():
    rubric = build_rubric(marking_point("002_b5f39bc41b65eb3f.txt", 5))
    for indicator in rubric.indicators:
        assert "segments" not in [a.lower() for a in indicator.alternatives]


def test_round_trip_through_json():
    for _source, _index, text in ALL_POINTS:
        rubric = build_rubric(text)
        data = json.loads(json.dumps(rubric.to_dict()))
        assert Rubric.from_dict(data) == rubric


def test_from_dict_is_forgiving_about_form():
    rubric = Rubric.from_dict(
        {
            "prompt": "Name two ways to measure satisfaction.",
            "required_count": "2",
            "indicators": ["surveys", {"label": "NPS", "alternatives": "Net Promoter Score; nps"}],
            "requires_explanation": "no",
            "auto_markable": 1,
        }
    )
    assert rubric.required_count == 2
    assert rubric.indicators[0] == Indicator("surveys", ("surveys",))
    assert rubric.indicators[1].alternatives == ("Net Promoter Score", "nps")
    assert rubric.requires_explanation is False and rubric.auto_markable is True
    assert (
        Rubric.from_dict(
            {"point_text": "Award credit for identifying two benefits of loyalty."}
        ).prompt
        == "Identify two benefits of loyalty."
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected an object"),
        ({"prompt": "Q?", "required_count": "lots", "indicators": ["a"]}, "required_count"),
        ({"prompt": "Q?", "required_count": 3, "indicators": ["a"]}, "only 1 indicators"),
        ({"prompt": "Q?", "indicators": "a"}, "'indicators' must be a list"),
        ({"prompt": "Q?", "indicators": [{"alternatives": []}]}, "'label'"),
        ({"prompt": "Q?", "indicators": [{"label": "x", "alternatives": [1]}]}, "string"),
        ({"prompt": "Q?", "indicators": ["a"], "auto_markable": "maybe"}, "true or false"),
        ({"prompt": 5}, "'prompt' must be a string"),
        ({}, "'prompt'"),
    ],
)
def test_from_dict_rejects_bad_data_with_a_clear_message(data, message):
    with pytest.raises(ValueError, match=message):
        Rubric.from_dict(data)


@pytest.mark.parametrize("text", ["", "   ", "Award credit for.", "💡💡", "x" * 5000, "(e.g., )"])
def test_build_rubric_never_raises(text):
    rubric = build_rubric(text)
    assert isinstance(rubric, Rubric)


def test_unknown_point_falls_back_to_its_own_key_phrases():
    rubric = build_rubric("Award credit for explaining the purpose of a quarterly stock audit.")
    assert rubric.prompt == "Explain the purpose of a quarterly stock audit."
    assert rubric.indicators and rubric.required_count >= 1
