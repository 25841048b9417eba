import json

import pytest

from assessments.marking.lexical import LexicalMarker
from assessments.rubrics import (
    Indicator,
    Rubric,
    build_rubric,
    describe_rubric,
    make_prompt,
    question_words,
    write_model_answer,
)
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


def labels(rubric: Rubric) -> list[str]:
    return [indicator.label.lower() for indicator in rubric.indicators]


def wordings(rubric: Rubric) -> set[str]:
    return {a.lstrip("~").lower() for i in rubric.indicators for a in (i.label, *i.alternatives)}


def test_unknown_point_gets_its_head_phrase_not_framing():
    rubric = build_rubric("Award credit for explaining the purpose of a quarterly stock audit.")
    assert rubric.prompt == "Explain the purpose of a quarterly stock audit."
    assert labels(rubric) == ["quarterly stock audit"]
    # A shorter core lets a paraphrase ("the stock audit every quarter…") meet the idea.
    assert "stock audit" in rubric.indicators[0].alternatives
    assert rubric.required_count == 1


COMMAND_WORDS = {"explaining", "stating", "describing", "identifying", "outlining", "demonstrating"}


@pytest.mark.parametrize(
    "text",
    [
        "Award credit for stating the function of a fuse in a plug.",
        "Learner should be able to describe the role of a named person in safeguarding.",
        "Award credit for outlining the main responsibilities of a data controller.",
        "Credit given for demonstrating understanding of cash flow forecasting.",
        "Award credit for identifying and explaining the purpose of a firewall.",
        # The framing as a command of its own: "Credit X", "Reward X", "Accept answers that".
        "Credit explanations of why a scaffold tower is tied to the building.",
        "Credit answers that explain why a ladder is footed at its base.",
        "Reward descriptions of how a spillage is contained.",
        "Accept responses which name the legislation covering lifting equipment.",
    ],
)
def test_command_words_and_framing_never_become_required_words(text):
    rubric = build_rubric(text)
    for wording in wordings(rubric):
        words = set(wording.split())
        assert not words & COMMAND_WORDS, wording
        assert not words & {"award", "credit", "learner", "accurately", "understanding"}, wording
        assert not words & {"reward", "accept", "answers", "responses"}, wording
        assert not words & {"explanations", "descriptions"}, wording


@pytest.mark.parametrize(
    ("point", "prompt"),
    [
        (
            "Credit explanations of why a scaffold tower is tied to the building.",
            "Explain why a scaffold tower is tied to the building.",
        ),
        (
            "Credit answers that explain why a ladder is footed at its base.",
            "Explain why a ladder is footed at its base.",
        ),
        (
            "Reward descriptions of how a spillage is contained.",
            "Describe how a spillage is contained.",
        ),
        (
            "Credit should be given for naming two fire extinguisher types.",
            "Name two fire extinguisher types.",
        ),
    ],
)
def test_framing_written_as_a_command_leaves_the_ask_as_the_prompt(point, prompt):
    assert make_prompt(point) == prompt


@pytest.mark.parametrize(
    ("nominal", "verbal"),
    [
        (
            "Award credit for an explanation of how an earth wire stops a metal case going live.",
            "Award credit for explaining how an earth wire stops a metal case going live.",
        ),
        (
            "Learners should give an accurate explanation of why bread dough is left to prove.",
            "Learners should explain why bread dough is left to prove.",
        ),
        (
            "Award credit for a clear description of how to bleed a radiator.",
            "Award credit for describing how to bleed a radiator.",
        ),
        (
            "Accurate identification of the fire assembly point.",
            "Award credit for identifying the fire assembly point.",
        ),
    ],
)
def test_a_nominal_command_reads_like_its_verb(nominal, verbal):
    """ "An explanation of how X" asks for X exactly as "explaining how X" does: the noun, its
    grading adjective and "give" are never ideas."""
    nominal_rubric, verbal_rubric = build_rubric(nominal), build_rubric(verbal)
    assert labels(nominal_rubric) == labels(verbal_rubric)
    for wording in wordings(nominal_rubric):
        assert not set(wording.split()) & {"explanation", "description", "identification"}
        assert not set(wording.split()) & {"accurate", "clear", "give"}


