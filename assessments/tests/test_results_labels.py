"""What a learner's results page says about marks (issue 14 item 16).

Regression tests for the exact case reported: after a tutor's "not credited" through the tutor's
page the learner's results never say "Credit awarded" and every figure agrees; automatic marks
still waiting for a tutor are labelled provisional until the tutor confirms them.
"""

import re

import pytest
from django.urls import reverse

from assessments.models import Attempt, LearnerTopicSummary, Question, Response
from assessments.services import start_attempt, submit_attempt
from assessments.tests.factories import AttemptFactory, ResponseFactory, UserFactory
from cohorts.services import add_member, create_cohort

pytestmark = pytest.mark.django_db

CRM_ANSWER = (
    "Contact management keeps customer details, interaction tracking logs every call and "
    "email, and data analysis finds trends."
)
PROVISIONAL = "provisional: a tutor will confirm this mark"


def _card(html: str, position: int) -> str:
    """One question's card on the results page (cards are the list's top-level items)."""
    card = html[html.index(f"Question {position}</h2>") :]
    return re.split(r'<li class="card|</ol>', card, maxsplit=1)[0]


@pytest.fixture
def topic(seed_bytes):
    from topics.services import import_seed_bytes

    return import_seed_bytes(source_name="000_7ea13c0c7803a35f.txt", data=seed_bytes("000")).topic


def test_after_a_tutors_not_credited_the_results_never_say_credit_awarded(client, tutor, topic):
    learner = UserFactory(username="nell")
    add_member(cohort=create_cohort(tutor=tutor, name="Tuesday"), learner=learner)
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=1)
    shorts = attempt.responses.filter(question__kind=Question.Kind.SHORT_ANSWER)
    submit_attempt(attempt=attempt, answers={r.position: CRM_ANSWER for r in shorts})
    credited = [
        r
        for r in Response.objects.filter(attempt=attempt, awarded=True, needs_tutor=False)
        if r.result["feedback"].startswith("Credit awarded")
    ]
    assert credited, "the CRM answer should earn an automatic credit somewhere"
    response = credited[0]
    client.force_login(tutor)
    reply = client.post(
        reverse("cohorts:override", args=[response.pk]),
        {"awarded": "no", "comment": "Explain what each feature does for the business."},
    )
    assert reply.status_code == 302

    client.force_login(learner)
    page = client.get(reverse("assessments:results", args=[attempt.pk]))
    html = page.content.decode()

    card = _card(html, response.position)
    assert "Credit awarded" not in card
    assert "Your tutor's mark: not credited" in card
    assert "Explain what each feature does for the business." in card
    # The headline count and the progress page agree with the tutor's mark.
    now_credited = sum(r.credited for r in Response.objects.filter(attempt=attempt))
    total = Response.objects.filter(attempt=attempt).count()
    assert re.search(rf"\b{now_credited} of {total} credited\b", html)
    assert page.context["credited"] == now_credited
    summary = LearnerTopicSummary.objects.get(learner=learner, topic=topic)
    shorts_credited = sum(
        r.credited
        for r in Response.objects.filter(attempt=attempt, question__marking_point__isnull=False)
    )
    assert summary.points_credited == shorts_credited


def test_automatic_marks_waiting_for_a_tutor_are_provisional_until_confirmed(client, tutor):
    from django.utils import timezone

    from assessments.services import override_mark

    now = timezone.now()
    attempt = AttemptFactory(submitted_at=now, marked_at=now)
    unsure_credit = ResponseFactory(
        attempt=attempt,
        answer_text="Loyal customers come back.",
        result={"feedback": "Credit awarded. You covered repeat business."},
        awarded=True,
        confident=False,
        needs_tutor=True,
        marked_at=now,
    )
    unsure_miss = ResponseFactory(
        attempt=attempt,
        answer_text="They like it.",
        result={"feedback": "No credit yet."},
        awarded=False,
        confident=False,
        needs_tutor=True,
        marked_at=now,
    )
    sure = ResponseFactory(
        attempt=attempt,
        answer_text="Repeat business.",
        result={"feedback": "Credit awarded."},
        awarded=True,
        marked_at=now,
    )
    client.force_login(attempt.learner)
    url = reverse("assessments:results", args=[attempt.pk])

    def cards(html):
        return {r.position: _card(html, r.position) for r in (unsure_credit, unsure_miss, sure)}

    before = cards(client.get(url).content.decode())
    assert PROVISIONAL in before[unsure_credit.position]
    assert PROVISIONAL in before[unsure_miss.position]
    assert PROVISIONAL not in before[sure.position]

    override_mark(response=unsure_credit, tutor=tutor, awarded=True, comment="")
    after = cards(client.get(url).content.decode())
    assert PROVISIONAL not in after[unsure_credit.position]
    assert "Your tutor's mark: credited" in after[unsure_credit.position]
    assert PROVISIONAL in after[unsure_miss.position]
