"""``manage.py train_marker``: refit the decision model on the pooled labelled answers."""

from pathlib import Path

from assessments.management.commands._development_sets import DevelopmentSetsCommand
from assessments.marking.decision import (
    DECISION_MODEL_PATH,
    DecisionModel,
    train_decision_model,
)
from assessments.marking.evaluation import training_pool
from assessments.marking.pipeline import FEATURES, PATTERN_INPUTS, PipelineMarker


class Command(DevelopmentSetsCommand):
    help = (
        "Fit the marker's decision model on the project's labelled answers and the SemEval "
        "training answers (never on the examiners' gold set) and write it to --output."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--output", default=str(DECISION_MODEL_PATH))

    def handle(self, *args, **options):
        # The channels' features do not depend on the current weights, so measuring with a
        # neutral model means a missing or stale decision file cannot get in the way.
        neutral = DecisionModel(features=FEATURES, weights=(0.0,) * len(FEATURES), intercept=0.0)
        measured, _missing = self.measure_sets(
            options, PipelineMarker(model=neutral), training_only=True
        )
        rows, labels, groups = training_pool(measured)
        model = train_decision_model(rows, labels, FEATURES, groups)
        counts = {m.dev.name: len(m.dev.cases) for m in measured}
        Path(options["output"]).write_text(model.to_json(counts), encoding="utf-8")
        self.stdout.write(f"wrote {options['output']}: fitted on {len(rows):,} answers")
        pattern = []
        for name, weight in zip(model.features, model.weights, strict=True):
            if name in PATTERN_INPUTS:
                pattern.append(weight)
            else:
                self.stdout.write(f"  {name:24} {weight:+.3f}")
        if pattern:
            self.stdout.write(
                f"  {'reference_meaning_pattern':24} {len(pattern)} weights, from "
                f"{min(pattern):+.3f} to {max(pattern):+.3f}"
            )
        self.stdout.write(f"  {'intercept':24} {model.intercept:+.3f}")
