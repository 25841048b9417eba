from django.contrib import admin

from assignments.models import Assignment, AssignmentAttempt, AssignmentQuestion


class AssignmentQuestionInline(admin.TabularInline):
    model = AssignmentQuestion
    raw_id_fields = ["question"]
    extra = 0


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["title", "cohort", "opens_at", "due_at", "attempts_allowed", "closed_at"]
    list_filter = ["cohort"]
    search_fields = ["title", "cohort__name"]
    list_select_related = ["cohort"]
    raw_id_fields = ["set_by"]
    filter_horizontal = ["topics"]
    exclude = ["marking_points"]
    inlines = [AssignmentQuestionInline]


@admin.register(AssignmentAttempt)
class AssignmentAttemptAdmin(admin.ModelAdmin):
    list_display = ["assignment", "learner", "number", "attempt"]
    list_select_related = ["assignment", "learner", "attempt"]
    search_fields = ["assignment__title", "learner__username"]
    raw_id_fields = ["assignment", "learner", "attempt"]
