from django.core.management.base import BaseCommand, CommandError

from assessments.summaries import REBUILD_LEARNERS_PER_BATCH, rebuild_learner_summaries


class Command(BaseCommand):
    help = (
        "Recompute every learner's topic summaries (the figures the progress page and quiz home "
        "show) from their latest answer to each marking point. Safe to run at any time and "
        "to repeat: rows are recomputed, never incremented."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=REBUILD_LEARNERS_PER_BATCH,
            help=f"Learners per transaction (default {REBUILD_LEARNERS_PER_BATCH}).",
        )

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        verbosity = options["verbosity"]

        def progress(done: int, total: int) -> None:
            if verbosity >= 1:
                self.stdout.write(f"{done} of {total} learners rebuilt")

        total = rebuild_learner_summaries(batch_size=batch_size, on_progress=progress)
        self.stdout.write(self.style.SUCCESS(f"Summaries rebuilt for {total} learners."))
