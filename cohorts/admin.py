"""Admins manage cohorts here, and are the only people who put a learner in a cohort
directly (tutors invite; learners join with the code or accept)."""

from django import forms
from django.contrib import admin
from django.utils import timezone

from cohorts.models import Cohort, CohortInvitation, CohortMembership
from cohorts.services import learner_refusal


class MembershipAdminForm(forms.ModelForm):
    """Refuses tutors, staff and admins as learners; the tick box records the learner's
    agreement to share answers from before joining (unticked: from the moment of adding)."""

    share_earlier_answers = forms.BooleanField(
        required=False,
        label="The learner agreed to share answers from before joining",
        help_text="Unticked, the cohort's tutors see the learner's answers from now on.",
    )

    class Meta:
        model = CohortMembership
        fields = [
            "cohort",
            "learner",
            "share_earlier_answers",
            "removed_at",
            "history_visible_from",
        ]

    def clean_learner(self):
        learner = self.cleaned_data["learner"]
        refusal = learner_refusal(learner)
        if refusal:
            raise forms.ValidationError(f"{learner.username} cannot be a learner: {refusal}.")
        return learner

    def save(self, commit=True):
        # A new membership shows answers from now on unless the box is ticked (or a time is
        # given); "empty" on an existing one means every answer.
        adding = self.instance.pk is None
        if adding and self.cleaned_data.get("share_earlier_answers"):
            self.instance.history_visible_from = None
        elif adding and self.instance.history_visible_from is None:
            self.instance.history_visible_from = timezone.now()
        return super().save(commit=commit)


class MembershipInline(admin.TabularInline):
    model = CohortMembership
    form = MembershipAdminForm
    fk_name = "cohort"
    extra = 0
    raw_id_fields = ["learner"]
    fields = [
        "learner",
        "share_earlier_answers",
        "joined_at",
        "removed_at",
        "history_visible_from",
    ]
    readonly_fields = ["joined_at"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "qualification", "join_code", "created_at"]
    list_filter = ["qualification"]
    list_select_related = ["qualification"]
    search_fields = ["name", "join_code"]
    filter_horizontal = ["tutors"]
    inlines = [MembershipInline]


@admin.register(CohortMembership)
class CohortMembershipAdmin(admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ["learner", "cohort", "joined_at", "removed_at", "history_visible_from"]
    list_filter = ["cohort"]
    list_select_related = ["learner", "cohort"]
    search_fields = ["learner__username", "learner__email", "cohort__name"]
    raw_id_fields = ["learner"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CohortInvitation)
class CohortInvitationAdmin(admin.ModelAdmin):
    list_display = ["learner", "cohort", "status", "invited_by", "created_at", "responded_at"]
    list_filter = ["status"]
    list_select_related = ["learner", "cohort", "invited_by"]
    search_fields = ["learner__username", "cohort__name"]
    readonly_fields = ["created_at", "responded_at"]
    raw_id_fields = ["learner", "invited_by"]
