from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Local development only: the command refuses to run with DEBUG off, so these never reach a
# deployment. They are printed by `make run` so a developer can sign in straight away.
DEMO_ACCOUNTS = [
    # username, password, is_staff, is_superuser
    ("admin", "demo-admin-pass", True, True),
    ("tutor", "demo-tutor-pass", False, False),
    ("learner", "demo-learner-pass", False, False),
]


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo accounts admin, tutor and learner for local development, "
        "and print their passwords. Refuses to run when DEBUG is off."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts are for local development only and are not created when DEBUG is "
                "off. Create real accounts with `manage.py createsuperuser` and the admin."
            )
        User = get_user_model()
        with transaction.atomic():
            for username, password, is_staff, is_superuser in DEMO_ACCOUNTS:
                user, _ = User.objects.get_or_create(username=username)
                user.email = f"{username}@example.invalid"
                user.is_staff = is_staff
                user.is_superuser = is_superuser
                user.is_active = True
                user.set_password(password)
                user.save()
        self.stdout.write("Demo accounts (local use only, DEBUG on):")
        for username, password, *_ in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<8} password: {password}")
