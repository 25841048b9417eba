"""Writes for the topics app: importing seed documents and keeping derived columns current.

The management command and the admin upload both call these functions, so a file is imported
by the same rules whichever way it arrives.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from topics import ordering, parsing, signals
from topics.models import (
    SECTION_MODELS,
    ExamTip,
    KeyConcept,
    KeyTerm,
    LearningObjective,
    MarkingPoint,
    Misconception,
    Prerequisite,
    Qualification,
    SectionItem,
    SeedImportFile,
    SeedImportRun,
    Topic,
)
from topics.signals import content_version_written_last

# A topic's section rows by section model, in position order.
SectionRows = dict[type, list]
ImportStatus = Literal["created", "updated", "unchanged", "failed"]
STATUSES: tuple[ImportStatus, ...] = ("created", "updated", "unchanged", "failed")


@dataclass(frozen=True)
class ImportResult:
    """What happened to one seed file."""

    source_name: str
    status: ImportStatus
    topic: Topic | None = None
    message: str = ""
    warnings: tuple[str, ...] = ()
    retired_points: int = 0

    @property
    def line(self) -> str:
        """The report line for this file: ``FILE: reason`` for failures."""
        if self.status == "failed":
            return f"{self.source_name}: {self.message}"
        text = f"{self.source_name}: {self.status}"
        if self.topic is not None:
            text += f" ({self.topic.title})"
            if not self.topic.is_published:
                text += "; draft: hidden from learners until an admin publishes it"
                if self.topic.title_derived:
                    text += "; title made from the synopsis: check it"
        if self.retired_points:
            text += f"; {self.retired_points} marking point(s) retired"
        for warning in self.warnings:
            text += f"; note: {warning}"
        return text


@dataclass
class ImportReport:
    """The results of importing several files, in the order they were imported."""

    results: list[ImportResult] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        return Counter(result.status for result in self.results)

    @property
    def failed(self) -> list[ImportResult]:
        return [result for result in self.results if result.status == "failed"]

    @property
    def summary(self) -> str:
        return status_summary(self.counts)


def status_summary(counts: Counter) -> str:
    """``created N, updated N, unchanged N, failed N``: how many files ended in each status."""
    return ", ".join(f"{status} {counts.get(status, 0)}" for status in STATUSES)


def _validation_message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        details = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
    else:
        details = " ".join(error.messages)
    return f"the document does not fit the topic model ({details})"


def _max_bytes() -> int:
    return settings.SEED_MAX_BYTES


def _size_message(size: int) -> str:
    limit_mb = _max_bytes() / (1024 * 1024)
    return f"the file is {size / (1024 * 1024):.1f} MB; seed files are limited to {limit_mb:g} MB"


def collect_seed_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[ImportResult]]:
    """Expand files and folders into the seed files to import, in a stable order.

    Folders contribute their ``*.txt`` files (not recursively). Paths that do not exist come
    back as failed results so the caller can report them with the rest.
    """
    files: list[Path] = []
    problems: list[ImportResult] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.glob("*.txt") if p.is_file())
            if not found:
                problems.append(ImportResult(str(path), "failed", message="no .txt files here"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(ImportResult(str(path), "failed", message="no such file or folder"))
    return files, problems


def import_seed_file(*, path: Path, dry_run: bool = False) -> ImportResult:
    """Import one seed file from disk; oversized files are refused before they are read."""
    name = path.name
    try:
        size = path.stat().st_size
        if size > _max_bytes():
            return ImportResult(name, "failed", message=_size_message(size))
        with path.open("rb") as handle:
            # Read one byte past the limit so a file that grew since stat() is still refused.
            data = handle.read(_max_bytes() + 1)
    except OSError as error:
        return ImportResult(name, "failed", message=f"cannot be read ({error.strerror})")
    return import_seed_bytes(source_name=name, data=data, dry_run=dry_run)


def import_uploaded_seed(*, upload, dry_run: bool = False) -> ImportResult:
    """Import a seed file uploaded through the admin (a Django ``UploadedFile``). A new topic
    is a draft until an admin publishes it (``publish_topics``); an existing topic keeps its
    state."""
    name = _upload_name(upload)
    problem = _upload_problem(name, upload.size)
    if problem:
        return ImportResult(name, "failed", message=problem)
    return import_seed_bytes(source_name=name, data=upload.read(), dry_run=dry_run, publish=False)


def _upload_name(upload) -> str:
    return Path(upload.name or "upload").name


def _upload_problem(name: str, size: int) -> str:
    """Why an uploaded file cannot be imported before it is even read ("" when it may be)."""
    if not name.lower().endswith(".txt"):
        return "only .txt seed files can be imported"
    if size > _max_bytes():
        return _size_message(size)
    return ""


def queue_seed_import(*, uploads, user=None) -> SeedImportRun:
    """Keep uploaded seed files in a :class:`SeedImportRun` and queue a worker to import them
    (``run_seed_import``), for uploads too large to import within a request.

    Files refused on sight (not ``.txt``, too large) are recorded as failed at once; the rest
    wait for the worker. The run and its files are saved in one transaction, and the task is
    queued when it commits.
    """
    from topics.tasks import import_seed_run

    with transaction.atomic():
        run = SeedImportRun.objects.create(created_by=user)
        files = []
        for position, upload in enumerate(uploads):
            name = _upload_name(upload)
            problem = _upload_problem(name, upload.size)
            status = SeedImportFile.Status.FAILED if problem else SeedImportFile.Status.PENDING
            files.append(
                SeedImportFile(
                    run=run,
                    position=position,
                    name=name,
                    data=None if problem else upload.read(),
                    status=status,
                    report=f"{name}: {problem}" if problem else "",
                )
            )
        SeedImportFile.objects.bulk_create(files)

        def queue_import() -> None:
            import_seed_run.delay(run.pk)

        transaction.on_commit(queue_import, robust=True)
    return run


def run_seed_import(*, run_id: int) -> int:
    """Import a run's waiting files in order; returns how many this call imported.

    Each file's import and its recorded result commit together, so a worker killed mid-run
    leaves every file either done or still waiting, and a redelivered task carries on with the
    waiting ones (a file already imported is never imported twice). The run is finished when no
    file is waiting.
    """
    waiting = SeedImportFile.objects.filter(run_id=run_id, status=SeedImportFile.Status.PENDING)
    done = 0
    for pk in waiting.order_by("position").values_list("pk", flat=True):
        with transaction.atomic():
            file = waiting.select_for_update().filter(pk=pk).first()
            if file is None:  # another delivery of the task got there first
                continue
            result = import_seed_bytes(source_name=file.name, data=bytes(file.data), publish=False)
            file.status = result.status
            file.report = result.line
            file.topic = result.topic if result.status != "failed" else None
            file.data = None
            file.save(update_fields=["status", "report", "topic", "data"])
        done += 1
    if not waiting.exists():
        SeedImportRun.objects.filter(pk=run_id, finished_at__isnull=True).update(
            finished_at=timezone.now()
        )
    return done


def import_seed_bytes(
    *, source_name: str, data: bytes, dry_run: bool = False, publish: bool = True
) -> ImportResult:
    """Create or update the topic for ``source_name`` from the seed file's bytes.

    Atomic: a file is imported whole or not at all. Idempotent: an unchanged file (same
    SHA-256) changes nothing. A changed file updates its topic in place, keeping its URL and the
    marking points whose wording still appears (answers are tied to them), and retires the ones
    that vanished. With ``dry_run`` everything is worked out and then rolled back. A new topic is
    published when ``publish`` (``import_seeds``), else a draft (admin uploads); an update never
    changes whether a topic is published.
    """
    if len(data) > _max_bytes():
        return ImportResult(source_name, "failed", message=_size_message(len(data)))
    content_hash = hashlib.sha256(data).hexdigest()
    existing = Topic.objects.filter(source_file=source_name).first()
    if existing is not None and existing.content_hash == content_hash:
        return ImportResult(source_name, "unchanged", topic=existing)
    try:
        document = parsing.parse_seed_bytes(data)
    except parsing.SeedParseError as error:
        return ImportResult(source_name, "failed", message=str(error))

    try:
        with transaction.atomic(), content_version_written_last():
            if existing is None:
                topic, sections = _create_topic(
                    document, source_name=source_name, content_hash=content_hash, publish=publish
                )
                status: ImportStatus = "created"
                retired = 0
            else:
                topic = Topic.objects.select_for_update().get(pk=existing.pk)
                retired = _update_topic(topic, document, content_hash=content_hash)
                sections = None
                status = "updated"
            topic_content_changed(topic=topic, sections=sections)
            if dry_run:
                transaction.set_rollback(True)
    except ValidationError as error:
        return ImportResult(source_name, "failed", message=_validation_message(error))
    except IntegrityError:
        # Another import of the same file won the race; nothing of this one was written.
        return ImportResult(
            source_name, "failed", message="the file was being imported at the same time; retry"
        )
    return ImportResult(
        source_name,
        status,
        topic=topic,
        warnings=document.warnings,
        retired_points=retired,
    )


def import_seed_paths(
    *,
    paths: Iterable[str | Path],
    dry_run: bool = False,
    on_result: Callable[[int, int, ImportResult], None] | None = None,
) -> ImportReport:
    """Import every seed file under ``paths``; each file is its own transaction.

    A bad file is reported and skipped while the rest import. ``on_result(done, total, result)``
    is called after each file, for progress output (with ``done`` 0 for paths that were not
    found).
    """
    files, problems = collect_seed_files(paths)
    report = ImportReport(results=list(problems))
    total = len(files)
    if on_result is not None:
        for problem in problems:
            on_result(0, total, problem)
    for done, path in enumerate(files, start=1):
        result = import_seed_file(path=path, dry_run=dry_run)
        report.results.append(result)
        if on_result is not None:
            on_result(done, total, result)
    return report


def publish_topics(*, topics: Iterable[Topic], published: bool = True) -> int:
    """Publish (or, with ``published=False``, withdraw) topics; returns how many changed.

    Each is saved, so the change is in the topic's history (who, when) and its cached page and
    the search pages' content version move at once (topics.signals)."""
    changed = 0
    with transaction.atomic():
        for topic in Topic.objects.select_for_update().filter(
            pk__in=[t.pk for t in topics], is_published=not published
        ):
            topic.is_published = published
            topic.save(update_fields=["is_published", "updated_at"])
            changed += 1
    return changed


