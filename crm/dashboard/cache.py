"""The dashboard's figures, kept until the data behind them changes.

Counting a year of a million engagements takes seconds however it is done; most views of the
dashboard come back to figures nothing has changed since. Two marks say whether anything changed:

- the newest audit-history entry of each audited table (django-simple-history writes one for every
  change, also for imports and bulk writes): one query per view, no work when saving; it moves
  inside the transaction that writes, so a change shows at once to the one who made it;
- the mark of the last commit that wrote to the registers (crm.lib.changes): on PostgreSQL ids are
  handed out before commit, so a long import can commit entries older than the newest one already
  read; this mark catches that.

The rendered figures are kept per user, role and superuser flag (what each may see differs),
language, day and filters, in the shared cache (every worker sees them), and never longer than
KEEP_SECONDS, for what changes outside the audited tables (a user's name).
"""

import hashlib
import secrets
from functools import cache as once

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from crm.lib import changes

KEEP_SECONDS = 15 * 60


@once
def audited_tables() -> tuple[str, ...]:
    tables = []
    for label in changes.REGISTER_APPS:
        for model in apps.get_app_config(label).get_models():
            manager = getattr(model._meta, "simple_history_manager_attribute", None)
            if manager:
                tables.append(getattr(model, manager).model._meta.db_table)
    return tuple(sorted(tables))


def data_version() -> str:
    """The newest audit entry of every audited table (one query, each a look at its primary key's
    end), and the mark of the last commit that wrote to the registers."""
    quote = connection.ops.quote_name
    latest = ", ".join(f"(SELECT MAX(history_id) FROM {quote(table)})" for table in audited_tables())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {latest}")
        entries = ",".join(str(value) for value in cursor.fetchone())
    return f"{entries}|{changes.mark()}"


def _key(request) -> str:
    user = request.user
    filters = sorted((name, value) for name, values in request.GET.lists() for value in values)
    seen_as = (user.pk, user.role, user.is_superuser, get_language(), timezone.localdate().isoformat(), filters)
    return "dashboard:" + hashlib.sha256(repr(seen_as).encode()).hexdigest()


def figures_html(request, render) -> tuple[str, object]:
    """(HTML, when it was counted): `render(nonce)` called only when nothing is kept for this view of
    the current data. The kept HTML holds a random stand-in for the nonce, put back per request."""
    key, version = _key(request), data_version()
    kept = cache.get(key)
    if kept is None or kept["version"] != version:
        stand_in = secrets.token_urlsafe(18)
        kept = {"version": version, "html": str(render(stand_in)), "nonce": stand_in, "counted_at": timezone.now()}
        cache.set(key, kept, KEEP_SECONDS)
    html = kept["html"].replace(f'nonce="{kept["nonce"]}"', f'nonce="{request.csp_nonce}"')
    return mark_safe(html), kept["counted_at"]
