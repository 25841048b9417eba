from django import forms
from django.contrib import admin, messages
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from simple_history.admin import SimpleHistoryAdmin

from assessments import models
from assessments.answer_options import answer_key_problems
from assessments.exports import exemplars_csv_response
from assessments.forms import MarkedAnswersUploadForm
from assessments.marking.exemplars import Learning
from assessments.question_bank_admin import QuestionBankAdminMixin
from assessments.rubrics import describe_rubric
from assessments.services import (
    QuizError,
    agreement_sentence,
    authored_rubric_rows,
    enqueue_remark,
    exemplar_key,
    import_marked_answers,
    override_mark,
    relearn_question,
    write_indicators,
)
from revision_portal.admin_tools import changelist_tool_response, check_can_import
from revision_portal.audit import child_history


def _row_number(form) -> str:
    """The 1-based number of an inline form's row ("" for the blank template row)."""
    row = form.prefix.rsplit("-", 1)[-1] if form.prefix else ""
    return str(int(row) + 1) if row.isdigit() else ""


def label_row_controls(form, labels: dict[str, str]) -> None:
    """Name each control of a table row (an inline's cells have no <label>), e.g. "Option 2
    text": ``labels`` maps a field to its name with ``{}`` for the row's number."""
    number = _row_number(form)
    for name, text in labels.items():
        if name in form.fields:
            label = " ".join(text.format(number).split())
            form.fields[name].widget.attrs["aria-label"] = label


class LabelledRowsFormSet(forms.BaseInlineFormSet):
    """An inline formset whose "Delete?" ticks are named after their row."""

    row_name = "row"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            number = "" if index is None else f" {index + 1}"
            form.fields["DELETE"].widget.attrs["aria-label"] = f"Delete {self.row_name}{number}"


class IndicatorFormSet(LabelledRowsFormSet):
    row_name = "indicator"