def topic_content_changed(*, topic: Topic, sections: SectionRows | None = None) -> None:
    """Bring everything derived from ``topic``'s content up to date once all of a change is
    saved: its search column here, then, through ``signals.topic_content_changed``, whatever
    other apps build from it (the question bank, and from it the revision cards).

    Call it inside the writer's transaction (imports, the admin), so the content and what is
    derived from it change together. ``updated_at`` and the content version need no call: the
    topic's own save and the section signals (``topics.signals``) move them. ``sections`` (every
    section model's rows, as an import just inserted them) spares reading them back.
    """
    refresh_search_document(topic, sections=sections)
    signals.topic_content_changed.send(sender=Topic, topic=topic)


def qualification_vocabulary_changed(*, qualification: Qualification) -> int:
    """The marking vocabulary of ``qualification`` changed: tell the apps built from its
    topics' content (questions' rubrics are built with the vocabulary). The search column does
    not depend on it. Returns how many topics were announced."""
    topics = list(qualification.topics.all())
    with transaction.atomic():
        for topic in topics:
            signals.topic_content_changed.send(sender=Topic, topic=topic)
    return len(topics)


def refresh_search_document(topic: Topic, *, sections: SectionRows | None = None) -> None:
    """Rebuild the topic's search column from its current title, synopsis and sections.

    ``sections`` maps every section model to the topic's rows in position order, as an import
    just inserted them (all active); without it they are read, one query each."""

    def rows(model, queryset):
        return sections[model] if sections is not None else queryset

    parts = [topic.title, topic.synopsis]
    parts += [f"{c.term}: {c.explanation}" for c in rows(KeyConcept, topic.key_concepts.all())]
    parts += [tip.text for tip in rows(ExamTip, topic.exam_tips.all())]
    parts += [
        f"{m.statement} {m.correction}" for m in rows(Misconception, topic.misconceptions.all())
    ]
    parts += [point.text for point in rows(MarkingPoint, topic.marking_points.active())]
    parts += [o.text for o in rows(LearningObjective, topic.learning_objectives.all())]
    parts += [p.text for p in rows(Prerequisite, topic.prerequisites.all())]
    parts += [f"{t.term} {t.definition}" for t in rows(KeyTerm, topic.key_terms.all())]
    document = "\n".join(part.strip() for part in parts if part and part.strip())
    if document != topic.search_document:
        topic.search_document = document
        Topic.objects.filter(pk=topic.pk).update(search_document=document)
    if connection.vendor == "postgresql":
        # The title may have changed even when the rest did not: always refresh the vector.
        Topic.objects.filter(pk=topic.pk).update(
            search_vector=SearchVector("title", weight="A", config="english")
            + SearchVector("search_document", weight="B", config="english")
        )


