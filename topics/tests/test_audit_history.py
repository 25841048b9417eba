"""Audit trail of content and rubric changes (django-simple-history).

Who changed which content or rubric, when, and from what to what; kept after the object
changes or is deleted, and shown to admins on the History page.
"""

import pytest
from django.urls import reverse

from assessments.models import Indicator, Question
from assessments.services import sync_question_bank
from topics.models import ExamTip, KeyConcept, MarkingPoint, Qualification, Topic
from topics.services import import_seed_bytes

pytestmark = pytest.mark.django_db

SEED = b"""Topic Synopsis
This unit explores how contact centres handle complaints.
Key Concepts
- Escalation: passing a complaint to someone with more authority.
Exam Tips
- Name the channel before describing it.
Examiner Marking Points
- Award credit for identifying two complaint channels.
- Award credit for explaining why complaints are logged.
"""

CHANGED_SEED = b"""Topic Synopsis
This unit explores how contact centres handle complaints and compliments.
Key Concepts
- Escalation: passing a complaint to a supervisor.
Exam Tips
- Name the channel before describing it.
Examiner Marking Points
- Award credit for identifying two complaint channels.
"""


def test_import_records_history_for_topic_sections_points_questions_and_indicators():
    topic = import_seed_bytes(source_name="complaints.txt", data=SEED).topic

    assert topic.history.filter(history_type="+").count() == 1
    assert KeyConcept.history.filter(topic_id=topic.pk, history_type="+").count() == 1
    assert ExamTip.history.filter(topic_id=topic.pk, history_type="+").count() == 1
    assert MarkingPoint.history.filter(topic_id=topic.pk, history_type="+").count() == 2
    questions = Question.objects.filter(topic=topic)
    assert Question.history.filter(topic_id=topic.pk, history_type="+").count() == questions.count()
    indicator_ids = Indicator.objects.filter(question__topic=topic).values_list("pk", flat=True)
    assert Indicator.history.filter(id__in=indicator_ids, history_type="+").count() == len(
        indicator_ids
    )


def test_reimport_keeps_the_old_values_and_records_the_retirement():
    topic = import_seed_bytes(source_name="complaints.txt", data=SEED).topic
    retired = MarkingPoint.objects.get(topic=topic, text__contains="logged")

    import_seed_bytes(source_name="complaints.txt", data=CHANGED_SEED)

    synopses = list(topic.history.order_by("history_date").values_list("synopsis", flat=True))
    assert synopses[0].endswith("handle complaints.")
    assert synopses[-1].endswith("complaints and compliments.")
    retirement = retired.history.order_by("-history_date", "-history_id").first()
    assert retirement.history_type == "~"
    assert retirement.retired_at is not None
    assert retirement.prev_record.retired_at is None
    # The replaced key concept's old wording outlives the row.
    deleted = KeyConcept.history.filter(topic_id=topic.pk, history_type="-").get()
    assert deleted.explanation == "passing a complaint to someone with more authority."


def test_unchanged_regeneration_adds_no_history_noise():
    topic = import_seed_bytes(source_name="complaints.txt", data=SEED).topic
    before = (Question.history.count(), Indicator.history.count())

    sync_question_bank(topic=topic)

    assert (Question.history.count(), Indicator.history.count()) == before


def test_admin_edit_records_the_admin_and_the_change(admin_client, admin_user):
    topic = import_seed_bytes(source_name="complaints.txt", data=SEED).topic
    point = MarkingPoint.objects.filter(topic=topic).first()

    response = admin_client.post(
        reverse("admin:topics_markingpoint_change", args=[point.pk]),
        {"topic": topic.pk, "position": point.position, "text": "Award credit for three channels."},
    )

    assert response.status_code == 302
    latest = point.history.latest()
    assert latest.history_user == admin_user
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("text", "Award credit for identifying two complaint channels.", latest.text)
    ]


def test_rubric_edit_in_the_admin_is_recorded_with_its_indicators(admin_client, admin_user):
    topic = import_seed_bytes(source_name="complaints.txt", data=SEED).topic
    question = Question.objects.filter(topic=topic, kind=Question.Kind.SHORT_ANSWER).first()
    indicators = list(question.indicators.all())
    data = {
        "topic": topic.pk,
        "marking_point": question.marking_point_id,
        "kind": question.kind,
        "prompt": "Name two complaint channels.",
        "position": question.position,
        "is_active": "on",
        "required_count": 2,
        "auto_markable": "on",
        "model_answer": "",
        # The answer options inline (none for a short-answer question).
        "options-TOTAL_FORMS": 0,
        "options-INITIAL_FORMS": 0,
        "options-MIN_NUM_FORMS": 0,
        "options-MAX_NUM_FORMS": 1000,
        "indicators-TOTAL_FORMS": len(indicators),
        "indicators-INITIAL_FORMS": len(indicators),
        "indicators-MIN_NUM_FORMS": 0,
        "indicators-MAX_NUM_FORMS": 1000,
        # The exemplars inline (marked answers that teach the marker), left empty.
        "exemplars-TOTAL_FORMS": 0,
        "exemplars-INITIAL_FORMS": 0,
        "exemplars-MIN_NUM_FORMS": 0,
        "exemplars-MAX_NUM_FORMS": 1000,
    }
    for index, indicator in enumerate(indicators):
        data[f"indicators-{index}-id"] = indicator.pk
        data[f"indicators-{index}-question"] = question.pk
        data[f"indicators-{index}-position"] = indicator.position
        data[f"indicators-{index}-label"] = indicator.label + " (edited)" * (index == 0)
        data[f"indicators-{index}-alternatives"] = "\n".join(indicator.alternatives)

    response = admin_client.post(
        reverse("admin:assessments_question_change", args=[question.pk]), data
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    latest = question.history.latest()
    assert latest.history_user == admin_user
    assert latest.prev_record.prompt != "Name two complaint channels."
    assert latest.prompt == "Name two complaint channels."
    edited = Indicator.history.filter(id=indicators[0].pk).latest()
    assert edited.history_user == admin_user
    assert edited.label.endswith("(edited)")

    page = admin_client.get(reverse("admin:assessments_question_history", args=[question.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Changes to this question&#x27;s options and indicators" in html
    assert "(edited)" in html
    assert admin_user.username in html


def test_topic_history_page_shows_section_changes_from_and_to(admin_client):
    topic = import_seed_bytes(source_name="complaints.txt", data=SEED).topic
    concept = KeyConcept.objects.get(topic=topic)
    concept.explanation = "handing over to a supervisor"
    concept.save()

    response = admin_client.get(reverse("admin:topics_topic_history", args=[topic.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Changes to this topic&#x27;s sections" in html
    assert "passing a complaint to someone with more authority." in html  # from
    assert "handing over to a supervisor" in html  # to
    assert "Key concept" in html


def test_qualification_history_is_kept():
    qualification = Qualification.objects.create(name="iCQ Level 3")
    qualification.description = "Customer service."
    qualification.save()

    assert list(
        qualification.history.order_by("history_date").values_list("description", flat=True)
    ) == ["", "Customer service."]


def test_history_is_kept_when_the_topic_is_deleted():
    topic = import_seed_bytes(source_name="complaints.txt", data=SEED).topic
    pk = topic.pk
    Question.objects.filter(topic=topic).delete()
    MarkingPoint.objects.filter(topic=topic).delete()
    topic.delete()

    assert Topic.history.filter(id=pk, history_type="-").exists()
    assert MarkingPoint.history.filter(topic_id=pk, history_type="-").count() == 2
