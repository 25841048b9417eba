"""Moving one entry of an ordered section up or down: pure functions on ids, no ORM.

The admin's up/down buttons submit ``_move=<inline prefix>-<pk>-<up|down>``; these functions
read that value and work out the new order, and ``topics.services.move_section_item`` writes it.
With JavaScript, rows can also be dragged: the page then posts the whole new order,
``_order-<inline prefix>=<pk>,<pk>,...`` (read by ``parse_order``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["up", "down"]


@dataclass(frozen=True)
class MoveRequest:
    """A request to move the entry ``pk`` of the inline formset ``prefix`` one place."""

    prefix: str
    pk: int
    direction: Direction


def parse_move(value: str) -> MoveRequest | None:
    """``"marking_points-12-up"`` -> ``MoveRequest("marking_points", 12, "up")``; anything
    malformed (a hand-edited request) -> None."""
    prefix, _, rest = (value or "").rpartition("-")
    direction = rest
    prefix, _, pk_text = prefix.rpartition("-")
    if not prefix or direction not in ("up", "down") or not pk_text.isdigit():
        return None
    return MoveRequest(prefix=prefix, pk=int(pk_text), direction=direction)


def moved_order(order: list[int], pk: int, direction: Direction) -> list[int] | None:
    """``order`` (ids, first to last) with ``pk`` swapped with its neighbour above or below.

    None when nothing moves: ``pk`` is not in the list, or is already first (up) or last
    (down)."""
    if pk not in order:
        return None
    index = order.index(pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(order):
        return None
    result = list(order)
    result[index], result[other] = result[other], result[index]
    return result


def parse_order(value: str, current: list[int]) -> list[int] | None:
    """A dragged order (``"12,10,11"``) as ids, if it is a rearrangement of exactly the ids in
    ``current``; None for anything else (stale, since rows were added or removed by someone
    else, or hand-edited) and when it changes nothing."""
    parts = [part.strip() for part in (value or "").split(",") if part.strip()]
    if not all(part.isdigit() for part in parts):
        return None
    order = [int(part) for part in parts]
    if len(order) != len(current) or set(order) != set(current) or order == current:
        return None
    return order