def test_semicolon_and_and_lists_give_one_idea_each():
    rubric = build_rubric(
        "Award credit for identifying hazards in a kitchen: slips; trips and falls; burns; "
        "cuts from knives."
    )
    assert labels(rubric) == ["slips", "trips", "falls", "burns", "cuts from knives"]
    assert not any(";" in label for label in labels(rubric))
    assert rubric.prompt == "Identify hazards in a kitchen."
    such_as = build_rubric(
        "Learner should list safe working practices such as wearing PPE; hand washing and "
        "covering cuts; reporting spillages."
    )
    assert labels(such_as) == [
        "wearing ppe",
        "hand washing",
        "covering cuts",
        "reporting spillages",
    ]


def test_examples_under_a_count_are_each_an_idea():
    rubric = build_rubric(
        "Award credit for identifying three features of a spreadsheet (e.g., formulas, charts, "
        "sorting and filtering)."
    )
    assert rubric.required_count == 3
    assert labels(rubric) == ["formulas", "charts", "sorting", "filtering"]


def test_examples_of_one_thing_are_alternatives_of_that_idea():
    rubric = build_rubric(
        "Award credit for explaining the importance of personal protective equipment "
        "(e.g., gloves, aprons, masks) in preventing infection."
    )
    assert rubric.required_count == 1
    (idea,) = rubric.indicators
    assert idea.label == "personal protective equipment"
    assert {"gloves", "aprons", "masks"} <= set(idea.alternatives)


def test_a_lexicon_word_inside_an_unfamiliar_example_is_not_that_concept():
    rubric = build_rubric(
        "Award credit for identifying at least two ways to promote dignity, such as using "
        "preferred names, ensuring privacy, and offering choice."
    )
    assert rubric.required_count == 2
    assert labels(rubric) == ["using preferred names", "ensuring privacy", "offering choice"]
    assert "gdpr" not in wordings(rubric) and "likes" not in wordings(rubric)


def test_difference_between_two_things_gives_both_sides():
    rubric = build_rubric(
        "Award credit for accurately explaining the difference between open and closed "
        "questions, with an example of each."
    )
    assert labels(rubric) == ["open questions", "closed questions"]
    assert rubric.required_count == 2
    assert rubric.requires_explanation and not rubric.requires_link
    compare = build_rubric("Award credit for comparing aerobic and anaerobic respiration.")
    assert labels(compare) == ["aerobic respiration", "anaerobic respiration"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Award credit for identifying at least three hazards in a salon.", 3),
        ("Award credit for describing two or more methods of market research.", 2),
        ("Award credit for identifying three key features of a cloud backup service.", 3),
        ("Award credit for explaining why two terminals are needed on a battery.", 1),
        ("Award credit for stating that the 2 bulbs in series share the voltage.", 1),
        ("Award credit for explaining why a child with 0 marbles has none to share.", 1),
    ],
)
def test_counts_come_from_the_ask_never_from_numbers_in_the_content(text, expected):
    assert build_rubric(text).required_count == expected


def test_negation_stays_inside_the_idea():
    rubric = build_rubric(
        "Award credit for explaining that the bulb does not light when the terminals are "
        "not connected to each other."
    )
    terminals = next(i for i in rubric.indicators if "terminals" in i.label)
    assert "not" in terminals.label.split()
    for alternative in terminals.alternatives:
        # Every wording needs the negation, and is polarity-free so the marker requires it
        # rather than withdrawing credit for it.
        assert alternative.startswith("~"), alternative
        assert {"not", "aren't"} & set(alternative.lstrip("~").split()), alternative
    assert "terminals connected" not in wordings(rubric)


def test_question_words_are_not_ideas_on_their_own():
    rubric = build_rubric(marking_point("000_7ea13c0c7803a35f.txt", 1))
    assert set(rubric.prompt_words) == {"features", "crm", "system"}
    for indicator in rubric.indicators:
        for alternative in indicator.alternatives:
            assert alternative.lower() not in {"crm", "system", "features"}
    stored = Rubric.from_dict({k: v for k, v in rubric.to_dict().items() if k != "prompt_words"})
    assert stored.prompt_words == ()
    assert set(question_words(stored)) == {"features", "crm", "system"}


