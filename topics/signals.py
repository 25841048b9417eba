"""Keep ``Topic.updated_at`` and the content version moving with every edit of content.

The revision page is cached under a key made of the topic's id and ``updated_at``
(topics.views.TopicDetailView), so any change to a section, a marking point or the topic's
qualification must touch the topic: saving or deleting a section row (admin inlines, the
marking point admin, the shell) and saving or deleting a qualification do that here. Imports
save the topic itself. Bulk queryset updates of section rows bypass signals: call
``touch_topics``.

Search results depend on every topic, so search pages are cached under the content version
(topics.models.ContentVersion), which every one of those changes also bumps.
"""

from uuid import uuid4

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.utils import timezone

from topics.models import SECTION_MODELS, ContentVersion, Qualification, Topic

CONTENT_VERSION_PK = 1


def touch_topics(**filters) -> None:
    """Mark topics as changed (their cached pages are then re-rendered on the next view)."""
    Topic.objects.filter(**filters).update(updated_at=timezone.now())
    bump_content_version()


def bump_content_version() -> None:
    """Give the content a new version once the current transaction commits.

    After the commit, not inside the transaction: the version is one row, and holding its lock
    for the rest of an import or an admin save would queue every other editor behind it (and
    could deadlock with one that had already locked a topic). A page rendered between the
    commit and the bump is rendered from the new content, so it is never stale under either
    key. Outside a transaction the bump is immediate.
    """
    transaction.on_commit(_write_new_content_version)


def _write_new_content_version() -> None:
    token = uuid4().hex
    if not ContentVersion.objects.filter(pk=CONTENT_VERSION_PK).update(token=token):
        ContentVersion.objects.update_or_create(pk=CONTENT_VERSION_PK, defaults={"token": token})


def _section_changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw") or not instance.topic_id:
        return
    touch_topics(pk=instance.topic_id)


def _qualification_changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    # Before a deletion too: the topics' qualification is then cleared by a bulk update.
    touch_topics(qualification_id=instance.pk)


def _topic_changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    bump_content_version()


def connect() -> None:
    for model in SECTION_MODELS:
        post_save.connect(_section_changed, sender=model, dispatch_uid=f"touch-{model.__name__}")
        post_delete.connect(
            _section_changed, sender=model, dispatch_uid=f"touch-del-{model.__name__}"
        )
    post_save.connect(_qualification_changed, sender=Qualification, dispatch_uid="touch-qual")
    pre_delete.connect(_qualification_changed, sender=Qualification, dispatch_uid="touch-del-qual")
    post_save.connect(_topic_changed, sender=Topic, dispatch_uid="version-topic")
    post_delete.connect(_topic_changed, sender=Topic, dispatch_uid="version-del-topic")
