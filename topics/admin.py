from collections import Counter
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.db.models import Count, Q, TextField
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from revision_portal.admin_tools import (
    changelist_tool_response,
    check_can_import,
    import_summary,
)
from revision_portal.audit import child_history
from topics import models
from topics.forms import (
    RETIRED_HELP,
    MarkingPointEntryForm,
    MarkingPointForm,
    QualificationForm,
    SectionEntryForm,
    SectionEntryFormSet,
    SeedUploadForm,
)
from topics.markdown_preview import MarkdownPreviewTextarea, preview_html, preview_problem
from topics.ordering import MoveRequest, parse_move
from topics.services import (
    ImportReport,
    import_uploaded_seed,
    move_section_item,
    next_section_position,
    publish_topics,
    qualification_vocabulary_changed,
    queue_seed_import,
    reorder_section,
    retire_marking_points,
    status_summary,
    topic_content_changed,
)

HISTORY_WITH_CHILDREN_TEMPLATE = "admin/object_history_with_children.html"
# The name of the Up/Down buttons; their value is "<inline prefix>-<pk>-<up|down>".
MOVE_FIELD = "_move"
# With JavaScript, rows dragged into a new order post it as "_order-<inline prefix>=pk,pk,...".
ORDER_FIELD_PREFIX = "_order-"


class SectionInline(admin.TabularInline):
    """A topic section as a folded table: Up/Down buttons order it (the position is not shown),
    and its Markdown fields show a preview as the site will render them."""

    extra = 1  # one blank row, so an entry can be added without JavaScript
    ordering = ["position", "id"]
    form = SectionEntryForm
    formset = SectionEntryFormSet
    template = "admin/topics/edit_inline/sections.html"
    classes = ["collapse"]
    description = ""
    # Every text field of a section is Markdown on the topic page (topics/_topic_sections.html),
    # rendered inline, as list items.
    formfield_overrides = {TextField: {"widget": MarkdownPreviewTextarea(inline=True)}}

    class Media:
        # Drag to reorder: an enhancement of the Up/Down buttons, which work without it.
        js = ["js/section_order.js"]


class KeyConceptInline(SectionInline):
    model = models.KeyConcept
    fields = ["term", "explanation"]


class ExamTipInline(SectionInline):
    model = models.ExamTip
    fields = ["text"]


class MisconceptionInline(SectionInline):
    model = models.Misconception
    fields = ["statement", "correction"]


class MarkingPointInline(SectionInline):
    model = models.MarkingPoint
    form = MarkingPointEntryForm
    fields = ["text", "retired"]
    classes = []  # the only group on its page: open
    description = (
        "The examiner's marking points, in the order learners see them. A retired point keeps "
        "every learner's answer and mark linked to it; no new quiz asks about it and the "
        "question made from it is withdrawn. Untick Retired to bring a point back."
    )
    # Deleting a point would orphan the answers marked against it: retire it instead.
    can_delete = False


class LearningObjectiveInline(SectionInline):
    model = models.LearningObjective
    fields = ["text"]


class PrerequisiteInline(SectionInline):
    model = models.Prerequisite
    fields = ["text"]
    verbose_name_plural = "prerequisites (before you start)"


class KeyTermInline(SectionInline):
    model = models.KeyTerm
    fields = ["term", "definition"]


# The topic's sections on its change page, in the order the topic page shows them. Marking
# points have a page of their own (TopicAdmin.marking_points_view).
CONTENT_INLINES = [
    PrerequisiteInline,
    LearningObjectiveInline,
    KeyConceptInline,
    KeyTermInline,
    ExamTipInline,
    MisconceptionInline,
]
MARKING_POINTS_PART = "marking_points"


