"""The dashboard's figures, kept until the data behind them changes.

Counting a year of a million engagements takes seconds however it is done; most views of the
dashboard come back to figures nothing has changed since. Every change to the registers the
dashboard counts leaves an entry in their audit history (django-simple-history, also for imports
and bulk writes), so the newest history entry of each audited table tells whether anything changed:
one query per view, no work at all when saving. The rendered figures are kept per user and role
(what each may see differs), language, day and filters, in the shared cache (every worker sees
them), and never longer than KEEP_SECONDS, for what changes outside the audited tables.
"""

import hashlib
from functools import cache as once

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

KEEP_SECONDS = 15 * 60
AUDITED_APPS = ("crm", "stakeholders", "communications")
NONCE = "__dashboard_csp_nonce__"  # stands for each request's CSP nonce in the kept HTML


@once
def audited_tables() -> tuple[str, ...]:
    tables = []
    for label in AUDITED_APPS:
        for model in apps.get_app_config(label).get_models():
            manager = getattr(model._meta, "simple_history_manager_attribute", None)
            if manager:
                tables.append(getattr(model, manager).model._meta.db_table)
    return tuple(sorted(tables))


def data_version() -> str:
    """The newest audit entry of every audited table, in one query (each a look at its primary key's
    end): it changes whenever their data does."""
    quote = connection.ops.quote_name
    latest = ", ".join(f"(SELECT MAX(history_id) FROM {quote(table)})" for table in audited_tables())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {latest}")
        return ",".join(str(value) for value in cursor.fetchone())


def _key(request) -> str:
    filters = sorted((name, value) for name, values in request.GET.lists() for value in values)
    seen_as = (request.user.pk, request.user.role, get_language(), timezone.localdate().isoformat(), filters)
    return "dashboard:" + hashlib.sha256(repr(seen_as).encode()).hexdigest()


def figures_html(request, render) -> tuple[str, object]:
    """(HTML, when it was counted): `render(nonce)` called only when nothing is kept for this view of
    the current data."""
    key, version = _key(request), data_version()
    kept = cache.get(key)
    if kept is None or kept["version"] != version:
        kept = {"version": version, "html": str(render(NONCE)), "counted_at": timezone.now()}
        cache.set(key, kept, KEEP_SECONDS)
    return mark_safe(kept["html"].replace(NONCE, str(request.csp_nonce))), kept["counted_at"]
