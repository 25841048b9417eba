"""Forms for the questions tutors write on the site (issue 15): they only validate, and the
views hand what they clean to ``save_question``, which checks the answer key by the same rules
as the admin and the imports (``answer_key_problems``)."""

from __future__ import annotations

from django import forms

from assessments.answer_options import OptionSpec, true_false_options
from assessments.models import Question

_TEXT = {"rows": 3}
_SHORT_TEXT = {"rows": 2}
# Every kind of question has a prompt and feedback shown after answering, asked the same way
# (a true/false question calls its prompt the statement).
_QUESTION_WIDGETS = {
    "prompt": forms.Textarea(attrs=_TEXT),
    "general_feedback": forms.Textarea(attrs=_SHORT_TEXT),
}
_QUESTION_LABELS = {"prompt": "Question", "general_feedback": "Feedback shown after answering"}


class ShortAnswerQuestionForm(forms.ModelForm):
    """A short-answer question: what is asked, what earns credit, and a model answer."""

    class Meta:
        model = Question
        fields = ["name", "prompt", "marking_guidance", "model_answer", "general_feedback"]
        widgets = {
            **_QUESTION_WIDGETS,
            "marking_guidance": forms.Textarea(attrs=_TEXT),
            "model_answer": forms.Textarea(attrs=_TEXT),
        }
        labels = {
            **_QUESTION_LABELS,
            "marking_guidance": "Marking point (what earns credit)",
            "model_answer": "Model answer",
        }
        help_texts = {
            "marking_guidance": "As an examiner would write it, e.g. “Award credit for "
            "identifying two benefits of customer loyalty.” The marker looks for the ideas it "
            "names; leave it empty to mark against the question itself.",
            "model_answer": "A full-credit answer in a learner's words: learners see it with "
            "their results, and the marker reads it for the wording of each idea.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model_answer"].required = True

    def options(self, question: Question) -> list[OptionSpec]:
        """A short answer keeps the accepted and anticipated answers it already has (an
        imported question's); this form does not edit them."""
        if question.pk is None:
            return []
        return [OptionSpec(o.text, o.is_correct, o.feedback) for o in question.options.all()]


class ChoiceQuestionForm(forms.ModelForm):
    """A multiple-choice question's text and settings; its options are ``OptionFormSet``."""

    class Meta:
        model = Question
        fields = ["name", "prompt", "multiple_answers", "general_feedback"]
        widgets = _QUESTION_WIDGETS
        labels = {**_QUESTION_LABELS, "multiple_answers": "More than one right answer"}
        help_texts = {
            "multiple_answers": "Learners tick boxes, and are credited only when they tick "
            "every right option and no wrong one. Leave unticked for one right answer.",
        }


class OptionForm(forms.Form):
    """One option of a multiple-choice question. A row left empty is ignored."""

    text = forms.CharField(label="Option", required=False, widget=forms.Textarea(attrs={"rows": 1}))
    is_correct = forms.BooleanField(label="Correct", required=False)
    feedback = forms.CharField(
        label="Feedback for this option",
        required=False,
        widget=forms.Textarea(attrs={"rows": 1}),
        help_text="Shown to a learner who picks it.",
    )

    def spec(self) -> OptionSpec | None:
        data = self.cleaned_data
        text, feedback = data.get("text", "").strip(), data.get("feedback", "").strip()
        if not text and not feedback and not data.get("is_correct"):
            return None
        return OptionSpec(text, bool(data.get("is_correct")), feedback)


OptionFormSet = forms.formset_factory(OptionForm, extra=0, max_num=12, validate_max=True)
# Empty rows offered for new options: a new question starts with four, an edit has two spare.
NEW_OPTION_ROWS = 4
SPARE_OPTION_ROWS = 2


def option_formset(data=None, *, question: Question | None = None) -> OptionFormSet:
    """The option rows: the question's options in order, then empty rows to add more."""
    initial = []
    if question is not None and question.pk:
        initial = [
            {"text": o.text, "is_correct": o.is_correct, "feedback": o.feedback}
            for o in question.options.all()
        ]
    blank = SPARE_OPTION_ROWS if initial else NEW_OPTION_ROWS
    return OptionFormSet(data, initial=initial + [{}] * blank, prefix="options")


def option_specs(formset) -> list[OptionSpec]:
    """The filled-in option rows of a valid formset, in order."""
    return [spec for form in formset.forms if (spec := form.spec()) is not None]


class TrueFalseQuestionForm(forms.ModelForm):
    """A true/false question: a statement, which answer is right, and feedback for each."""

    answer = forms.TypedChoiceField(
        label="The statement is",
        choices=[("true", "True"), ("false", "False")],
        widget=forms.RadioSelect,
        coerce=lambda value: value == "true",
    )
    feedback_true = forms.CharField(
        label="Feedback for a learner who answers “True”",
        required=False,
        widget=forms.Textarea(attrs=_SHORT_TEXT),
    )
    feedback_false = forms.CharField(
        label="Feedback for a learner who answers “False”",
        required=False,
        widget=forms.Textarea(attrs=_SHORT_TEXT),
    )

    class Meta:
        model = Question
        fields = ["name", "prompt", "general_feedback"]
        widgets = _QUESTION_WIDGETS
        labels = {**_QUESTION_LABELS, "prompt": "Statement"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        question = self.instance
        if question.pk:
            by_text = {o.text.lower(): o for o in question.options.all()}
            true, false = by_text.get("true"), by_text.get("false")
            self.initial.setdefault("answer", "true" if true and true.is_correct else "false")
            self.initial.setdefault("feedback_true", true.feedback if true else "")
            self.initial.setdefault("feedback_false", false.feedback if false else "")

    def options(self, question: Question) -> list[OptionSpec]:
        return true_false_options(
            self.cleaned_data["answer"],
            feedback_true=self.cleaned_data["feedback_true"].strip(),
            feedback_false=self.cleaned_data["feedback_false"].strip(),
        )


# The kinds a tutor writes on the site, with their forms and how they are named to people.
AUTHORED_KINDS = {
    Question.Kind.SHORT_ANSWER: ShortAnswerQuestionForm,
    Question.Kind.MULTIPLE_CHOICE: ChoiceQuestionForm,
    Question.Kind.TRUE_FALSE: TrueFalseQuestionForm,
}
