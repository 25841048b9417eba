"""The admin's question bank tools: the upload page and the export actions."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Question
from assessments.question_bank_transfer import import_question_bank
from assessments.tests.factories import UserFactory
from topics.models import Topic

pytestmark = pytest.mark.django_db

EXAMPLES = Path(settings.BASE_DIR) / "docs" / "examples"
UPLOAD_URL = "admin:assessments_question_import_bank"


def example(name):
    return SimpleUploadedFile(name, (EXAMPLES / name).read_bytes())


def test_question_list_links_to_the_upload_page(admin_client):
    _import_examples()  # the actions menu shows only when there is something to select

    html = admin_client.get(reverse("admin:assessments_question_changelist")).content.decode()

    assert f'href="{reverse(UPLOAD_URL)}"' in html
    assert "Export selected questions as GIFT" in html
    assert "Export selected questions as Moodle XML" in html


def test_upload_page_leads_back_to_the_question_list(admin_client):
    html = admin_client.get(reverse(UPLOAD_URL)).content.decode()

    breadcrumbs = html[html.index('<div class="breadcrumbs">') :]
    breadcrumbs = breadcrumbs[: breadcrumbs.index("</div>")]
    assert f'href="{reverse("admin:assessments_question_changelist")}"' in breadcrumbs
    assert breadcrumbs.rstrip().endswith("Import question bank")


def test_upload_imports_both_formats_and_reports_each_file(admin_client):
    response = admin_client.post(
        reverse(UPLOAD_URL),
        {"files": [example("question-bank.gift"), example("question-bank.xml")]},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "question-bank.gift: 6 question(s) created" in html
    assert "question-bank.xml: 0 question(s) created, 0 updated, 6 unchanged" in html
    assert Question.objects.filter(origin=Question.Origin.IMPORTED).count() == 6
    assert not Topic.objects.get().is_published


def test_upload_reports_bad_questions_with_file_and_line(admin_client):
    bad = SimpleUploadedFile("bad.gift", b"$CATEGORY: A/B\n\n::Ok::Fine?{T}\n\n::No::Broken {=a")

    html = admin_client.post(reverse(UPLOAD_URL), {"files": [bad]}).content.decode()

    assert "bad.gift:5: the answer block has no closing “}”" in html
    assert Question.objects.get().name == "Ok"


def test_upload_dry_run_saves_nothing(admin_client):
    html = admin_client.post(
        reverse(UPLOAD_URL), {"files": [example("question-bank.xml")], "dry_run": "on"}
    ).content.decode()

    assert "Dry run, nothing saved" in html
    assert "6 question(s) would be created" in html
    assert not Question.objects.exists()
    assert not Topic.objects.exists()


def test_upload_refuses_files_over_two_megabytes(admin_client):
    big = SimpleUploadedFile("big.gift", b"x" * (2 * 1024 * 1024 + 10))

    html = admin_client.post(reverse(UPLOAD_URL), {"files": [big]}).content.decode()

    assert "big.gift:1: the file is larger than 2 MB" in html


def test_upload_is_for_staff_only(client):
    client.force_login(UserFactory(username="learner-lee"))

    response = client.get(reverse(UPLOAD_URL))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_upload_needs_permission_to_add_and_change_questions(client):
    staff = UserFactory(username="staff-sam", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_question"))
    client.force_login(staff)

    assert client.get(reverse(UPLOAD_URL)).status_code == 403
    response = client.post(reverse(UPLOAD_URL), {"files": [example("question-bank.gift")]})
    assert response.status_code == 403
    assert not Question.objects.exists()


def _import_examples():
    import_question_bank(
        name="question-bank.gift", data=(EXAMPLES / "question-bank.gift").read_bytes()
    )


def test_question_action_downloads_the_selection_as_gift(admin_client):
    _import_examples()
    selected = Question.objects.filter(name__in=["Reply time", "Ticket tags"])

    response = admin_client.post(
        reverse("admin:assessments_question_changelist"),
        {"action": "export_bank_gift", ACTION_CHECKBOX_NAME: [q.pk for q in selected]},
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="question-bank.gift"'
    text = response.content.decode()
    assert "::Reply time::" in text and "::Ticket tags::" in text
    assert "Answering the phone" not in text


def test_topic_action_downloads_the_topics_bank_as_moodle_xml(admin_client):
    _import_examples()
    topic = Topic.objects.get()

    response = admin_client.post(
        reverse("admin:topics_topic_changelist"),
        {"action": "export_bank_moodle_xml", ACTION_CHECKBOX_NAME: [topic.pk]},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response.content.decode() == (EXAMPLES / "question-bank.xml").read_text()


@pytest.mark.parametrize(
    "changelist,action",
    [
        ("admin:assessments_question_changelist", "export_bank_gift"),
        ("admin:topics_topic_changelist", "export_bank_moodle_xml"),
    ],
)
def test_export_actions_are_refused_to_non_staff(client, changelist, action):
    _import_examples()
    client.force_login(UserFactory(username="learner-lee"))
    pks = list(Question.objects.values_list("pk", flat=True)) + [Topic.objects.get().pk]

    response = client.post(reverse(changelist), {"action": action, ACTION_CHECKBOX_NAME: pks})

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
