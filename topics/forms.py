from django import forms
from django.apps import apps
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from topics.models import MarkingPoint, Qualification

RETIRED_HELP = (
    "Tick to retire the point. Learners' answers and marks are kept and stay linked to it; "
    "no new quiz asks about it, and the question made from it is withdrawn. Untick to bring "
    "it back."
)


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


class SectionEntryForm(forms.ModelForm):
    """One row of a topic section in the admin's table. The table has no label beside each
    box, so every field names its column and its row for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        row = f"“{str(self.instance)[:40]}”" if self.instance.pk else "new entry"
        for field in self.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs.setdefault("aria-label", f"{field.label} ({row})")


class SectionEntryFormSet(BaseInlineFormSet):
    """Names each row's Delete tick for screen readers, like ``SectionEntryForm``'s fields."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = (
                f"Delete “{str(form.instance)[:40]}”" if form.instance.pk else "Delete new entry"
            )


class MarkingPointForm(forms.ModelForm):
    """A marking point's wording and a Retired tick in place of the retirement date: ticking
    sets ``retired_at`` to now (a point already retired keeps its date), unticking clears it."""

    retired = forms.BooleanField(label="Retired", required=False, help_text=RETIRED_HELP)

    class Meta:
        model = MarkingPoint
        fields = ["text"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["retired"] = self.instance.retired_at is not None

    def save(self, commit=True):
        retired = self.cleaned_data.get("retired", False)
        if not retired:
            self.instance.retired_at = None
        elif self.instance.retired_at is None:
            self.instance.retired_at = timezone.now()
        return super().save(commit)


class MarkingPointEntryForm(SectionEntryForm, MarkingPointForm):
    """``MarkingPointForm`` as a row of the topic's marking points table, whose description
    (above the table, see MarkingPointInline) says what retiring does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["retired"].widget.attrs["aria-describedby"] = "marking_points-description"
