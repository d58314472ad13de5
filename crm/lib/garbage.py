"""The cycle collector held off while a large answer is built.

A list page of 1,000 plain rows makes some 30,000 dictionaries, lists and tuples that all live until
the page is written. Each batch of 700 new ones wakes the cycle collector, which finds none of them
garbage (they are freed by reference counting once the answer is sent) and, as they age into the
older generations, walks every object of the process again. Held off for the page, it costs
nothing; it runs as usual once the page is built. Nested or concurrent pauses (threads) end with
the last."""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def collection_paused() -> Iterator[None]:
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
