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

    def question_bank_download(self, *, topics, file_format: str):
        """The question bank of ``topics`` as a file download (``"gift"`` or ``"moodle-xml"``),
        for the topic admin's export actions (``topics.admin``), which ask through the app
        registry rather than importing this app."""
        from assessments.question_bank_admin import question_bank_download

        return question_bank_download(file_format=file_format, topics=topics)
