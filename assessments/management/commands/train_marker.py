"""``manage.py train_marker``: refit the decision model on the pooled labelled answers."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from assessments.marking.decision import DECISION_MODEL_PATH, train_decision_model
from assessments.marking.evaluation import load_development_sets, measure, training_pool
from assessments.marking.pipeline import FEATURES, PipelineMarker


class Command(BaseCommand):
    help = (
        "Fit the marker's decision model on the project's labelled answers and the SemEval "
        "training answers (never on the examiners' gold set) and write it to --output."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--shared",
            default=str(Path(settings.BASE_DIR).parent / "shared"),
            help="folder holding semeval-2013/ (default: ../shared)",
        )
        parser.add_argument("--output", default=str(DECISION_MODEL_PATH))

    def handle(self, *args, **options):
        sets, missing = load_development_sets(Path(settings.BASE_DIR), Path(options["shared"]))
        for note in missing:
            self.stderr.write(note)
        # Current weights are irrelevant to the features, so a missing or stale file is fine.
        marker = PipelineMarker(model=_placeholder())
        measured = [measure(dev, marker, self.stderr.write) for dev in sets if dev.trains_model]
        rows, labels, groups = training_pool(measured)
        model = train_decision_model(rows, labels, FEATURES, groups)
        counts = {m.dev.name: len(m.dev.cases) for m in measured}
        Path(options["output"]).write_text(model.to_json(counts), encoding="utf-8")
        self.stdout.write(f"wrote {options['output']}: fitted on {len(rows):,} answers")
        for name, weight in zip(model.features, model.weights, strict=True):
            self.stdout.write(f"  {name:24} {weight:+.3f}")
        self.stdout.write(f"  {'intercept':24} {model.intercept:+.3f}")


def _placeholder():
    from assessments.marking.decision import DecisionModel

    return DecisionModel(features=FEATURES, weights=(0.0,) * len(FEATURES), intercept=0.0)
