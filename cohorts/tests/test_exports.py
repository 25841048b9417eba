"""Issue 14 item 11: CSV exports are safe in any spreadsheet, readable with accents, and say
which option a multiple-choice answer chose."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Question
from assessments.tests.factories import (
    AttemptFactory,
    ChoiceQuestionFactory,
    ResponseFactory,
    UserFactory,
)
from cohorts.exports import neutralise_cell
from cohorts.services import add_member, create_cohort

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ok;=1+1", "ok;'=1+1"),
        ("ok,=HYPERLINK(1)", "ok,'=HYPERLINK(1)"),
        ("a; @SUM(A1)", "a; '@SUM(A1)"),
        ("x,+1;-2", "x,'+1;'-2"),
        ("=1;=2", "'=1;'=2"),
        ("plain, text; here", "plain, text; here"),
    ],
)
def test_formulas_after_separators_are_neutralised(value, expected):
    assert neutralise_cell(value) == expected


@pytest.fixture
def cohort(tutor):
    return create_cohort(tutor=tutor, name="Café group")


def download(client, cohort, kind):
    response = client.get(reverse("cohorts:export", args=[cohort.pk, kind]))
    return response, b"".join(response.streaming_content)


@pytest.mark.parametrize("kind", ["points", "answers"])
def test_exports_are_utf8_with_a_byte_order_mark(client, tutor, cohort, kind):
    learner = UserFactory(username="zoë", first_name="Zoë", last_name="“Quoted”")
    add_member(cohort=cohort, learner=learner)
    client.force_login(tutor)

    response, body = download(client, cohort, kind)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith(b"\xef\xbb\xbf")
    assert "username" in body.decode("utf-8-sig").splitlines()[0]


def test_multiple_choice_rows_carry_the_chosen_option(client, tutor, cohort):
    learner = UserFactory(username="chooser")
    add_member(cohort=cohort, learner=learner)
    now = timezone.now()
    attempt = AttemptFactory(learner=learner, submitted_at=now, marked_at=now)
    question = ChoiceQuestionFactory(choices=["Escalation", "Empathy", "Churn", "NPS"])
    seen = Question.objects.prefetch_related("options").get(pk=question.pk).choice_snapshot()
    ResponseFactory(
        attempt=attempt,
        question=question,
        selected_choice=2,
        awarded=False,
        rubric_snapshot=seen.to_dict(),
    )
    # An editor rewrites the option afterwards: the export keeps what the learner chose.
    question.options.filter(position=2).update(text="Customer churn rate")
    client.force_login(tutor)

    _, body = download(client, cohort, "answers")

    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [row["answer"] for row in rows] == ["Churn"]


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(value):
    assert neutralise_cell(value) == "'" + value
