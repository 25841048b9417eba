"""Jobs the queue runs for topics: importing large uploads of seed files (docs/queue.md)."""

from celery import shared_task
from django.db import DatabaseError

from topics import services


@shared_task(
    name="topics.import_seed_run",
    autoretry_for=(DatabaseError,),
    retry_backoff=1,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=8,
)
def import_seed_run(run_id: int) -> int:
    """Import an uploaded batch of seed files (``services.run_seed_import``); idempotent, so a
    redelivered or retried task carries on with the files still waiting."""
    return services.run_seed_import(run_id=run_id)
