"""Factories and builders for the cohort tests.

Cohorts and memberships are made through the services where the test is about what a tutor
or learner does; the factories are for tests that only need the rows.
"""

import factory

from assessments.models import Attempt, Question
from assessments.services import start_attempt, submit_attempt
from assessments.tests.factories import UserFactory
from cohorts.models import Cohort, CohortMembership

# Credits marking point 1 of seed 000 (customer relationship management).
CRM_ANSWER = (
    "Contact management keeps customer details, interaction tracking logs every call and "
    "email, and data analysis finds trends."
)


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"Cohort {n}")


class CohortMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CohortMembership

    cohort = factory.SubFactory(CohortFactory)
    learner = factory.SubFactory(UserFactory)


def submitted_attempt(learner, topic, answers) -> Attempt:
    """A topic quiz ``learner`` has started and submitted with ``answers`` (position: text)."""
    attempt = start_attempt(learner=learner, kind=Attempt.Kind.TOPIC, topic=topic, seed=1)
    submit_attempt(attempt=attempt, answers=answers)
    return attempt


def first_short_answer(attempt):
    return attempt.responses.filter(question__kind=Question.Kind.SHORT_ANSWER).get(position=1)