@admin.register(models.Qualification)
class QualificationAdmin(SimpleHistoryAdmin):
    form = QualificationForm
    list_display = ["name", "awarding_body", "level", "lexicon"]
    search_fields = ["name", "awarding_body"]
    list_filter = ["level", "awarding_body", "lexicon"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "lexicon" in form.changed_data:
            # Rubrics are built with the vocabulary, so the question banks are rebuilt now;
            # answers already marked keep their marks until someone re-marks them.
            count = qualification_vocabulary_changed(qualification=obj)
            self.message_user(
                request,
                f"Rebuilt the question banks of {count} topic(s) with the new vocabulary. "
                "Answers already marked keep their marks until they are re-marked.",
                messages.INFO,
            )


@admin.register(models.Topic)
class TopicAdmin(SimpleHistoryAdmin):
    """A topic in parts: its content and sections on the change page (each section folded,
    with a count and its first entries), its marking points on a page of their own, and a
    link to its questions. Sections and points are ordered with Up/Down buttons."""

    list_display = ["title", "status", "qualification", "source_file", "updated_at", "live_page"]
    list_filter = ["is_published", "title_derived", "qualification", "updated_at"]
    list_select_related = ["qualification"]
    search_fields = ["title", "synopsis", "source_file", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "title_derived",
        "source_file",
        "content_hash",
        "created_at",
        "updated_at",
        "live_page",
    ]
    actions = ["publish", "unpublish", "export_bank_gift", "export_bank_moodle_xml"]
    # The Save buttons come first in the form too: Enter in a text box saves rather than
    # pressing the first Up/Down button.
    save_on_top = True
    fieldsets = [
        (
            "Content",
            {
                "fields": [
                    "title",
                    "title_derived",
                    "slug",
                    "qualification",
                    "is_published",
                    "synopsis",
                    "live_page",
                ]
            },
        ),
        (
            "Import record",
            {
                "classes": ["collapse"],
                "fields": ["source_file", "content_hash", "created_at", "updated_at"],
            },
        ),
    ]
    inlines = CONTENT_INLINES
    change_form_template = "admin/topics/topic/change_form.html"
    change_list_template = "admin/topics/topic/change_list.html"
    object_history_template = HISTORY_WITH_CHILDREN_TEMPLATE

    class Media:
        css = {"all": ["css/admin_topics.css"]}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "synopsis":
            kwargs["widget"] = MarkdownPreviewTextarea()
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # The marking points page is this change form with other fields and inlines: which part a
    # request is for is set on it by marking_points_view.
    @staticmethod
    def _part(request) -> str:
        return getattr(request, "topic_admin_part", "content")

    def get_fieldsets(self, request, obj=None):
        if self._part(request) == MARKING_POINTS_PART:
            return []
        return super().get_fieldsets(request, obj)

    def get_prepopulated_fields(self, request, obj=None):
        if self._part(request) == MARKING_POINTS_PART:
            return {}
        return super().get_prepopulated_fields(request, obj)

    def get_inlines(self, request, obj):
        if self._part(request) == MARKING_POINTS_PART:
            return [MarkingPointInline]
        if obj is None:
            # A topic written by hand gets its points with the rest (it has no points page yet).
            return [*CONTENT_INLINES, MarkingPointInline]
        return super().get_inlines(request, obj)

    def get_inline_instances(self, request, obj=None):
        instances = super().get_inline_instances(request, obj)
        # After an Up/Down, the section it was pressed in is shown unfolded (?open=prefix).
        opened = request.GET.get("open", "")
        for inline in instances:
            if opened and _inline_prefix(inline) == opened:
                inline.classes = []
        return instances

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {
            **self._parts_context(request, self.get_object(request, unquote(object_id))),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def marking_points_view(self, request, object_id):
        """The topic's marking points on a page of their own: wording (with a preview), a
        Retired tick and Up/Down buttons. Saved like the change page, through save_related."""
        request.topic_admin_part = MARKING_POINTS_PART
        topic = self.get_object(request, unquote(object_id))
        context = {
            **self._parts_context(request, topic),
            "show_save_and_add_another": False,
            "show_delete": False,
        }
        if topic is not None:
            context["title"] = f"Marking points: {topic}"
            context["subtitle"] = None
        return self.changeform_view(request, object_id, extra_context=context)

    def _parts_context(self, request, topic: models.Topic | None) -> dict:
        """Links to the parts of ``topic`` (the current one marked), with their sizes."""
        if topic is None:
            return {}
        counts = topic.marking_points.aggregate(
            active=Count("pk", filter=Q(retired_at__isnull=True)),
            retired=Count("pk", filter=Q(retired_at__isnull=False)),
        )
        retired = f", {counts['retired']} retired" if counts["retired"] else ""
        current = self._part(request)
        parts = [
            {
                "label": "Content and sections",
                "url": reverse("admin:topics_topic_change", args=[topic.pk]),
                "current": current == "content",
            },
            {
                "label": f"Marking points ({counts['active']}{retired})",
                "url": reverse("admin:topics_topic_marking_points", args=[topic.pk]),
                "current": current == MARKING_POINTS_PART,
            },
        ]
        questions_url = _questions_changelist_url(request, topic)
        if questions_url:
            parts.append(
                {
                    "label": f"Questions ({topic.questions.count()})",
                    "url": questions_url,
                    "current": False,
                }
            )
        return {"topic_parts": parts}

    def history_view(self, request, object_id, extra_context=None):
        """The topic's own changes, then every change to its sections (who, when, what)."""
        try:
            topic_id = int(object_id)
        except (TypeError, ValueError):
            topic_id = None
        children = (
            child_history((model, {"topic_id": topic_id}) for model in models.SECTION_MODELS)
            if topic_id is not None
            else []
        )
        context = {
            "child_history": children,
            "child_history_title": "Changes to this topic's sections",
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, extra_context=context)

    @admin.display(description="Status", ordering="is_published")
    def status(self, obj: models.Topic) -> str:
        if obj.is_published:
            return "Published"
        if obj.title_derived:
            return "Draft (title made from the synopsis: check it)"
        return "Draft"

    @admin.action(description="Publish selected topics (learners and visitors see them)")
    def publish(self, request, queryset):
        count = publish_topics(topics=queryset)
        self.message_user(
            request, f"Published {count} topic{'s' if count != 1 else ''}.", messages.SUCCESS
        )

    @admin.action(description="Withdraw selected topics to drafts (hidden from learners)")
    def unpublish(self, request, queryset):
        count = publish_topics(topics=queryset, published=False)
        self.message_user(
            request,
            f"Withdrew {count} topic{'s' if count != 1 else ''} to drafts.",
            messages.SUCCESS,
        )

    # The bank is built by the assessments app, asked through the app registry (this app does
    # not import it: docs/decisions/0012).
    @admin.action(description="Export question bank as GIFT", permissions=["view"])
    def export_bank_gift(self, request, queryset):
        return apps.get_app_config("assessments").question_bank_download(
            topics=queryset, file_format="gift"
        )

    @admin.action(description="Export question bank as Moodle XML", permissions=["view"])
    def export_bank_moodle_xml(self, request, queryset):
        return apps.get_app_config("assessments").question_bank_download(
            topics=queryset, file_format="moodle-xml"
        )

    def save_model(self, request, obj, form, change):
        # A title a person has set is reviewed: it no longer needs checking.
        if "title" in form.changed_data:
            obj.title_derived = False
        super().save_model(request, obj, form, change)

    @admin.display(description="Live page")
    def live_page(self, obj: models.Topic) -> str:
        if not obj.pk:
            return "-"
        label = "View on site" if obj.is_published else "Preview (draft)"
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), label)

    def save_formset(self, request, form, formset, change):
        # Entries added by hand go at the end of their section (editors never type positions).
        if issubclass(formset.model, models.SectionItem):
            position = next_section_position(model=formset.model, topic=form.instance)
            for entry in formset.extra_forms:
                if entry.has_changed() and not entry.cleaned_data.get("DELETE"):
                    entry.instance.position = position
                    position += 1
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Every edit on the page is saved above; then rows dragged into a new order (with
        # JavaScript) take it, and an Up/Down button's entry moves.
        self._apply_dragged_orders(request, form.instance, formsets)
        move = parse_move(request.POST.get(MOVE_FIELD, ""))
        if move is not None:
            request.topic_admin_moved = self._apply_move(request, form.instance, formsets, move)
        # Search reads a denormalised column and questions are generated from the sections:
        # bring both up to date once every section has been saved (and moved).
        topic_content_changed(topic=form.instance)

    def _apply_dragged_orders(self, request, topic: models.Topic, formsets) -> None:
        for formset in formsets:
            value = request.POST.get(f"{ORDER_FIELD_PREFIX}{formset.prefix}")
            if not value or not _may_change(request, formset.model):
                continue
            if reorder_section(model=formset.model, topic=topic, order_value=value):
                self.message_user(
                    request,
                    f"Saved the new order of {formset.model._meta.verbose_name_plural}.",
                    messages.SUCCESS,
                )

    def _apply_move(self, request, topic: models.Topic, formsets, move: MoveRequest):
        formset = next((f for f in formsets if f.prefix == move.prefix), None)
        if formset is None or not _may_change(request, formset.model):
            return None
        return move_section_item(
            model=formset.model, topic=topic, pk=move.pk, direction=move.direction
        )

    def response_change(self, request, obj):
        move = parse_move(request.POST.get(MOVE_FIELD, ""))
        if move is None:
            return super().response_change(request, obj)
        moved = getattr(request, "topic_admin_moved", None)
        if moved is None:
            self.message_user(
                request,
                "Your changes were saved. Nothing was moved: that entry is already at that end "
                "of its list, or is no longer there.",
                messages.WARNING,
            )
        else:
            self.message_user(
                request,
                f"Your changes were saved and “{moved}” moved {move.direction}.",
                messages.SUCCESS,
            )
        query = urlencode({"open": move.prefix})
        return HttpResponseRedirect(f"{request.path}?{query}#{move.prefix}-group")

    def get_urls(self):
        admin_view = self.admin_site.admin_view
        return [
            path("upload/", admin_view(self.upload_view), name="topics_topic_upload"),
            path(
                "markdown-preview/",
                admin_view(self.markdown_preview_view),
                name="topics_markdown_preview",
            ),
            path(
                "<path:object_id>/marking-points/",
                admin_view(self.marking_points_view),
                name="topics_topic_marking_points",
            ),
            *super().get_urls(),
        ]

    def markdown_preview_view(self, request):
        """Render posted Markdown as the site would (staff only, CSRF-checked by admin_view):
        ``{"html": ...}``, or ``{"error": ...}`` with status 400 for text too long to preview."""
        if request.method != "POST":
            return JsonResponse({"error": "Send the text to preview in a POST."}, status=405)
        text = request.POST.get("text", "")
        problem = preview_problem(text)
        if problem:
            return JsonResponse({"error": problem}, status=400)
        inline = request.POST.get("mode") == "inline"
        return JsonResponse({"html": preview_html(text, inline=inline)})

    def upload_view(self, request):
        """Import seed files uploaded by an admin, with the command's rules and report."""
        check_can_import(self, request)
        report = None
        form = SeedUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            dry_run = form.cleaned_data["dry_run"]
            uploads = form.cleaned_data["files"]
            if not dry_run and len(uploads) >= settings.SEED_UPLOAD_QUEUE_FROM:
                run = queue_seed_import(uploads=uploads, user=request.user)
                self.message_user(
                    request,
                    f"{len(uploads)} files are being imported in the background: this page "
                    "shows each file's result as it is done.",
                    messages.INFO,
                )
                return HttpResponseRedirect(
                    reverse("admin:topics_seedimportrun_change", args=[run.pk])
                )
            report = ImportReport(
                results=[import_uploaded_seed(upload=upload, dry_run=dry_run) for upload in uploads]
            )
            level = messages.ERROR if report.failed else messages.SUCCESS
            self.message_user(request, import_summary(report.summary, dry_run=dry_run), level)
        context = {
            "title": "Upload seed files",
            "form": form,
            "report": report,
            "dry_run": bool(report and form.cleaned_data.get("dry_run")),
        }
        return changelist_tool_response(
            self, request, "admin/topics/topic/upload_seeds.html", context
        )


@admin.register(models.MarkingPoint)
class MarkingPointAdmin(SimpleHistoryAdmin):
    form = MarkingPointForm
    list_display = ["text", "topic", "is_retired"]
    list_filter = [("retired_at", admin.EmptyFieldListFilter), "topic__qualification"]
    list_select_related = ["topic"]
    search_fields = ["text", "topic__title"]
    autocomplete_fields = ["topic"]
    ordering = ["topic__title", "position", "id"]
    fields = ["topic", "text", "retired", "normalised_text"]
    readonly_fields = ["normalised_text"]
    actions = ["retire_selected"]
    formfield_overrides = {TextField: {"widget": MarkdownPreviewTextarea(inline=True)}}

    class Media:
        css = {"all": ["css/admin_topics.css"]}

    @admin.display(description="Retired", boolean=True, ordering="retired_at")
    def is_retired(self, obj: models.MarkingPoint) -> bool:
        return obj.retired_at is not None

    def has_delete_permission(self, request, obj=None):
        # Answers are marked against points; retiring keeps their history intact.
        return False

    @admin.action(description="Retire selected marking points", permissions=["change"])
    def retire_selected(self, request, queryset):
        """Ask first (saying what happens to learners' answers), then retire."""
        if request.POST.get("confirm") == "yes":
            count = retire_marking_points(points=queryset.select_related("topic"))
            self.message_user(
                request,
                f"Retired {count} marking point{'s' if count != 1 else ''}. Learners' answers "
                "and marks stay linked to them; their questions are withdrawn from new quizzes.",
                messages.SUCCESS,
            )
            return None
        points = list(queryset.select_related("topic"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Retire these marking points?",
            "active_points": [point for point in points if point.retired_at is None],
            "retired_points": [point for point in points if point.retired_at is not None],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "retired_help": RETIRED_HELP,
        }
        return TemplateResponse(
            request, "admin/topics/markingpoint/retire_confirmation.html", context
        )

    def save_model(self, request, obj, form, change):
        if obj.pk is None:
            # A point added here goes at the end of its topic's list.
            obj.position = next_section_position(model=models.MarkingPoint, topic=obj.topic)
        super().save_model(request, obj, form, change)
        topic_content_changed(topic=obj.topic)


def _may_change(request, model) -> bool:
    return request.user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")


def _inline_prefix(inline) -> str:
    """The form prefix of a topic inline's formset (its related name, e.g. "key_concepts")."""
    return inline.model._meta.get_field("topic").remote_field.get_accessor_name()


def _questions_changelist_url(request, topic: models.Topic) -> str | None:
    """The question bank's admin list filtered to ``topic``, for users who may see it (the
    question admin lives in the assessments app, which this app does not import)."""
    if not request.user.has_perm("assessments.view_question"):
        return None
    try:
        url = reverse("admin:assessments_question_changelist")
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode({'topic__id__exact': topic.pk})}"


class SeedImportFileInline(admin.TabularInline):
    model = models.SeedImportFile
    fields = ["name", "status", "topic", "report"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.SeedImportRun)
class SeedImportRunAdmin(admin.ModelAdmin):
    """Large seed uploads imported by a worker: each file's result as it is done. Read only,
    and only for those who may import topics (``check_can_import``'s rule)."""

    list_display = ["__str__", "created_by", "file_count", "waiting", "finished_at"]
    list_select_related = ["created_by"]
    fields = ["created_at", "created_by", "finished_at", "progress"]
    readonly_fields = fields
    inlines = [SeedImportFileInline]
    change_form_template = "admin/topics/seedimportrun/change_form.html"

    def get_queryset(self, request):
        waiting = Q(files__status=models.SeedImportFile.Status.PENDING)
        return (
            super()
            .get_queryset(request)
            .annotate(file_count=Count("files"), waiting=Count("files", filter=waiting))
        )

    @admin.display(description="files", ordering="file_count")
    def file_count(self, run) -> int:
        return run.file_count

    @admin.display(description="waiting", ordering="waiting")
    def waiting(self, run) -> int:
        return run.waiting

    @admin.display(description="progress")
    def progress(self, run) -> str:
        counts = Counter(run.files.values_list("status", flat=True))
        total = sum(counts.values())
        done = total - counts[models.SeedImportFile.Status.PENDING]
        return f"{done} of {total} files imported ({status_summary(counts)})"

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perms(["topics.add_topic", "topics.change_topic"])

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
