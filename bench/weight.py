"""Page weight as a phone on a slow, metered link sees it: chromium at 360 px in French against
gunicorn (DEBUG=0, whitenoise serving the collected static files), bytes counted as they come over
the wire (compressed, headers included), as chromium's DevTools report them.

The first two lines start from an empty cache (a new browser context); the pages after sign-in reuse
that context, so Bootstrap, htmx and the app's CSS come from the cache, as they do for an officer
moving from page to page. Each page also records whether any request left the machine and whether
it scrolls sideways at 360 px. Without Playwright or chromium the measure says so and is skipped:
the rest of the bench does not depend on it.
"""

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # the browser tests' own launch

PASSWORD = "bench-password-1"
OFFICER, MANAGER = "officer@demo.test", "manager@demo.test"
PHONE = {"width": 360, "height": 780}
# Pages visited with a warm cache after sign-in: (label, path, who, target in KB). Officers see the
# dashboard too, restricted to their own engagements; a manager's has every officer's figures.
WARM_PAGES = [
    ("organizations list, 50 rows", "/stakeholders/organizations/", OFFICER, 60),
    ("engagements list, 50 rows", "/communications/engagements/", OFFICER, 60),
    ("log an engagement (form)", "/communications/engagements/new/", OFFICER, 60),
    ("dashboard, officer (own figures, 90 days)", "/dashboard/", OFFICER, 60),
    ("dashboard, manager (all figures, 90 days)", "/dashboard/", MANAGER, 60),
]
# A dashboard over a million engagements takes seconds to build; a page is given up on after this.
TIMEOUT_MS = 180_000


@dataclass
class Weight:
    """One line of the weight table."""

    page: str
    kb: float
    requests: int
    external: list[str]
    scroll_width: int
    target_kb: int | None = None

    @property
    def sideways(self) -> bool:
        return self.scroll_width > PHONE["width"]

    @property
    def left(self) -> str:
        """Requests to anywhere but the server under test: there must be none (a closed network)."""
        if not self.external:
            return "no request left the machine"
        return f"{len(self.external)} left the machine: {', '.join(self.external[:3])}"

    @property
    def note(self) -> str:
        parts = [f"{self.requests} request{'s' if self.requests != 1 else ''} over the network"]
        if self.target_kb:
            parts.append(f"target < {self.target_kb} KB" + ("" if self.kb < self.target_kb else " (over)"))
        parts.append(self.left)
        parts.append(f"scrolls sideways ({self.scroll_width} px)" if self.sideways else "no sideways scroll")
        return ", ".join(parts)


@dataclass
class Meter:
    """Counts what comes over the wire for one tab, from chromium's own network events (CDP), so
    that compressed sizes and cache hits are what the browser saw, not what the server sent."""

    base: str
    bytes: int = 0
    requests: int = 0
    external: list[str] = field(default_factory=list)

    def attach(self, cdp):
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.loadingFinished", self._finished)

    def reset(self):
        self.bytes, self.requests, self.external = 0, 0, []

    def _sent(self, event):
        url = event["request"]["url"]
        if urlsplit(url).scheme in ("data", "blob", "about"):
            return
        if not url.startswith(self.base):
            self.external.append(url)

    def _finished(self, event):
        # Zero for a response read from the cache: only what crossed the network counts.
        if event["encodedDataLength"] > 0:
            self.bytes += event["encodedDataLength"]
            self.requests += 1

    def read(self, page, label: str, target_kb: int | None = None) -> Weight:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        return Weight(label, self.bytes / 1024, self.requests, list(self.external), scroll_width, target_kb)


def missing() -> str | None:
    """Why the measure cannot run here, or None: a bench must not fail for want of a browser."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (make install)"
    if not Path(CHROMIUM).exists():
        return f"chromium not found at {CHROMIUM} (apt-get install chromium)"
    return None


def _sign_in(page, base: str, email: str):
    """Sign in from the sign-in page already open, as a person would (Enter in the password),
    so the form's POST and its redirect are counted with the page they lead to."""
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(base + "/")
    page.wait_for_load_state("networkidle")


