"""Cohort selectors and querysets."""

import pytest

from cohorts.models import Cohort

pytestmark = pytest.mark.django_db


def test_cohorts_are_listed_only_for_their_tutors(tutor, other_tutor, cohort):
    assert list(Cohort.objects.taught_by(tutor)) == [cohort]
    assert list(Cohort.objects.taught_by(other_tutor)) == []