# --- internals -------------------------------------------------------------------------------


def _qualification_for(document: parsing.SeedDocument) -> Qualification | None:
    info = document.qualification
    if info is None:
        return None
    qualification, created = Qualification.objects.get_or_create(
        name=info.name,
        defaults={
            "awarding_body": info.awarding_body,
            "level": info.level,
            "description": info.description,
        },
    )
    if not created:
        # Fill gaps from the document but never overwrite what an admin has written.
        changed = []
        for attribute in ("awarding_body", "level", "description"):
            if not getattr(qualification, attribute) and getattr(info, attribute):
                setattr(qualification, attribute, getattr(info, attribute))
                changed.append(attribute)
        if changed:
            qualification.save(update_fields=changed)
    return qualification


def _unique_slug(title: str) -> str:
    base = slugify(title)[:200] or "topic"
    slug, suffix = base, 2
    while Topic.objects.filter(slug=slug).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


def _create_topic(
    document: parsing.SeedDocument, *, source_name: str, content_hash: str, publish: bool
) -> tuple[Topic, SectionRows]:
    """The new topic and its sections' rows by model, as inserted."""
    topic = Topic(
        qualification=_qualification_for(document),
        title=document.title[:200],
        slug=_unique_slug(document.title),
        synopsis=document.synopsis,
        source_file=source_name,
        content_hash=content_hash,
        is_published=publish,
        title_derived=document.title_was_derived,
    )
    topic.full_clean()
    topic.save()
    return topic, _create_sections(topic, document, SECTION_MODELS)


