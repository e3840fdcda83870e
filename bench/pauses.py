"""A benchmark's client must not add pauses of its own to the latencies it measures."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_collector_pauses() -> Iterator[None]:
    """Python's cyclic garbage collector stops every thread of this process while it walks the
    heap: with a setup's objects alive (thousands of copies, SQLAlchemy, the test helpers) a
    full pass takes 50–150 ms, and every request in flight is timed across it — the client's
    pause, not the server's. Collect once, freeze what exists, keep the collector off while
    measuring (reference counting still frees what the requests leave), then put it back."""
    gc.collect()
    gc.freeze()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.unfreeze()
