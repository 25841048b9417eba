"""The Celery application: the job queue that marks answers off the request path.

Started by ``celery -A revision_portal worker`` (``make worker``; ``make run`` starts one with
the app). Configuration is read from Django's settings, every name prefixed ``CELERY_``; tasks
are found in each app's ``tasks.py``. docs/queue.md describes brokers and failure behaviour.
"""

import os
import threading

from celery import Celery
from django.db import DatabaseError
from kombu.transport import sqlalchemy as database_transport

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revision_portal.settings")

# How often an idle worker on the database transport (the default broker) looks for new
# messages, in seconds; kombu's default of 1 s would add up to a second to every submit's wait
# for marks, and caps a worker's rate when its reserved messages run out. kombu hands every
# broker transport option of this transport to SQLAlchemy's create_engine, which refuses
# `polling_interval`, so it is set on the transport class instead.
database_transport.Transport.polling_interval = float(
    os.environ.get("CELERY_POLLING_INTERVAL", "0.1")
)


class _OneThreadAtATimeChannel(database_transport.Channel):
    """kombu's database-transport channel, its SQLAlchemy session used by one thread at a time.

    A session is not thread-safe, and a prefork worker on this transport uses it from two
    threads: the main thread polls for messages, and when a pool process dies mid-task (killed,
    out of memory) one of the pool's threads hands its message back at once
    (``task_reject_on_worker_lost``: Celery's ``call_soon_ack`` runs the reject on that thread
    there and then, not in the main loop).
    Unserialised, the two collided in 4 of 18 runs of test_marking_queue.py's pool-process
    test: the worker stopped (``IllegalStateChangeError``), could not return the message and
    dumped it to a file in /tmp, and the attempt stayed unmarked. Every method that touches
    the session takes this lock.
    """

    def __init__(self, *args, **kwargs):
        self._session_lock = threading.RLock()
        super().__init__(*args, **kwargs)

    def _new_queue(self, queue, **kwargs):
        with self._session_lock:
            return super()._new_queue(queue, **kwargs)

    def _put(self, queue, payload, **kwargs):
        with self._session_lock:
            return super()._put(queue, payload, **kwargs)

    def _get(self, queue):
        with self._session_lock:
            return super()._get(queue)

    def _purge(self, queue):
        with self._session_lock:
            return super()._purge(queue)

    def _size(self, queue):
        with self._session_lock:
            return super()._size(queue)


database_transport.Transport.Channel = _OneThreadAtATimeChannel

# How a task that hit a database error (a dropped connection, a lock timeout, PostgreSQL
# restarting) is retried: its transaction rolled back, so the retry starts clean. Bounded:
# about 1 + 2 + 4 + … + 60 s ≈ 3 minutes of retrying before the task gives up.
RETRY_ON_DATABASE_ERRORS = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 1,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 8,
}

app = Celery("revision_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
