import pytest
from django.test import override_settings

from topics.models import KeyConcept, MarkingPoint, Qualification, Topic
from topics.services import import_seed_bytes, import_seed_file, import_seed_paths

pytestmark = pytest.mark.django_db

SMALL_SEED = b"""Topic Synopsis
This unit explores how contact centres handle complaints. It covers escalation.
Key Concepts & Core Principles
- Escalation: passing a complaint to someone with more authority.
Examiner Marking Points
- Award credit for identifying two complaint channels.
- Award credit for explaining when to escalate a complaint.
- Award credit for describing a service recovery strategy.
"""


def test_importing_the_seed_folder_creates_every_topic(seeds_dir):
    report = import_seed_paths(paths=[seeds_dir])

    assert report.summary == "created 5, updated 0, unchanged 0, failed 0"
    assert Topic.objects.count() == 5
    assert MarkingPoint.objects.count() == 4 + 4 + 8 + 8 + 3
    topic = Topic.objects.get(source_file="001_ff5e01d8a45115a3.txt")
    assert topic.title == "Understand customers and customer retention"
    assert topic.qualification.name == "iCQ Level 3 Diploma in Customer Service (RQF)"
    assert topic.qualification.awarding_body == "iCan Qualifications Limited"
    assert list(topic.marking_points.values_list("position", flat=True)) == [1, 2, 3, 4]
    assert "CRM" in topic.search_document


def test_reimporting_unchanged_files_changes_nothing(seeds_dir):
    import_seed_paths(paths=[seeds_dir])
    before = list(Topic.objects.values_list("pk", "slug", "updated_at", "content_hash"))
    points_before = list(MarkingPoint.objects.values_list("pk", "text"))

    report = import_seed_paths(paths=[seeds_dir])

    assert report.summary == "created 0, updated 0, unchanged 5, failed 0"
    assert list(Topic.objects.values_list("pk", "slug", "updated_at", "content_hash")) == before
    assert list(MarkingPoint.objects.values_list("pk", "text")) == points_before


def test_changed_file_updates_topic_in_place_and_keeps_marking_point_ids():
    first = import_seed_bytes(source_name="900_small.txt", data=SMALL_SEED)
    topic = first.topic
    kept = topic.marking_points.get(position=2)
    changed = SMALL_SEED.replace(
        b"- Award credit for identifying two complaint channels.\n",
        b"- Award credit for naming a complaint log.\n",
    ).replace(b"Escalation: passing", b"Escalation: handing")

    result = import_seed_bytes(source_name="900_small.txt", data=changed)

    assert result.status == "updated"
    assert result.retired_points == 1
    topic.refresh_from_db()
    assert result.topic.pk == topic.pk
    assert topic.slug == first.topic.slug
    # "explaining when to escalate" is still there: the same row, so answers stay attached.
    kept.refresh_from_db()
    assert kept.retired_at is None
    assert kept.position == 2
    active = list(topic.marking_points.active().values_list("text", flat=True))
    assert active == [
        "Award credit for naming a complaint log.",
        "Award credit for explaining when to escalate a complaint.",
        "Award credit for describing a service recovery strategy.",
    ]
    assert KeyConcept.objects.get(topic=topic).explanation.startswith("handing")


def test_removed_marking_point_is_retired_not_deleted_and_returns_if_restored():
    topic = import_seed_bytes(source_name="900_small.txt", data=SMALL_SEED).topic
    removed = topic.marking_points.get(position=3)
    without = SMALL_SEED.replace(
        b"- Award credit for describing a service recovery strategy.\n", b""
    )

    import_seed_bytes(source_name="900_small.txt", data=without)

    removed.refresh_from_db()
    assert removed.retired_at is not None
    assert topic.marking_points.active().count() == 2
    assert MarkingPoint.objects.filter(pk=removed.pk).exists()

    import_seed_bytes(source_name="900_small.txt", data=SMALL_SEED)

    removed.refresh_from_db()
    assert removed.retired_at is None
    assert removed.position == 3


def test_admin_chosen_title_survives_reimport_of_a_changed_file():
    topic = import_seed_bytes(source_name="900_small.txt", data=SMALL_SEED).topic
    Topic.objects.filter(pk=topic.pk).update(title="Handling complaints")

    import_seed_bytes(
        source_name="900_small.txt", data=SMALL_SEED + b"- Award credit for one more.\n"
    )

    topic.refresh_from_db()
    assert topic.title == "Handling complaints"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b"\x00\x01\x02\x03binary", "binary"),
        (b"Some notes\nwith no headings at all\n", "no recognisable sections"),
        (b"Topic Synopsis\nA synopsis.\nKey Concepts\n- A: b\n", "no examiner marking points"),
    ],
)
def test_bad_file_is_reported_and_the_rest_still_import(tmp_path, seeds_dir, data, reason):
    (tmp_path / "bad.txt").write_bytes(data)
    (tmp_path / "good.txt").write_bytes(SMALL_SEED)

    report = import_seed_paths(paths=[tmp_path])

    assert report.summary == "created 1, updated 0, unchanged 0, failed 1"
    (failure,) = report.failed
    assert failure.line.startswith("bad.txt: ")
    assert reason in failure.message
    assert list(Topic.objects.values_list("source_file", flat=True)) == ["good.txt"]


