"""The benchmark's pure helpers: the growth-curve table (bench/growth.py) and COPY text
(bench/pgcopy.py). The benchmark itself needs PostgreSQL, gunicorn and wrk (`make bench-quick`);
these pin what it prints and flags from given figures."""

import datetime
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from growth import (  # noqa: E402
    figures_table,
    growth_rows,
    growth_table,
    not_measured,
    parse_scales,
    ratio_loss,
    scaled_plan,
)
from pgcopy import CopyText, copy_line, copy_value, json_field  # noqa: E402


def page(ratio, queries, rps=100.0):
    return {
        "rps": rps,
        "ratio": ratio,
        "p50_ms": 5.0,
        "p95_ms": 9.0,
        "p99_ms": 12.0,
        "queries": queries,
    }


def test_scaled_plan_multiplies_the_dataset_and_keeps_the_load():
    plan = {
        "topics": 200,
        "learners": 2000,
        "cohorts": 40,
        "answers": 200_000,
        "import_files": 1000,
        "duration": 15,
        "learner_sessions": 16,
    }
    ten = scaled_plan(plan, 10)
    assert (ten["topics"], ten["learners"], ten["cohorts"], ten["answers"]) == (
        2000,
        20_000,
        400,
        2_000_000,
    )
    assert ten["import_files"] == 1000
    assert ten["duration"] == 15
    assert ten["learner_sessions"] == 16
    assert ten["scale"] == 10
    assert plan["topics"] == 200  # the base plan is left alone


def test_scaled_plan_refuses_a_scale_below_one():
    with pytest.raises(ValueError):
        scaled_plan({"topics": 1, "learners": 1, "cohorts": 1, "answers": 1}, 0)


@pytest.mark.parametrize("text, scales", [("1,10", [1, 10]), ("1, 2, 5", [1, 2, 5])])
def test_parse_scales(text, scales):
    assert parse_scales(text) == scales


@pytest.mark.parametrize("text", ["10", "1,1", "0,10", "one,ten", ""])
def test_parse_scales_rejects_bad_lists_with_a_message(text):
    with pytest.raises(ValueError, match="--compare"):
        parse_scales(text)


def test_ratio_loss():
    assert ratio_loss(0.5, 0.4) == 0.2
    assert ratio_loss(0.5, 0.6) == -0.2
    assert ratio_loss(None, 0.4) is None
    assert ratio_loss(0.0, 0.4) is None


def test_growth_rows_flag_a_lost_ratio_and_a_changed_query_count():
    small = {
        "pages": {
            "baseline": page(1.0, 0),
            "topic_page": page(0.5, 1),
            "progress": page(0.2, 9),
            "cohort_page": page(0.1, 7),
        }
    }
    large = {
        "pages": {
            "baseline": page(1.0, 0),
            "topic_page": page(0.45, 1),
            "progress": page(0.15, 9),
            "cohort_page": page(0.1, 8),
        }
    }
    rows = {row["page"]: row for row in growth_rows(small, large)}
    assert rows["baseline"]["flags"] == []
    assert rows["topic_page"]["flags"] == []  # lost 10%: within the 20% allowed
    assert rows["topic_page"]["loss"] == 0.1
    assert rows["progress"]["flags"] == ["ratio"]  # lost 25%
    assert rows["cohort_page"]["flags"] == ["queries"]


def test_growth_rows_keep_the_smaller_runs_order_and_add_pages_only_the_larger_has():
    small = {"pages": {"baseline": page(1.0, 0), "search": page(0.1, 2)}}
    large = {
        "pages": {"search": page(0.1, 2), "baseline": page(1.0, 0), "today_page": page(0.3, 4)}
    }
    rows = growth_rows(small, large)
    assert [row["page"] for row in rows] == ["baseline", "search", "today_page"]
    assert rows[2]["flags"] == ["unmeasured"]
    assert rows[2]["small"]["measured"] is False


def test_growth_table_prints_not_measured_with_the_reason_never_a_number():
    reason = "no Today page in this build (GET /today/ as a learner: HTTP 404)"
    small = {"pages": {"baseline": page(1.0, 0), "today_page": not_measured(reason)}}
    large = {"pages": {"baseline": page(1.0, 0), "today_page": not_measured(reason)}}
    table = growth_table(growth_rows(small, large), 1, 10)
    today = next(line for line in table.splitlines() if line.startswith("| Today page"))
    assert "not measured" in today
    assert reason in today
    assert not any(char.isdigit() for char in today.replace(reason, ""))


