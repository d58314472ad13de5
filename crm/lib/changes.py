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

Some of what is kept depends on a small part of the registers only (an ended campaign's figures, on
its own reach and kept audience): it is kept under a named mark, moved by `record_for()` from the
writers of that part only, so that it outlives the writes elsewhere. A restore moves every named
mark at once (`record(everything=True)`).

The writers of what is kept counted with every write (the dashboard's roll-ups) take turns on
PostgreSQL, where several transactions write at once: `take_turn()`, first in the services that
change counted figures, before any write (SQLite takes one writer at a time anyway).
"""

import threading
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction

MARK = "registers:committed"
# The named mark every reader of named marks reads too: it moves when everything may have changed.
EVERYTHING = "*"
# The key of the PostgreSQL advisory lock the writers of counted figures take until they commit.
TURN = 0x726F6C6C  # "roll"

# Per thread, as Django's connections are: whether the mark has moved since record() was last
# called in this thread.
_state = threading.local()


def record(*, everything: bool = False) -> None:
    """The registers were written to: the mark moves when the transaction commits (`everything`:
    the named marks too, as after a restore).

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
    if everything:
        record_for([EVERYTHING])


def _move_once() -> None:
    if getattr(_state, "moved", False):
        return
    _state.moved = True
    cache.set(MARK, uuid.uuid4().hex, None)


def mark() -> str:
    """The registers' mark; made when missing (marks()), never read as nothing."""
    return marks([])[MARK]


def marks(names: Iterable[str], *, also: Iterable[str] = ()) -> dict[str, Any]:
    """The registers' mark and the named ones (keys MARK, named(EVERYTHING) and named(name)), read
    in one cache read with the keys of `also` (what is kept under them). A missing mark is made,
    not read as nothing: what was kept while it was missing would otherwise be taken as current
    again once a mark set later left the cache (a cache that evicts, such as Redis)."""
    keys = [MARK, named(EVERYTHING), *(named(name) for name in names)]
    found = cache.get_many([*keys, *also])
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, uuid.uuid4().hex, None)  # another process may have made it first
        found |= cache.get_many(missing)
    return found


def named(name: str) -> str:
    """The cache key of a named mark ("campaign:12"); read it with cache.get_many, beside the
    named(EVERYTHING) every reader reads too."""
    return f"{MARK}:{name}"


def record_for(names: Iterable[str]) -> None:
    """What is kept under these named marks changed: each moves when the transaction commits (after
    the write when there is none), not at all if it rolls back. Called by the writers of that part
    of the registers, beside record()."""
    keys = sorted({named(name) for name in names})
    if keys:
        transaction.on_commit(lambda: cache.set_many(dict.fromkeys(keys, uuid.uuid4().hex), None), robust=True)


def take_turn() -> None:
    """Wait until no other transaction that changes counted figures (the dashboard's roll-ups) is
    under way, and hold the turn until this one commits or rolls back. PostgreSQL only: SQLite
    takes one writer at a time already. Reads after it see what the writers before committed
    (READ COMMITTED reads anew at each statement). Taking it again in the same transaction is free.

    Call it first in the transaction, before any write: a transaction that wrote a row (an
    organization's last engagement date) and then waited for the turn would wait for a holder that
    may need that row, a deadlock PostgreSQL breaks by failing one of the two."""
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("a turn is taken inside the write's transaction")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TURN])
