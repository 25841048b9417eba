"""The user admin: Django's, with deletion going through ``accounts.services.delete_accounts``
(audit trail pseudonymised, login records and sessions removed, refusals explained) and
usernames checked for look-alike letters."""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import redirect
from django.urls import reverse

from accounts.forms import AdminUserChangeForm, AdminUserCreationForm
from accounts.services import AccountDeletionRefused, delete_accounts, deletion_refusals

User = get_user_model()


def _refuse(request, reasons) -> None:
    for reason in reasons:
        messages.error(request, reason)


@admin.action(permissions=["delete"], description="Delete selected users")
def delete_selected_users(modeladmin, request, queryset):
    """Django's delete action, refused up front (nothing deleted) when the selection may not go."""
    reasons = deletion_refusals(list(queryset))
    if reasons:
        _refuse(request, reasons)
        return None
    return delete_selected(modeladmin, request, queryset)


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (
                delete_selected_users,
                "delete_selected",
                delete_selected_users.short_description,
            )
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        user = self.get_object(request, object_id)
        if user is not None:
            reasons = deletion_refusals([user])
            if reasons:
                _refuse(request, reasons)
                return redirect(reverse("admin:auth_user_change", args=[user.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        delete_accounts(users=[obj])

    def delete_queryset(self, request, queryset):
        try:
            delete_accounts(users=list(queryset))
        except AccountDeletionRefused as refused:
            _refuse(request, refused.reasons)
