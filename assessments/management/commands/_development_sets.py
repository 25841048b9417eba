"""What ``eval_marker`` and ``train_marker`` share: where the development sets are, and
running every channel over them once. (Django does not list modules starting with "_" as
commands.)"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from assessments.marking.evaluation import Measured, load_development_sets, measure
from assessments.marking.pipeline import PipelineMarker


class DevelopmentSetsCommand(BaseCommand):
    """A command that reads the development sets from the project and ``--shared``."""

    def add_arguments(self, parser):
        parser.add_argument(
            "--shared",
            default=str(Path(settings.BASE_DIR).parent / "shared"),
            help="folder holding gold/ and semeval-2013/ (default: ../shared)",
        )

    def measure_sets(
        self, options, marker: PipelineMarker, *, training_only: bool = False
    ) -> tuple[list[Measured], list[str]]:
        """Every development set found (or only those the decision model is fitted on),
        measured once, and a note for each missing set (also written to stderr)."""
        sets, missing = load_development_sets(
            Path(settings.BASE_DIR), Path(options["shared"]), settings.SEEDS_DIR
        )
        for note in missing:
            self.stderr.write(note)
        measured = []
        for dev in sets:
            if training_only and not dev.trains_model:
                continue
            self.stderr.write(f"marking {dev.name}: {len(dev.cases):,} answers")
            measured.append(measure(dev, marker, self.stderr.write))
        return measured, missing
