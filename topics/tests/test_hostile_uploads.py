"""Hostile seed files and uploads: the importer returns a result for anything it is given (a
topic or a clear failure, never an exception), and uploads are size- and type-checked."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.tests.factories import UserFactory
from cohorts.services import create_cohort
from topics.models import Topic
from topics.services import STATUSES, import_seed_bytes, import_uploaded_seed

pytestmark = pytest.mark.django_db

SEED = b"""Topic Synopsis
Complaints.
Examiner Marking Points
- Award credit for identifying two complaint channels.
"""

seed_like_text = st.lists(
    st.sampled_from(
        [
            "Topic Synopsis\n",
            "Examiner Marking Points\n",
            "Key Concepts\n",
            "Common Mistakes\n",
            "Exam Tips\n",
            "- ",
            "• ",
            "Term: definition\n",
            "\n",
            "\r\n",
            "\x00",
            "🔥",
            "<script>alert(1)</script>",
            "'; DROP TABLE topics_topic; --",
            "x" * 300,
            "Award credit for explaining why complaints are logged.\n",
        ]
    )
    | st.text(max_size=40),
    max_size=40,
).map("".join)


def assert_clean_result(result):
    assert result.status in STATUSES
    if result.status == "failed":
        assert isinstance(result.message, str) and result.message.strip()
        assert result.topic is None
    else:
        assert result.topic is not None and result.topic.pk
        assert result.topic.marking_points.exists()


FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(data=st.binary(max_size=4000))
def test_importer_turns_any_bytes_into_a_topic_or_a_clear_failure(data):
    assert_clean_result(import_seed_bytes(source_name="fuzz-bytes.txt", data=data))


@FUZZ
@given(text=seed_like_text, encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_importer_turns_any_seed_like_text_into_a_topic_or_a_clear_failure(text, encoding):
    data = text.encode(encoding, errors="replace")

    assert_clean_result(import_seed_bytes(source_name="fuzz-text.txt", data=data))


def test_imported_script_is_escaped_on_the_topic_page(client):
    data = SEED.replace(b"Complaints.", b"<script>alert(1)</script> Complaints.")
    topic = import_seed_bytes(source_name="script.txt", data=data).topic

    html = client.get(topic.get_absolute_url()).content.decode()

    assert "<script>alert(1)" not in html


def test_oversized_upload_is_refused_before_it_is_read(settings):
    settings.SEED_MAX_BYTES = 1000
    upload = SimpleUploadedFile("big.txt", SEED + b"- more\n" * 200)

    result = import_uploaded_seed(upload=upload)

    assert result.status == "failed"
    assert "limited to" in result.message
    assert not Topic.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("seed.exe", b"MZ\x90\x00", "only .txt seed files"),
        ("seed.txt.html", SEED, "only .txt seed files"),
        ("binary.txt", b"\x00\x01\x02\xff" * 100, "binary"),
        ("../../etc/passwd.txt", SEED, None),
    ],
)
def test_upload_type_is_checked(admin_client, name, data, reason):
    response = admin_client.post(
        reverse("admin:topics_topic_upload"), {"files": [SimpleUploadedFile(name, data)]}
    )

    html = response.content.decode()
    assert response.status_code == 200
    if reason:
        assert reason in html
        assert not Topic.objects.exists()
    else:
        # A path in the name is reduced to the file name.
        assert Topic.objects.get().source_file == "passwd.txt"


def test_request_body_over_the_limit_gets_the_413_page(settings, admin_user):
    settings.REQUEST_MAX_BYTES = 50_000
    client = Client()
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:topics_topic_upload"),
        {"files": [SimpleUploadedFile("big.txt", b"- x\n" * 20_000)]},
    )

    assert response.status_code == 413
    assert "That upload is too large" in response.content.decode()
    assert not Topic.objects.exists()


def test_too_many_files_in_one_request_get_the_400_page(settings, admin_user):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    files = [
        SimpleUploadedFile(f"f{i}.txt", SEED)
        for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    ]

    response = client.post(reverse("admin:topics_topic_upload"), {"files": files})

    assert response.status_code == 400
    assert not Topic.objects.exists()


@pytest.fixture
def cohort(tutor):
    return create_cohort(tutor=tutor, name="Upload group")


def upload_members(client, cohort, upload):
    return client.post(reverse("cohorts:upload_members", args=[cohort.pk]), {"file": upload})


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("members.csv", b"a\n" * 600_000), "larger than 1 MB"),
        (SimpleUploadedFile("members.xlsx", b"PK\x03\x04"), "Upload a .csv file"),
        (SimpleUploadedFile("members.csv", "ann\n".encode("utf-16")), "not UTF-8"),
        (SimpleUploadedFile("members.csv", b"x\n" * 2001), "upload at most 2,000"),
    ],
    ids=["too big", "wrong type", "not utf-8", "too many rows"],
)
def test_member_csv_upload_is_size_and_type_checked(client, tutor, cohort, upload, message):
    client.force_login(tutor)

    response = upload_members(client, cohort, upload)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not cohort.memberships.exists()


def test_member_csv_with_hostile_cells_is_reported_escaped(client, tutor, cohort):
    client.force_login(tutor)
    data = b"=cmd|' /C calc'!A0\n<script>alert(1)</script>\n'; DROP TABLE auth_user; --\n"

    response = upload_members(client, cohort, SimpleUploadedFile("members.csv", data))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in html
    # None of them is a username or e-mail address: each is reported on its line, and the
    # file is refused whole.
    assert all(f"Line {n}:" in html for n in (1, 2, 3))
    assert "Nothing was saved" in html
    assert not cohort.invitations.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"ann\nb\x00b\n", "Line 2 contains a NUL byte"),
        (b"ann\n\xff\xfe\n", "Line 2 is not UTF-8"),
        (b'"' + b"a" * 140_000 + b'"\n', "Line 1: the CSV cannot be read"),
        (b'ann\n"unclosed\n', "Line 2"),
    ],
    ids=["nul byte", "bad byte", "huge cell", "unclosed quote"],
)
def test_member_csv_that_cannot_be_read_names_the_line_and_saves_nothing(
    client, tutor, cohort, data, message
):
    UserFactory(username="ann")
    client.force_login(tutor)

    response = upload_members(client, cohort, SimpleUploadedFile("members.csv", data))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not cohort.invitations.exists() and not cohort.memberships.exists()
