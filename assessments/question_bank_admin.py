"""The admin's question bank tools: an upload page for GIFT and Moodle XML files (reached from
the question list) and actions that download questions or topics' banks in either format.

A mixin, so the question admin keeps its own URLs and actions and gains these beside them.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.urls import path

from assessments.forms import QuestionBankUploadForm
from assessments.question_bank_transfer import export_question_bank, import_question_bank
from assessments.question_banks.reading import GIFT, MAX_BANK_BYTES, MOODLE_XML
from revision_portal.admin_tools import (
    changelist_tool_response,
    check_can_import,
    import_summary,
)

_DOWNLOADS = {
    GIFT: ("question-bank.gift", "text/plain; charset=utf-8"),
    MOODLE_XML: ("question-bank.xml", "application/xml; charset=utf-8"),
}


def question_bank_download(*, file_format: str, topics=None, questions=None) -> HttpResponse:
    """An attachment holding the bank of ``topics`` (or the ``questions`` given)."""
    export = export_question_bank(file_format=file_format, topics=topics, questions=questions)
    filename, content_type = _DOWNLOADS[file_format]
    response = HttpResponse(export.text, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class QuestionBankAdminMixin:
    """For ``QuestionAdmin``: the "Import question bank" page and the export actions."""

    def get_urls(self):
        upload = path(
            "import-bank/",
            self.admin_site.admin_view(self.import_bank_view),
            name="assessments_question_import_bank",
        )
        return [upload, *super().get_urls()]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.has_view_permission(request):
            for name, func in (
                ("export_bank_gift", export_bank_gift),
                ("export_bank_moodle_xml", export_bank_moodle_xml),
            ):
                actions[name] = (func, name, func.short_description)
        return actions

    def import_bank_view(self, request):
        """Import uploaded question banks, with ``import_questions``'s rules and report."""
        check_can_import(self, request)
        reports = []
        form = QuestionBankUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            dry_run = form.cleaned_data["dry_run"]
            for upload in form.cleaned_data["files"]:
                # One byte over the limit is enough for the importer to refuse the file.
                data = upload.read(MAX_BANK_BYTES + 1)
                reports.append(import_question_bank(name=upload.name, data=data, dry_run=dry_run))
            for report in reports:
                level = messages.WARNING if report.failed else messages.SUCCESS
                self.message_user(request, import_summary(report.summary, dry_run=dry_run), level)
        context = {"title": "Import question bank", "form": form, "reports": reports}
        return changelist_tool_response(
            self, request, "admin/assessments/question/import_bank.html", context
        )


def export_bank_gift(modeladmin, request, queryset):
    return question_bank_download(file_format=GIFT, questions=queryset)


export_bank_gift.short_description = "Export selected questions as GIFT"


def export_bank_moodle_xml(modeladmin, request, queryset):
    return question_bank_download(file_format=MOODLE_XML, questions=queryset)


export_bank_moodle_xml.short_description = "Export selected questions as Moodle XML"
