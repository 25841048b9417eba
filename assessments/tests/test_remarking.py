"""When a question's exemplars or rubric change, its automatic marks are re-marked in the
background: tutors' own marks are never touched, earlier results are kept, and the admin sees
how far the workers have got.

Points and answers are written for these tests; none comes from an evaluation set.
"""

import pytest
from django.urls import reverse

from assessments.models import RemarkRun, ResultRevision
from assessments.services import (
    RELEARNED_REASON,
    override_mark,
    remark_question,
    run_remark,
    sync_question_bank,
)
from assessments.tests.factories import UserFactory
from assessments.tests.test_exemplar_learning import SIMILAR, TUTOR_CREDITED
from assessments.tests.test_exemplars import answer, electrical, questions  # noqa: F401

pytestmark = pytest.mark.django_db


def change_form_data(page) -> dict:
    """What the browser would post back from an admin change page, as it was rendered."""
    data = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        forms += inline.formset.forms
    for form in forms:
        for name, field in form.fields.items():
            value = field.prepare_value(form[name].value())
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def test_an_override_re_marks_the_questions_earlier_answers_in_the_background(
    electrical,  # noqa: F811
    tutor,
):
    rcd = questions(electrical)[0]
    overridden = answer(rcd, TUTOR_CREDITED)
    earlier = answer(rcd, SIMILAR)
    assert (overridden.awarded, earlier.awarded) == (False, False)  # the premise

    override_mark(response=overridden, tutor=tutor, awarded=True, comment="Right idea.")

    run = RemarkRun.objects.get(question=rcd)
    assert (run.state, run.total, run.done, run.reason) == ("finished", 1, 1, RELEARNED_REASON)
    earlier.refresh_from_db()
    assert earlier.awarded is True
    assert any("learned from 1 tutor mark" in r for r in earlier.result["reasons"])
    revision = ResultRevision.objects.get(response=earlier)
    assert revision.awarded is False  # the earlier result is kept
    assert "re-marked because" in revision.reason


def test_a_tutors_own_mark_is_never_re_marked(electrical, tutor):  # noqa: F811
    rcd = questions(electrical)[0]
    refused = answer(rcd, SIMILAR)
    override_mark(response=refused, tutor=tutor, awarded=False, comment="Too vague.")
    other = answer(rcd, TUTOR_CREDITED)

    override_mark(response=other, tutor=tutor, awarded=True)

    refused.refresh_from_db()
    assert (refused.override_awarded, refused.override_comment) == (False, "Too vague.")
    assert not ResultRevision.objects.filter(response=refused).exists()


@pytest.mark.real_on_commit
def test_a_redelivered_or_superseded_run_changes_nothing(
    electrical,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    rcd = questions(electrical)[0]
    with django_capture_on_commit_callbacks(execute=True):
        answers = [answer(rcd, text) for text in (SIMILAR, "It trips.", "A fuse.")]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = remark_question(question=rcd, reason="a test")
        second = remark_question(question=rcd, reason="a later test")
    assert len(queued) == 2
    first.refresh_from_db()
    assert first.state == RemarkRun.State.SUPERSEDED

    assert run_remark(run_id=first.pk) == 0  # superseded: the later run does its work
    assert run_remark(run_id=second.pk, batch_size=2) == len(answers)
    assert run_remark(run_id=second.pk) == 0  # delivered again: nothing twice
    second.refresh_from_db()
    assert (second.state, second.done, second.total) == ("finished", 3, 3)
    assert ResultRevision.objects.count() == 3


def test_nothing_to_re_mark_queues_nothing(electrical):  # noqa: F811
    rcd = questions(electrical)[0]
    assert remark_question(question=rcd, reason="a test") is None
    assert not RemarkRun.objects.exists()


def test_an_admin_rubric_edit_re_marks_and_shows_progress(electrical, admin_client):  # noqa: F811
    rcd = questions(electrical)[0]
    earlier = answer(rcd, "It trips.")
    url = reverse("admin:assessments_question_change", args=[rcd.pk])
    data = change_form_data(admin_client.get(url))
    data["model_answer"] = (
        "It cuts the supply when current leaks to earth, so the user is not shocked."
    )

    reply = admin_client.post(url, data, follow=True)

    assert reply.status_code == 200
    assert "being re-marked in the background" in reply.content.decode()
    run = RemarkRun.objects.get(question=rcd)
    assert (run.state, run.total, run.requested_by.is_superuser) == ("finished", 1, True)
    assert ResultRevision.objects.filter(response=earlier).exists()
    page = admin_client.get(url).content.decode()
    assert "finished: 1 of 1 answers re-marked" in page


def test_a_reimport_that_rebuilds_a_rubric_re_marks_its_answers(electrical):  # noqa: F811
    rcd = questions(electrical)[0]
    answer(rcd, "It trips.", learner=UserFactory())
    point = rcd.marking_point
    point.text = "Award credit for explaining how an RCD protects a person from an electric shock"
    point.save()

    sync_question_bank(topic=electrical)

    run = RemarkRun.objects.get(question=rcd)
    assert run.state == RemarkRun.State.FINISHED
    assert "rebuilt" in run.reason
    sync_question_bank(topic=electrical)  # nothing changed: nothing more to re-mark
    assert RemarkRun.objects.count() == 1
