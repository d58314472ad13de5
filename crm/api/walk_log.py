"""A walk through a list in the export log (format "api"): one entry per walk, whose rows are the
rows the walk has sent so far.

The walk's first page makes the entry with its own rows; its `next` cursor names the entry, and each
later page adds its rows to it (one UPDATE, no COUNT of the whole list). A finished walk's entry
holds every row it read; one given up half-way, what it did read. A page whose cursor names no entry
of this user and list (a cursor made by hand, or another user's) makes its own: every row sent is
counted somewhere."""

from django.db.models import F

from crm.models import ExportLog

FORMAT = "api"


def walk_page_logged(*, user, dataset: str, filters: str, rows: int, entry_id: int | None) -> int:
    """Count a page of `rows` rows in the walk's entry (made if `entry_id` names none); its id."""
    if entry_id is not None:
        mine = ExportLog.objects.filter(pk=entry_id, user=user, dataset=dataset, format=FORMAT)
        if mine.update(rows=F("rows") + rows):
            return entry_id
    entry = ExportLog.objects.create(user=user, dataset=dataset, format=FORMAT, filters=filters[:2000], rows=rows)
    return entry.pk
