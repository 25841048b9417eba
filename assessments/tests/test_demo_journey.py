"""Tutors teach the marker, on the demo data ``make run`` creates: a tutor overrides a mark,
and the next similar answer from another learner is marked the tutor's way, with the tutor's
mark shown to that learner as the evidence."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from assessments.models import Attempt, Exemplar, Response

User = get_user_model()


@pytest.mark.django_db
def test_a_tutors_override_marks_the_next_similar_answer_the_tutors_way(
    imported_seeds, settings, client
):
    settings.DEBUG = True  # the demo accounts command refuses to run in production
    call_command("create_demo_accounts", stdout=StringIO())
    refused = (
        Response.objects.filter(
            attempt__learner__username="demo-chloe",
            awarded=False,
            override_awarded__isnull=True,
            question__kind="short_answer",
            question__auto_markable=True,
        )
        .exclude(answer_text="")
        .select_related("question__topic")
        .order_by("pk")
        .first()
    )
    assert refused is not None, "the demo data has an answer the marker did not credit"

    client.force_login(User.objects.get(username="tutor"))
    client.post(
        reverse("cohorts:override", args=[refused.pk]),
        {"awarded": "yes", "comment": "A fair way to put it: credited."},
    )
    exemplar = Exemplar.objects.get(response=refused)
    assert (exemplar.credited, exemplar.source) == (True, "override")

    # Another learner words the same idea a little differently.
    similar = f"I would say that {refused.answer_text.rstrip('.').lower()}."
    learner = User.objects.get(username="demo-ben")
    client.force_login(learner)
    client.post(
        reverse("assessments:start"),
        {"kind": "topic", "topic": refused.question.topic.slug, "layout": "all"},
    )
    attempt = Attempt.objects.filter(learner=learner).latest("started_at")
    position = attempt.responses.get(question=refused.question).position
    client.post(
        reverse("assessments:all", args=[attempt.pk]),
        {"action": "submit", f"q{position}-answer": similar},
    )

    answered = attempt.responses.get(question=refused.question)
    assert answered.awarded is True
    page = client.get(reverse("assessments:results", args=[attempt.pk])).content.decode()
    assert "What tutors' marks taught the marker" in page
    assert "learned from 1 tutor mark" in page or "an answer with the same words" in page
