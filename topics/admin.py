from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from revision_portal.audit import child_history
from topics.forms import QualificationForm, SeedUploadForm
from topics.models import (
    SECTION_MODELS,
    ExamTip,
    KeyConcept,
    KeyTerm,
    LearningObjective,
    MarkingPoint,
    Misconception,
    Prerequisite,
    Qualification,
    Topic,
)
from topics.services import (
    ImportReport,
    import_uploaded_seed,
    publish_topics,
    qualification_vocabulary_changed,
    topic_content_changed,
)

HISTORY_WITH_CHILDREN_TEMPLATE = "admin/object_history_with_children.html"


class SectionInline(admin.TabularInline):
    extra = 0
    ordering = ["position", "id"]


class KeyConceptInline(SectionInline):
    model = KeyConcept


class ExamTipInline(SectionInline):
    model = ExamTip


class MisconceptionInline(SectionInline):
    model = Misconception


class MarkingPointInline(SectionInline):
    model = MarkingPoint
    fields = ["position", "text", "retired_at"]
    # Deleting a point would orphan the answers marked against it: retire it instead.
    can_delete = False


class LearningObjectiveInline(SectionInline):
    model = LearningObjective


class PrerequisiteInline(SectionInline):
    model = Prerequisite


class KeyTermInline(SectionInline):
    model = KeyTerm


@admin.register(Qualification)
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


@admin.register(Topic)
class TopicAdmin(SimpleHistoryAdmin):
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
    fields = [
        "title",
        "title_derived",
        "is_published",
        "slug",
        "qualification",
        "synopsis",
        "live_page",
        "source_file",
        "content_hash",
        "created_at",
        "updated_at",
    ]
    inlines = [
        KeyConceptInline,
        ExamTipInline,
        MisconceptionInline,
        MarkingPointInline,
        LearningObjectiveInline,
        PrerequisiteInline,
        KeyTermInline,
    ]
    change_list_template = "admin/topics/topic/change_list.html"
    object_history_template = HISTORY_WITH_CHILDREN_TEMPLATE

    def history_view(self, request, object_id, extra_context=None):
        """The topic's own changes, then every change to its sections (who, when, what)."""
        try:
            topic_id = int(object_id)
        except (TypeError, ValueError):
            topic_id = None
        children = (
            child_history((model, {"topic_id": topic_id}) for model in SECTION_MODELS)
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
    def status(self, obj: Topic) -> str:
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
    def live_page(self, obj: Topic) -> str:
        if not obj.pk:
            return "-"
        label = "View on site" if obj.is_published else "Preview (draft)"
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), label)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Search reads a denormalised column and questions are generated from the sections:
        # bring both up to date once every section has been saved.
        topic_content_changed(topic=form.instance)

    def get_urls(self):
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="topics_topic_upload",
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request):
        """Import seed files uploaded by an admin, with the command's rules and report."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        report = None
        form = SeedUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            dry_run = form.cleaned_data["dry_run"]
            report = ImportReport(
                results=[
                    import_uploaded_seed(upload=upload, dry_run=dry_run)
                    for upload in form.cleaned_data["files"]
                ]
            )
            level = messages.ERROR if report.failed else messages.SUCCESS
            prefix = "Dry run, nothing saved: " if dry_run else ""
            self.message_user(request, prefix + report.summary, level=level)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Upload seed files",
            "form": form,
            "report": report,
            "dry_run": bool(report and form.cleaned_data.get("dry_run")),
            "changelist_url": reverse("admin:topics_topic_changelist"),
        }
        return TemplateResponse(request, "admin/topics/topic/upload_seeds.html", context)


@admin.register(MarkingPoint)
class MarkingPointAdmin(SimpleHistoryAdmin):
    list_display = ["text", "topic", "position", "retired_at"]
    list_filter = [("retired_at", admin.EmptyFieldListFilter), "topic__qualification"]
    list_select_related = ["topic"]
    search_fields = ["text", "topic__title"]
    autocomplete_fields = ["topic"]
    readonly_fields = ["normalised_text"]

    def has_delete_permission(self, request, obj=None):
        # Answers are marked against points; retiring keeps their history intact.
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        topic_content_changed(topic=obj.topic)
