from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from topics.models import Topic

pytestmark = pytest.mark.django_db


def run_import(*args) -> str:
    out = StringIO()
    call_command("import_seeds", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_import_twice_reports_created_then_unchanged():
    assert "created 5, updated 0, unchanged 0, failed 0" in run_import()
    assert "created 0, updated 0, unchanged 5, failed 0" in run_import()
    assert Topic.objects.count() == 5


def test_failures_are_listed_and_the_command_exits_with_an_error(tmp_path, seeds_dir):
    (tmp_path / "empty.txt").write_bytes(b"")
    err = StringIO()

    with pytest.raises(CommandError, match="1 file\\(s\\) failed"):
        call_command("import_seeds", str(tmp_path), str(seeds_dir), stdout=StringIO(), stderr=err)

    assert "empty.txt: the file is empty" in err.getvalue()
    assert Topic.objects.count() == 5


def test_dry_run_writes_nothing():
    output = run_import("--dry-run")

    assert "dry run (nothing written): created 5" in output
    assert not Topic.objects.exists()
