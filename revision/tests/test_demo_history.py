"""The demo learner gets a few weeks of review history made by the fsrs scheduler."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from revision.models import Card, ReviewLog
from revision.selectors import today_summary


@pytest.mark.django_db
def test_demo_learner_has_cards_due_today_and_a_forecast_and_reruns_change_nothing(
    imported_seeds, settings
):
    settings.DEBUG = True
    call_command("create_demo_accounts", stdout=StringIO())
    learner = get_user_model().objects.get(username="learner")
    before = list(Card.objects.filter(learner=learner).values_list("pk", "due", "reps"))
    logs = ReviewLog.objects.filter(learner=learner).count()

    call_command("create_demo_accounts", stdout=StringIO())

    assert list(Card.objects.filter(learner=learner).values_list("pk", "due", "reps")) == before
    assert ReviewLog.objects.filter(learner=learner).count() == logs > 50
    summary = today_summary(learner)
    assert summary.due_reviews > 0
    assert sum(day.count for day in summary.forecast_30[1:]) > 0
    first = ReviewLog.objects.filter(learner=learner).order_by("reviewed_at").first()
    assert (learner.date_joined - first.reviewed_at).days >= 7  # weeks of history
    # The stored states are what replaying the logs gives.
    call_command("rebuild_schedules", "--learner", "learner", stdout=StringIO())
    assert list(Card.objects.filter(learner=learner).values_list("pk", "due", "reps")) == before
