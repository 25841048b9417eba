"""The Celery application: the job queue that marks answers off the request path.

Started by ``celery -A revision_portal worker`` (``make worker``; ``make run`` starts one with
the app). Configuration is read from Django's settings, every name prefixed ``CELERY_``; tasks
are found in each app's ``tasks.py``. docs/queue.md describes brokers and failure behaviour.
"""

import os

from celery import Celery
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

app = Celery("revision_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
