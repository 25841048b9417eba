"""Real-browser tests: Playwright driving Debian's Chromium against Django's live server.

Playwright's own browser download is not available here, so the system Chromium is launched
directly. Screenshots go to test-results/ (CI artefacts).
"""

import os
import shutil
from pathlib import Path

import pytest

from accounts.services import make_tutor
from assessments.tests.factories import UserFactory
from cohorts.services import add_member, create_cohort

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
RESULTS_DIR = Path(__file__).resolve().parents[3] / "test-results"
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PASSWORD = "browser-test-pass-42"
# Playwright's sync API runs an event loop in the test thread, and the session-scoped browser
# keeps it running between tests; the ORM calls made by the tests and by pytest-django's
# fixtures are still synchronous, so Django's async-safety check would refuse them. Subprocess
# tests strip this variable (see revision_portal/tests/test_settings.py).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session", autouse=True)
def chromium_present():
    """Skip the browser tests where Chromium is missing, except on CI (``CI`` set), where a
    missing browser is a broken machine: there every browser test fails with this message
    rather than letting the run pass without them. Autouse and session-scoped, so it runs
    before Playwright tries to launch the browser."""
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    message = f"Chromium not found at {CHROMIUM} (set CHROMIUM_PATH, or run `make test`)"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def csp_violations(page):
    """Console messages reporting Content Security Policy violations on the page."""
    found = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return found


@pytest.fixture
def site(transactional_db, live_server, seed_bytes):
    """Seed topics, a tutor with a cohort, and its learner, on the live server's database."""
    from topics.services import import_seed_bytes

    for prefix, name in [("000", "000_7ea13c0c7803a35f.txt"), ("001", "001_ff5e01d8a45115a3.txt")]:
        import_seed_bytes(source_name=name, data=seed_bytes(prefix))
    tutor = UserFactory(username="tina", first_name="Tina", password=PASSWORD)
    make_tutor(user=tutor)
    cohort = create_cohort(tutor=tutor, name="Browser cohort")
    learner = UserFactory(username="lara", first_name="Lara", password=PASSWORD)
    add_member(cohort=cohort, learner=learner)
    admin = UserFactory(username="ada", password=PASSWORD, is_staff=True, is_superuser=True)

    class Site:
        url = live_server.url

    site = Site()
    site.tutor, site.cohort, site.learner, site.admin = tutor, cohort, learner, admin
    return site


def log_in(page, site, username: str) -> None:
    page.goto(f"{site.url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def screenshot(page, name: str) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page) -> list[dict]:
    """Serious and critical axe-core violations on the current page."""
    # Evaluated through the DevTools protocol rather than added as a <script>, so the page's
    # Content Security Policy (which rightly forbids inline scripts) stays on during the check.
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in results["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def has_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"
    )


def words_split_in_tables(page) -> list[str]:
    """Words inside a table laid out over two lines (a column narrowed by splitting its words,
    "Mas" / "tery"), at most eight."""
    return page.evaluate(
        r"""() => {
            const split = [];
            const walker = document.createTreeWalker(
                document.querySelector('main') || document.body, NodeFilter.SHOW_TEXT,
                {acceptNode: n => n.parentElement.closest('table')
                    ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT});
            for (let node = walker.nextNode(); node && split.length < 8; node = walker.nextNode()) {
                for (const found of node.textContent.matchAll(/\S+/g)) {
                    const range = document.createRange();
                    range.setStart(node, found.index);
                    range.setEnd(node, found.index + found[0].length);
                    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                    if (lines.size > 1) split.push(found[0]);
                }
            }
            return split;
        }"""
    )


def widest_elements(page) -> list[str]:
    """The elements sticking out past the right edge, to say what makes a page scroll."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .slice(0, 8)
            .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
    )
