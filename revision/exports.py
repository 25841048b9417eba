"""A learner's revision schedule as CSV rows or JSON: every card, its FSRS state, and the
reviews that made it (enough to rebuild it elsewhere with the ``fsrs`` package)."""

from __future__ import annotations

from collections.abc import Iterator

from revision.selectors import schedule_rows

CSV_HEADER = [
    "card_id",
    "topic",
    "kind",
    "content_key",
    "state",
    "step",
    "stability",
    "difficulty",
    "due",
    "last_review",
    "reviews",
    "retired",
    "review_history",
]


def _iso(value) -> str:
    return value.isoformat() if value else ""


def _card_dict(card, reviews) -> dict:
    return {
        "card_id": card.pk,
        "topic": card.topic.title,
        "topic_slug": card.topic.slug,
        "kind": card.kind,
        "content_key": card.content_key,
        "state": card.get_state_display(),
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": _iso(card.due),
        "last_review": _iso(card.last_review),
        "reps": card.reps,
        "retired": bool(card.retired_at),
        "reviews": [
            {
                "reviewed_at": _iso(log.reviewed_at),
                "rating": log.rating,
                "rating_name": log.get_rating_display(),
                "source": log.source,
                "duration_ms": log.duration_ms,
            }
            for log in reviews
        ],
    }


def schedule_json(learner) -> dict:
    cards, reviews = schedule_rows(learner)
    return {
        "learner": learner.username,
        "scheduler": "FSRS-6 (py-fsrs), default parameters, no fuzzing",
        "cards": [_card_dict(card, reviews.get(card.pk, [])) for card in cards],
    }


def schedule_csv_rows(learner) -> Iterator[list]:
    cards, reviews = schedule_rows(learner)
    yield CSV_HEADER
    for card in cards.iterator(chunk_size=2000):
        row = _card_dict(card, reviews.get(card.pk, []))
        history = "; ".join(
            f"{r['reviewed_at']} {r['rating_name']} ({r['source']})" for r in row["reviews"]
        )
        yield [
            row["card_id"],
            row["topic"],
            row["kind"],
            row["content_key"],
            row["state"],
            "" if row["step"] is None else row["step"],
            "" if row["stability"] is None else f"{row['stability']:.4f}",
            "" if row["difficulty"] is None else f"{row['difficulty']:.4f}",
            row["due"],
            row["last_review"],
            row["reps"],
            "yes" if row["retired"] else "no",
            history,
        ]
