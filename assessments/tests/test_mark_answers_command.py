import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

CSV = """source,point,answer,credit
000_7ea13c0c7803a35f.txt,1,"Contact management, interaction tracking and data analysis let staff store details, log calls and spot trends.",1
000_7ea13c0c7803a35f.txt,1,CRM is not about contact management or tracking interactions.,0
nope.txt,1,anything,1
000_7ea13c0c7803a35f.txt,9,anything,0
003_089f2672b73d4bee.txt,2,I used a calm and friendly tone with the customer.,1
"""


def run(path, *args) -> str:
    out = StringIO()
    call_command("mark_answers", str(path), *args, stdout=out)
    return out.getvalue()


def test_json_output_has_one_line_per_row_then_a_summary(tmp_path, imported_seeds):
    path = tmp_path / "answers.csv"
    path.write_text(CSV, encoding="utf-8")

    lines = [json.loads(line) for line in run(path, "--json").splitlines()]

    rows, summary = lines[:-1], lines[-1]["summary"]
    assert [row["row"] for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["awarded"] is True
    assert rows[0]["max"] == 3
    assert {"source", "point", "awarded", "score", "max", "evidence"} <= rows[0].keys()
    assert rows[0]["evidence"][0]["text"] in CSV
    assert rows[1]["awarded"] is False
    assert "unknown source 'nope.txt'" in rows[2]["error"]
    assert "there is no point 9" in rows[3]["error"]
    assert rows[4]["auto_markable"] is False
    assert summary["rows"] == 5 and summary["marked"] == 3 and summary["errors"] == 2
    agreement = summary["agreement"]
    assert agreement["n"] == 2  # the role-play row is the tutor's, not the marker's
    assert agreement["accuracy"] == 1.0
    assert agreement["excluded_not_auto_markable"] == 1
    assert agreement["disagreements"] == []


def test_table_output_reports_agreement(tmp_path, imported_seeds):
    path = tmp_path / "answers.csv"
    path.write_text(CSV, encoding="utf-8")

    output = run(path)

    assert "accuracy 1.000" in output
    assert "ERROR" in output


def test_missing_columns_are_named(tmp_path, imported_seeds):
    path = tmp_path / "bad.csv"
    path.write_text("topic,answer\nx,y\n", encoding="utf-8")

    with pytest.raises(CommandError, match="no source, point column"):
        run(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "absent.csv")


def test_bad_credit_value_is_reported_on_its_row(tmp_path, imported_seeds):
    path = tmp_path / "answers.csv"
    path.write_text("source,point,answer,credit\n000_7ea13c0c7803a35f.txt,1,x,maybe\n")

    (row,) = [json.loads(line) for line in run(path, "--json").splitlines()[:-1]]

    assert row["error"] == "credit must be 0 or 1, not 'maybe'"


def test_labelled_set_through_the_command_meets_the_agreement_floors(imported_seeds):
    """The command marks with the site's stored questions, so this checks the whole path."""
    from assessments.tests import LABELLED_CSV
    from assessments.tests.test_labelled_set import (
        PIPELINE_ACCURACY_FLOOR as ACCURACY_FLOOR,
    )
    from assessments.tests.test_labelled_set import (
        PIPELINE_KAPPA_FLOOR as KAPPA_FLOOR,
    )

    lines = run(LABELLED_CSV, "--json").splitlines()

    summary = json.loads(lines[-1])["summary"]
    assert len(lines) - 1 == summary["rows"] >= 120
    assert summary["errors"] == 0
    assert summary["agreement"]["accuracy"] >= ACCURACY_FLOOR
    assert summary["agreement"]["kappa"] >= KAPPA_FLOOR


def test_freshly_imported_topics_can_be_marked(tmp_path, seeds_dir):
    """A topic no test has seen before, imported now, gets questions the command can mark."""
    from topics.services import import_seed_bytes

    seed = (
        "Handle complaintsPearson Education Limited Revision\n\n"
        "    Topic Synopsis\n\n    This unit explores complaint handling.\n\n"
        "    PEARSON EDUCATION LIMITED\n\n"
        "    Assessment Criteria\n\n    Key criteria assessors look for\n\n"
        "    • Award credit for explaining when a complaint should be escalated.\n"
        "    • Award credit for identifying two ways to record a complaint (e.g., a complaint "
        "log, a CRM system).\n"
    )
    import_seed_bytes(source_name="900_new.txt", data=seed.encode())
    path = tmp_path / "new.csv"
    path.write_text(
        "source,point,answer\n"
        "900_new.txt,1,Escalate it to a manager when it is beyond your authority to resolve.\n"
        "900_new.txt,2,Write it in the complaint log and record it on the CRM system.\n",
        encoding="utf-8",
    )

    lines = [json.loads(line) for line in run(path, "--json").splitlines()]

    assert [row["row"] for row in lines[:-1]] == [1, 2]
    assert all("error" not in row for row in lines[:-1])
    assert lines[-1]["summary"]["marked"] == 2
