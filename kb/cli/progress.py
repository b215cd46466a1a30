"""Progress bars: on a terminal only, and only when the work takes more than a moment."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tqdm import tqdm

Meter = Callable[[str, int], AbstractContextManager[Callable[[int], object]]]


def bar_class() -> type[tqdm]:
    # Imported when a bar may be shown: ``kb search`` on an unchanged library shows none.
    from tqdm import tqdm

    return tqdm


def shown() -> bool:
    return sys.stderr.isatty()


def meter(unit: str) -> Meter:
    """``meter(label, total)``: a bar counting ``unit``s, and the function that advances it."""

    @contextlib.contextmanager
    def progress(label: str, total: int) -> Iterator[Callable[[int], object]]:
        bar = bar_class()(total=total, desc=label, unit=unit, delay=0.5, disable=not shown())
        with bar:
            yield bar.update

    return progress
