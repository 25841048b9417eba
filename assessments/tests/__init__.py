"""Tests for the pure rubric builder, marker and calibration statistics (no database needed)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings

from topics.parsing import SeedDocument, parse_seed_text

DATA_DIR = Path(__file__).resolve().parent / "data"
LABELLED_CSV = DATA_DIR / "labelled_answers.csv"


def seeds_dir() -> Path:
    """The seed topic documents (``settings.SEEDS_DIR``)."""
    return settings.SEEDS_DIR


@lru_cache(maxsize=1)
def seed_documents() -> dict[str, SeedDocument]:
    """File name -> parsed document, for every seed file. Tests are parametrised over these,
    so finding none is an error, not an empty (and silently passing) parametrisation."""
    documents = {
        path.name: parse_seed_text(path.read_text(encoding="utf-8"))
        for path in sorted(seeds_dir().glob("*.txt"))
    }
    if not documents:
        raise FileNotFoundError(f"no seed documents (*.txt) in {seeds_dir()}")
    return documents


def marking_point(source: str, point: int) -> str:
    """The text of marking point ``point`` (1-based, document order) of seed file ``source``."""
    return seed_documents()[source].marking_points[point - 1]
