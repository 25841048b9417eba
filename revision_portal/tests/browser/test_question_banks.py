"""An admin imports a question bank through the upload page and downloads it again."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from assessments.models import Question
from revision_portal.tests.browser.conftest import PASSWORD, axe_violations

pytestmark = pytest.mark.browser

EXAMPLES = Path(settings.BASE_DIR) / "docs" / "examples"


def test_admin_imports_a_gift_bank_and_exports_it_as_moodle_xml(page, site, csp_violations):
    page.goto(f"{site.url}/admin/")
    page.get_by_label("Username:").fill("ada")
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{site.url}/admin/assessments/question/")
    page.get_by_role("link", name="Import question bank").click()
    assert axe_violations(page) == []
    page.get_by_label("Question bank files:").set_input_files(str(EXAMPLES / "question-bank.gift"))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("question-bank.gift: 6 question(s) created").first).to_be_visible()
    assert axe_violations(page) == []
    assert Question.objects.filter(origin=Question.Origin.IMPORTED).count() == 6

    page.goto(f"{site.url}/admin/assessments/question/?origin__exact=imported")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("export_bank_moodle_xml")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Go").click()
    download = download_info.value
    assert download.suggested_filename == "question-bank.xml"
    assert Path(download.path()).read_text() == (EXAMPLES / "question-bank.xml").read_text()
    assert csp_violations == []
