from django.apps import AppConfig


class RevisionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "revision"
    verbose_name = "Revision (spaced repetition)"
