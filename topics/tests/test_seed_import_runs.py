"""Large seed uploads are imported by a worker, file by file, with each file's result shown on
the run's admin page (issue 13: "the same queue runs large imports")."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.tests.factories import UserFactory
from topics.models import SeedImportFile, SeedImportRun, Topic
from topics.services import queue_seed_import, run_seed_import

pytestmark = pytest.mark.django_db

SEED = b"""Topic Synopsis
This unit explores how contact centres handle %s.
Examiner Marking Points
- Award credit for identifying two complaint channels.
"""


def seed_upload(name: str, subject: str = "complaints") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, SEED % subject.encode(), content_type="text/plain")


def test_an_upload_of_many_files_is_imported_by_the_worker_and_its_page_shows_each_file(
    admin_client, settings
):
    settings.SEED_UPLOAD_QUEUE_FROM = 3
    files = [
        seed_upload("good.txt"),
        SimpleUploadedFile("empty.txt", b"", content_type="text/plain"),
        SimpleUploadedFile("picture.png", b"\x89PNG", content_type="image/png"),
    ]

    response = admin_client.post(reverse("admin:topics_topic_upload"), {"files": files})

    run = SeedImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:topics_seedimportrun_change", args=[run.pk])
    page = admin_client.get(response["Location"]).content.decode()
    assert "3 files are being imported in the background" in page
    assert "3 of 3 files imported (created 1, updated 0, unchanged 0, failed 2)" in page
    assert "good.txt: created" in page
    assert "the file is empty" in page
    assert "only .txt seed files can be imported" in page
    assert 'http-equiv="refresh"' not in page  # finished: nothing left to wait for
    assert Topic.objects.get(source_file="good.txt").is_published is False  # a draft, as always
    run.refresh_from_db()
    assert run.finished_at is not None
    assert not SeedImportFile.objects.filter(data__isnull=False).exists()  # bytes not kept


def test_fewer_files_than_the_threshold_and_dry_runs_import_within_the_request(
    admin_client, settings
):
    settings.SEED_UPLOAD_QUEUE_FROM = 2

    small = admin_client.post(
        reverse("admin:topics_topic_upload"), {"files": [seed_upload("a.txt")]}
    )
    dry = admin_client.post(
        reverse("admin:topics_topic_upload"),
        {
            "files": [seed_upload("b.txt", "refunds"), seed_upload("c.txt", "returns")],
            "dry_run": "on",
        },
    )

    assert small.status_code == dry.status_code == 200
    assert "Dry run, nothing saved" in dry.content.decode()
    assert not SeedImportRun.objects.exists()
    assert list(Topic.objects.values_list("source_file", flat=True)) == ["a.txt"]


@pytest.mark.real_on_commit
def test_a_run_waiting_for_its_worker_says_so_and_reloads_itself(
    admin_client, django_capture_on_commit_callbacks
):
    admin = UserFactory(is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        run = queue_seed_import(
            uploads=[seed_upload("a.txt"), seed_upload("b.txt", "refunds")], user=admin
        )

    assert len(queued) == 1  # one task for the run, queued when the upload commits
    assert list(run.files.values_list("status", flat=True)) == ["pending", "pending"]
    page = admin_client.get(reverse("admin:topics_seedimportrun_change", args=[run.pk]))
    html = page.content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert "A worker is importing these files" in html
    assert "0 of 2 files imported" in html
    assert not Topic.objects.exists()


def test_a_redelivered_task_imports_only_the_files_still_waiting():
    run = queue_seed_import(uploads=[seed_upload("a.txt")])  # the eager task imports it
    first = run.files.get()
    history_rows = Topic.history.count()
    # A worker killed after the first file: the second was still waiting.
    SeedImportFile.objects.create(
        run=run, position=1, name="b.txt", data=SEED % b"refunds", status="pending"
    )
    SeedImportRun.objects.filter(pk=run.pk).update(finished_at=None)

    assert run_seed_import(run_id=run.pk) == 1
    assert run_seed_import(run_id=run.pk) == 0  # and again: nothing left to do

    first.refresh_from_db()
    assert first.status == "created"
    assert Topic.history.count() == history_rows + 1  # b.txt once; a.txt not again
    assert sorted(Topic.objects.values_list("source_file", flat=True)) == ["a.txt", "b.txt"]
    run.refresh_from_db()
    assert run.finished_at is not None


@pytest.mark.parametrize("staff_perms", [(), ("view_topic",), ("add_topic",)])
def test_only_those_who_may_import_topics_see_import_runs(client, staff_perms):
    run = queue_seed_import(uploads=[seed_upload("a.txt")])
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename__in=staff_perms))
    client.force_login(staff)

    change = client.get(reverse("admin:topics_seedimportrun_change", args=[run.pk]))
    listing = client.get(reverse("admin:topics_seedimportrun_changelist"))

    assert change.status_code == listing.status_code == 403
