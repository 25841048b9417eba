"""Keep ``Topic.updated_at`` moving with every edit of a topic's content.

The revision page's rendered sections are cached under a key made of the topic's id and
``updated_at`` (topics.views.TopicDetailView), so any change to a section, a marking point or
the topic's qualification must touch the topic: saving or deleting a section row (admin inlines,
the marking point admin, the shell) and saving a qualification do that here. Imports save the
topic itself. Bulk queryset updates of section rows bypass signals: call ``touch_topics``.
"""

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from topics.models import SECTION_MODELS, Qualification, Topic


def touch_topics(**filters) -> None:
    """Mark topics as changed (their cached pages are then re-rendered on the next view)."""
    Topic.objects.filter(**filters).update(updated_at=timezone.now())


def _section_changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw") or not instance.topic_id:
        return
    touch_topics(pk=instance.topic_id)


def _qualification_changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    touch_topics(qualification_id=instance.pk)


def connect() -> None:
    for model in SECTION_MODELS:
        post_save.connect(_section_changed, sender=model, dispatch_uid=f"touch-{model.__name__}")
        post_delete.connect(
            _section_changed, sender=model, dispatch_uid=f"touch-del-{model.__name__}"
        )
    post_save.connect(_qualification_changed, sender=Qualification, dispatch_uid="touch-qual")
