"""Tutors' marks become exemplars of their question, and the question's marking learns from them.

Points and answers are written for these tests; none comes from an evaluation set.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.models import Exemplar, Question
from assessments.services import (
    import_marked_answers,
    override_mark,
    record_exemplar,
    submit_attempt,
    sync_question_bank,
)
from assessments.tests.factories import AttemptFactory, ResponseFactory, UserFactory
from assessments.tests.test_exemplar_learning import RCD_POINT, SIMILAR, TUTOR_CREDITED
from topics.tests.factories import MarkingPointFactory, QualificationFactory, TopicFactory


@pytest.fixture
def electrical(db):
    """An electrical-installation topic with two points (general vocabulary)."""
    topic = TopicFactory(
        qualification=QualificationFactory(name="Level 3 Diploma in Electrical Installation"),
        synopsis="Protective devices in domestic circuits.",
        source_file="electrical.txt",
    )
    MarkingPointFactory(topic=topic, text=RCD_POINT, position=1)
    MarkingPointFactory(
        topic=topic,
        text="Award credit for explaining why a fuse is rated below the cable's capacity",
        position=2,
    )
    sync_question_bank(topic=topic)
    return topic


def questions(topic):
    return list(
        Question.objects.filter(topic=topic, kind=Question.Kind.SHORT_ANSWER).order_by(
            "marking_point__position"
        )
    )


def answer(question, text, learner=None):
    """Submit ``text`` as a learner's answer to ``question``; returns the marked response."""
    attempt = AttemptFactory(learner=learner or UserFactory())
    response = ResponseFactory(attempt=attempt, question=question, position=1, answer_text=text)
    submit_attempt(attempt=attempt)
    response.refresh_from_db()
    return response


@pytest.mark.django_db
def test_a_tutors_override_teaches_the_next_similar_answer(electrical, tutor):
    rcd = questions(electrical)[0]
    first = answer(rcd, TUTOR_CREDITED)
    assert first.awarded is False  # the zero-shot marker's view: the premise
    before = answer(rcd, SIMILAR)
    assert before.awarded is False

    override_mark(response=first, tutor=tutor, awarded=True, comment="Right idea.")

    exemplar = Exemplar.objects.get(question=rcd)
    assert (exemplar.credited, exemplar.response_id, exemplar.marked_by) == (True, first.pk, tutor)
    after = answer(rcd, SIMILAR)
    assert after.awarded is True
    assert any("learned from 1 tutor mark" in r for r in after.result["reasons"])


