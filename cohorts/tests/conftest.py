"""Fixtures shared by the cohort tests: a seed topic and a tutor's cohort."""

import pytest

from cohorts.services import create_cohort


@pytest.fixture
def topic(db, seed_bytes):
    from topics.services import import_seed_bytes

    return import_seed_bytes(source_name="000_7ea13c0c7803a35f.txt", data=seed_bytes("000")).topic


@pytest.fixture
def cohort(tutor):
    return create_cohort(tutor=tutor, name="Monday group")
