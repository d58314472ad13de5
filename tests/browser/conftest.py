"""Playwright driving Debian's chromium against the live test server.

Screenshots are kept in test-artifacts/ (CI keeps them). Without chromium the browser tests are
skipped on a developer's machine and fail on CI (CI=true), where .ci/run installs it.
"""

import csv
import os
from pathlib import Path

import pytest

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# The sample spreadsheet with three mistakes (tests/fixtures/README.md), and the same file put right.
SAMPLE_WITH_ERRORS = Path(__file__).resolve().parents[1] / "fixtures" / "organizations_with_errors.csv"
# Row (as the spreadsheet numbers it: the header is row 1) → the column to put right, its wrong and right values.
CORRECTIONS = {
    4: ("influence", "6", "4"),
    8: ("email", "contact(at)kankan-fret.example", "contact@kankan-fret.example"),
    11: ("type", "money changer", "carrier"),
}


def corrected_sample(folder: Path) -> Path:
    """The sample with its three mistakes corrected (an influence of 6, an e-mail without @, an unknown type)."""
    with SAMPLE_WITH_ERRORS.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    for number, (column, wrong, right) in CORRECTIONS.items():
        row, position = rows[number - 1], rows[0].index(column)
        assert row[position] == wrong, f"{SAMPLE_WITH_ERRORS.name} row {number}: {column} is {row[position]!r}"
        row[position] = right
    corrected = folder / "corrected.csv"
    with corrected.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    return corrected


PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}

# Playwright's sync API keeps an event loop in this thread; the ORM calls made by tests are still
# plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe_source():
    """axe-core's script (npm, see package.json), for the accessibility checks."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail("axe-core is missing: npm ci")
        pytest.skip("axe-core is missing (npm ci)")
    return AXE.read_text()


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

    # Keyboard only: the journeys below reach every control with Tab, as someone without a mouse
    # (or with a screen reader) would, and check at each stop that the focus can be seen.

    def tab_to(self, locator, *, limit=150):
        """Press Tab until `locator` has the focus; fail if it cannot be reached or if any stop on
        the way does not show where the focus is."""
        locator.wait_for(state="attached")
        target = locator.element_handle()
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            focus = self.page.evaluate(FOCUS_STATE, target)
            if focus["tag"] and not focus["visible"]:
                raise AssertionError(
                    f"focus not visible on {focus['tag']} {focus['text']!r} ({focus['detail']}) at {self.page.url}"
                )
            if focus["reached"]:
                return
        raise AssertionError(f"{locator} cannot be reached with Tab on {self.page.url}")

    def key_in(self, locator, text):
        """Tab to a field, empty it and type, key by key."""
        self.tab_to(locator)
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.press("Delete")
        self.page.keyboard.type(text)

    def press_and_wait(self, key="Enter"):
        """Press a key that sends a form or follows a link, and wait for the next page."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def sign_in_with_keys(self, email, password):
        self.goto("/accounts/login/")
        self.key_in(self.page.locator("input[name=login]"), email)
        self.key_in(self.page.locator("input[name=password]"), password)
        self.page.keyboard.press("Enter")
        self.page.wait_for_url(self.base_url + "/")


# What has the focus, and whether it is drawn (an outline or Bootstrap's focus ring, a box shadow).
FOCUS_STATE = """(target) => {
  const element = document.activeElement;
  if (!element || element === document.body) return {tag: "", visible: true, reached: false};
  // Inside a date field, the calendar button (in the field's own shadow tree) has the focus:
  // Chromium draws a ring around it (app.css thickens it), which computed styles cannot see.
  if (element.type === "date" && !element.matches(":focus")) return {tag: "input", visible: true, reached: false};
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return {
    tag: element.tagName.toLowerCase(),
    detail: `${element.className}, outline ${style.outlineStyle} ${style.outlineWidth}, shadow ${style.boxShadow}`,
    text: (element.innerText || element.name || element.id || "").slice(0, 40),
    visible: outline || style.boxShadow !== "none",
    reached: element === target,
  };
}"""


@pytest.fixture
def visit(browser, live_server, request):
    contexts = []

    def open_tab(*, viewport=DESKTOP, locale="en-GB"):
        context = browser.new_context(viewport=viewport, locale=locale, reduced_motion="reduce")
        contexts.append(context)
        return Visit(context.new_page(), live_server.url, request.node.name)

    yield open_tab
    for context in contexts:
        context.close()