def _visit(page, meter: Meter, path: str):
    """Load one page from a zero count; networkidle also waits for what htmx loads after it."""
    meter.reset()
    response = page.goto(meter.base + path, wait_until="networkidle")
    if response is None or response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status if response else 'no response'}")


def _compressed_kb(base: str, path: str, cookies: dict[str, str]) -> float:
    """One file's size as the server sends it compressed (gzip or Brotli, as whitenoise and the
    GZip middleware would to a browser), with the given session."""
    from urllib.request import Request, urlopen

    headers = {"Accept-Encoding": "br, gzip", "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    with urlopen(Request(base + path, headers=headers), timeout=TIMEOUT_MS / 1000) as response:  # noqa: S310 (the local server)
        return len(response.read()) / 1024


def offline_weights(base: str, cookies: dict[str, str]) -> list[Weight]:
    """What the installable app adds (crm/offline/, docs/offline.md), copied after the first page is
    usable, by the service worker and the outbox's code, so not in the lines above: its code, the
    copy of pages and files it keeps, the pickers' records of the bench's registry."""
    import json
    import re

    worker = _compressed_kb(base, "/sw.js", cookies)
    text = _read(base, "/sw.js", cookies)
    config = json.loads(re.search(r"self.CRM_OFFLINE = (\{.*\});", text).group(1))
    scripts = [
        config["core"],
        # by their names, with or without the hash the static files' manifest adds
        *[
            path
            for path in config["assets"]
            if re.search(r"/(outbox|offline|offline-people)(\.[0-9a-f]{12})?\.js$", path)
        ],
    ]
    code = worker + sum(_compressed_kb(base, path, cookies) for path in scripts)
    copy = sum(_compressed_kb(base, path, cookies) for path in [*config["assets"], *config["pages"]])
    records = _compressed_kb(base, "/api/v1/offline/directory/", cookies)
    return [
        Weight("offline code: service worker, outbox, offline script", code, len(scripts) + 1, [], 0, 30),
        Weight("offline copy of pages and files (after the first page)", copy, len(config["assets"]) + 3, [], 0, 500),
        # Every organization of the bench's registry (100 000): the 2 MB is for 5 000 and
        # their people, which tests/crm/offline/test_directory.py checks.
        Weight("pickers' records for offline use, the whole bench registry (after the first page)", records, 1, [], 0),
    ]


def _read(base: str, path: str, cookies: dict[str, str]) -> str:
    from urllib.request import Request, urlopen

    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    with urlopen(Request(base + path, headers=headers), timeout=TIMEOUT_MS / 1000) as response:  # noqa: S310
        return response.read().decode()


def browse(browser, base: str) -> list[Weight]:
    """The journey measured: sign-in page and home from a cold cache, then each page warm."""
    # No service worker here: once the app's worker runs (issue 18) it fetches the pages itself,
    # where this tab's meter cannot see them. It fetches the same bytes; what it copies for offline
    # use is measured on its own (offline_weights).
    context = browser.new_context(viewport=PHONE, locale="fr-FR", service_workers="block")
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        meter = Meter(base)
        meter.attach(context.new_cdp_session(page))
        _visit(page, meter, "/accounts/login/")
        weights = [meter.read(page, "sign-in page, cold cache")]
        signed_in = OFFICER
        _sign_in(page, base, signed_in)  # the count goes on: sign-in page + sign-in + home
        weights.append(meter.read(page, "sign-in then home, cold cache (both counted)", 300))
        session = {cookie["name"]: cookie["value"] for cookie in context.cookies()}
        offline = offline_weights(base, session)
        for label, path, email, target in WARM_PAGES:
            if email != signed_in:
                # Another user in the same tab: new session cookies, same (warm) cache.
                context.clear_cookies()
                page.goto(base + "/accounts/login/", wait_until="networkidle")
                _sign_in(page, base, email)
                signed_in = email
            _visit(page, meter, path)
            weights.append(meter.read(page, label, target))
        return weights + offline
    finally:
        context.close()


def run(bench) -> list[Weight]:
    """gunicorn and chromium for the length of the journey; both are stopped however it ends."""
    from playwright.sync_api import sync_playwright

    from bench import load

    with load.serve(bench, workers=2) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return browse(browser, base)
        finally:
            browser.close()
