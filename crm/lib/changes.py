"""A mark that moves each time a transaction that wrote to the registers commits.

The registers are the records of the stakeholders and communications apps (organizations, people,
engagements and what came of them, campaigns, survey results, and their regions, offices, tags,
topics and key factors). What is computed from them and kept (the dashboard's figures,
crm/dashboard/cache.py) is kept under the mark it was computed at, and computed again once the
mark has moved.

Every code path that writes to the registers says so, by calling `record()`: the services of both
apps, the import and bulk writers, the demo seeding, `restore`, and the admin (crm.lib.admin).
Nothing listens to model signals: a write that does not call it is seen only when what was kept
expires.
"""

import threading
import uuid

from django.core.cache import cache
from django.db import transaction

MARK = "registers:committed"

# Per thread, as Django's connections are: whether the mark has moved since record() was last
# called in this thread.
_state = threading.local()


def record() -> None:
    """The registers were written to: the mark moves when the transaction commits.

    Call it inside the transaction that writes (anywhere in it), or after the write when there is
    none (the mark then moves at once). However many times it is called, the mark moves once per
    commit; it does not move if the transaction rolls back, nor for a call made inside a savepoint
    that rolls back, and a later transaction moves it again.
    """
    # Each call queues its own callback: Django drops the callbacks of a transaction or savepoint
    # that rolls back, so a flag saying "already queued" could outlive the callback it stood for.
    # The first callback to run at commit moves the mark; the others find it moved.
    _state.moved = False
    # robust: a cache that cannot be written (its table not made yet, during `migrate`) is logged,
    # never a reason for the write itself to fail
    transaction.on_commit(_move_once, robust=True)


def _move_once() -> None:
    if getattr(_state, "moved", False):
        return
    _state.moved = True
    cache.set(MARK, uuid.uuid4().hex, None)


def mark() -> str:
    return cache.get(MARK, "")
