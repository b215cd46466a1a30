"""When Python's cycle collector runs during a build: the one policy, used by both processes.

A library is hundreds of thousands of objects that live until the build ends and hold
no reference cycles (reference counting frees the rest), so the collector has nothing to
find in them, yet each automatic collection walks them all again:

- **pause** it while the library is read, since reading makes those objects;
- **freeze** what the load made once it is done, so no collection walks it while the
  site generator renders thousands of pages, nor in the last one when the process exits;
- **collect** what the last build froze when a ``mkdocs serve`` rebuild starts, since
  only then is it garbage.

What each step saves is measured in ``benchmarks/``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def collect_last_build() -> None:
    """Let the collector have what an earlier build froze and no longer needs."""
    if gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection inside the block."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def long_lived(collect: bool = True) -> Iterator[None]:
    """A build's load, and whatever the block makes alongside that lives as long: what the
    last build froze is collected first (unless not ``collect``: it waits for the next
    build), nothing is collected while the block runs, and all of it is frozen after."""
    if collect:
        collect_last_build()
    with collector_paused():
        yield
        gc.freeze()
