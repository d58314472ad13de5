"""Playwright driving Debian's chromium against the live test server.

Screenshots are kept in test-artifacts/ (CI keeps them). Without chromium the browser tests are
skipped on a developer's machine and fail on CI (CI=true), where .ci/run installs it.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# The browser's closed-network flags: no request may leave the machine.
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
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}

# Playwright's sync API keeps an event loop in this thread; the ORM calls made by tests are still
# plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"chromium not found at {CHROMIUM}: apt-get install chromium")
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """A browser tab on the live server that records JavaScript errors and keeps screenshots."""

    def __init__(self, page, base_url, name):
        self.page, self.base_url, self.name = page, base_url, name
        self.errors: list[str] = []
        self.external_requests: list[str] = []
        # Each error with the page it came from, to tell which page broke a rule.
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on(
            "console",
            lambda message: (
                message.type == "error" and self.errors.append(f"{page.url}: {message.text} {message.location}")
            ),
        )
        page.on("request", self._check_request)

    def _check_request(self, request):
        if not request.url.startswith((self.base_url, "data:", "about:")):
            self.external_requests.append(request.url)

    def goto(self, path):
        return self.page.goto(self.base_url + path)

    def shot(self, label):
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=ARTIFACTS / f"{self.name}-{label}.png", full_page=True)

    def sign_in(self, email, password):
        self.goto("/accounts/login/")
        self.page.fill("input[name=login]", email)
        self.page.fill("input[name=password]", password)
        self.page.press("input[name=password]", "Enter")
        self.page.wait_for_url(self.base_url + "/")


@pytest.fixture
def visit(browser, live_server, request):
    contexts = []

    def open_tab(*, viewport=DESKTOP, locale="en-GB"):
        context = browser.new_context(viewport=viewport, locale=locale)
        contexts.append(context)
        return Visit(context.new_page(), live_server.url, request.node.name)

    yield open_tab
    for context in contexts:
        context.close()