class IndicatorForm(forms.ModelForm):
    """Alternatives are a list; people edit them as one phrasing per line."""

    alternatives = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
        required=False,
        help_text="One phrasing per line (synonyms, abbreviations, everyday wording).",
    )

    class Meta:
        model = models.Indicator
        fields = ["position", "label", "alternatives"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["alternatives"] = "\n".join(self.instance.alternatives or [])
        label_row_controls(
            self,
            {
                "position": "Indicator {} order",
                "label": "Indicator {} label",
                "alternatives": "Indicator {} other phrasings",
            },
        )

    def clean_alternatives(self) -> list[str]:
        lines = self.cleaned_data["alternatives"].splitlines()
        return [line.strip() for line in lines if line.strip()]


class IndicatorInline(admin.TabularInline):
    model = models.Indicator
    form = IndicatorForm
    formset = IndicatorFormSet
    extra = 1


class AnswerOptionForm(forms.ModelForm):
    """One option row. Its place is the row's place in the table (moved with the up/down
    buttons); ``position`` is a hidden field the page keeps in step, never typed."""

    class Meta:
        model = models.AnswerOption
        fields = ["text", "is_correct", "feedback", "position"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2, "cols": 40}),
            "feedback": forms.Textarea(attrs={"rows": 2, "cols": 40}),
            "position": forms.HiddenInput(attrs={"class": "option-position"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        label_row_controls(
            self,
            {
                "text": "Option {} text",
                "is_correct": "Option {} is correct",
                "feedback": "Feedback for option {}",
            },
        )

    def has_changed(self) -> bool:
        # The page numbers every row, blank new ones included, when it is sent: a row whose
        # only change is its place is not a new option (the formset renumbers moved rows).
        return any(name != "position" for name in self.changed_data)


class AnswerOptionFormSet(LabelledRowsFormSet):
    """The question's options, checked together by ``answer_key_problems`` (the message shows
    above the rows) and numbered 0, 1, 2… in the order shown."""

    row_name = "option"

    def _kept_forms(self) -> list:
        kept = []
        for index, form in enumerate(self.forms):
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue  # an extra row left blank
            if self.can_delete and self._should_delete_form(form):
                continue
            kept.append((index, form))
        # Rows keep the order the page sent (hidden positions, kept in step with the up/down
        # buttons); a new row without one goes after the others.
        kept.sort(
            key=lambda item: (
                item[1].cleaned_data.get("position") is None,
                item[1].cleaned_data.get("position") or 0,
                item[0],
            )
        )
        return [form for _index, form in kept]

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        question = self.instance
        kept = self._kept_forms()
        options = [(f.cleaned_data.get("text", ""), f.cleaned_data.get("is_correct")) for f in kept]
        problems = answer_key_problems(question.kind, question.multiple_answers, options)
        if problems:
            raise forms.ValidationError(list(problems.values()))
        for position, form in enumerate(kept):
            form.instance.position = position
            form.cleaned_data["position"] = position

    def save(self, commit=True):
        saved = super().save(commit=commit)
        if commit and self.instance.pk:
            # Unchanged rows were not saved above: renumber every row 0, 1, 2… in the kept order.
            order = {form.instance.pk: form.instance.position for form in self._kept_forms()}
            for option in models.AnswerOption.objects.filter(question=self.instance):
                if option.pk in order and option.position != order[option.pk]:
                    option.position = order[option.pk]
                    option.save(update_fields=["position"])
        return saved


class AnswerOptionInline(admin.TabularInline):
    model = models.AnswerOption
    form = AnswerOptionForm
    formset = AnswerOptionFormSet
    extra = 2
    ordering = ["position", "id"]
    verbose_name = "answer option"
    verbose_name_plural = (
        "Answer options (multiple choice: the options, right ones ticked; true/false: “True” "
        "and “False”, one ticked; short answer: other accepted answers ticked, anticipated "
        "wrong ones unticked, each with its feedback). Move a row with ↑ and ↓."
    )

    class Media:
        js = ["js/admin_option_order.js"]


class ExemplarFormSet(LabelledRowsFormSet):
    row_name = "marked answer"


class ExemplarForm(forms.ModelForm):
    class Meta:
        model = models.Exemplar
        fields = ["answer_text", "credited", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_row_controls(
            self,
            {
                "answer_text": "Marked answer {} text",
                "credited": "Marked answer {} credited",
                "source": "Marked answer {} source",
            },
        )

    def save(self, commit=True):
        # The key follows the words, so the same answer is never two exemplars.
        self.instance.answer_key = exemplar_key(self.instance.answer_text)
        return super().save(commit=commit)


class ExemplarInline(admin.TabularInline):
    """Marked answers that teach the marker this question's rules."""

    model = models.Exemplar
    form = ExemplarForm
    formset = ExemplarFormSet
    extra = 0
    fields = ["answer_text", "credited", "source", "marked_by", "updated_at"]
    readonly_fields = ["marked_by", "updated_at"]
    verbose_name = "marked answer (exemplar)"
    verbose_name_plural = "Marked answers that teach the marker (exemplars)"


class AnswerKeyFilter(admin.SimpleListFilter):
    """Multiple-choice questions whose options or key cannot be marked: they are left out of
    quizzes until fixed, and the question list says how many there are."""

    title = "answer key"
    parameter_name = "answer_key"

    def lookups(self, request, model_admin):
        return [("broken", "Broken (left out of quizzes)")]

    def queryset(self, request, queryset):
        if self.value() == "broken":
            return queryset.with_broken_answer_key()
        return queryset


@admin.register(models.Question)
class QuestionAdmin(QuestionBankAdminMixin, SimpleHistoryAdmin):
    list_display = ["prompt", "topic", "kind", "origin", "auto_markable", "is_active"]
    list_filter = [
        AnswerKeyFilter,
        "kind",
        "origin",
        "auto_markable",
        "is_active",
        "is_customised",
        "topic",
    ]
    list_select_related = ["topic"]
    search_fields = ["name", "prompt", "topic__title", "marking_point__text"]
    autocomplete_fields = ["topic", "marking_point", "author"]
    readonly_fields = [
        "marker_preview",
        "learned_rules",
        "remarking",
        "lexicon",
        "origin",
        "source_key",
        "created_at",
        "updated_at",
    ]
    inlines = [AnswerOptionInline, IndicatorInline, ExemplarInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "topic",
                    "marking_point",
                    "kind",
                    "name",
                    "prompt",
                    "multiple_answers",
                    "general_feedback",
                    "position",
                    "is_active",
                ]
            },
        ),
        (
            "Short-answer rubric",
            # The prompt is in the first group, with the question's place.
            {"fields": [name for name in models.RUBRIC_FIELDS if name != "prompt"]},
        ),
        (
            "What the marker will look for (from the saved question)",
            {"fields": ["marker_preview", "learned_rules", "remarking"]},
        ),
        (
            "Origin",
            {
                "fields": [
                    "origin",
                    "author",
                    "source_key",
                    "is_customised",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    object_history_template = "admin/object_history_with_children.html"

    class Media:
        css = {"all": ["css/admin_question.css"]}
        js = ["js/admin_accessible_widgets.js"]

    def changelist_view(self, request, extra_context=None):
        broken = models.Question.objects.with_broken_answer_key().count()
        if broken and request.method == "GET":
            self.message_user(
                request,
                f"{broken} multiple-choice question{' has' if broken == 1 else 's have'} a broken "
                "answer key and "
                f"{'is' if broken == 1 else 'are'} left out of quizzes until fixed: filter by "
                "“answer key: broken” to find "
                f"{'it' if broken == 1 else 'them'}.",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context=extra_context)

    @admin.display(description="Marker preview")
    def marker_preview(self, obj):
        """The saved rubric as the marker reads it, so an editor sees the effect of an edit."""
        if obj is None or obj.pk is None:
            return "Save the question to see what the marker will look for."
        if not obj.is_short_answer:
            return "Choice questions are marked by the options ticked as right below."
        # Read fresh from the database: the preview must show what is saved, indicators included.
        question = models.Question.objects.select_related("marking_point").get(pk=obj.pk)
        text = describe_rubric(question.to_rubric())
        # One escaped paragraph per line: editors' wording never becomes markup.
        return format_html_join(
            "", '<p class="mb-1">{}</p>', ((line,) for line in text.splitlines())
        )

    @admin.display(description="Learned from tutors' marks")
    def learned_rules(self, obj):
        """Each rule the exemplars below taught, with how many marks it rests on. Delete or
        re-mark an exemplar to undo what it taught."""
        if obj is None or obj.pk is None:
            return "Nothing yet."
        learning = Learning.from_dict(obj.learning)
        lines = [change.describe() for change in learning.changes]
        if learning.agreement_n:
            lines.append(agreement_sentence(learning))
        if not lines:
            return "Nothing yet: the marker uses the rubric above as it is."
        return format_html_join("", '<p class="mb-1">{}</p>', ((line,) for line in lines))

    @admin.display(description="Re-marking of its answers")
    def remarking(self, obj):
        """The latest background re-marks of this question's automatic marks and how far they
        have got (reload the page to follow one)."""
        if obj is None or obj.pk is None:
            return "Nothing yet."
        runs = list(obj.remark_runs.order_by("-requested_at", "-id")[:3])
        if not runs:
            return (
                "Nothing re-marked yet: answers are re-marked when the rubric or what it "
                "learned changes."
            )
        return format_html_join(
            "",
            '<p class="mb-1">{}: {} (asked {} because {})</p>',
            (
                (
                    run.get_state_display(),
                    run.progress,
                    date_format(run.requested_at, "DATETIME_FORMAT"),
                    run.reason,
                )
                for run in runs
            ),
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        indicators_edited = any(f.has_changed() for f in formsets if f.model is models.Indicator)
        rows = getattr(form.instance, "_authored_rubric_rows", None)
        if rows is not None and not indicators_edited:
            # A hand-written short answer whose guidance (or prompt) changed: its indicators
            # are rebuilt from it, unless the editor changed them on this page.
            write_indicators(question=form.instance, rows=rows)
        rubric_changed = change and (
            form.has_changed()
            or indicators_edited
            or any(f.has_changed() for f in formsets if f.model is models.AnswerOption)
        )
        # Exemplars added, edited or removed on this page take effect at once, and answers
        # marked with the old rules are re-marked in the background.
        asked = timezone.now()
        relearn_question(
            question=form.instance, rubric_changed=rubric_changed, requested_by=request.user
        )
        queued = form.instance.remark_runs.filter(requested_at__gte=asked).first()
        if queued is not None:
            self.message_user(
                request,
                f"{queued.total:,} automatic mark(s) of this question are being re-marked in the "
                "background with the new rules (tutors' own marks are kept); progress shows "
                'under "Re-marking of its answers".',
                messages.INFO,
            )

    def save_model(self, request, obj, form, change):
        # A person's edit wins over regeneration from the seed file.
        obj.is_customised = True
        if not change and not obj.source_key:
            # Written here: the topic's re-import never touches it.
            obj.origin = models.Question.Origin.AUTHORED
            if obj.author_id is None:
                obj.author = request.user
        obj._authored_rubric_rows = authored_rubric_rows(obj)
        super().save_model(request, obj, form, change)

    def history_view(self, request, object_id, extra_context=None):
        """The question's own changes, then every change to its rubric's indicators."""
        try:
            question_id = int(object_id)
        except (TypeError, ValueError):
            question_id = None
        context = {
            "child_history": (
                child_history(
                    [
                        (models.AnswerOption, {"question_id": question_id}),
                        (models.Indicator, {"question_id": question_id}),
                    ]
                )
                if question_id is not None
                else []
            ),
            "child_history_title": "Changes to this question's options and indicators",
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, extra_context=context)


class RecordInline(admin.TabularInline):
    """Rows of an attempt's record (its answers, their earlier results, tutors' overrides):
    written by the quiz and marking services, so the admin shows them but never adds or
    deletes one here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ResultRevisionInline(RecordInline):
    model = models.ResultRevision
    readonly_fields = ["awarded", "marked_at", "replaced_at", "reason", "result", "rubric_snapshot"]


class OverrideRecordInline(RecordInline):
    """The mark's audit trail: every tutor override, with the credit before and after."""

    model = models.OverrideRecord
    fields = ["created_at", "tutor", "previous_awarded", "awarded", "comment"]
    readonly_fields = fields
    verbose_name = "mark change"
    verbose_name_plural = "mark changes (tutor overrides)"

    def has_change_permission(self, request, obj=None):
        return False


class ResponseOverrideForm(forms.ModelForm):
    """The only fields of a response an admin may change: the tutor's mark and its comment.
    Saving goes through ``override_mark``, the tutor page's service (see ``ResponseAdmin``)."""

    class Meta:
        model = models.Response
        fields = ["override_awarded", "override_comment"]
        labels = {"override_awarded": "Tutor's mark", "override_comment": "Comment for the learner"}
        help_texts = {
            "override_awarded": "Unknown: no tutor's mark, the automatic mark counts. A change "
            "is logged as yours, like an override on the tutor's page.",
        }

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.instance.attempt.is_submitted:
            raise forms.ValidationError(
                "Answers can only be marked once the quiz has been submitted."
            )
        if cleaned.get("override_awarded") is None and cleaned.get("override_comment"):
            self.add_error(
                "override_comment", "A comment needs a mark: choose credited or not credited."
            )
        return cleaned


# Marking's fields shown at the foot of the response page (or, for the count, not at all).
_MARK_DETAIL = {"rubric_snapshot", "result", "misconception_count"}


@admin.register(models.Response)
class ResponseAdmin(admin.ModelAdmin):
    """Responses as marked. The automatic result is read-only; a mark changed here is recorded
    exactly as a tutor's override (``override_mark``): attributed to the admin who made it,
    logged, and followed by mastery, progress summaries and what the marker learns."""

    form = ResponseOverrideForm
    list_display = ["attempt", "position", "question", "awarded", "override_awarded", "needs_tutor"]
    list_filter = ["awarded", "needs_tutor", "question__topic"]
    list_select_related = ["attempt", "attempt__learner", "question"]
    search_fields = ["answer_text", "attempt__learner__username", "question__prompt"]
    fields = [
        "attempt",
        "question",
        "position",
        "answer_text",
        "selected_choice",
        # The mark first; the marker's working (snapshot, result) last, after the override.
        *(name for name in models.MARK_FIELDS if name not in _MARK_DETAIL),
        "override_awarded",
        "override_comment",
        "override_by",
        "override_at",
        "rubric_snapshot",
        "result",
    ]
    # What the marker wrote is read-only here; a tutor changes a mark through the override.
    readonly_fields = [
        "attempt",
        "question",
        "position",
        "answer_text",
        "selected_choice",
        *models.MARK_FIELDS,
        "override_by",
        "override_at",
    ]
    inlines = [OverrideRecordInline, ResultRevisionInline]
    actions = ["remark_with_current_rubric"]

    def has_add_permission(self, request):
        # Responses come from learners' attempts, never from the admin.
        return False

    def save_model(self, request, obj, form, change):
        """Nothing is saved directly: a changed mark or comment is an override by this admin."""
        if not ({"override_awarded", "override_comment"} & set(form.changed_data)):
            return
        try:
            override_mark(
                response=obj,
                tutor=request.user,
                awarded=form.cleaned_data["override_awarded"],
                comment=form.cleaned_data["override_comment"],
            )
        except QuizError as error:
            self.message_user(request, str(error), messages.ERROR)

    @admin.action(description="Re-mark with the question's current rubric (keeps earlier result)")
    def remark_with_current_rubric(self, request, queryset):
        count = enqueue_remark(
            response_ids=queryset.values_list("pk", flat=True),
            reason=f"re-marked by {request.user}",
        )
        self.message_user(
            request,
            f"Queued a re-mark of {count} response(s): the marking workers apply it in the "
            "background (answers of quizzes not yet marked are marked with the current rubric "
            "anyway). Reload this page to see the new results.",
            messages.SUCCESS,
        )


class ResponseInline(RecordInline):
    model = models.Response
    fields = ["position", "question", "answer_text", "awarded", "override_awarded"]
    readonly_fields = fields
    show_change_link = True


@admin.register(models.Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["title", "learner", "kind", "started_at", "submitted_at", "marked_at"]
    list_filter = ["kind", "submitted_at", "marked_at"]
    list_select_related = ["learner", "topic"]
    search_fields = ["learner__username", "title"]
    readonly_fields = [
        "learner",
        "kind",
        "topic",
        "title",
        "retry_of",
        "started_at",
        "submitted_at",
        "marked_at",
    ]
    inlines = [ResponseInline]


@admin.register(models.Exemplar)
class ExemplarAdmin(admin.ModelAdmin):
    """Every marked answer that teaches the marker, across questions; exportable as the CSV
    ``import_marked_answers`` reads."""

    list_display = ["answer_text", "question", "credited", "source", "marked_by", "updated_at"]
    list_filter = ["credited", "source", "question__topic"]
    list_select_related = ["question", "marked_by"]
    search_fields = ["answer_text", "question__prompt"]
    form = ExemplarForm
    actions = ["export_as_csv"]

    @admin.action(description="Export selected as CSV (source, point, answer, credit)")
    def export_as_csv(self, request, queryset):
        return exemplars_csv_response(queryset)

    def get_urls(self):
        upload = path(
            "import/",
            self.admin_site.admin_view(self.import_view),
            name="assessments_exemplar_import",
        )
        return [upload, *super().get_urls()]

    def import_view(self, request):
        """Import marked answers uploaded by an admin, with ``import_marked_answers``'s rules
        and report."""
        check_can_import(self, request)
        report = None
        form = MarkedAnswersUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            report = import_marked_answers(rows=form.rows, marked_by=request.user)
            self.message_user(
                request,
                f"{form.cleaned_data['file'].name}: {report.summary}",
                messages.WARNING if report.errors else messages.SUCCESS,
            )
        context = {"title": "Import marked answers", "form": form, "report": report}
        return changelist_tool_response(
            self, request, "admin/assessments/exemplar/import.html", context
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        relearn_question(question=obj.question)

    def delete_model(self, request, obj):
        question = obj.question
        super().delete_model(request, obj)
        relearn_question(question=question)

    def delete_queryset(self, request, queryset):
        questions = {e.question_id: e.question for e in queryset.select_related("question")}
        super().delete_queryset(request, queryset)
        for question in questions.values():
            relearn_question(question=question)


@admin.register(models.RemarkRun)
class RemarkRunAdmin(admin.ModelAdmin):
    """Background re-marks and their progress: read-only, the workers write them."""

    list_display = ["question", "state", "progress", "reason", "requested_by", "requested_at"]
    list_filter = ["state"]
    list_select_related = ["question", "requested_by"]
    search_fields = ["question__prompt", "reason"]
    date_hierarchy = "requested_at"

    @admin.display(description="Progress")
    def progress(self, obj):
        return obj.progress

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
