from django.core.management.base import BaseCommand, CommandError

from assessments.services import requeue_unmarked


class Command(BaseCommand):
    help = (
        "Queue marking again for attempts that were submitted a while ago and are still not "
        "marked (their message was lost: the broker was down when they were submitted, or a "
        "worker using the database queue was killed outright). Safe to run at any time, e.g. "
        "from cron every few minutes: an attempt is only ever marked once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=60,
            metavar="SECONDS",
            help="Only attempts submitted at least this long ago (default 60).",
        )

    def handle(self, *args, older_than: int, **options):
        if older_than < 0:
            raise CommandError("--older-than must be zero or more seconds.")
        count = requeue_unmarked(older_than_seconds=older_than)
        self.stdout.write(f"Queued marking for {count} unmarked attempt(s).")