def _update_topic(topic: Topic, document: parsing.SeedDocument, *, content_hash: str) -> int:
    """Update ``topic`` in place; returns how many marking points were retired."""
    qualification = _qualification_for(document)
    if qualification is not None:
        topic.qualification = qualification
    # A derived title is only a suggestion: keep whatever an admin may have chosen instead.
    if not document.title_was_derived:
        topic.title = document.title[:200]
        topic.title_derived = False
    topic.synopsis = document.synopsis
    topic.content_hash = content_hash
    topic.full_clean()
    topic.save()
    _replace_sections(topic, document)
    return _sync_marking_points(topic, document.marking_points)


def _sync_marking_points(topic: Topic, texts: tuple[str, ...]) -> int:
    existing = {point.normalised_text: point for point in topic.marking_points.all()}
    now = timezone.now()
    seen: set[str] = set()
    for position, text in enumerate(texts, start=1):
        key = parsing.normalise_text(text)
        seen.add(key)
        point = existing.get(key)
        if point is None:
            MarkingPoint.objects.create(topic=topic, position=position, text=text)
        elif (point.position, point.text, point.retired_at) != (position, text, None):
            point.position, point.text, point.retired_at = position, text, None
            point.save(update_fields=["position", "text", "retired_at"])
    to_retire = [
        point for key, point in existing.items() if key not in seen and point.retired_at is None
    ]
    for point in to_retire:
        point.retired_at = now
    if to_retire:
        # With history, so the audit trail shows when and by whom (or which import) it was
        # retired.
        bulk_update_with_history(to_retire, MarkingPoint, ["retired_at"])
    return len(to_retire)


def _bulk_create_with_history(objs: list, model) -> None:
    """``bulk_create_with_history`` for a list that may be empty (most documents leave some
    sections out): an empty list costs no call into django-simple-history, whose history
    manager is built afresh on every use."""
    if objs:
        bulk_create_with_history(objs, model)


