"""The dashboard's figures, kept until the data behind them changes.

Counting a year of a million engagements takes seconds however it is done; most views of the
dashboard come back to figures nothing has changed since. The rendered figures are kept under the
mark of the last commit that wrote to the registers (crm.lib.changes, one cache read per view) and
counted again once it has moved: every write path records its change, and the mark moves when its
transaction commits, so the next view after any change counts afresh.

The mark is read before the figures are counted: a commit landing while they are counted moves it
past the one they are kept under, and the next view counts again.

The rendered figures are kept per user, role and superuser flag (what each may see differs),
language, day and filters, in the shared cache (every worker sees them), and never longer than
KEEP_SECONDS, for what changes outside the registers (a user's name).
"""

import hashlib

from django.core.cache import cache
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from crm.lib import changes

KEEP_SECONDS = 15 * 60
# The kept HTML's shape, in its key: raised whenever it changes, so that an upgrade never serves HTML
# kept by the version before (2: the charts drawn without pygal, needing no nonce).
SHAPE = 2


def _key(request) -> str:
    user = request.user
    filters = sorted((name, value) for name, values in request.GET.lists() for value in values)
    seen_as = (user.pk, user.role, user.is_superuser, get_language(), timezone.localdate().isoformat(), filters)
    return f"dashboard:{SHAPE}:" + hashlib.sha256(repr(seen_as).encode()).hexdigest()


def figures_html(request, render) -> tuple[str, object]:
    """(HTML, when it was counted): `render()` called only when nothing is kept for this view of the
    current data. The HTML needs no nonce (its charts carry no script or style element), so the
    same kept HTML serves every request under the strict Content-Security-Policy."""
    key, version = _key(request), changes.mark()
    kept = cache.get(key)
    if kept is None or kept["version"] != version:
        kept = {"version": version, "html": str(render()), "counted_at": timezone.now()}
        cache.set(key, kept, KEEP_SECONDS)
    return mark_safe(kept["html"]), kept["counted_at"]
