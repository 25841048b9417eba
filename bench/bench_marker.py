"""Benchmark the pure answer marker on one core.

Marks every labelled answer (assessments/tests/data/labelled_answers.csv) against its seed
marking point's rubric, repeatedly, and prints answers/s and p50/p95/p99 milliseconds per answer.
Rubrics are built once up front (as the app does when it seeds questions); the first pass is
reported separately because it fills the per-rubric caches (spelling vocabulary, phrases).

    python bench/bench_marker.py [--quick] [--rounds N] [--exemplars N] [--lexicon NAME]
                                 [--reference-answers] [--json PATH]

``--lexicon general`` reads every point as a qualification without a lexicon of its own is read:
with WordNet's synonyms and the semantic channel's sentence model. The time of the first
answer, which loads them, is reported as start-up.

``--reference-answers`` marks against each point's model answer written as the point ("Three
features of a CRM system are …"), as SemEval's questions and points written as reference answers
are marked: the path that reads the answer's meaning overlap with the sentence model (points
with no written model answer are left out).

With ``--exemplars N`` (default 200) every question first learns from N tutor-marked exemplars
(its labelled answers, each made distinct, credited as labelled), as a busy question would:
the relearn time per question (what a tutor's override waits for, leave-one-out agreement
included) and the per-answer figures with that learning applied are reported too.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assessments.lexicon import DEFAULT_LEXICON  # noqa: E402
from assessments.marking import MisconceptionSpec, get_marker, mark_answer  # noqa: E402
from assessments.marking.exemplars import Exemplar, learn_from_exemplars  # noqa: E402
from assessments.rubrics import build_rubric, write_model_answer  # noqa: E402
from topics.parsing import parse_seed_text  # noqa: E402

LABELLED = ROOT / "assessments" / "tests" / "data" / "labelled_answers.csv"


def _seeds_dir() -> Path:
    for candidate in (ROOT / "seeds", ROOT.parent / "shared" / "seeds"):
        if candidate.is_dir() and any(candidate.glob("*.txt")):
            return candidate
    raise SystemExit("no seed documents found in seeds/ or ../shared/seeds/")


def _percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds instead of 30")
    parser.add_argument("--rounds", type=int, default=None, help="passes over the answers")
    parser.add_argument(
        "--exemplars", type=int, default=200, help="exemplars per question (0: skip that part)"
    )
    parser.add_argument(
        "--lexicon", default=None, help="read every point with this lexicon (e.g. general)"
    )
    parser.add_argument(
        "--reference-answers",
        action="store_true",
        help="mark against each point's model answer written as the point",
    )
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args(argv)
    rounds = args.rounds or (3 if args.quick else 30)

    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        except OSError:
            pass  # not allowed here: the figures are still single-threaded

    documents = {
        path.name: parse_seed_text(path.read_text(encoding="utf-8"))
        for path in sorted(_seeds_dir().glob("*.txt"))
    }
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    work = []
    rubric_cache = {}
    marked_rows: dict[tuple[str, int], list[tuple[str, bool]]] = {}
    for row in rows:
        document = documents[row["source"]]
        key = (row["source"], int(row["point"]))
        if key not in rubric_cache:
            rubric_cache[key] = _rubric(
                document.marking_points[key[1] - 1],
                args.lexicon or DEFAULT_LEXICON,
                as_reference_answer=args.reference_answers,
            )
        if rubric_cache[key] is None:
            continue
        specs = tuple(MisconceptionSpec(m.statement, m.correction) for m in document.misconceptions)
        work.append((row["answer"], rubric_cache[key], specs, key))
        marked_rows.setdefault(key, []).append((row["answer"], row.get("credit", "") == "1"))

    def one_pass(learned: dict | None = None) -> list[float]:
        timings = []
        for answer, rubric, specs, key in work:
            learning = (learned or {}).get(key)
            start = time.perf_counter()
            mark_answer(answer, rubric, misconceptions=specs, learning=learning)
            timings.append((time.perf_counter() - start) * 1000.0)
        return timings

    first = work[0]
    start = time.perf_counter()
    mark_answer(first[0], first[1], misconceptions=first[2])
    startup_ms = (time.perf_counter() - start) * 1000.0
    cold = one_pass()
    timings: list[float] = []
    started = time.perf_counter()
    for _ in range(rounds):
        timings.extend(one_pass())
    elapsed = time.perf_counter() - started
    timings.sort()
    figures = {
        "answers": len(work),
        "rubrics": len(rubric_cache),
        "rounds": rounds,
        "marked": len(timings),
        "answers_per_second": round(len(timings) / elapsed, 1),
        "p50_ms": round(_percentile(timings, 0.50), 3),
        "p95_ms": round(_percentile(timings, 0.95), 3),
        "p99_ms": round(_percentile(timings, 0.99), 3),
        "max_ms": round(timings[-1], 3),
        "mean_ms": round(statistics.fmean(timings), 3),
        "cold_first_pass_p99_ms": round(_percentile(sorted(cold), 0.99), 3),
        "startup_ms": round(startup_ms, 1),
        "lexicon": args.lexicon or "as the question bank chooses",
        "points": "model answers as reference answers" if args.reference_answers else "criteria",
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    print(
        f"{figures['marked']} answers ({figures['answers']} x {rounds} rounds, "
        f"{figures['rubrics']} rubrics) on one core"
    )
    print(f"  {figures['answers_per_second']:,.0f} answers/s")
    print(
        f"  per answer: p50 {figures['p50_ms']:.2f} ms, p95 {figures['p95_ms']:.2f} ms, "
        f"p99 {figures['p99_ms']:.2f} ms, max {figures['max_ms']:.2f} ms"
    )
    print(f"  first (cache-filling) pass p99 {figures['cold_first_pass_p99_ms']:.2f} ms")
    print(f"  start-up (the first answer, loading the marker's data) {startup_ms:.0f} ms")
    if args.exemplars:
        figures.update(_with_exemplars(args.exemplars, rubric_cache, marked_rows, one_pass, rounds))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"  figures written to {args.json}")
    return 0


def _rubric(point: str, lexicon_name: str, *, as_reference_answer: bool):
    rubric = build_rubric(point, lexicon_name=lexicon_name)
    if not as_reference_answer:
        return rubric
    model_answer = write_model_answer(rubric)
    return build_rubric(model_answer, lexicon_name=lexicon_name) if model_answer else None


def _with_exemplars(count, rubrics, marked_rows, one_pass, rounds) -> dict:
    """Relearn each question from ``count`` exemplars (timed), then mark with what it learned."""
    marker = get_marker()
    learned, relearn_ms = {}, []
    for key, rubric in rubrics.items():
        pool = marked_rows[key]
        exemplars = [
            Exemplar(f"{pool[i % len(pool)][0]} (tutor's copy {i})", pool[i % len(pool)][1])
            for i in range(count)
        ]
        start = time.perf_counter()
        learned[key] = learn_from_exemplars(rubric, exemplars, marker, with_agreement=True)
        relearn_ms.append((time.perf_counter() - start) * 1000.0)
    one_pass(learned)  # fill the caches of the refined rubrics
    timings = sorted(t for _ in range(max(1, rounds // 3)) for t in one_pass(learned))
    relearn_ms.sort()
    figures = {
        "exemplars_per_question": count,
        "relearn_p50_ms": round(_percentile(relearn_ms, 0.50), 1),
        "relearn_max_ms": round(relearn_ms[-1], 1),
        "learned_p50_ms": round(_percentile(timings, 0.50), 3),
        "learned_p99_ms": round(_percentile(timings, 0.99), 3),
    }
    print(
        f"  with {count} exemplars a question: relearn p50 {figures['relearn_p50_ms']:.0f} ms, "
        f"max {figures['relearn_max_ms']:.0f} ms; marking p50 {figures['learned_p50_ms']:.2f} ms, "
        f"p99 {figures['learned_p99_ms']:.2f} ms"
    )
    return figures


if __name__ == "__main__":
    raise SystemExit(main())
