"""The decision: a calibrated probability that an examiner would give credit, from the channels.

A logistic regression over the evidence channels' features, fitted on pooled labelled answers by
``make train-marker`` (``train_decision_model``) and shipped as a small versioned JSON file. The
fit is deterministic (Newton's method from zero, fixed ridge, rounded weights, sorted JSON), so
rebuilding it from the same data gives the same bytes.

No feature measures how long the answer is: in small labelled sets credited answers are longer,
and a length feature would learn that instead of the topic.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

__all__ = [
    "DECISION_MODEL_PATH",
    "DecisionModel",
    "load_decision_model",
    "train_decision_model",
]

DECISION_MODEL_PATH = Path(__file__).resolve().parent / "data" / "decision.json"
RIDGE = 1.0
ITERATIONS = 50


@dataclass(frozen=True)
class DecisionModel:
    """Weights per feature name, an intercept, and the band of probabilities called unsure."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    intercept: float
    threshold: float = 0.5
    unsure_low: float = 0.25
    unsure_high: float = 0.75
    sha256: str = ""

    @cached_property
    def _weight_of(self) -> dict[str, float]:
        return dict(zip(self.features, self.weights, strict=True))

    def probability(self, values: Mapping[str, float]) -> float:
        """P(credit) for one answer's features (missing features count as 0, features the
        model does not know are ignored)."""
        z = self.intercept + self.contribution(values, self._weight_of)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def contribution(self, values: Mapping[str, float], names: Collection[str]) -> float:
        """What the features ``names`` add to the log-odds of credit for these ``values``."""
        weight_of = self._weight_of
        # Over the answer's values, not the model's features: a criterion point's dozen
        # values, not the hundreds of weights reference-answer points use.
        return sum(
            weight_of[name] * float(value)
            for name, value in values.items()
            if name in names and name in weight_of
        )

    def to_json(self, trained_on: Mapping[str, int] | None = None) -> str:
        """The shipped file's text: stable key order and rounding, so rebuilds are identical."""
        data = {
            "format": 1,
            "features": list(self.features),
            "weights": [round(w, 6) for w in self.weights],
            "intercept": round(self.intercept, 6),
            "threshold": self.threshold,
            "unsure_low": self.unsure_low,
            "unsure_high": self.unsure_high,
            "trained_on": dict(sorted((trained_on or {}).items())),
        }
        return json.dumps(data, indent=2, sort_keys=True) + "\n"


def _from_text(text: str, origin: str) -> DecisionModel:
    try:
        data = json.loads(text)
        features = tuple(str(f) for f in data["features"])
        weights = tuple(float(w) for w in data["weights"])
        if len(features) != len(weights):
            raise ValueError("features and weights differ in length")
        return DecisionModel(
            features=features,
            weights=weights,
            intercept=float(data["intercept"]),
            threshold=float(data.get("threshold", 0.5)),
            unsure_low=float(data.get("unsure_low", 0.25)),
            unsure_high=float(data.get("unsure_high", 0.75)),
            sha256=hashlib.sha256(text.encode()).hexdigest(),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{origin}: not a decision model file ({error})") from error


@lru_cache(maxsize=4)
def load_decision_model(path: Path = DECISION_MODEL_PATH) -> DecisionModel:
    """Read a decision model file; raises ``ValueError`` naming the file if it is unusable."""
    return _from_text(Path(path).read_text(encoding="utf-8"), str(path))


def train_decision_model(
    rows: Sequence[Mapping[str, float]],
    labels: Sequence[bool],
    features: Sequence[str],
    groups: Sequence[str] | None = None,
) -> DecisionModel:
    """Fit the logistic regression (ridge-penalised, by Newton's method) to labelled rows.

    Classes are weighted equally, so a set where most answers are wrong does not teach the
    model to refuse by default; so are ``groups`` (the development set of each row), so that
    thousands of science answers do not drown a few hundred vocational ones.
    """
    x = np.array([[float(r.get(f, 0.0)) for f in features] for r in rows], dtype=np.float64)
    x = np.hstack([np.ones((len(rows), 1)), x])
    y = np.array([1.0 if label else 0.0 for label in labels])
    positives = max(1.0, y.sum())
    negatives = max(1.0, len(y) - y.sum())
    sample_weight = np.where(y > 0, len(y) / (2 * positives), len(y) / (2 * negatives))
    if groups is not None:
        sizes = {g: sum(1 for h in groups if h == g) for g in set(groups)}
        sample_weight = sample_weight * np.array([len(y) / (len(sizes) * sizes[g]) for g in groups])
    penalty = np.eye(x.shape[1]) * RIDGE
    penalty[0, 0] = 0.0  # the intercept is not shrunk
    beta = np.zeros(x.shape[1])
    for _ in range(ITERATIONS):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ beta, -30, 30)))
        gradient = x.T @ (sample_weight * (p - y)) + penalty @ beta
        hessian = (x * (sample_weight * p * (1 - p))[:, None]).T @ x + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return DecisionModel(
        features=tuple(features),
        weights=tuple(float(b) for b in beta[1:]),
        intercept=float(beta[0]),
    )
