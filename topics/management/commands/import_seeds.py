import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from topics.services import ImportResult, import_seed_paths

# Below this many files a line per file is progress enough.
PROGRESS_BAR_THRESHOLD = 20


class Command(BaseCommand):
    help = (
        "Import topic documents (seed files) into topics. Each file is imported atomically and "
        "keyed by its file name: unchanged files are skipped, changed ones update their topic in "
        "place. Bad files are reported as 'FILE: reason' and skipped; the exit status is 1 if "
        "any file failed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="*",
            metavar="PATH",
            help="Seed files or folders of *.txt seed files (default: the project's seeds/).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Parse and check every file and report what would happen, writing nothing.",
        )

    def handle(self, *args, paths, dry_run, verbosity, **options):
        paths = paths or [settings.SEEDS_DIR]
        show_bar = False
        interactive = sys.stderr.isatty()

        def on_result(done: int, total: int, result: ImportResult) -> None:
            nonlocal show_bar
            show_bar = interactive and total >= PROGRESS_BAR_THRESHOLD
            if show_bar and done:
                width = 30
                filled = width * done // total
                self.stderr.write(
                    f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=""
                )
                if done == total:
                    self.stderr.write("")
            if result.status == "failed":
                self.stderr.write(("\n" if show_bar else "") + result.line)
            elif verbosity >= 2 or (verbosity >= 1 and total < PROGRESS_BAR_THRESHOLD):
                self.stdout.write(result.line)

        report = import_seed_paths(paths=paths, dry_run=dry_run, on_result=on_result)
        prefix = "dry run (nothing written): " if dry_run else ""
        self.stdout.write(prefix + report.summary)
        if report.failed:
            raise CommandError(f"{len(report.failed)} file(s) failed to import (listed above).")
