"""``eval_exemplars``: the learning curve over k tutor-marked exemplars, measured in memory."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Question, Response

LABELLED = Path(__file__).parent / "data" / "labelled_answers.csv"


def run(*args) -> str:
    out = StringIO()
    call_command("eval_exemplars", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def snapshot():
    return (
        list(Question.objects.order_by("pk").values_list("pk", "updated_at")),
        Response.objects.count(),
    )


@pytest.mark.django_db
def test_prints_one_row_per_k_on_the_same_answers_and_changes_nothing(imported_seeds):
    before = snapshot()
    lines = run(str(LABELLED), "--k", "0,1,3", "--rounds", "2", "--json").splitlines()
    rows = [json.loads(line) for line in lines]
    assert [row["k"] for row in rows[:-1]] == [0, 1, 3]
    # Every k is scored on the same held-out answers, so the rows compare like with like.
    assert len({row["n"] for row in rows[:-1]}) == 1
    assert rows[-1]["summary"]["rounds"] == 2
    assert all(0 <= row["accuracy"] <= 1 for row in rows[:-1])
    assert snapshot() == before


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_table(imported_seeds):
    args = (str(LABELLED), "--k", "0,1", "--rounds", "1", "--seed", "3", "--json")
    assert run(*args) == run(*args)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--k", "one"], "--k must be whole numbers"),
        (["--k", "-1"], "none negative"),
        (["--rounds", "0"], "--rounds must be at least 1"),
    ],
)
def test_bad_options_are_named(imported_seeds, args, message):
    with pytest.raises(CommandError, match=message):
        run(str(LABELLED), *args)


@pytest.mark.django_db
def test_a_missing_or_unusable_file_is_named(imported_seeds, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "nothing.csv"))
    unusable = tmp_path / "unknown.csv"
    unusable.write_text("source,point,answer,credit\nnope.txt,1,An answer.,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no row could be used"):
        run(str(unusable))
