"""Choosing the engine: ``kb.search.whoosh_engine`` (the default, pure Python) or
``kb.search.tantivy_engine`` (the optional ``tantivy`` extra, compiled, for large
libraries). Each is imported only when chosen: tantivy is an extra that only a library
choosing it needs installed.
"""

from __future__ import annotations

from pathlib import Path

from kb.format.settings import Settings
from kb.search.engine import SearchEngine, SearchError


def engine_for(settings: Settings, cache_dir: Path) -> SearchEngine:
    """The engine ``settings.search_engine`` names, keeping its index in ``cache_dir``.

    The engine's module is imported only now, so a missing extra fails here, before any work.
    """
    if settings.search_engine == "tantivy":
        try:
            from kb.search.tantivy_engine import TantivyEngine
        except ModuleNotFoundError as exc:
            if exc.name != "tantivy":
                raise
            # A SearchError: the build reports those as build errors, wherever they arise.
            raise SearchError(
                "plugins.postmortems.search_engine: tantivy needs the optional extra: "
                "pip install 'postmortem-library[tantivy]'"
            ) from None
        return TantivyEngine(cache_dir)
    from kb.search.whoosh_engine import WhooshEngine

    return WhooshEngine(cache_dir)
