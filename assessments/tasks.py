"""Jobs the queue runs for assessments: marking submitted attempts and re-marking answers.

Each task is a thin wrapper round a service, and each is idempotent, because the queue
delivers at least once: messages are acknowledged only when the task has finished
(``CELERY_TASK_ACKS_LATE``), so a worker killed mid-task has its message delivered again.
Database errors (a dropped connection, a lock timeout, PostgreSQL restarting) are retried with
a growing delay; the transaction they interrupted rolled back, so the retry starts clean.
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import DatabaseError

from assessments import services
from assessments.models import Response

# Bounded: about 1 + 2 + 4 + … + 60 s ≈ 3 minutes of retrying before a task gives up; the
# attempt then stays unmarked until `manage.py requeue_unmarked` queues it again.
_RETRY = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 1,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(name="assessments.mark_attempt", **_RETRY)
def mark_attempt(attempt_id: int) -> bool:
    """Mark a submitted attempt (``services.mark_attempt``); ``False`` if it already was."""
    return services.mark_attempt(attempt_id=attempt_id)


@shared_task(name="assessments.remark_responses", **_RETRY)
def remark_responses(response_ids: list[int], reason: str, requested_at: str) -> int:
    """Re-mark responses with their question's current rubric, skipping any re-marked since
    ``requested_at`` (an ISO timestamp), so a redelivered message re-marks nothing twice."""
    return services.remark_responses(
        responses=Response.objects.filter(pk__in=response_ids),
        reason=reason,
        unless_marked_since=datetime.datetime.fromisoformat(requested_at),
    )


@shared_task(name="assessments.run_remark", **_RETRY)
def run_remark(run_id: int) -> int:
    """Re-mark a question's automatic marks after its rubric or learning changed
    (``services.run_remark``): batch by batch, with progress on the question's admin page."""
    return services.run_remark(run_id=run_id)