@pytest.mark.parametrize(
    ("text", "explanation", "link"),
    [
        ("Award credit for describing how a café can reduce food waste.", True, False),
        ("Award credit for outlining the role of a health visitor.", True, False),
        (
            "Award credit for describing the link between customer experience and retention.",
            True,
            False,
        ),
        ("Award credit for explaining why hand hygiene reduces infection.", True, True),
        ("Award credit for explaining how noise affects concentration.", True, True),
        ("Award credit for justifying the choice of a backup method.", True, True),
        ("Award credit for analysing how interest rates affect consumer spending.", True, True),
        ("Award credit for explaining the relationship between force and mass.", True, True),
        ("Award credit for identifying two sources of finance.", False, False),
        # An example of how to do something is told in sentences, not named in a list.
        (
            "Award credit for giving specific examples of how to calm an anxious patient.",
            True,
            False,
        ),
        ("Award credit for practical examples of reducing waste in a kitchen.", True, False),
        ("Award credit for naming two examples of renewable energy.", False, False),
    ],
)
def test_describe_and_outline_never_require_a_link(text, explanation, link):
    rubric = build_rubric(text)
    assert rubric.requires_explanation is explanation
    assert rubric.requires_link is link


# Marking points in the style of other vocational qualifications, written for these tests.
def test_science_point_names_each_organelle_without_the_shared_context():
    rubric = build_rubric(
        "Award credit for describing the role of the nucleus, mitochondria and ribosomes in a cell."
    )
    assert labels(rubric) == ["nucleus", "mitochondria", "ribosomes"]
    assert rubric.required_count == 3 and rubric.requires_explanation


def test_health_and_social_care_point_splits_cause_from_effect():
    rubric = build_rubric(
        "Award credit for explaining why hand hygiene reduces the spread of infection."
    )
    assert labels(rubric) == ["hand hygiene", "spread of infection"]
    assert rubric.required_count == 2 and rubric.requires_link


def test_health_and_social_care_risk_assessment_steps_are_alternatives():
    rubric = build_rubric(
        "Award credit for describing a risk assessment, including identifying hazards, "
        "deciding who might be harmed and recording findings."
    )
    assert rubric.required_count == 1
    assert {"identifying hazards", "deciding who might be harmed", "recording findings"} <= set(
        rubric.indicators[0].alternatives
    )


@pytest.mark.parametrize(
    ("point", "prompt", "examiner_form"),
    [
        # Who answers, not who marks: learners, candidates or the answer itself. Each reads as
        # the same point written in the examiner's usual form.
        (
            "Learners explain how a damp-proof course stops rising damp.",
            "Explain how a damp-proof course stops rising damp.",
            "Award credit for explaining how a damp-proof course stops rising damp.",
        ),
        (
            "Marks awarded where the learner links late payment to cash flow problems.",
            "Link late payment to cash flow problems.",
            "Award credit for linking late payment to cash flow problems.",
        ),
        (
            "Expect candidates to justify the choice of a sealant for a shower tray.",
            "Justify the choice of a sealant for a shower tray.",
            "Award credit for justifying the choice of a sealant for a shower tray.",
        ),
        (
            "The answer should recognise that a padlock alone is not a lock-off device.",
            "Recognise that a padlock alone is not a lock-off device.",
            "Award credit for recognising that a padlock alone is not a lock-off device.",
        ),
        (
            "A correct answer names the colour code of a neutral conductor.",
            "Name the colour code of a neutral conductor.",
            "Award credit for naming the colour code of a neutral conductor.",
        ),
        (
            "Learners are expected to outline how a cavity wall is insulated.",
            "Outline how a cavity wall is insulated.",
            "Award credit for outlining how a cavity wall is insulated.",
        ),
        (
            "Award marks if the candidate explains why meat is rested after roasting.",
            "Explain why meat is rested after roasting.",
            "Award credit for explaining why meat is rested after roasting.",
        ),
        (
            "Full marks require the learner to describe how a pallet truck is parked safely.",
            "Describe how a pallet truck is parked safely.",
            "Award credit for describing how a pallet truck is parked safely.",
        ),
    ],
)
def test_framing_that_names_who_answers_is_not_part_of_the_ask(point, prompt, examiner_form):
    rubric = build_rubric(point)
    assert rubric.prompt == prompt
    assert labels(rubric) == labels(build_rubric(examiner_form))
    for wording in wordings(rubric):
        words = set(wording.lower().split())
        assert not words & {"learner", "learners", "candidates", "answer", "expect"}, wording
        assert not words & {"links", "names", "explains", "should", "correct"}, wording


