import math

import pytest

from assessments.calibration import Agreement, agreement, cohens_kappa


def pairs(tp, fp, fn, tn):
    return [(True, True)] * tp + [(False, True)] * fp + [(True, False)] * fn + [(False, False)] * tn


def test_known_table():
    # po = 0.7; reference yes 0.6, candidate yes 0.5 -> pe = 0.5; kappa = (0.7 - 0.5) / 0.5
    result = agreement(pairs(20, 5, 10, 15))
    assert result.n == 50
    assert result.accuracy == pytest.approx(0.7)
    assert result.kappa == pytest.approx(0.4)
    assert result.confusion == {"tp": 20, "fp": 5, "fn": 10, "tn": 15}


def test_second_known_table():
    # po = 0.8; reference yes 0.6, candidate yes 0.5 -> pe = 0.5; kappa = 0.3 / 0.5 = 0.6
    assert agreement(pairs(45, 5, 15, 35)).kappa == pytest.approx(0.6)
    # po = 0.6; reference yes 0.7, candidate yes 0.6 -> pe = 0.54; kappa = 0.06 / 0.46
    assert cohens_kappa(45, 15, 25, 15) == pytest.approx(0.06 / 0.46)


def test_perfect_and_chance_and_worse_than_chance():
    assert agreement(pairs(10, 0, 0, 10)).kappa == pytest.approx(1.0)
    assert agreement(pairs(5, 5, 5, 5)).kappa == pytest.approx(0.0)
    assert agreement(pairs(0, 10, 10, 0)).kappa == pytest.approx(-1.0)


@pytest.mark.parametrize(
    ("table", "kappa"),
    [
        ((10, 0, 0, 0), 1.0),  # everything credited by both: agreement, kappa undefined -> 1
        ((0, 0, 0, 10), 1.0),  # nothing credited by both
        ((0, 0, 10, 0), 0.0),  # reference all yes, candidate all no
        ((0, 10, 0, 0), 0.0),
        ((0, 0, 0, 0), 0.0),  # empty
    ],
)
def test_degenerate_tables_do_not_divide_by_zero(table, kappa):
    result = agreement(pairs(*table))
    assert result.kappa == pytest.approx(kappa)
    assert not math.isnan(result.accuracy)


def test_empty_input():
    result = agreement([])
    assert result == Agreement(0, 0.0, 0.0, {"tp": 0, "fp": 0, "fn": 0, "tn": 0})


def test_accepts_any_truthy_values_and_generators():
    result = agreement((x, y) for x, y in [(1, 1), (0, 0), ("yes", ""), (None, True)])
    assert result.confusion == {"tp": 1, "fp": 1, "fn": 1, "tn": 1}
    assert result.to_dict()["n"] == 4
