from django.core.management.base import BaseCommand

from notifications.services import send_due_reminders


class Command(BaseCommand):
    help = (
        "Remind learners of open assignments due within the next 24 hours that they have not "
        "submitted (in the portal, and by e-mail unless they opted out). Safe to run every few "
        "minutes from cron: each learner is reminded once per assignment."
    )

    def handle(self, *args, **options):
        created = send_due_reminders()
        self.stdout.write(f"{created} new reminder{'s' if created != 1 else ''}.")
