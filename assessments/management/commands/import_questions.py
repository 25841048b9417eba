from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.question_bank_transfer import import_question_bank
from assessments.question_banks.reading import MAX_BANK_BYTES


class Command(BaseCommand):
    help = (
        "Import question banks in GIFT (.gift, .txt) or Moodle XML (.xml); other names are told "
        "by their content. Each file is imported atomically; a question's category names its "
        "topic (made as a draft when missing). A bad question is reported as 'FILE:LINE: "
        "reason' and the rest are imported; importing the same file again changes nothing. "
        "The exit status is 1 if any question or file was refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="FILE")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and check every file and report what would happen, writing nothing.",
        )

    def handle(self, *args, paths, dry_run, **options):
        refused = 0
        for raw_path in paths:
            path = Path(raw_path)
            try:
                with path.open("rb") as bank_file:
                    # One byte over the limit is enough to refuse the file.
                    data = bank_file.read(MAX_BANK_BYTES + 1)
            except FileNotFoundError:
                self.stderr.write(f"{raw_path}: no such file")
                refused += 1
                continue
            except OSError as error:
                self.stderr.write(f"{raw_path}: cannot be read ({error.strerror})")
                refused += 1
                continue
            report = import_question_bank(name=raw_path, data=data, dry_run=dry_run)
            for error in report.errors:
                self.stderr.write(error)
            refused += len(report.errors)
            prefix = "dry run (nothing written): " if dry_run else ""
            self.stdout.write(prefix + report.summary)
        if refused:
            raise CommandError(f"{refused} question(s) or file(s) refused (listed above).")