def test_failed_reimport_leaves_the_existing_topic_untouched():
    topic = import_seed_bytes(source_name="900_small.txt", data=SMALL_SEED).topic

    result = import_seed_bytes(source_name="900_small.txt", data=b"no sections any more")

    assert result.status == "failed"
    topic.refresh_from_db()
    assert topic.marking_points.active().count() == 3


def test_latin1_file_imports_with_its_accents(tmp_path):
    text = SMALL_SEED.decode().replace("contact centres", "caf\u00e9s and contact centres")
    (tmp_path / "latin1.txt").write_bytes(text.encode("latin-1"))

    (result,) = import_seed_paths(paths=[tmp_path]).results

    assert result.status == "created"
    assert "caf\u00e9s" in result.topic.synopsis
    assert any("not valid UTF-8" in warning for warning in result.warnings)


def test_crlf_file_with_bullet_characters_imports(tmp_path):
    data = SMALL_SEED.decode().replace("- ", "\u2022 ").replace("\n", "\r\n").encode()
    (tmp_path / "crlf.txt").write_bytes(data)

    (result,) = import_seed_paths(paths=[tmp_path]).results

    assert result.status == "created"
    assert result.topic.marking_points.count() == 3
    assert not any("\r" in p.text for p in result.topic.marking_points.all())


def test_oversized_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.write(SMALL_SEED)
        handle.seek(3 * 1024 * 1024)
        handle.write(b"\n")
    opened = []
    real_open = type(big).open

    def spy_open(self, *args, **kwargs):
        opened.append(self.name)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(type(big), "open", spy_open)

    result = import_seed_file(path=big)

    assert result.status == "failed"
    assert "3.0 MB" in result.message and "2 MB" in result.message
    assert opened == []
    assert not Topic.objects.exists()


@override_settings(SEED_MAX_BYTES=100)
def test_size_limit_is_also_enforced_on_bytes():
    result = import_seed_bytes(source_name="x.txt", data=SMALL_SEED)

    assert result.status == "failed"
    assert "limited to" in result.message


def test_dry_run_reports_but_writes_nothing(seeds_dir):
    report = import_seed_paths(paths=[seeds_dir], dry_run=True)

    assert report.summary == "created 5, updated 0, unchanged 0, failed 0"
    assert not Topic.objects.exists()
    assert not Qualification.objects.exists()


def test_missing_path_is_a_failure_named_by_its_path(tmp_path):
    report = import_seed_paths(paths=[tmp_path / "nope.txt"])

    assert report.summary == "created 0, updated 0, unchanged 0, failed 1"
    assert report.failed[0].line == f"{tmp_path / 'nope.txt'}: no such file or folder"


def test_two_topics_with_the_same_title_get_distinct_slugs():
    first = import_seed_bytes(source_name="a.txt", data=SMALL_SEED).topic
    second = import_seed_bytes(source_name="b.txt", data=SMALL_SEED).topic

    assert first.slug != second.slug
    assert second.slug == f"{first.slug}-2"


def test_an_imported_topics_search_column_is_what_its_stored_sections_give(imported_seeds):
    """A new topic's search text is built from the rows the import just inserted, not read
    back: it must equal the text rebuilt from the database, section by section."""
    from topics.services import refresh_search_document

    for topic in Topic.objects.all():
        imported = topic.search_document
        topic.search_document = ""
        refresh_search_document(topic)  # no rows given: every section read from the database
        assert topic.search_document == imported, topic.source_file
        assert Topic.objects.get(pk=topic.pk).search_document == imported


def test_a_new_topics_import_reads_no_section_back_for_its_search_column(seed_bytes):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        result = import_seed_bytes(source_name="001_x.txt", data=seed_bytes("001"))

    assert result.status == "created"
    section_tables = [model._meta.db_table for model in (KeyConcept, MarkingPoint)]
    section_reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and any(f'FROM "{t}"' in q["sql"] for t in section_tables)
    ]
    # The question bank (assessments) reads the points and concepts it builds from: once each.
    assert len(section_reads) == 2
