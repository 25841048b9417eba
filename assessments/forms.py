from django import forms

from assessments.models import ANSWER_MAX_CHARS
from assessments.services import QuizError, validate_answer_text


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


class ChoiceAnswerForm(forms.Form):
    choice = forms.TypedChoiceField(
        label="Choose one answer",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, choices=(), label: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = list(enumerate(choices))
        if label:
            self.fields["choice"].label = label

    @property
    def value(self):
        return self.cleaned_data["choice"]


def answer_form_for(response, data=None, *, prefix=None, label=None):
    """The form for one response: free text for short answers, radio buttons otherwise."""
    question = response.question
    if question.is_short_answer:
        return ShortAnswerForm(
            data, prefix=prefix, label=label, initial={"answer": response.answer_text}
        )
    return ChoiceAnswerForm(
        data,
        prefix=prefix,
        label=label,
        # A key broken behind the model's validation can hold anything: offer only texts.
        choices=[c for c in question.choices if isinstance(c, str)]
        if isinstance(question.choices, list)
        else [],
        initial={"choice": response.selected_choice},
    )
