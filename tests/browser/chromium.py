"""Debian's chromium as the browser tests and the bench's weight measure launch it.

The closed-network flags keep chromium from fetching anything in the background, so every request
seen is the page's own (the tests check none leaves the machine).
"""

import os
import shutil

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
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
