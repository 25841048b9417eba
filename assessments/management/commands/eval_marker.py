"""``manage.py eval_marker``: the marker's agreement with examiners on every development set."""

import json
from pathlib import Path

from django.conf import settings

from assessments.management.commands._development_sets import DevelopmentSetsCommand
from assessments.marking.evaluation import evaluate, semantic_background
from assessments.marking.pipeline import PipelineMarker
from assessments.marking.semantic import THRESHOLD

COLUMNS = ("accuracy", "macro_f1", "kappa")


class Command(DevelopmentSetsCommand):
    help = (
        "Print, for each development set, the majority class, the word-overlap baseline, the "
        "structural channel alone and the marker (accuracy, macro-F1, kappa) and the marker's "
        "p50/p99 ms per answer; then each set the decision model is fitted on again, as an "
        "unseen set (fitted without it)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--json", action="store_true", help="print the table as JSON")

    def handle(self, *args, **options):
        measured, missing = self.measure_sets(options, PipelineMarker())
        table = evaluate(measured)
        background = semantic_background(Path(settings.BASE_DIR), settings.SEEDS_DIR)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {"sets": table, "missing": missing, "semantic_background": background},
                    indent=2,
                )
            )
            return
        self.stdout.write(_markdown(table))
        if background:
            self.stdout.write(
                f"\nSemantic channel: threshold {THRESHOLD:.3f}. Similarity between "
                "an idea and the clauses of answers to other points, labelled set read with the "
                f"general lexicon: 50th percentile {background['50']:.3f}, 90th "
                f"{background['90']:.3f} (the threshold), 95th {background['95']:.3f}."
            )


def _markdown(table) -> str:
    header = (
        "| set | answers (questions) | scored on | majority acc / F1 / κ "
        "| word overlap acc / F1 / κ | structural channel alone acc / F1 / κ "
        "| marker acc / F1 / κ | marker p50 / p99 ms |"
    )
    lines = [header, "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in table:
        cells = [
            # "or 0.0" turns a kappa of -0.0 into 0.0 for the reader.
            " / ".join(f"{round(row[kind][c], 2) or 0.0:.2f}" for c in COLUMNS)
            for kind in ("majority", "overlap_baseline", "lexical_channel", "marker")
        ]
        lines.append(
            f"| {row['set']} | {row['answers']:,} ({row['questions']}) | {row['scored_by']} | "
            + " | ".join(cells)
            + f" | {row['p50_ms']:.1f} / {row['p99_ms']:.1f} |"
        )
    return "\n".join(lines)
