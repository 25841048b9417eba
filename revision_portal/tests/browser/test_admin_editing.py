"""An editor (staff, not a superuser) works on a topic in the admin: sections folded, Up/Down
ordering, a live Markdown preview, marking points retired with a tick. Axe-clean throughout."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from playwright.sync_api import expect

from assessments.tests.factories import UserFactory
from revision_portal.tests.browser.conftest import PASSWORD, axe_violations, screenshot
from topics.models import MarkingPoint, Topic

pytestmark = pytest.mark.browser


# Drag the first row's handle over the lower half of the second row, then let go.
DRAG_ROW = """([source, target]) => {
    const handle = document.querySelector(source + " .drag-handle");
    const row = document.querySelector(target);
    const data = new DataTransfer();
    const box = row.getBoundingClientRect();
    const at = {bubbles: true, cancelable: true, dataTransfer: data};
    handle.dispatchEvent(new DragEvent("dragstart", at));
    row.dispatchEvent(new DragEvent("dragover", {...at, clientY: box.bottom - 2}));
    row.dispatchEvent(new DragEvent("drop", {...at, clientY: box.bottom - 2}));
    handle.dispatchEvent(new DragEvent("dragend", at));
}"""


@pytest.fixture
def editor(site):
    user = UserFactory(username="eddie", password=PASSWORD, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="topics").exclude(
            codename="delete_topic"
        ),
        *Permission.objects.filter(codename="view_question"),
    )
    return user


def _axe_clean(page, csp_violations) -> None:
    """The page has no serious axe violation and broke no CSP rule before the check (axe's
    own probing of styles may report inline styles, so the list is emptied after it)."""
    assert csp_violations == []
    assert axe_violations(page) == []
    csp_violations.clear()


def _log_in_to_admin(page, site, username: str) -> None:
    page.goto(f"{site.url}/admin/")
    page.get_by_label("Username:").fill(username)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def test_editor_orders_previews_and_retires_on_short_accessible_pages(
    page, site, editor, csp_violations
):
    topic = Topic.objects.get(source_file__startswith="000")
    concepts = list(topic.key_concepts.order_by("position", "id"))
    points = list(topic.marking_points.order_by("position", "id"))
    _log_in_to_admin(page, site, "eddie")

    page.goto(f"{site.url}{reverse('admin:topics_topic_change', args=[topic.pk])}")
    # Every section folded: the page that was about 8,000 px tall fits in a few screens.
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2500, height
    _axe_clean(page, csp_violations)
    screenshot(page, "admin-topic-content")

    page.locator("#key_concepts-heading").click()  # unfold the section (its <summary>)
    first_term = concepts[0].term
    page.get_by_role(
        "button", name=re.compile(rf"^Down: move “{re.escape(first_term[:20])}")
    ).click()
    expect(page.get_by_text(f"“{first_term}” moved down")).to_be_visible()
    order = list(topic.key_concepts.order_by("position", "id"))
    assert order[:2] == [concepts[1], concepts[0]]
    _axe_clean(page, csp_violations)  # with Key concepts left open after the move

    synopsis = page.locator("#id_synopsis")
    synopsis.fill("Loyal customers are **worth keeping**.")
    preview = page.locator(".field-synopsis .markdown-preview-body strong")
    expect(preview).to_have_text("worth keeping")
    # With JavaScript, rows can also be dragged by their handle; Save keeps the new order.
    tips = list(topic.exam_tips.order_by("position", "id"))
    page.locator("#exam_tips-heading").click()
    # The drag's events are dispatched in the page: Playwright's mouse does not drive HTML5
    # drag and drop between table rows reliably in headless Chromium.
    page.evaluate(
        DRAG_ROW, [f"#exam_tips-group tr[data-pk='{p}']" for p in (tips[0].pk, tips[-1].pk)]
    )
    expect(page.get_by_text("New order: press Save to keep it.")).to_be_visible()
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    expect(page.get_by_text("Saved the new order of exam tips.")).to_be_visible()
    assert list(topic.exam_tips.order_by("position", "id")) == [*tips[1:], tips[0]]

    page.get_by_role("link", name=re.compile(r"^Marking points \(")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Marking points: {topic.title}")
    _axe_clean(page, csp_violations)
    page.locator("#id_marking_points-1-retired").check()
    third = points[2].text[:20]
    page.get_by_role("button", name=re.compile(rf"^Up: move “{re.escape(third)}")).click()
    expect(page.get_by_text("moved up")).to_be_visible()
    # The retired point is now third, still ticked.
    expect(page.locator("#id_marking_points-2-retired")).to_be_checked()
    _axe_clean(page, csp_violations)
    screenshot(page, "admin-topic-marking-points")

    points[1].refresh_from_db()
    assert points[1].retired_at is not None
    assert list(topic.marking_points.order_by("position", "id"))[:3] == [
        points[0],
        points[2],
        points[1],
    ]
    assert csp_violations == []


def test_editor_retires_points_with_the_action_after_reading_what_happens(
    page, site, editor, csp_violations
):
    point = MarkingPoint.objects.filter(topic__source_file__startswith="001").first()
    _log_in_to_admin(page, site, "eddie")

    page.goto(f"{site.url}{reverse('admin:topics_markingpoint_changelist')}?q={point.text[:30]}")
    _axe_clean(page, csp_violations)
    page.locator(f'input[name="_selected_action"][value="{point.pk}"]').check()
    page.get_by_label("Action:").select_option("retire_selected")
    page.get_by_role("button", name="Go").click()

    expect(page.get_by_text("stay linked to it")).to_be_visible()
    _axe_clean(page, csp_violations)
    point.refresh_from_db()
    assert point.retired_at is None
    page.get_by_role("button", name="Yes, retire them").click()

    expect(page.get_by_text("Retired 1 marking point.")).to_be_visible()
    point.refresh_from_db()
    assert point.retired_at is not None
