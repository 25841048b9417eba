"""``manage.py eval_marker``: the marker's agreement with examiners on every development set."""

import json

from assessments.management.commands._development_sets import DevelopmentSetsCommand
from assessments.marking.evaluation import evaluate
from assessments.marking.pipeline import PipelineMarker

COLUMNS = ("accuracy", "macro_f1", "kappa")


class Command(DevelopmentSetsCommand):
    help = (
        "Print, for each development set, the majority class, the word-overlap baseline, the "
        "structural channel alone and the marker (accuracy, macro-F1, kappa) and the marker's "
        "p50/p99 ms per answer."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--json", action="store_true", help="print the table as JSON")

    def handle(self, *args, **options):
        measured, missing = self.measure_sets(options, PipelineMarker())
        table = evaluate(measured)
        if options["json"]:
            self.stdout.write(json.dumps({"sets": table, "missing": missing}, indent=2))
            return
        self.stdout.write(_markdown(table))


def _markdown(table) -> str:
    header = (
        "| set | answers (questions) | scored on | majority acc / F1 / κ "
        "| word overlap acc / F1 / κ | lexical channel alone acc / F1 / κ "
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