def test_what_an_answer_includes_is_its_ideas_only_after_the_answer_is_named():
    included = build_rubric("A good response mentions ladder inspection and a firm base.")
    assert labels(included) == ["ladder inspection", "firm base"]
    # "mentions" with no answer before it is not framing: stripping it would leave "of…".
    prompt = build_rubric(
        "Award credit for mentions of the Equality Act when recruiting staff."
    ).prompt
    assert "Equality Act" in prompt and not prompt.startswith("Explain of ")


@pytest.mark.parametrize(
    "point",
    [
        "Credit any two of the following: wet floor signs, cable covers, good lighting.",
        "Look for two from: wet floor signs; cable covers; good lighting.",
    ],
)
def test_a_count_of_the_listed_items_makes_each_item_an_idea(point):
    rubric = build_rubric(point)
    assert rubric.required_count == 2
    assert labels(rubric) == ["wet floor signs", "cable covers", "good lighting"]
    # No kind is named to say what the items are, so the model answer just lists two.
    assert write_model_answer(rubric) == "Wet floor signs and cable covers."


@pytest.mark.parametrize(
    ("point", "prompt", "required"),
    [
        (
            "Award one mark for each correct stage of the mortgage application process, up to "
            "a maximum of four.",
            "Identify four stages of the mortgage application process.",
            4,
        ),
        (
            "Award one mark for each risk identified, up to a maximum of 3 marks.",
            "Identify 3 risks.",
            3,
        ),
        (
            "Award 1 mark per valid reason why a stock check is carried out (max 2).",
            "Identify 2 reasons why a stock check is carried out.",
            2,
        ),
    ],
)
def test_a_mark_per_item_up_to_a_maximum_asks_for_that_many(point, prompt, required):
    rubric = build_rubric(point)
    assert rubric.prompt == prompt
    assert rubric.required_count == required
    # Which stages or risks the point does not say: a tutor marks them.
    assert not rubric.auto_markable
    for wording in wordings(rubric):
        assert not set(wording.lower().split()) & {"award", "mark", "maximum", "max"}, wording


def test_accept_any_reasonable_example_asks_for_one_example():
    rubric = build_rubric(
        "Accept any reasonable example of a trip hazard in an office, such as trailing cables, "
        "open drawers or loose carpet."
    )
    assert rubric.prompt == "Give an example of a trip hazard in an office."
    assert rubric.required_count == 1
    assert len(rubric.indicators) == 1
    assert {"trailing cables", "open drawers", "loose carpet"} <= set(
        rubric.indicators[0].alternatives
    )
    for wording in wordings(rubric):
        assert not set(wording.lower().split()) & {"accept", "reasonable", "any"}, wording


def test_items_asked_for_without_naming_them_go_to_a_tutor():
    rubric = build_rubric("Candidates must list three items of PPE worn when using a grinder.")
    assert rubric.prompt == "List three items of PPE worn when using a grinder."
    assert rubric.required_count == 3
    assert not rubric.auto_markable


def test_business_point_asking_for_unnamed_advantages_goes_to_a_tutor():
    rubric = build_rubric("Learners should describe two advantages of a sole trader business.")
    # Nothing says which advantages: a word-matching marker cannot know, so a tutor marks it
    # (and the editor can add the ideas), rather than crediting "sole trader" parroted back.
    assert not rubric.auto_markable
    assert rubric.required_count == 2
    assert labels(rubric) == ["advantages of a sole trader business"]
    assert write_model_answer(rubric) == ""


def test_it_point_reads_the_head_noun_phrase():
    rubric = build_rubric(
        "Award credit for justifying the choice of a backup method for a small business network."
    )
    (idea,) = rubric.indicators
    assert "backup method" in idea.alternatives
    assert "choice" not in idea.label.split()
    assert rubric.requires_link


def test_it_point_with_data_protection_keeps_both_ideas():
    rubric = build_rubric(
        "Award credit for outlining how the Data Protection Act 2018 affects the storage of "
        "patient records."
    )
    assert "storage of patient records" in labels(rubric)
    assert any("data protection" in label for label in labels(rubric))
    assert rubric.required_count == 2
    assert not rubric.requires_link  # "outline" asks for sentences, not a causal link


