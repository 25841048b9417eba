"""Revision content: qualifications, topics and the ordered sections of each topic.

Every content model keeps its history (django-simple-history: who changed what, when, from what
to what), shown on the topic's History page in the admin. Derived columns are not recorded.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from topics.parsing import normalise_text


class Qualification(models.Model):
    name = models.CharField(max_length=200, unique=True)
    awarding_body = models.CharField(max_length=200, blank=True)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.TextField(blank=True, help_text="Markdown.")
    # The name of one of the marker's lexicons (the admin form offers the names the assessments
    # app lists, so this app need not import the marker).
    lexicon = models.CharField(
        max_length=64,
        blank=True,
        help_text="The subject vocabulary the marker reads this qualification's answers with. "
        "Blank: chosen from the qualification's title, or from each topic's own wording.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TopicQuerySet(models.QuerySet):
    def published(self) -> "TopicQuerySet":
        """Topics learners and visitors may see: drafts (uploads not yet reviewed) are left out."""
        return self.filter(is_published=True)

    def visible_to(self, user) -> "TopicQuerySet":
        """Published topics; staff also see drafts (to review them before publishing)."""
        if user is not None and user.is_active and user.is_staff:
            return self.all()
        return self.published()


class Topic(models.Model):
    qualification = models.ForeignKey(
        Qualification,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="topics",
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    synopsis = models.TextField(blank=True, help_text="Markdown.")
    source_file = models.CharField(
        max_length=255,
        blank=True,
        help_text="Seed file this topic was imported from; re-imports of that file update it.",
    )
    content_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the imported seed file."
    )
    # Title, synopsis and every section's text in one column, rebuilt on import and on admin
    # edits, so search reads one row per topic instead of joining seven tables.
    search_document = models.TextField(blank=True, editable=False)
    # On PostgreSQL, the same text as a weighted tsvector (title A, the rest B) behind a GIN
    # index (migration 0003), so search does not rebuild every topic's vector per query.
    # Unused (and empty) on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    # A topic uploaded in the admin is a draft (hidden from learners, visitors, search and
    # quizzes) until an admin publishes it; import_seeds publishes at once. Existing topics and
    # ones made by hand are published.
    is_published = models.BooleanField(
        "published",
        default=True,
        help_text="Visible to learners and visitors. Uploaded topics start as drafts.",
    )
    title_derived = models.BooleanField(
        "title made from the synopsis",
        default=False,
        help_text="The importer made the title from the synopsis (the document has no title "
        "line): check it before publishing. Editing the title clears this.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TopicQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_document", "search_vector"])

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_file"],
                condition=~Q(source_file=""),
                name="topic_unique_source_file",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("topics:detail", kwargs={"slug": self.slug})


class SectionItem(models.Model):
    """An entry in one of a topic's ordered sections."""

    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class KeyConcept(SectionItem):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="key_concepts")
    term = models.CharField(max_length=200)
    explanation = models.TextField(blank=True, help_text="Markdown.")

    history = HistoricalRecords()

    class Meta(SectionItem.Meta):
        pass

    def __str__(self) -> str:
        return self.term


class ExamTip(SectionItem):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="exam_tips")
    text = models.TextField(help_text="Markdown.")

    history = HistoricalRecords()

    class Meta(SectionItem.Meta):
        verbose_name = "exam tip"

    def __str__(self) -> str:
        return self.text[:80]


class Misconception(SectionItem):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="misconceptions")
    statement = models.TextField(help_text="The mistaken belief, as learners state it.")
    correction = models.TextField(blank=True, help_text="Markdown. What is true instead.")

    history = HistoricalRecords()

    class Meta(SectionItem.Meta):
        pass

    def __str__(self) -> str:
        return self.statement[:80]


class MarkingPointQuerySet(models.QuerySet):
    def active(self) -> "MarkingPointQuerySet":
        return self.filter(retired_at__isnull=True)


