from django import forms

from assessments.batch_marking import BatchInputError, read_csv_bytes
from assessments.models import ANSWER_MAX_CHARS
from assessments.services import QuizError, validate_answer_text
from topics.forms import MultipleFileField, MultipleFileInput


class ShortAnswerForm(forms.Form):
    answer = forms.CharField(
        label="Your answer",
        required=False,
        strip=False,
        max_length=ANSWER_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=f"Write in full sentences. Up to {ANSWER_MAX_CHARS:,} characters.",
        error_messages={
            "max_length": "Your answer is %(show_value)s characters long; answers are limited "
            "to %(limit_value)s characters. Please shorten it.",
        },
    )

    def __init__(self, *args, label: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["answer"].label = label

    def clean_answer(self) -> str:
        try:
            return validate_answer_text(self.cleaned_data["answer"])
        except QuizError as error:
            raise forms.ValidationError(str(error)) from None

    @property
    def value(self):
        return self.cleaned_data["answer"]


class _OptionsAnswerForm(forms.Form):
    """An answer picked from a question's options: the ``choice`` field (declared by each
    subclass) offers them by position, and its label is the question's when one is given."""

    def __init__(self, *args, choices=(), label: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = list(enumerate(choices))
        if label:
            self.fields["choice"].label = label

    @property
    def value(self):
        return self.cleaned_data["choice"]


class ChoiceAnswerForm(_OptionsAnswerForm):
    choice = forms.TypedChoiceField(
        label="Choose one answer",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
    )


class MultipleAnswersForm(_OptionsAnswerForm):
    """Tick boxes for a question with several right options."""

    choice = forms.TypedMultipleChoiceField(
        label="Tick every right answer",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].help_text = "Credit needs every right option and no wrong one."

    @property
    def value(self) -> list[int]:
        return list(self.cleaned_data["choice"])


def answer_form_for(response, data=None, *, prefix=None, label=None):
    """The form for one response: free text for short answers, tick boxes for questions with
    several right options, radio buttons otherwise (true/false included). The question's
    ``options`` should be prefetched."""
    question = response.question
    if question.is_short_answer:
        return ShortAnswerForm(
            data, prefix=prefix, label=label, initial={"answer": response.answer_text}
        )
    if question.takes_several_answers:
        form_class, chosen = MultipleAnswersForm, response.chosen_positions
    else:
        form_class, chosen = ChoiceAnswerForm, response.selected_choice
    return form_class(
        data,
        prefix=prefix,
        label=label,
        choices=question.option_texts(),
        initial={"choice": chosen},
    )


# Larger files go through ``manage.py import_marked_answers``, which streams no request.
MARKED_ANSWERS_UPLOAD_MAX_BYTES = 5 * 1024 * 1024


class MarkedAnswersUploadForm(forms.Form):
    """The admin's upload of marked answers: the CSV ``import_marked_answers`` reads."""

    file = forms.FileField(
        label="Marked answers (CSV)",
        help_text="Columns source, point, answer, credit (0 or 1), as mark_answers reads them; "
        "up to 5 MB. A bad row is reported with its line and the others are imported; "
        "importing the same file again changes nothing.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name
        if upload.size > MARKED_ANSWERS_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"{name} is {upload.size / 1024 / 1024:.1f} MB; the limit is 5 MB "
                "(use manage.py import_marked_answers for larger files)."
            )
        try:
            self.rows = read_csv_bytes(upload.read())
        except BatchInputError as error:
            raise forms.ValidationError(f"{name}: {error}.") from None
        if not self.rows:
            raise forms.ValidationError(f"{name}: the CSV has a header but no rows.")
        return upload


class QuestionBankUploadForm(forms.Form):
    """The admin's upload of question banks: the files ``import_questions`` reads."""

    files = MultipleFileField(
        label="Question bank files",
        widget=MultipleFileInput(attrs={"accept": ".gift,.txt,.xml,text/plain,text/xml"}),
        help_text="GIFT (.gift, .txt) or Moodle XML (.xml), up to 2 MB each. Each question's "
        "category names its topic; a missing topic is made as a draft. Importing the same file "
        "again changes nothing.",
    )
    dry_run = forms.BooleanField(
        label="Dry run: check the files and show the report without saving anything",
        required=False,
    )
