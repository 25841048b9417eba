from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from revision.services import rebuild_schedules


class Command(BaseCommand):
    help = (
        "Recompute every revision card's FSRS state by replaying its review logs through the "
        "fsrs scheduler (after changing scheduler settings, or to repair stored state). "
        "Safe to run at any time; running it twice changes nothing the second time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--learner", action="append", default=[], help="Only this username (repeatable)."
        )

    def handle(self, *args, learner, **options):
        learner_ids = None
        if learner:
            users = dict(
                get_user_model().objects.filter(username__in=learner).values_list("username", "pk")
            )
            missing = sorted(set(learner) - set(users))
            if missing:
                raise CommandError(f"No such learner: {', '.join(missing)}")
            learner_ids = list(users.values())
        count = rebuild_schedules(learner_ids=learner_ids)
        self.stdout.write(f"Rebuilt {count} card(s) from their review logs.")
