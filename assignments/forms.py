from django import forms

from assignments.models import MAX_ATTEMPTS, MAX_QUESTIONS
from topics.models import MarkingPoint, Topic

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class _DatesForm(forms.Form):
    title = forms.CharField(max_length=200)
    instructions = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    opens_at = forms.DateTimeField(label="Opens", widget=_DATETIME)
    due_at = forms.DateTimeField(label="Due", widget=_DATETIME)
    attempts_allowed = forms.IntegerField(
        min_value=1, max_value=MAX_ATTEMPTS, initial=1, label="Attempts allowed"
    )

    def clean(self):
        cleaned = super().clean()
        opens, due = cleaned.get("opens_at"), cleaned.get("due_at")
        if opens and due and due <= opens:
            self.add_error("due_at", "The due date must be after the date it opens.")
        return cleaned


class AssignmentForm(_DatesForm):
    """Set an assignment: the quiz is drawn from the chosen topics and marking points."""

    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Questions on the whole topic: its marking points and multiple choice.",
    )
    marking_points = forms.ModelMultipleChoiceField(
        queryset=MarkingPoint.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        label="Marking points",
        help_text="Chosen points are always asked (hold Ctrl or ⌘ to choose several).",
    )
    question_count = forms.IntegerField(
        min_value=1, max_value=MAX_QUESTIONS, initial=10, label="Number of questions"
    )

    field_order = [
        "title",
        "instructions",
        "topics",
        "marking_points",
        "question_count",
        "opens_at",
        "due_at",
        "attempts_allowed",
    ]

    def __init__(self, *args, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = topics
        self.fields["marking_points"].queryset = (
            MarkingPoint.objects.active()
            .filter(topic__in=topics)
            .select_related("topic")
            .order_by("topic__title", "position", "pk")
        )
        self.fields["marking_points"].label_from_instance = lambda point: (
            f"{point.topic.title}: {point.text[:90]}"
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("topics") and not cleaned.get("marking_points"):
            raise forms.ValidationError("Choose at least one topic or marking point.")
        return cleaned


class EditAssignmentForm(_DatesForm):
    """Change an assignment; its questions stay as they were set."""
