"""Browser fixtures: one headless Chromium for the whole run, a fresh context for every test.

The browser is Debian's Chromium driven by Playwright's own driver; Playwright's
browser download is never used. When the browser cannot start, every browser test
fails with the reason: a missing browser must never look like a passing suite.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from .support import CSP_LISTENER, DESKTOP, PHONE, SCREENSHOTS

# Playwright's sync API keeps an event loop in the test thread; Django would then refuse
# ORM calls from the test body, which is where the tests arrange and check their data.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = "Install it with `apt-get install -y chromium` (Debian) or point CHROMIUM_PATH at it."

HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Mark every test in this folder `browser`, before `-m "not browser"` deselects by mark."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    """Chromium keeps the real clock while the server's is moved: cookies and tokens would disagree."""
    if session.config.getoption("--frozen-at") and any(
        item.get_closest_marker("browser") for item in session.items
    ):
        raise pytest.UsageError(
            'The browser tests run on the real clock: add -m "not browser" to --frozen-at.'
        )


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not Path(path).exists():
        pytest.fail(
            f"The browser tests need Chromium, and {path} does not exist. {INSTALL_HINT}", pytrace=False
        )
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        pytest.fail(f"Chromium at {path} did not start: {exc}\n{INSTALL_HINT}", pytrace=False)
    yield browser
    browser.close()
    playwright.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_call_failed = report.failed
    return report


def _folder_for(node) -> Path:
    return SCREENSHOTS / re.sub(r"[^\w.-]+", "-", node.name).strip("-")


@pytest.fixture
def new_context(request, browser, live_server):
    """Open browser contexts (a separate cookie jar each) on the live server, closed after the test.

    Italian is the clinic's language, so contexts ask for it unless a test says otherwise.
    When the test fails, every page still open is saved as a screenshot first.
    """
    contexts = []

    def open_context(*, viewport=DESKTOP, language="it", javascript=True):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            locale="it-IT" if language == "it" else "en-GB",
            java_script_enabled=javascript,
            is_mobile=viewport == PHONE,
            has_touch=viewport == PHONE,
            # No smooth scrolling: positions are final when a test reads them.
            reduced_motion="reduce",
        )
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_LISTENER)
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        context.broken_static = []
        context.on(
            "response",
            lambda response: (
                response.status >= 400
                and "/static/" in response.url
                and context.broken_static.append(f"{response.status} {response.url}")
            ),
        )
        # A static file the server never answered (reset, empty response), named as such rather
        # than by its side effects; a request the page itself abandoned by navigating is no failure.
        context.failed_static = []
        context.on(
            "requestfailed",
            lambda request: (
                "/static/" in request.url
                and request.failure != "net::ERR_ABORTED"
                and context.failed_static.append(f"{request.failure} {request.url}")
            ),
        )
        contexts.append(context)
        return context

    yield open_context
    failed = getattr(request.node, "browser_call_failed", False)
    for number, context in enumerate(contexts, start=1):
        if failed:
            for index, page in enumerate(context.pages, start=1):
                path = _folder_for(request.node) / f"failure-{number}-{index}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(path), full_page=True)
        context.close()


@pytest.fixture
def page(new_context):
    """A desktop-sized page in Italian."""
    return new_context().new_page()


@pytest.fixture
def phone_page(new_context):
    """A phone-sized page (390 × 844) in Italian."""
    return new_context(viewport=PHONE).new_page()


@pytest.fixture
def shot(request):
    """Save numbered screenshots under artifacts/screenshots/<test name>/."""
    folder = _folder_for(request.node)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    counter = iter(range(1, 1000))

    def take(page, name, *, full_page=True):
        path = folder / f"{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
