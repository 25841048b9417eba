from django.apps import AppConfig


class CohortsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cohorts"
    verbose_name = "Cohorts and tutoring"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from cohorts.notifications import announce_invitations

        user_logged_in.connect(announce_invitations, dispatch_uid="cohorts-announce-invitations")