def test_health_and_social_care_teamwork_point_keeps_the_unfamiliar_outcome():
    rubric = build_rubric(
        "Look for evidence that the learner can explain how effective teamwork and clear "
        "communication improve patient outcomes."
    )
    assert {"teamwork", "communication", "patient outcomes"} <= set(labels(rubric))
    assert rubric.requires_link


# --- model answers and the editor's preview ---------------------------------------------------


def test_model_answer_from_the_point_and_its_examples():
    rubric = build_rubric(marking_point("000_7ea13c0c7803a35f.txt", 1))
    # The builder leaves it empty (the marking pipeline reads a model answer as its reference);
    # the question bank fills it on import.
    assert rubric.model_answer == ""
    assert write_model_answer(rubric) == (
        "Three features of a CRM system are contact management, interaction tracking and "
        "data analysis."
    )
    strategies = build_rubric(marking_point("001_ff5e01d8a45115a3.txt", 2))
    assert write_model_answer(strategies) == (
        "Effective customer retention strategies include proactive communication, "
        "personalisation and complaint resolution."
    )
    ppe = build_rubric(
        "Award credit for explaining the importance of PPE (e.g., gloves, aprons, masks)."
    )
    assert write_model_answer(ppe) == "Examples of PPE are gloves, aprons and masks."
    benefits = build_rubric(marking_point("003_089f2672b73d4bee.txt", 1))
    assert write_model_answer(benefits).startswith(
        "Two benefits of customer loyalty to an organisation are repeat business"
    )


def test_model_answers_are_written_only_from_what_the_point_gives():
    written = 0
    for _source, _index, text in ALL_POINTS:
        rubric = build_rubric(text)
        answer = write_model_answer(rubric)
        if not rubric.auto_markable:
            assert answer == ""
        if answer:
            written += 1
            assert answer.endswith(".") and answer[0].isupper(), answer
            assert "e.g." not in answer and "  " not in answer and "(" not in answer[:1]
    assert written >= 10
    # No examples and no count: nothing to answer with, so nothing is made up.
    assert write_model_answer(build_rubric(marking_point("000_7ea13c0c7803a35f.txt", 2))) == ""


def test_describe_rubric_is_plain_text_an_editor_can_read():
    rubric = build_rubric(marking_point("000_7ea13c0c7803a35f.txt", 1))
    text = describe_rubric(rubric)
    assert "Model answer: (none)" in text
    rubric = Rubric.from_dict({**rubric.to_dict(), "model_answer": write_model_answer(rubric)})
    text = describe_rubric(rubric)
    assert text.startswith("Ideas needed: 3 of the ")
    assert "1. contact management: contact management; contact details" in text
    assert "Link between ideas required (because, so, leads to…): no." in text
    assert "Model answer: Three features of a CRM system are" in text
    assert "<" not in text


# --- the question bank, the admin preview and the results page (database) ----------------------


@pytest.mark.django_db
def test_import_fills_blank_model_answers_and_keeps_an_editors(imported_seeds):
    from assessments.models import Question
    from assessments.services import sync_question_bank

    crm = Question.objects.get(
        marking_point__text__startswith="Award credit for accurately identifying"
    )
    assert crm.model_answer.startswith("Three features of a CRM system are contact management")
    crm.model_answer = "Written by an editor."
    crm.save()
    sync_question_bank(topic=crm.topic)
    crm.refresh_from_db()
    assert crm.model_answer == "Written by an editor."


