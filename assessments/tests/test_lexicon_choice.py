"""Each qualification's answers are read with its own subject vocabulary (or none).

The wording here is written for these tests (a plumbing point, a customer-service synopsis);
none of it comes from an evaluation set.
"""

import pytest
from django.urls import reverse

from assessments import lexicon
from assessments.marking import get_marker
from assessments.models import Question
from assessments.rubrics import Rubric, build_rubric
from assessments.services import sync_question_bank, topic_lexicon
from topics.tests.factories import (
    KeyConceptFactory,
    MarkingPointFactory,
    QualificationFactory,
    TopicFactory,
)

PLUMBING_POINT = (
    "Award credit for suggesting a solution to a dripping tap, such as replacing the washer"
)
CUSTOMER_SERVICE_SYNOPSIS = (
    "How customer loyalty and retention grow from complaint handling, active listening, "
    "feedback surveys, personalised service, loyalty programmes, CRM contact management, "
    "interaction tracking, data analysis, empathy, reliability, follow-up calls, apologising, "
    "refunds and replacements, staff training and Net Promoter Score."
)


def test_a_qualification_title_chooses_its_lexicon():
    assert (
        lexicon.choose_lexicon(qualification="Level 3 Diploma in Customer Service (RQF)")
        == "customer-service"
    )
    assert lexicon.choose_lexicon(qualification="Level 2 Diploma in Plumbing") == "general"


def test_without_a_telling_title_the_topic_wording_decides():
    assert lexicon.choose_lexicon(topic_text=CUSTOMER_SERVICE_SYNOPSIS) == "customer-service"
    plumbing = "Fixing dripping taps: isolate the supply, replace the washer, test for leaks."
    assert lexicon.choose_lexicon(topic_text=plumbing) == "general"
    # A couple of shared words ("feedback", "training") do not make a topic customer service.
    assert lexicon.choose_lexicon(topic_text="Feedback on training in pipe bending.") == "general"


def test_one_subjects_synonyms_never_read_another_subjects_answers():
    marker = get_marker()
    leaking = build_rubric(PLUMBING_POINT, lexicon_name="customer-service")
    plumbing = build_rubric(PLUMBING_POINT, lexicon_name="general")
    assert plumbing.lexicon == "general"
    wordings = {w for i in plumbing.indicators for w in (i.label, *i.alternatives)}
    assert not wordings & {"refund", "voucher", "compensation"}
    refund = "Give the customer a refund."
    # The customer-service vocabulary hears "refund" as a solution; plumbing must not.
    assert marker.mark(refund, leaking).awarded
    assert not marker.mark(refund, plumbing).awarded
    assert marker.mark("Replace the worn washer inside the tap.", plumbing).awarded


def test_the_rubric_records_and_keeps_its_lexicon():
    rubric = build_rubric(PLUMBING_POINT, lexicon_name="general")
    again = Rubric.from_dict(rubric.to_dict())
    assert again.lexicon == "general"
    # Snapshots stored before the field existed were built with the default.
    old = rubric.to_dict()
    del old["lexicon"]
    assert Rubric.from_dict(old).lexicon == lexicon.DEFAULT_LEXICON
    with pytest.raises(ValueError, match="'lexicon' 'klingon' is not one of"):
        Rubric.from_dict({**rubric.to_dict(), "lexicon": "klingon"})
    with pytest.raises(ValueError, match="unknown lexicon"):
        build_rubric(PLUMBING_POINT, lexicon_name="klingon")


def test_every_mark_names_the_lexicon_and_its_hash():
    rubric = build_rubric(PLUMBING_POINT, lexicon_name="general")
    result = get_marker().mark("Replace the washer.", rubric)
    assert result.marker["lexicon"] == "general"
    assert result.marker["files"]["lexicon"] == lexicon.load_lexicon("general").sha256


@pytest.mark.django_db
def test_the_question_bank_builds_rubrics_with_the_topics_lexicon():
    plumbing = TopicFactory(
        qualification=QualificationFactory(name="Level 2 Diploma in Plumbing"),
        synopsis="Maintaining taps, valves and pipework in homes.",
    )
    MarkingPointFactory(topic=plumbing, text=PLUMBING_POINT)
    service = TopicFactory(
        qualification=QualificationFactory(name="Level 3 Diploma in Customer Service"),
    )
    MarkingPointFactory(topic=service, text=PLUMBING_POINT)
    sync_question_bank(topic=plumbing)
    sync_question_bank(topic=service)
    by_topic = {
        q.topic_id: q
        for q in Question.objects.filter(kind=Question.Kind.SHORT_ANSWER).prefetch_related(
            "indicators"
        )
    }
    assert by_topic[plumbing.pk].lexicon == "general"
    assert by_topic[plumbing.pk].to_rubric().lexicon == "general"
    assert by_topic[service.pk].lexicon == "customer-service"


@pytest.mark.django_db
def test_without_a_qualification_the_topics_wording_chooses():
    topic = TopicFactory(qualification=None, synopsis=CUSTOMER_SERVICE_SYNOPSIS)
    KeyConceptFactory(topic=topic, term="Customer retention")
    assert topic_lexicon(topic) == "customer-service"
    assert topic_lexicon(TopicFactory(qualification=None, synopsis="Pipe bending.")) == "general"


@pytest.mark.django_db
def test_an_editors_choice_wins_and_rebuilds_the_question_bank(admin_client):
    qualification = QualificationFactory(name="Level 3 Diploma in Customer Service")
    topic = TopicFactory(qualification=qualification)
    MarkingPointFactory(topic=topic, text=PLUMBING_POINT)
    sync_question_bank(topic=topic)
    question = Question.objects.get(topic=topic, kind=Question.Kind.SHORT_ANSWER)
    assert question.lexicon == "customer-service"

    url = reverse("admin:topics_qualification_change", args=[qualification.pk])
    page = admin_client.get(url)
    assert b'value="general"' in page.content
    response = admin_client.post(
        url,
        {
            "name": qualification.name,
            "awarding_body": qualification.awarding_body,
            "level": qualification.level,
            "description": "",
            "lexicon": "general",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert b"Rebuilt the question banks of 1 topic" in response.content
    question.refresh_from_db()
    assert question.lexicon == "general"
    labels = list(question.indicators.values_list("label", flat=True))
    assert labels == ["replacing the washer"]


@pytest.mark.django_db
def test_an_unknown_lexicon_is_refused_by_the_form(admin_client):
    qualification = QualificationFactory()
    response = admin_client.post(
        reverse("admin:topics_qualification_change", args=[qualification.pk]),
        {"name": qualification.name, "lexicon": "klingon"},
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    qualification.refresh_from_db()
    assert qualification.lexicon == ""
