import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from topics.models import MarkingPoint, Topic

pytestmark = pytest.mark.django_db

SEED = b"""Topic Synopsis
This unit explores how contact centres handle complaints.
Examiner Marking Points
- Award credit for identifying two complaint channels.
"""


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:topics_topic_changelist",
        "admin:topics_topic_add",
        "admin:topics_qualification_changelist",
        "admin:topics_markingpoint_changelist",
        "admin:topics_topic_upload",
    ],
)
def test_admin_pages_load_for_a_superuser(admin_client, imported_seeds, url_name):
    response = admin_client.get(
        reverse(url_name), {"q": "customer"} if "changelist" in url_name else {}
    )

    assert response.status_code == 200


def test_topic_change_page_has_inlines_and_live_link(admin_client, imported_seeds):
    topic = Topic.objects.get(source_file="001_ff5e01d8a45115a3.txt")

    response = admin_client.get(reverse("admin:topics_topic_change", args=[topic.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    for prefix in ("key_concepts", "exam_tips", "misconceptions", "key_terms"):
        assert f'name="{prefix}-TOTAL_FORMS"' in html
    # Marking points have a page of their own, linked from the topic's parts.
    assert 'name="marking_points-TOTAL_FORMS"' not in html
    assert reverse("admin:topics_topic_marking_points", args=[topic.pk]) in html
    assert topic.get_absolute_url() in html
    assert topic.content_hash in html


def test_editing_a_marking_point_in_admin_shows_on_the_topic_page(
    admin_client, client, imported_seeds
):
    point = MarkingPoint.objects.filter(topic__source_file__startswith="000").first()

    response = admin_client.post(
        reverse("admin:topics_markingpoint_change", args=[point.pk]),
        {
            "topic": point.topic_id,
            "position": point.position,
            "text": "Award credit for naming a brand-new feature.",
        },
    )

    assert response.status_code == 302
    html = client.get(point.topic.get_absolute_url()).content.decode()
    assert "naming a brand-new feature" in html
    point.refresh_from_db()
    assert point.normalised_text == "award credit for naming a brand new feature"


def test_duplicate_marking_point_wording_is_a_form_error_not_a_crash(admin_client, imported_seeds):
    first, second = MarkingPoint.objects.filter(topic__source_file__startswith="000")[:2]

    response = admin_client.post(
        reverse("admin:topics_markingpoint_change", args=[second.pk]),
        {"topic": second.topic_id, "position": second.position, "text": first.text.upper()},
    )

    assert response.status_code == 200
    assert "already has a marking point with this wording" in response.content.decode()


def test_upload_imports_files_and_shows_the_report(admin_client):
    response = admin_client.post(
        reverse("admin:topics_topic_upload"),
        {
            "files": [
                SimpleUploadedFile("good.txt", SEED, content_type="text/plain"),
                SimpleUploadedFile("empty.txt", b"", content_type="text/plain"),
                SimpleUploadedFile("picture.png", b"\x89PNG", content_type="image/png"),
            ]
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "created 1, updated 0, unchanged 0, failed 2" in html
    assert "the file is empty" in html
    assert "only .txt seed files can be imported" in html
    assert Topic.objects.filter(source_file="good.txt").exists()


def test_upload_dry_run_saves_nothing(admin_client):
    admin_client.post(
        reverse("admin:topics_topic_upload"),
        {"files": [SimpleUploadedFile("good.txt", SEED)], "dry_run": "on"},
    )

    assert not Topic.objects.exists()


def test_upload_requires_staff(client, django_user_model):
    user = django_user_model.objects.create_user("learner", password="pw-123456789")
    client.force_login(user)

    response = client.get(reverse("admin:topics_topic_upload"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_marking_points_cannot_be_deleted_from_admin(admin_client, imported_seeds):
    point = MarkingPoint.objects.first()

    response = admin_client.get(reverse("admin:topics_markingpoint_delete", args=[point.pk]))

    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "changelist", "title"),
    [
        ("admin:topics_topic_upload", "admin:topics_topic_changelist", "Upload seed files"),
        (
            "admin:assessments_exemplar_import",
            "admin:assessments_exemplar_changelist",
            "Import marked answers",
        ),
    ],
)
def test_tool_pages_lead_back_to_their_change_list(admin_client, url_name, changelist, title):
    html = admin_client.get(reverse(url_name)).content.decode()

    breadcrumbs = html[html.index('<div class="breadcrumbs">') :]
    breadcrumbs = breadcrumbs[: breadcrumbs.index("</div>")]
    assert f'href="{reverse(changelist)}"' in breadcrumbs
    assert breadcrumbs.rstrip().endswith(title)
