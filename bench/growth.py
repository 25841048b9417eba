"""The growth curve: the same pages at two dataset sizes, side by side.

Pure functions on the figures ``bench/run.py`` writes to ``results.json`` (no database, no
server), so the table and its flags are tested on their own (revision_portal/tests/
test_bench_growth.py). A page's figures are a dict with ``rps``, ``ratio`` (throughput over the
baseline view's in the same run), ``p50_ms``/``p95_ms``/``p99_ms`` and ``queries`` (per request,
counted in-process); a page or figure that was not measured is ``{"measured": False, "reason":
...}`` and is shown as such, never as a number.
"""

from __future__ import annotations

# Issue 13's growth target: at ten times the data no page keeps less than 80% of its ratio.
MAX_RATIO_LOSS = 0.2

# What grows with --scale: the dataset. Load, durations and the import measurement stay put so
# that the two sizes are compared under the same load.
SCALED_KEYS = ("topics", "learners", "cohorts", "answers")

PAGE_LABELS = {
    "baseline": "baseline (`/bench/baseline/`)",
    "topic_page": "topic page (anonymous, every topic in turn)",
    "search": "search (8 queries in turn)",
    "quiz_home": "quiz home (`/quizzes/`)",
    "quiz_question": "quiz question page",
    "submit_answer": "submit an answer (POST, 302)",
    "progress": "learner's progress",
    "today_page": "Today page",
    "flashcard_rate": "rate a flashcard (POST, 302)",
    "cohort_page": "tutor's cohort page (50 learners)",
    "assignment_page": "tutor's assignment page (50 learners)",
}


def not_measured(reason: str) -> dict:
    """The figures of a row that has no measurement, with the reason shown in its place."""
    return {"measured": False, "reason": reason}


def is_measured(figures: dict | None) -> bool:
    return bool(figures) and figures.get("measured", True)


def scaled_plan(plan: dict, scale: int) -> dict:
    """``plan`` with its dataset sizes multiplied by ``scale``; load and durations unchanged."""
    if scale < 1:
        raise ValueError(f"scale must be a whole number >= 1, not {scale}")
    scaled = dict(plan)
    for key in SCALED_KEYS:
        scaled[key] = plan[key] * scale
    scaled["scale"] = scale
    return scaled


def parse_scales(text: str) -> list[int]:
    """``"1,10"`` → ``[1, 10]``: two or more distinct whole scales >= 1, in the order given."""
    try:
        scales = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"--compare wants whole numbers such as 1,10, not {text!r}") from None
    if len(scales) < 2 or len(set(scales)) != len(scales) or min(scales) < 1:
        raise ValueError(f"--compare wants two or more distinct scales >= 1, not {text!r}")
    return scales


def ratio_loss(small: float | None, large: float | None) -> float | None:
    """The share of its ratio a page loses at the larger size: 0.25 lost a quarter, < 0 gained."""
    if small is None or large is None or small <= 0:
        return None
    return round(1 - large / small, 3)


def growth_rows(small: dict, large: dict, *, max_loss: float = MAX_RATIO_LOSS) -> list[dict]:
    """One row per page found in either run's ``pages``, in the smaller run's order.

    Each row has the page, both sizes' figures, ``loss`` (see ``ratio_loss``) and ``flags``:
    ``ratio`` when the page loses more than ``max_loss`` of its ratio, ``queries`` when its
    query count per request differs between the sizes, ``unmeasured`` when either size has no
    figure for it.
    """
    names = list(small.get("pages", {}))
    names += [name for name in large.get("pages", {}) if name not in names]
    rows = []
    for name in names:
        a = small.get("pages", {}).get(name) or not_measured("not run at this size")
        b = large.get("pages", {}).get(name) or not_measured("not run at this size")
        flags = []
        loss = None
        if is_measured(a) and is_measured(b):
            loss = ratio_loss(a.get("ratio"), b.get("ratio"))
            if loss is not None and loss > max_loss:
                flags.append("ratio")
            if a.get("queries") != b.get("queries"):
                flags.append("queries")
        else:
            flags.append("unmeasured")
        rows.append({"page": name, "small": a, "large": b, "loss": loss, "flags": flags})
    return rows


def _cell(figures: dict, key: str, fmt: str) -> str:
    value = figures.get(key)
    return "—" if value is None else format(value, fmt)


def _flag_text(row: dict, max_loss: float) -> str:
    parts = []
    if "ratio" in row["flags"]:
        parts.append(f"loses {row['loss']:.0%} of its ratio (> {max_loss:.0%})")
    if "queries" in row["flags"]:
        parts.append(f"query count {row['small'].get('queries')} → {row['large'].get('queries')}")
    for side in ("small", "large"):
        if not is_measured(row[side]):
            parts.append(f"not measured: {row[side]['reason']}")
            break
    return "; ".join(parts) or "ok"


def growth_table(
    rows: list[dict], small_scale: int, large_scale: int, *, max_loss: float = MAX_RATIO_LOSS
) -> str:
    """The rows as a markdown table: ratios, p95 and query counts at both sizes, and flags."""
    s, g = f"{small_scale}×", f"{large_scale}×"
    lines = [
        f"| page | × baseline {s} | × baseline {g} | change | req/s {s} | req/s {g} "
        f"| p95 ms {s} | p95 ms {g} | queries {s} | queries {g} | flag |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        a, b = row["small"], row["large"]
        change = "—" if row["loss"] is None else f"{0 - row['loss']:+.0%}".replace("+0%", "0%")
        cells = [PAGE_LABELS.get(row["page"], row["page"])]
        if is_measured(a) or is_measured(b):
            cells += [
                _cell(a, "ratio", ".2f"),
                _cell(b, "ratio", ".2f"),
                change,
                _cell(a, "rps", ",.1f"),
                _cell(b, "rps", ",.1f"),
                _cell(a, "p95_ms", ".1f"),
                _cell(b, "p95_ms", ".1f"),
                _cell(a, "queries", "d"),
                _cell(b, "queries", "d"),
            ]
        else:
            cells += ["not measured"] * 2 + ["—"] * 7
        cells.append(_flag_text(row, max_loss))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def figures_table(runs: dict[int, dict], labels: dict[str, str]) -> str:
    """Other figures (``extras``: a value and unit, or not measured) at every size, side by side."""
    scales = sorted(runs)
    lines = [
        "| figure | " + " | ".join(f"{scale}×" for scale in scales) + " |",
        "| --- |" + " ---: |" * len(scales),
    ]
    names = []
    for scale in scales:
        names += [n for n in runs[scale].get("extras", {}) if n not in names]
    for name in names:
        cells = []
        for scale in scales:
            figure = runs[scale].get("extras", {}).get(name) or not_measured("not run")
            if is_measured(figure):
                cells.append(f"{figure['value']:,} {figure['unit']}")
            else:
                cells.append(f"not measured: {figure['reason']}")
        lines.append(f"| {labels.get(name, name)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