@pytest.mark.django_db
def test_admin_preview_shows_the_saved_ideas_after_an_inline_edit(client, imported_seeds):
    from django.urls import reverse

    from assessments.models import Question
    from assessments.tests.factories import UserFactory

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    question = Question.objects.get(
        marking_point__text__startswith="Award credit for accurately identifying"
    )
    indicator = question.indicators.get(label="contact management")
    indicator.alternatives = ["contact management", "<b>address book</b>"]
    indicator.save()
    page = client.get(reverse("admin:assessments_question_change", args=[question.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "What the marker will look for" in html
    assert "Ideas needed: 3 of the" in html
    assert "contact management: contact management; &lt;b&gt;address book&lt;/b&gt;" in html
    assert "<b>address book</b>" not in html
    assert "Model answer: Three features of a CRM system" in html


@pytest.mark.django_db
def test_results_page_shows_the_model_answer_escaped(client, imported_seeds):
    from django.urls import reverse

    from assessments.models import Attempt, Question
    from assessments.services import start_attempt, submit_attempt
    from assessments.tests.factories import UserFactory

    learner = UserFactory()
    client.force_login(learner)
    question = Question.objects.get(
        marking_point__text__startswith="Award credit for accurately identifying"
    )
    question.model_answer = "Contact management <script>x</script> and tracking."
    question.save()
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=question.topic, seed=1)
    submit_attempt(attempt=attempt, answers={})
    html = client.get(reverse("assessments:results", args=[attempt.pk])).content.decode()
    # A topic quiz asks every short-answer question of the topic.
    assert attempt.responses.filter(question=question).exists()
    assert "A model answer" in html
    assert "Contact management &lt;script&gt;x&lt;/script&gt; and tracking." in html
    assert "<script>x</script>" not in html


def test_grading_adjective_of_a_nominal_criterion_is_never_an_idea():
    rubric = build_rubric(
        "Accurate description of how a fire extinguisher is chosen; reference to fire classes."
    )
    labels = [indicator.label.lower() for indicator in rubric.indicators]
    assert labels and not any(label.startswith("accurate") for label in labels), labels


def test_an_idea_of_three_or_four_words_is_met_by_any_two_of_them():
    rubric = build_rubric(
        "Award credit for identifying an annual boiler safety inspection.", lexicon_name="general"
    )
    (idea,) = rubric.indicators
    assert {"boiler inspection", "annual safety", "safety inspection"} <= set(idea.alternatives)
    marker = LexicalMarker()
    assert marker.mark("The boiler needs an inspection every year.", rubric).awarded
    assert not marker.mark("Safety first.", rubric).awarded
    assert not marker.mark("The boiler is never given an inspection.", rubric).awarded


def test_a_long_clause_is_not_met_by_any_two_of_its_words():
    rubric = build_rubric(
        "Award credit for stating that a gas engineer must carry out an annual boiler safety "
        "inspection.",
        lexicon_name="general",
    )
    assert not LexicalMarker().mark("They carry out checks.", rubric).awarded


def test_a_list_ends_where_the_point_says_what_the_items_do():
    rubric = build_rubric(
        "Award credit for explaining how ventilation, lighting and seating arrangements "
        "facilitate safe working in an open-plan office.",
        lexicon_name="general",
    )
    assert labels(rubric)[:3] == ["ventilation", "lighting", "seating arrangements"]


def test_letters_in_brackets_are_another_wording_of_the_idea_before_them():
    rubric = build_rubric(
        "Award credit for explaining how Personal Protective Equipment (PPE) protects staff "
        "from injury.",
        lexicon_name="general",
    )
    assert "PPE" not in labels(rubric)
    (equipment,) = [i for i in rubric.indicators if "Equipment" in i.label]
    assert "PPE" in equipment.alternatives
    assert LexicalMarker().mark("Staff wear PPE so they are protected from injury.", rubric).awarded


def test_an_abbreviation_in_capitals_is_part_of_an_idea_and_like_is_framing():
    rubric = build_rubric(
        "Award credit for explaining how elements like IT systems, lighting and heating "
        "contribute to comfort at work.",
        lexicon_name="general",
    )
    assert labels(rubric)[0] == "it systems"
    assert "IT" in rubric.indicators[0].label
    assert not any(label.startswith("like") for label in labels(rubric))


def test_without_a_lexicon_a_criterion_naming_many_ideas_asks_for_two_of_them():
    point = (
        "Award credit for describing how lighting, ventilation, noise levels and seating "
        "affect concentration at work."
    )
    general = build_rubric(point, lexicon_name="general")
    assert len(general.indicators) >= 4 and general.required_count == 2
    assert build_rubric(point, lexicon_name="customer-service").required_count == 3
    # A reference answer is not a criterion: it still needs three of the ideas it names.
    answer = build_rubric(
        "Lighting, ventilation, noise levels and seating affect concentration.",
        lexicon_name="general",
    )
    assert len(answer.indicators) >= 4 and answer.required_count == 3