@pytest.mark.real_on_commit
@pytest.mark.django_db
def test_a_tutors_override_saves_the_exemplar_and_queues_the_relearning(
    electrical, tutor, django_capture_on_commit_callbacks
):
    rcd = questions(electrical)[0]
    with django_capture_on_commit_callbacks(execute=True):
        first = answer(rcd, TUTOR_CREDITED)
    first.refresh_from_db()
    learned_before = Question.objects.get(pk=rcd.pk).learning

    with django_capture_on_commit_callbacks(execute=False) as queued:
        override_mark(response=first, tutor=tutor, awarded=True, comment="Right idea.")

    # The tutor's mark and the exemplar are saved with the override; the relearning (seconds
    # on a busy question) waits for a worker, after the commit.
    assert Exemplar.objects.filter(question=rcd, response=first, credited=True).exists()
    assert Question.objects.get(pk=rcd.pk).learning == learned_before
    assert "enqueue_relearn.<locals>.queue_relearn" in [c.__qualname__ for c in queued]
    for callback in queued:  # the commit happened: the queue (eager here) relearns the question
        callback()
    assert Question.objects.get(pk=rcd.pk).learning["exemplars"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        later = answer(rcd, SIMILAR)
    later.refresh_from_db()
    assert later.awarded is True


@pytest.mark.django_db
def test_with_the_broker_down_a_tutors_mark_relearns_the_question_at_once(
    electrical, tutor, monkeypatch
):
    from kombu.exceptions import OperationalError

    from assessments.tasks import relearn_question as relearn_question_task

    def broker_down(*args, **kwargs):
        raise OperationalError("connection refused")

    rcd = questions(electrical)[0]
    first = answer(rcd, TUTOR_CREDITED)
    monkeypatch.setattr(relearn_question_task, "delay", broker_down)

    override_mark(response=first, tutor=tutor, awarded=True)

    assert Question.objects.get(pk=rcd.pk).learning["exemplars"] == 1
    assert answer(rcd, SIMILAR).awarded is True


@pytest.mark.django_db
def test_the_relearning_job_skips_a_question_that_is_gone(electrical):
    from assessments.tasks import relearn_question as relearn_question_task

    rcd = questions(electrical)[0]
    gone = rcd.pk
    Question.objects.filter(pk=gone).delete()
    assert relearn_question_task(gone) is False
    assert relearn_question_task(questions(electrical)[0].pk) is True


@pytest.mark.django_db
def test_an_exemplar_of_another_question_has_no_effect(electrical, tutor):
    rcd, fuse = questions(electrical)
    record_exemplar(
        question=rcd, answer_text=TUTOR_CREDITED, credited=True, source=Exemplar.Source.IMPORT
    )
    assert answer(rcd, SIMILAR).awarded is True
    fuse.refresh_from_db()
    assert fuse.learning in ({}, {"added": [], "removed": [], "bias": 0.0, "remembered": []})
    assert answer(fuse, SIMILAR).awarded is False


@pytest.mark.django_db
def test_removing_an_override_removes_what_it_taught(electrical, tutor):
    rcd = questions(electrical)[0]
    first = answer(rcd, TUTOR_CREDITED)
    override_mark(response=first, tutor=tutor, awarded=True)
    override_mark(response=first, tutor=tutor, awarded=None)
    assert not Exemplar.objects.filter(question=rcd).exists()
    assert answer(rcd, SIMILAR).awarded is False


@pytest.mark.django_db
def test_marking_the_same_words_again_replaces_the_exemplar(electrical, tutor):
    rcd = questions(electrical)[0]
    record_exemplar(question=rcd, answer_text="It trips.", credited=True, source="import")
    _, created = record_exemplar(
        question=rcd, answer_text="  it   TRIPS. ", credited=False, source="import"
    )
    assert not created
    assert list(Exemplar.objects.filter(question=rcd).values_list("credited", flat=True)) == [False]


def csv_file(tmp_path, body: str):
    path = tmp_path / "marked.csv"
    path.write_text("source,point,answer,credit\n" + body, encoding="utf-8")
    return path


def run_import(path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_marked_answers", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_marked_answers_reports_bad_rows_by_line_and_imports_the_rest(electrical, tmp_path):
    path = csv_file(
        tmp_path,
        f'electrical.txt,1,"{TUTOR_CREDITED}",1\n'
        "electrical.txt,2,It melts first.,1\n"
        "electrical.txt,9,Out of range.,1\n"
        "nowhere.txt,1,Unknown topic.,0\n"
        "electrical.txt,1,No credit given,\n"
        "electrical.txt,1,Credit is a word,yes please\n",
    )
    out, err = run_import(path)
    assert "created 2, updated 0, unchanged 0, refused 4; 2 question(s) relearned" in out
    assert "line 4: electrical.txt has 2 marking points; there is no point 9" in err
    assert "line 5: unknown source 'nowhere.txt'" in err
    assert "line 6: credit is empty" in err
    assert "line 7: credit must be 0 or 1" in err
    assert Exemplar.objects.filter(source=Exemplar.Source.IMPORT).count() == 2
    # What was imported teaches at once.
    assert answer(questions(electrical)[0], SIMILAR).awarded is True

    again, _ = run_import(path)
    assert "created 0, updated 0, unchanged 2" in again
    assert Exemplar.objects.count() == 2


@pytest.mark.django_db
def test_admins_upload_marked_answers_with_the_commands_report(electrical, admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("admin:assessments_exemplar_import")
    assert (
        b"Import marked answers"
        in admin_client.get(reverse("admin:assessments_exemplar_changelist")).content
    )
    body = (
        "source,point,answer,credit\n"
        f'electrical.txt,1,"{TUTOR_CREDITED}",1\n'
        "electrical.txt,9,Out of range.,1\n"
    ).encode()

    def upload(content, name="marked.csv"):
        return admin_client.post(url, {"file": SimpleUploadedFile(name, content)}, follow=True)

    page = upload(body).content.decode()
    assert "created 1, updated 0, unchanged 0, refused 1; 1 question(s) relearned" in page
    assert "line 3: electrical.txt has 2 marking points; there is no point 9" in page
    exemplar = Exemplar.objects.get()
    assert (exemplar.source, exemplar.marked_by.is_superuser) == ("import", True)
    assert "created 0, updated 0, unchanged 1" in upload(body).content.decode()

    for content, problem in [
        (b"source,point,answer,credit\nelectrical.txt,1,a\x00b,1\n", "contains a NUL byte"),
        (
            "source,point,answer,credit\nelectrical.txt,1,caf\u00e9,1\n".encode("latin-1"),
            "not UTF-8",
        ),
        (b"who,what\nx,y\n", "no source, point, answer column"),
        (b"source,point,answer,credit\n", "has a header but no rows"),
    ]:
        reply = upload(content, name="bad.csv")
        assert reply.status_code == 200
        page = reply.content.decode()
        assert "bad.csv: " in page and problem in page, problem
    assert Exemplar.objects.count() == 1


@pytest.mark.django_db
def test_tutors_cannot_upload_marked_answers(electrical, client, tutor):
    client.force_login(tutor)
    reply = client.get(reverse("admin:assessments_exemplar_import"))
    assert reply.status_code in (302, 403)
    assert not Exemplar.objects.exists()


@pytest.mark.django_db
def test_import_a_changed_credit_updates_the_exemplar(electrical, tmp_path):
    rows = [{"source": "electrical.txt", "point": "2", "answer": "It melts first.", "credit": "1"}]
    import_marked_answers(rows=rows)
    rows[0]["credit"] = "0"
    report = import_marked_answers(rows=rows)
    assert (report.created, report.updated) == (0, 1)
    assert Exemplar.objects.get().credited is False


@pytest.mark.django_db
def test_import_refuses_a_file_it_cannot_read(electrical, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run_import(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("who,what\nx,y\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no source, point, answer column"):
        run_import(bad)


@pytest.mark.django_db
def test_admin_shows_edits_and_exports_exemplars(electrical, admin_client):
    rcd = questions(electrical)[0]
    record_exemplar(
        question=rcd, answer_text=TUTOR_CREDITED, credited=True, source=Exemplar.Source.IMPORT
    )
    page = admin_client.get(reverse("admin:assessments_question_change", args=[rcd.pk]))
    assert page.status_code == 200
    assert b"Marked answers that teach the marker" in page.content
    assert b"learned from 1 tutor mark" in page.content

    export = admin_client.post(
        reverse("admin:assessments_exemplar_changelist"),
        {"action": "export_as_csv", "_selected_action": [e.pk for e in Exemplar.objects.all()]},
    )
    raw = b"".join(export.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark, which the importers skip
    body = raw.decode("utf-8-sig")
    assert body.splitlines()[0] == "source,point,answer,credit"
    assert body.splitlines()[1].startswith("electrical.txt,1,")

    exemplar = Exemplar.objects.get()
    admin_client.post(
        reverse("admin:assessments_exemplar_delete", args=[exemplar.pk]), {"post": "yes"}
    )
    rcd.refresh_from_db()
    assert rcd.learning.get("exemplars", 0) == 0
    assert answer(rcd, SIMILAR).awarded is False


@pytest.mark.django_db
def test_tutors_see_neither_the_exemplar_list_nor_the_inline(electrical, client, tutor):
    """Exemplars hold learners' words: only admins see them (the permission walk in
    revision_portal/tests checks every admin list for every role too)."""
    rcd = questions(electrical)[0]
    record_exemplar(question=rcd, answer_text=TUTOR_CREDITED, credited=True, source="import")
    client.force_login(tutor)
    client.raise_request_exception = False
    assert client.get(reverse("admin:assessments_exemplar_changelist")).status_code == 403
    page = client.get(reverse("admin:assessments_question_change", args=[rcd.pk]))
    assert page.status_code == 200
    assert b"Marked answers that teach the marker" not in page.content
    assert TUTOR_CREDITED.encode() not in page.content


@pytest.mark.django_db
def test_the_learner_and_the_tutor_see_what_tutors_taught(electrical, tutor, client):
    rcd = questions(electrical)[0]
    record_exemplar(question=rcd, answer_text=TUTOR_CREDITED, credited=True, source="import")
    learner = UserFactory()
    response = answer(rcd, SIMILAR, learner=learner)
    client.force_login(learner)
    page = client.get(reverse("assessments:results", args=[response.attempt_id]))
    assert b"What tutors' marks taught the marker" in page.content
    assert b"learned from 1 tutor mark" in page.content


@pytest.mark.django_db
def test_a_question_tutors_disagree_with_sends_every_answer_to_the_queue(
    electrical, settings, admin_client
):
    rcd = questions(electrical)[0]
    assert answer(rcd, "It trips when current leaks, protecting the user.").needs_tutor is False
    settings.MARKER_AGREEMENT_MIN_EXEMPLARS = 2
    settings.MARKER_AGREEMENT_THRESHOLD = 0.6
    # Tutors refuse what the marker credits and credit what it refuses: agreement collapses.
    for text, credited in [
        ("It cuts the power when current leaks, so the user is protected from shock.", False),
        ("Protects the user from electric shock by cutting the supply.", False),
        ("A sausage roll.", True),
        ("Blue.", True),
    ]:
        record_exemplar(question=rcd, answer_text=text, credited=credited, source="import")
    rcd.refresh_from_db()
    assert rcd.learning["agreement"]["n"] == 4
    assert rcd.learning["agreement"]["kappa"] < 0.6
    assert answer(rcd, "It trips when current leaks, protecting the user.").needs_tutor is True
    page = admin_client.get(reverse("admin:assessments_question_change", args=[rcd.pk]))
    assert b"Below the threshold: every new answer goes to the review queue." in page.content


@pytest.mark.django_db
def test_a_rebuilt_question_bank_relearns_from_its_exemplars(electrical):
    rcd = questions(electrical)[0]
    record_exemplar(question=rcd, answer_text=TUTOR_CREDITED, credited=True, source="import")
    Question.objects.filter(pk=rcd.pk).update(learning={})
    sync_question_bank(topic=electrical)
    rcd.refresh_from_db()
    assert rcd.learning["exemplars"] == 1
