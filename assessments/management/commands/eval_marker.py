"""``manage.py eval_marker``: the marker's agreement with examiners on every development set."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from assessments.marking.evaluation import evaluate, load_development_sets, measure
from assessments.marking.pipeline import PipelineMarker

COLUMNS = ("accuracy", "macro_f1", "kappa")


class Command(BaseCommand):
    help = (
        "Print, for each development set, the majority class, the word-overlap baseline and the "
        "marker (accuracy, macro-F1, kappa) and the marker's p50/p99 ms per answer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--shared",
            default=str(Path(settings.BASE_DIR).parent / "shared"),
            help="folder holding gold/ and semeval-2013/ (default: ../shared)",
        )
        parser.add_argument("--json", action="store_true", help="print the table as JSON")

    def handle(self, *args, **options):
        sets, missing = load_development_sets(Path(settings.BASE_DIR), Path(options["shared"]))
        for note in missing:
            self.stderr.write(note)
        marker = PipelineMarker()
        measured = []
        for dev in sets:
            self.stderr.write(f"marking {dev.name}: {len(dev.cases):,} answers")
            measured.append(measure(dev, marker, self.stderr.write))
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
