"""A mark that moves each time a transaction that wrote to the registers commits.

What is computed from the registers and kept (the dashboard's figures, crm/dashboard/cache.py)
compares this mark with the one it was computed under. Model saves, deletions and many-to-many
changes in the registers' apps set it through Django's signals; the bulk writers that bypass them
(crm.lib.bulk, the import's updates, survey results, seeding) call `changed()` themselves.
"""

import uuid

from django.apps import apps as global_apps
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

REGISTER_APPS = ("crm", "stakeholders", "communications")
MARK = "registers:committed"


def _move_mark() -> None:
    cache.set(MARK, uuid.uuid4().hex, None)


def changed() -> None:
    """The registers were written to: the mark moves when the transaction commits (once per
    transaction however many rows; at once outside a transaction; not at all if it rolls back)."""
    # django-stubs types run_on_commit's entries as (sids, func); Django 5.2's are (sids, func, robust)
    pending = connection.in_atomic_block and any(func is _move_mark for _ids, func, _robust in connection.run_on_commit)  # type: ignore[misc]
    if not pending:
        # robust: a cache that cannot be written (its table not made yet, during `migrate`) is
        # logged, never a reason for the write itself to fail
        transaction.on_commit(_move_mark, robust=True)


def mark() -> str:
    return cache.get(MARK, "")


def _on_write(sender: type[Model], **kwargs: object) -> None:
    # Models of a migration's own state (data migrations) are left out: nothing is kept from before.
    if sender._meta.app_label in REGISTER_APPS and sender._meta.apps is global_apps:
        changed()


def connect() -> None:
    """Called once, when the apps are ready (crm.apps)."""
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_write, dispatch_uid=f"crm.lib.changes.{id(signal)}")
