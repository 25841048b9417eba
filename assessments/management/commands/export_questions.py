from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.question_bank_transfer import export_question_bank
from assessments.question_banks.reading import FORMATS
from topics.models import Qualification, Topic


class Command(BaseCommand):
    help = (
        "Export active questions (generated ones included) as a GIFT or Moodle XML question "
        "bank: every topic's, one topic's or one qualification's. Each topic is a category "
        "(Qualification/Topic). Writes to standard output unless -o is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=FORMATS, dest="file_format")
        parser.add_argument("--topic", metavar="SLUG", help="Only this topic's questions.")
        parser.add_argument(
            "--qualification",
            metavar="NAME-or-ID",
            help="Only the questions of this qualification's topics.",
        )
        parser.add_argument("-o", "--output", metavar="FILE", help="Write here, not to stdout.")

    def handle(self, *args, file_format, topic, qualification, output, **options):
        topics = None
        if topic:
            topics = Topic.objects.filter(slug=topic)
            if not topics.exists():
                raise CommandError(f"No topic has the slug “{topic}”.")
        if qualification:
            found = Qualification.objects.filter(name__iexact=qualification)
            if qualification.isdigit():
                found = found | Qualification.objects.filter(pk=int(qualification))
            if not found.exists():
                raise CommandError(f"No qualification is named (or numbered) “{qualification}”.")
            in_qualification = Topic.objects.filter(qualification__in=found)
            topics = in_qualification if topics is None else topics & in_qualification
        export = export_question_bank(file_format=file_format, topics=topics)
        for left_out in export.left_out:
            self.stderr.write(f"left out (a short-answer question with no answer): {left_out}")
        summary = f"{export.count} question(s) exported as {file_format}"
        if output:
            try:
                Path(output).write_text(export.text, encoding="utf-8")
            except OSError as error:
                raise CommandError(f"{output}: cannot be written ({error.strerror})") from None
            self.stdout.write(f"{summary} to {output}")
        else:
            self.stdout.write(export.text, ending="")
            self.stderr.write(summary)
