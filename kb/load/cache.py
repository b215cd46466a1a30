"""Files already read and checked, so that a rebuild reads only what changed.

``mkdocs serve`` rebuilds the whole site after every save, and most files have not
changed, nor have the settings and catalogs their checks depend on. A cache lives as
long as whoever holds it: a serve session in the site generator's process, and the
worker process's own for the jobs it runs.
"""

from __future__ import annotations

from typing import Generic, TypeVar

# A file's path, the digest of its content, and the digest of everything else its checks
# depend on (the settings, the cause catalog, the build date).
CacheKey = tuple[str, bytes, bytes]
Value = TypeVar("Value")
# Room for the largest libraries the benchmarks build, bounded so a long serve session
# that renames many files does not grow without end.
MAX_CACHED = 50_000


class ParseCache(Generic[Value]):
    """What checking a file gave, by ``CacheKey``; the oldest entry goes first when full."""

    def __init__(self, limit: int = MAX_CACHED) -> None:
        self.limit = limit
        self._entries: dict[CacheKey, Value] = {}

    def __contains__(self, key: CacheKey) -> bool:
        return key in self._entries

    def __getitem__(self, key: CacheKey) -> Value:
        return self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self) -> set[CacheKey]:
        return set(self._entries)

    def put(self, key: CacheKey, value: Value) -> None:
        self._entries[key] = value
        if len(self._entries) > self.limit:
            self._entries.pop(next(iter(self._entries)))
