"""The pure ordering rules behind the admin's Up/Down buttons and dragging."""

import pytest

from topics.ordering import MoveRequest, moved_order, parse_move, parse_order


@pytest.mark.parametrize(
    "value, expected",
    [
        ("key_concepts-12-up", MoveRequest("key_concepts", 12, "up")),
        ("marking_points-3-down", MoveRequest("marking_points", 3, "down")),
        ("key_concepts-12-left", None),
        ("key_concepts-x-up", None),
        ("-12-up", None),
        ("", None),
    ],
)
def test_parse_move(value, expected):
    assert parse_move(value) == expected


def test_moved_order_swaps_with_the_neighbour_and_stops_at_the_ends():
    assert moved_order([1, 2, 3], 2, "up") == [2, 1, 3]
    assert moved_order([1, 2, 3], 2, "down") == [1, 3, 2]
    assert moved_order([1, 2, 3], 1, "up") is None
    assert moved_order([1, 2, 3], 3, "down") is None
    assert moved_order([1, 2, 3], 9, "up") is None


def test_parse_order_accepts_only_a_rearrangement_of_the_same_rows():
    assert parse_order("3, 1,2", [1, 2, 3]) == [3, 1, 2]
    assert parse_order("1,2,3", [1, 2, 3]) is None  # unchanged
    assert parse_order("1,2", [1, 2, 3]) is None
    assert parse_order("1,2,2", [1, 2, 3]) is None
    assert parse_order("1,2,4", [1, 2, 3]) is None
    assert parse_order("a,b", [1, 2]) is None
