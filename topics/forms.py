from django import forms
from django.apps import apps

from topics.models import Qualification


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search topics",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. complaint handling"}),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files at once (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".txt,text/plain"}))
        # Empty files are reported per file by the importer, with the other files' results.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_file_clean = super().clean
        if isinstance(data, list | tuple):
            return [single_file_clean(item, initial) for item in data]
        return [single_file_clean(data, initial)]


class SeedUploadForm(forms.Form):
    files = MultipleFileField(
        label="Seed files",
        help_text="One or more .txt topic documents, up to 2 MB each. Files already imported "
        "are matched by name: unchanged files are skipped and changed ones updated in place.",
    )
    dry_run = forms.BooleanField(
        label="Dry run: check the files and show the report without saving anything",
        required=False,
    )


def _lexicon_choices() -> list[tuple[str, str]]:
    # The marker owns its vocabularies: they are asked of the assessments app through the app
    # registry, so this app does not import the marker (docs/decisions/0012).
    automatic = ("", "Automatic: from the qualification's title, or each topic's own wording")
    return [automatic, *apps.get_app_config("assessments").lexicon_choices()]


class QualificationForm(forms.ModelForm):
    """The admin's qualification form: the marker's vocabulary is picked from the lexicons that
    exist, so a typo can never leave a qualification's answers marked with none."""

    lexicon = forms.ChoiceField(
        choices=_lexicon_choices,
        required=False,
        label="Marker vocabulary",
        help_text=Qualification._meta.get_field("lexicon").help_text,
    )

    class Meta:
        model = Qualification
        fields = ["name", "awarding_body", "level", "description", "lexicon"]
