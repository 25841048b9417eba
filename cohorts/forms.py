from django import forms

from topics.models import Qualification


class CohortForm(forms.Form):
    name = forms.CharField(max_length=150, label="Cohort name")
    qualification = forms.ModelChoiceField(
        queryset=Qualification.objects.all(),
        required=False,
        empty_label="All topics",
        help_text="Limit the cohort's dashboard to one qualification's topics.",
    )


class AddLearnerForm(forms.Form):
    identifier = forms.CharField(
        max_length=254,
        label="Username or e-mail address",
        help_text="The learner is invited and joins when they accept. Whether an account has "
        "that name or address is never shown here.",
    )


class AcceptInvitationForm(forms.Form):
    share_earlier_answers = forms.BooleanField(
        required=False,
        label="Let this cohort's tutors see the answers I gave before joining",
        help_text="Unticked, they see only the answers you give from today.",
    )


class MemberCsvForm(forms.Form):
    file = forms.FileField(
        label="CSV of usernames or e-mail addresses",
        help_text="One per row, in the first column; a header row is allowed. Up to 2,000 rows. "
        "The whole file is checked first: if any line is wrong, nobody is invited.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 1024 * 1024:
            raise forms.ValidationError("The file is larger than 1 MB; split it and try again.")
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("Upload a .csv file.")
        return upload


class CoTutorForm(forms.Form):
    username = forms.CharField(max_length=150, label="Tutor's username")


class HeatmapFilterForm(forms.Form):
    """Narrows the heatmap. Topics are paged rather than listed here: a form with a box per
    topic grew with the question bank and was much of the page's time (docs/performance.md)."""

    qualification = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label="Qualification"
    )
    title = forms.CharField(required=False, max_length=100, label="Topic title contains")
    date_from = forms.DateField(
        required=False, label="Answered from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="Answered to", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, qualifications=None, **kwargs):
        """``qualifications``: (id, name) pairs to choose from, or None when the cohort is
        already tied to one qualification (the field is then left out)."""
        super().__init__(*args, **kwargs)
        if qualifications is None:
            del self.fields["qualification"]
        else:
            self.fields["qualification"].choices = [("", "All qualifications"), *qualifications]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The 'from' date must be on or before the 'to' date.")
        return cleaned


class OverrideForm(forms.Form):
    awarded = forms.TypedChoiceField(
        label="Your mark",
        choices=[
            ("yes", "Credit awarded"),
            ("no", "No credit"),
            ("clear", "Remove my mark (use the automatic mark)"),
        ],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        label="Comment for the learner",
    )


class QueueFilterForm(forms.Form):
    """Which waiting answers to show: a cohort's, a topic's, one question's (all optional).
    Choices are the tutor's own cohorts and the topics with answers waiting for them, so a
    forged id is simply not a valid choice."""

    # Bootstrap's select: as wide as its column, never as wide as its longest topic title (a
    # plain select is, and pushed the queue page sideways on a phone).
    cohort = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    topic = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    question = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, cohorts=(), topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = [("", "All my cohorts"), *cohorts]
        self.fields["topic"].choices = [("", "All topics"), *topics]
