"""Agreement statistics between two markers (for example a human examiner and the auto-marker).

Pure functions over ``(first, second)`` boolean pairs, where True means "credit awarded".
Degenerate inputs (no pairs, or every pair in one class) never raise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Agreement", "agreement", "cohens_kappa"]


@dataclass(frozen=True)
class Agreement:
    """How far two markers agree.

    ``confusion`` counts pairs with the first marker as reference: ``tp`` both credit, ``tn``
    neither, ``fp`` second credits where first did not, ``fn`` second withholds where first
    credited. ``kappa`` is Cohen's kappa (1.0 perfect, 0.0 chance level, below 0 worse).
    """

    n: int
    accuracy: float
    kappa: float
    confusion: dict[str, int]

    def to_dict(self) -> dict[str, object]:
        """JSON-safe form."""
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "kappa": self.kappa,
            "confusion": dict(self.confusion),
        }


def cohens_kappa(tp: int, fp: int, fn: int, tn: int) -> float:
    """Cohen's kappa for a 2x2 table.

    When expected agreement is 1 (both markers put everything in the same single class) kappa is
    undefined; this returns 1.0 if the markers agree on every item and 0.0 otherwise, which is
    what a reader of a calibration report expects rather than an error. Returns 0.0 for n == 0.
    """
    n = tp + fp + fn + tn
    if n == 0:
        return 0.0
    observed = (tp + tn) / n
    first_yes = (tp + fn) / n
    second_yes = (tp + fp) / n
    expected = first_yes * second_yes + (1 - first_yes) * (1 - second_yes)
    if expected >= 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - expected) / (1 - expected)


def agreement(pairs: Iterable[tuple[bool, bool]]) -> Agreement:
    """Accuracy, Cohen's kappa and the confusion counts for ``(reference, candidate)`` pairs.

    Takes any iterable of pairs of truthy values; returns an ``Agreement``. An empty input gives
    ``n=0``, accuracy 0.0 and kappa 0.0.
    """
    tp = fp = fn = tn = 0
    for reference, candidate in pairs:
        reference, candidate = bool(reference), bool(candidate)
        if reference and candidate:
            tp += 1
        elif candidate:
            fp += 1
        elif reference:
            fn += 1
        else:
            tn += 1
    n = tp + fp + fn + tn
    accuracy = (tp + tn) / n if n else 0.0
    return Agreement(
        n=n,
        accuracy=accuracy,
        kappa=cohens_kappa(tp, fp, fn, tn),
        confusion={"tp": tp, "fp": fp, "fn": fn, "tn": tn},
    )