# How a section of a parsed document becomes rows: the document's attribute holding its items,
# and the fields of one item's row, by section model.
_SECTION_ROWS: dict[type, tuple[str, Callable[[Any], dict[str, Any]]]] = {
    KeyConcept: ("key_concepts", lambda c: {"term": c.term[:200], "explanation": c.explanation}),
    ExamTip: ("exam_tips", lambda text: {"text": text}),
    Misconception: (
        "misconceptions",
        lambda m: {"statement": m.statement, "correction": m.correction},
    ),
    # Bulk inserts skip save(), which fills the normalised wording points are matched by.
    MarkingPoint: (
        "marking_points",
        lambda text: {"text": text, "normalised_text": parsing.normalise_text(text)},
    ),
    LearningObjective: ("learning_objectives", lambda text: {"text": text}),
    Prerequisite: ("prerequisites", lambda text: {"text": text}),
    KeyTerm: ("key_terms", lambda t: {"term": t.term[:200], "definition": t.definition}),
}


def _create_sections(
    topic: Topic, document: parsing.SeedDocument, models: Iterable[type]
) -> SectionRows:
    """Insert the document's sections for ``models``, numbered from 1 in document order, each
    with its history rows; returns the rows by model."""
    created: SectionRows = {}
    for model in models:
        attribute, row = _SECTION_ROWS[model]
        created[model] = [
            model(topic=topic, position=position, **row(item))
            for position, item in enumerate(getattr(document, attribute), start=1)
        ]
        _bulk_create_with_history(created[model], model)
    return created


def _replace_sections(topic: Topic, document: parsing.SeedDocument) -> None:
    """Replace every section except marking points, which are matched rather than replaced."""
    replaced = [model for model in SECTION_MODELS if model is not MarkingPoint]
    for model in replaced:
        model.objects.filter(topic=topic).delete()
    _create_sections(topic, document, replaced)


def next_section_position(*, model: type[SectionItem], topic: Topic) -> int:
    """The position after the last entry of ``topic``'s section ``model``: where a new entry
    added by hand goes (the end of the list)."""
    last = model.objects.filter(topic=topic).aggregate(last=Max("position"))["last"]
    return 1 if last is None else last + 1


def move_section_item(
    *, model: type[SectionItem], topic: Topic, pk: int, direction: ordering.Direction
) -> SectionItem | None:
    """Swap the entry ``pk`` of ``topic``'s section ``model`` with its neighbour above or
    below. Returns the moved entry, or None when it is not in that section or is already at
    that end. The caller announces the change (``topic_content_changed``) once with its other
    edits."""
    with transaction.atomic():
        rows = _section_rows(model, topic)
        new_order = ordering.moved_order([row.pk for row in rows], pk, direction)
        if new_order is None:
            return None
        return _renumber(rows, new_order)[pk]


def reorder_section(*, model: type[SectionItem], topic: Topic, order_value: str) -> bool:
    """Put ``topic``'s section ``model`` in the order posted by a drag (``"12,10,11"``).
    Returns False, changing nothing, when the order is not a rearrangement of the section's
    current entries. The caller announces the change, as for ``move_section_item``."""
    with transaction.atomic():
        rows = _section_rows(model, topic)
        new_order = ordering.parse_order(order_value, [row.pk for row in rows])
        if new_order is None:
            return False
        _renumber(rows, new_order)
        return True


def _section_rows(model: type[SectionItem], topic: Topic) -> list[SectionItem]:
    return list(model.objects.select_for_update().filter(topic=topic).order_by("position", "id"))


def _renumber(rows: list[SectionItem], order: list[int]) -> dict[int, SectionItem]:
    """Number ``rows`` 1..n in ``order`` (entries added by hand may share a position, and
    swapping equal numbers would move nothing). Only rows whose number changes are saved, each
    with its history. Returns the rows by id."""
    by_pk = {row.pk: row for row in rows}
    for position, row_pk in enumerate(order, start=1):
        row = by_pk[row_pk]
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])
    return by_pk


def retire_marking_points(*, points: Iterable[MarkingPoint]) -> int:
    """Retire ``points`` that are still active: learners' answers and marks stay linked to
    them, and each affected topic's question bank withdraws their questions (one refresh per
    topic). Returns how many were retired."""
    with transaction.atomic():
        to_retire = [point for point in points if point.retired_at is None]
        now = timezone.now()
        for point in to_retire:
            point.retired_at = now
            # One save each (an editor's handful): each is in the history with who did it,
            # and the save signals move the topic's cached pages on.
            point.save(update_fields=["retired_at"])
        for topic in Topic.objects.filter(pk__in={point.topic_id for point in to_retire}):
            topic_content_changed(topic=topic)
    return len(to_retire)
