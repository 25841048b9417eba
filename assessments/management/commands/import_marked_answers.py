from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.batch_marking import BatchInputError, read_csv_bytes
from assessments.services import import_marked_answers


class Command(BaseCommand):
    help = (
        "Import marked answers as exemplars that teach the marker. Reads a CSV with the columns "
        "mark_answers reads (source, point, answer, credit; credit is required here). A bad row "
        "is reported with its line and the rest are imported; importing the same file again "
        "changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_path", metavar="FILE.csv")

    def handle(self, *args, csv_path, **options):
        path = Path(csv_path)
        try:
            rows = read_csv_bytes(path.read_bytes())
        except FileNotFoundError:
            raise CommandError(f"{csv_path}: no such file") from None
        except OSError as error:
            raise CommandError(f"{csv_path}: cannot be read ({error.strerror})") from None
        except BatchInputError as error:
            raise CommandError(f"{csv_path}: {error}") from None
        self.stdout.write(f"Importing {len(rows):,} rows from {path.name}…")
        report = import_marked_answers(rows=rows)
        for error in report.errors:
            self.stderr.write(f"{path.name}: {error}")
        self.stdout.write(report.summary)
