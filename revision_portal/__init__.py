# Loaded with Django so that @shared_task functions bind to this project's Celery app (and its
# broker settings) wherever they are enqueued from: views, admin actions, commands.
from revision_portal.celery import app as celery_app

__all__ = ("celery_app",)
