"""Cohort-facing services: a tutor's override of a mark."""

import pytest

from assessments.models import PointMastery
from assessments.services import override_mark
from assessments.tests.factories import UserFactory
from cohorts.services import add_member
from cohorts.tests.factories import CRM_ANSWER, first_short_answer, submitted_attempt

pytestmark = pytest.mark.django_db


def test_removing_an_override_restores_the_auto_mark(tutor, cohort, topic):
    learner = UserFactory()
    add_member(cohort=cohort, learner=learner)
    response = first_short_answer(submitted_attempt(learner, topic, {1: CRM_ANSWER}))
    override_mark(response=response, tutor=tutor, awarded=False, comment="No.")

    override_mark(response=response, tutor=tutor, awarded=None)

    response.refresh_from_db()
    assert response.override_awarded is None and response.credited is True
    assert PointMastery.objects.get(response=response).credited is True
    assert response.override_log.count() == 2


def test_override_of_an_older_answer_does_not_hide_a_newer_one(tutor, cohort, topic):
    learner = UserFactory()
    add_member(cohort=cohort, learner=learner)
    old = first_short_answer(submitted_attempt(learner, topic, {1: "no idea"}))
    submitted_attempt(learner, topic, {1: CRM_ANSWER})

    override_mark(response=old, tutor=tutor, awarded=False)

    mastery = PointMastery.objects.get(learner=learner, marking_point__position=1)
    assert mastery.credited is True and mastery.response_id != old.pk
