"""The audit trail of content and rubric changes, as admins read it.

Every content and rubric model keeps its history with django-simple-history. A topic's sections
and a question's indicators are separate rows with histories of their own; ``child_history``
gathers them into one list for the parent's History page in the admin, each entry saying who
changed what, when, and from what to what.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Model

# Housekeeping columns that change on every save and say nothing about the content.
IGNORED_FIELDS = {"updated_at", "created_at"}
MAX_ENTRIES = 300
VALUE_PREVIEW_CHARS = 300

HISTORY_TYPES = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object
    who: object
    action: str
    section: str
    item: str
    changes: list[Change] = field(default_factory=list)


def _preview(value) -> str:
    text = "" if value is None else str(value)
    if len(text) > VALUE_PREVIEW_CHARS:
        return text[:VALUE_PREVIEW_CHARS] + "…"
    return text


def _tracked_fields(model: type[Model]) -> list[str]:
    """The columns the model's history records, minus the id and housekeeping."""
    recorded = {f.attname for f in model.history.model._meta.fields}
    return [
        f.attname
        for f in model._meta.fields
        if f.attname in recorded and f.attname not in IGNORED_FIELDS and f.attname != "id"
    ]


def child_history(sources: Iterable[tuple[type[Model], dict]]) -> list[HistoryEntry]:
    """History entries for child rows, newest first.

    ``sources`` pairs each child model (with ``history = HistoricalRecords()``) with the filter
    that selects the parent's rows, e.g. ``(KeyConcept, {"topic_id": 3})``. Deleted rows are
    included: their history outlives them.
    """
    entries: list[HistoryEntry] = []
    for model, filters in sources:
        fields = [
            name
            for name in _tracked_fields(model)
            if name not in filters and name.removesuffix("_id") not in filters
        ]
        records = (
            model.history.filter(**filters)
            .select_related("history_user")
            .order_by("id", "history_date", "history_id")
        )
        previous = None
        for record in records:
            if previous is None or previous.id != record.id:
                previous = None
            if record.history_type == "~" and previous is not None:
                changes = [
                    Change(name, _preview(getattr(previous, name)), _preview(getattr(record, name)))
                    for name in fields
                    if getattr(previous, name) != getattr(record, name)
                ]
                if not changes:
                    previous = record
                    continue
            elif record.history_type == "+":
                changes = [
                    Change(name, "", _preview(getattr(record, name)))
                    for name in fields
                    if getattr(record, name) not in (None, "", [])
                ]
            else:
                changes = []
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    who=record.history_user,
                    action=HISTORY_TYPES.get(record.history_type, record.history_type),
                    section=str(model._meta.verbose_name).capitalize(),
                    item=_preview(record.instance),
                    changes=changes,
                )
            )
            previous = record
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:MAX_ENTRIES]
