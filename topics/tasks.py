"""Jobs the queue runs for topics: importing large uploads of seed files (docs/queue.md)."""

from celery import shared_task

from revision_portal.celery import RETRY_ON_DATABASE_ERRORS
from topics import services


@shared_task(name="topics.import_seed_run", **RETRY_ON_DATABASE_ERRORS)
def import_seed_run(run_id: int) -> int:
    """Import an uploaded batch of seed files (``services.run_seed_import``); idempotent, so a
    redelivered or retried task carries on with the files still waiting."""
    return services.run_seed_import(run_id=run_id)