def test_growth_table_shows_both_sizes_side_by_side_with_the_flags():
    small = {"pages": {"progress": page(0.2, 9, rps=300.0)}}
    large = {"pages": {"progress": page(0.15, 11, rps=210.0)}}
    table = growth_table(growth_rows(small, large), 1, 10)
    header, rule, row = table.splitlines()
    assert "× baseline 1×" in header and "× baseline 10×" in header
    assert "queries 1×" in header and "queries 10×" in header
    assert row == (
        "| learner's progress | 0.20 | 0.15 | -25% | 300.0 | 210.0 | 9.0 | 9.0 | 9 | 11 "
        "| loses 25% of its ratio (> 20%); query count 9 → 11 |"
    )


def test_figures_table_puts_sizes_in_columns_and_reasons_in_unmeasured_cells():
    runs = {
        1: {
            "extras": {
                "import": {"value": 9.8, "unit": "documents/s"},
                "workers": not_measured("no job queue in this build"),
            }
        },
        10: {
            "extras": {
                "import": not_measured("measured once, at 1×"),
                "workers": not_measured("no job queue in this build"),
            }
        },
    }
    lines = figures_table(runs, {"import": "import"}).splitlines()
    assert lines[0] == "| figure | 1× | 10× |"
    assert lines[2] == "| import | 9.8 documents/s | not measured: measured once, at 1× |"
    assert lines[3] == (
        "| workers | not measured: no job queue in this build "
        "| not measured: no job queue in this build |"
    )


def test_copy_value_escapes_what_copy_text_format_reserves():
    assert copy_value(None) == "\\N"
    assert copy_value(True) == "t"
    assert copy_value(False) == "f"
    assert copy_value(42) == "42"
    assert copy_value("a\tb\nc\\d\re") == "a\\tb\\nc\\\\d\\re"
    assert copy_value("\\N") == "\\\\N"  # the text \N, not a NULL


def test_json_field_is_serialised_and_escaped_once_then_written_as_it_is():
    field = json_field({"answer": "line one\nline two"})
    # json.dumps writes the newline as backslash-n; COPY needs that backslash doubled.
    assert field == '{"answer": "line one\\\\nline two"}'
    assert copy_value(field) == field
    assert copy_value(CopyText("a\\tb")) == "a\\tb"
    assert copy_value({"a": [1, None]}) == '{"a": [1, null]}'


def test_copy_value_keeps_the_time_zone_and_refuses_naive_datetimes():
    moment = datetime.datetime(2026, 11, 27, 18, 0, tzinfo=datetime.UTC)
    assert copy_value(moment) == "2026-11-27T18:00:00+00:00"
    with pytest.raises(ValueError):
        copy_value(datetime.datetime(2026, 11, 27, 18, 0))  # noqa: DTZ001


def test_copy_line_joins_with_tabs_and_ends_the_row():
    assert copy_line([1, None, "x y", False]) == "1\t\\N\tx y\tf\n"


def test_targets_say_not_measured_for_a_missing_page_and_the_job_queue():
    import run

    figures = {
        "plan": {"tutor_sessions": 8},
        "pages": {
            "topic_page": page(0.6, 1),
            "submit_answer": not_measured("no answer could be submitted"),
            "cohort_page": {**page(0.01, 7), "p95_ms": 320.0},
        },
        "cohort_page_single_user": {"p95_ms": 150.0},
        "marker": {"p99_ms": 0.8},
        "import": not_measured("measured once, at 1×"),
    }
    rows = {row["target"]: row for row in run.targets(figures)}
    assert rows["topic_page >= 0.5x baseline throughput"]["met"] is True
    submit = rows["submit_answer >= 0.3x baseline throughput"]
    assert submit["met"] is None
    assert submit["measured"] == "not measured: no answer could be submitted"
    assert rows["cohort page p95 < 300 ms (50 learners, 8 tutors at once)"]["met"] is False
    unmeasured = [row for row in rows.values() if row["met"] is None]
    assert len(unmeasured) == 3  # submit, worker throughput, submit → marks
    assert not any("import" in target for target in rows)