class MarkingPoint(SectionItem):
    """An examiner's marking point. Never deleted by imports: answers are marked against it."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="marking_points")
    text = models.TextField()
    # Lower-case wording without punctuation: how a re-import recognises the same point.
    normalised_text = models.TextField(editable=False, db_index=True)
    retired_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when the point disappeared from the seed file; retired points are hidden.",
    )

    objects = MarkingPointQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["normalised_text"])

    class Meta(SectionItem.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "normalised_text"], name="marking_point_unique_wording"
            )
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def save(self, *args, **kwargs):
        # Derived column: kept in step with the wording however the point is saved.
        self.normalised_text = normalise_text(self.text)
        if kwargs.get("update_fields") is not None and "text" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "normalised_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The topic page's marking points section (where learners see the point)."""
        return f"{self.topic.get_absolute_url()}#marking-points"

    def clean(self):
        super().clean()
        self.normalised_text = normalise_text(self.text or "")
        if not self.normalised_text:
            raise ValidationError({"text": "A marking point needs some wording."})
        duplicate = (
            MarkingPoint.objects.filter(
                topic_id=self.topic_id, normalised_text=self.normalised_text
            )
            .exclude(pk=self.pk)
            .exists()
        )
        if self.topic_id and duplicate:
            raise ValidationError(
                {"text": "This topic already has a marking point with this wording."}
            )


class PlainTextItem(SectionItem):
    """A section entry that is one line of plain text (objectives, prerequisites)."""

    text = models.TextField()

    class Meta(SectionItem.Meta):
        abstract = True

    def __str__(self) -> str:
        return self.text[:80]


class LearningObjective(PlainTextItem):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="learning_objectives")

    history = HistoricalRecords()

    class Meta(PlainTextItem.Meta):
        pass


class Prerequisite(PlainTextItem):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="prerequisites")

    history = HistoricalRecords()

    class Meta(PlainTextItem.Meta):
        pass


class KeyTerm(SectionItem):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="key_terms")
    term = models.CharField(max_length=200)
    definition = models.TextField(blank=True, help_text="Markdown.")

    history = HistoricalRecords()

    class Meta(SectionItem.Meta):
        pass

    def __str__(self) -> str:
        return self.term


# Every section of a topic, in page order. Imports, the admin's history page and cache
# invalidation all walk this one list.
SECTION_MODELS = (
    KeyConcept,
    ExamTip,
    Misconception,
    MarkingPoint,
    LearningObjective,
    Prerequisite,
    KeyTerm,
)


def section_prefetches() -> tuple:
    """Prefetches that load every section of a topic (active marking points only)."""
    return (
        "key_concepts",
        "exam_tips",
        "misconceptions",
        Prefetch("marking_points", queryset=MarkingPoint.objects.active()),
        "learning_objectives",
        "prerequisites",
        "key_terms",
    )


class ContentVersion(models.Model):
    """One row whose token changes with every change to revision content.

    Pages that depend on all topics at once (search) are cached under this token
    (revision_portal.page_cache), so any edit, import or deletion moves them to a new key.
    It lives in the database, not the cache, because a local-memory cache is private to each
    app server process and every process must see the change.
    """

    token = models.CharField(max_length=32, blank=True)

    def __str__(self) -> str:
        return self.token


class SeedImportRun(models.Model):
    """A batch of seed files uploaded in the admin and imported by a worker, file by file.

    Large uploads are imported off the request (docs/queue.md): the files are kept here until
    each is imported, and the run's admin page shows every file's result as it is done.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "seed import"

    def __str__(self) -> str:
        return f"Seed import {self.pk} ({self.created_at:%d %b %Y, %H:%M})"


class SeedImportFile(models.Model):
    """One uploaded file of a :class:`SeedImportRun` and what importing it did."""

    class Status(models.TextChoices):
        PENDING = "pending", "waiting"
        CREATED = "created", "created"
        UPDATED = "updated", "updated"
        UNCHANGED = "unchanged", "unchanged"
        FAILED = "failed", "failed"

    run = models.ForeignKey(SeedImportRun, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=255)
    # The uploaded bytes, until the file is imported (then cleared: the topic holds them).
    data = models.BinaryField(null=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    report = models.TextField(blank=True)
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="seed_import_file_position")
        ]

    def __str__(self) -> str:
        return self.name
