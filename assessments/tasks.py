"""Jobs the queue runs for assessments: marking submitted attempts, re-marking answers and
relearning a question from its tutors' marks.

Each task is a thin wrapper round a service, and each is idempotent, because the queue
delivers at least once: messages are acknowledged only when the task has finished
(``CELERY_TASK_ACKS_LATE``), so a worker killed mid-task has its message delivered again (on
the database queue, whose transport cannot, the next worker to start queues it again:
``requeue_stranded_marking``).
Database errors (a dropped connection, a lock timeout, PostgreSQL restarting) are retried with
a growing delay; the transaction they interrupted rolled back, so the retry starts clean.
"""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from assessments import services
from assessments.models import Question, Response
from revision_portal.celery import RETRY_ON_DATABASE_ERRORS

logger = logging.getLogger(__name__)


@shared_task(name="assessments.mark_attempt", **RETRY_ON_DATABASE_ERRORS)
def mark_attempt(attempt_id: int) -> bool:
    """Mark a submitted attempt (``services.mark_attempt``); ``False`` if it already was.

    A task that gives up after its retries leaves the attempt unmarked until ``manage.py
    requeue_unmarked`` (or the next worker to start) queues it again."""
    return services.mark_attempt(attempt_id=attempt_id)


@shared_task(name="assessments.remark_responses", **RETRY_ON_DATABASE_ERRORS)
def remark_responses(response_ids: list[int], reason: str, requested_at: str) -> int:
    """Re-mark responses with their question's current rubric, skipping any re-marked since
    ``requested_at`` (an ISO timestamp), so a redelivered message re-marks nothing twice."""
    return services.remark_responses(
        responses=Response.objects.filter(pk__in=response_ids),
        reason=reason,
        unless_marked_since=datetime.datetime.fromisoformat(requested_at),
    )


@shared_task(name="assessments.run_remark", **RETRY_ON_DATABASE_ERRORS)
def run_remark(run_id: int) -> int:
    """Re-mark a question's automatic marks after its rubric or learning changed
    (``services.run_remark``): batch by batch, with progress on the question's admin page."""
    return services.run_remark(run_id=run_id)


@shared_task(name="assessments.relearn_question", **RETRY_ON_DATABASE_ERRORS)
def relearn_question(question_id: int) -> bool:
    """Relearn a question from its exemplars after a tutor's mark (``services.relearn_question``);
    ``False`` if the question is gone. Idempotent: it learns from the exemplars as they are."""
    question = Question.objects.filter(pk=question_id).first()
    if question is None:
        return False
    services.relearn_question(question=question)
    return True


@worker_ready.connect
def requeue_stranded_marking(**kwargs) -> int:
    """When a worker on the database queue starts, queue marking again for every attempt still
    unmarked, and return how many.

    kombu's database transport never hands back the messages of a worker that died outright
    (killed, out of memory, the machine stopped): it has no visibility timeout (docs/queue.md,
    "Failure behaviour"). So the worker that replaces it, for instance ``make run`` started
    again, recovers those attempts itself, with no cron job. Attempts whose message is still
    waiting get a second one, which is harmless: marking twice marks once. Redis and RabbitMQ
    redeliver by themselves, so nothing is done there.
    """
    if not settings.CELERY_BROKER_URL.startswith("sqla+"):
        return 0
    count = services.requeue_unmarked(older_than_seconds=0)
    if count:
        logger.warning("Queued marking again for %d unmarked attempt(s) at start-up.", count)
    return count
