from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self):
        from assessments import signals

        signals.connect()

    def lexicon_choices(self) -> list[tuple[str, str]]:
        """``(name, label)`` for each lexicon the marker can read, for the qualification form
        (``topics.forms``), which asks through the app registry rather than importing this
        app."""
        from assessments.lexicon import GENERAL_LEXICON, available_lexicons

        choices = []
        for name in available_lexicons():
            label = name.replace("-", " ").capitalize()
            if name == GENERAL_LEXICON:
                label += " (no subject vocabulary)"
            choices.append((name, label))
        return choices
