"""The admin's change list tool pages (uploading seed files, importing question banks or marked
answers): who may open one, and what every such page is rendered with
(``admin/changelist_tool.html`` reads ``opts``, ``title`` and ``changelist_url``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse


def check_can_import(model_admin, request) -> None:
    """Refuse (403) a user who may not both add and change the admin's model: an import does
    both."""
    if not (model_admin.has_add_permission(request) and model_admin.has_change_permission(request)):
        raise PermissionDenied


def import_summary(summary: str, *, dry_run: bool) -> str:
    """An import report's summary as the admin's message says it: a dry run says first that
    nothing was saved."""
    return f"Dry run, nothing saved: {summary}" if dry_run else summary


def changelist_tool_response(model_admin, request, template: str, context: dict):
    """``template`` (which extends ``admin/changelist_tool.html``) for ``model_admin``'s model:
    ``context`` (with the page's ``title``) and what every admin page and the breadcrumbs
    need."""
    opts = model_admin.model._meta
    changelist_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "changelist_url": changelist_url,
        **context,
    }
    return TemplateResponse(request, template, context)
