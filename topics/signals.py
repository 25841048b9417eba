"""Keep ``Topic.updated_at`` and the content version moving with every edit of content.

The revision page is cached under a key made of the topic's id and ``updated_at``
(topics.views.TopicDetailView), so any change to a section, a marking point or the topic's
qualification must touch the topic: saving or deleting a section row (admin inlines, the
marking point admin, the shell) and saving or deleting a qualification do that here. Imports
save the topic itself. Bulk queryset updates of section rows bypass signals: call
``touch_topics``.

Search results depend on every topic, so search pages are cached under the content version
(topics.models.ContentVersion), which every one of those changes also bumps.

``topic_content_changed`` is this app's own signal, sent (by ``topics.services``) once a change
to what a topic teaches is complete, so that apps built from the content (the question bank)
follow it without this app knowing about them. See docs/decisions/0012.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from uuid import uuid4

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import Signal
from django.utils import timezone

from topics.models import SECTION_MODELS, ContentVersion, Qualification, Topic

CONTENT_VERSION_PK = 1

# Sent with ``topic`` (sender: Topic) inside the writer's transaction, once a topic's content
# (its sections, or the marking vocabulary of its qualification) has changed and every row of the
# change is saved. Receivers bring what they derive from the content up to date; an exception
# in one rolls the whole change back, so content and what is built from it never disagree.
topic_content_changed = Signal()
# True while a service writes the content version itself (content_version_written_last).
_written_by_caller: ContextVar[bool] = ContextVar(
    "content_version_written_by_caller", default=False
)


def touch_topics(**filters) -> None:
    """Mark topics as changed (their cached pages are then re-rendered on the next view)."""
    Topic.objects.filter(**filters).update(updated_at=timezone.now())
    bump_content_version()


@contextmanager
def content_version_written_last():
    """Inside a service's ``transaction.atomic()``: write the new content version once, as the
    transaction's last statement, instead of once per change after the commit.

    An import changes many rows; on SQLite every separate write after the commit is one more
    synced commit, as slow as the import's own. Taken last, the version row's lock is held only
    for the moment before the commit, so it cannot deadlock with an editor holding a topic. If
    the transaction rolls back (a dry run, a bad file), so does the version.
    """
    reset_token = _written_by_caller.set(True)
    try:
        yield
        if not transaction.get_rollback():  # a dry run has nothing to announce
            _write_new_content_version()
    finally:
        _written_by_caller.reset(reset_token)


def bump_content_version() -> None:
    """Give the content a new version once the current transaction commits.

    After the commit, not inside the transaction: the version is one row, and holding its lock
    for the rest of an import or an admin save would queue every other editor behind it (and
    could deadlock with one that had already locked a topic). A page rendered between the
    commit and the bump is rendered from the new content, so it is never stale under either
    key. Outside a transaction the bump is immediate. Inside ``content_version_written_last``
    the caller writes it instead.
    """
    if _written_by_caller.get():
        return
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
