"""What ``mark_answers`` and ``eval_exemplars`` share: reading their CSV of answers, with a
command error that names the file for each way it can fail. (Django does not list modules
starting with "_" as commands.)"""

from pathlib import Path

from django.core.management.base import CommandError

from assessments.batch_marking import BatchInputError, read_rows


def read_answers_csv(csv_path: str) -> list[dict[str, str]]:
    """The rows of the UTF-8 CSV at ``csv_path`` (``batch_marking.read_rows``)."""
    try:
        text = Path(csv_path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise CommandError(f"{csv_path}: no such file") from None
    except UnicodeDecodeError:
        raise CommandError(f"{csv_path}: not UTF-8 text; save the CSV as UTF-8") from None
    except OSError as error:
        raise CommandError(f"{csv_path}: cannot be read ({error.strerror})") from None
    try:
        return read_rows(text)
    except BatchInputError as error:
        raise CommandError(f"{csv_path}: {error}") from None
