"""Issue 14 item 6: a members CSV is checked whole before anything is applied, and applied in
one transaction; every problem names its line; nothing in it can cause a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from assessments.tests.factories import UserFactory
from cohorts.models import CohortInvitation
from cohorts.services import create_cohort

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(tutor):
    return create_cohort(tutor=tutor, name="Upload group")


def upload(tutor, cohort, data: bytes):
    client = Client(raise_request_exception=False)
    client.force_login(tutor)
    return client.post(
        reverse("cohorts:upload_members", args=[cohort.pk]),
        {"file": SimpleUploadedFile("members.csv", data)},
    )


def test_a_nul_byte_is_reported_by_line_and_nothing_is_saved(tutor, cohort):
    UserFactory(username="ann")
    UserFactory(username="bob")

    response = upload(tutor, cohort, b"ann\nbob\nc\x00d\n")

    assert response.status_code == 200
    html = response.content.decode()
    assert "line 3" in html.lower()
    assert "NUL" in html
    assert not CohortInvitation.objects.exists()


def test_bad_encoding_names_the_line(tutor, cohort):
    response = upload(tutor, cohort, "ann\nbob\nzo\u00eb\n".encode("latin-1"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "line 3" in html.lower() and "UTF-8" in html
    assert not CohortInvitation.objects.exists()


def test_one_bad_row_stops_the_whole_file(tutor, cohort):
    UserFactory(username="ann")

    response = upload(tutor, cohort, b"username\nann\nnot a username\n" + b"x" * 300 + b"\n")

    html = response.content.decode()
    assert response.status_code == 200
    assert "line 3" in html.lower() and "line 4" in html.lower()
    assert "Nothing was saved" in html
    assert not CohortInvitation.objects.exists()


def test_a_clean_file_invites_everyone_in_it(tutor, cohort):
    ann = UserFactory(username="ann")
    bob = UserFactory(username="bob", email="bob@college.ac.uk")

    response = upload(tutor, cohort, b"username\nann\nbob@college.ac.uk\nnobody\n\nann\n")

    assert response.status_code == 200
    assert set(CohortInvitation.objects.values_list("learner", flat=True)) == {ann.pk, bob.pk}
    assert not cohort.memberships.exists()
    html = response.content.decode()
    # The report is the same for rows with and without an account.
    assert html.count("invited if a learner account has it") == 4


def test_an_oversized_field_is_a_message_not_a_500(tutor, cohort):
    response = upload(tutor, cohort, b'"' + b"a" * 200_000 + b'"\n')

    assert response.status_code == 200
    assert "line 1" in response.content.decode().lower()
