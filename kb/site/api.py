"""The JSON API: ``/api/postmortems.json``, ``/api/causes.json``, ``/api/action-items.json``.

Records are serialized from the schema declaration, so every field of the format is
exported under its own name without a second list of keys to keep in step.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from kb.analysis.action_item_states import Tracked, tracked_items
from kb.analysis.analyze import Analysis
from kb.checks.completeness import completeness
from kb.checks.library import Library
from kb.format import urls
from kb.format.model import Postmortem
from kb.format.schema import written
from kb.format.settings import Settings

_AS_IS = {str, int, float, bool, type(None)}


def plain(value: object) -> Any:
    """A JSON-ready copy of a record or value, keys in declaration order."""
    if type(value) in _AS_IS:  # most values; an exact type is quicker to check than isinstance
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {key: plain(v) for key, v in written(value).items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {key: plain(v) for key, v in value.items()}
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _seconds(delta: timedelta | None) -> int | None:
    return int(delta.total_seconds()) if delta is not None else None


def action_item(tracked: Tracked) -> dict[str, Any]:
    """One item as ``/api/action-items.json`` and ``kb actions --format json`` show it;
    its ticket's fields are null when ``kb sync`` never saw it."""
    ticket = tracked.ticket
    return {
        "id": tracked.item.id,
        "postmortem": tracked.pm.slug,
        **{k: v for k, v in plain(tracked.item).items() if k != "id"},
        "state": tracked.state,
        "days_overdue": tracked.days_overdue,
        "tracker_state": ticket.state if ticket else None,
        "tracker_closed": plain(ticket.closed) if ticket else None,
        "tracker_synced": plain(ticket.fetched) if ticket else None,
    }


def postmortem(
    pm: Postmortem, settings: Settings, analysis: Analysis, action_items: list[dict[str, Any]]
) -> dict[str, Any]:
    """One record of ``/api/postmortems.json``; ``action_items`` are its items as
    :func:`action_item` gives them (made once for both files that list them)."""
    record = {key: action_items if key == "action_items" else plain(v) for key, v in written(pm).items()}
    return {
        **record,
        "url": urls.url(urls.postmortem(pm.slug)),
        "durations": {
            "time_to_detect": _seconds(pm.time_to_detect),
            "time_to_mitigate": _seconds(pm.time_to_mitigate),
            "time_to_resolve": _seconds(pm.time_to_resolve),
        },
        "cause_keys": pm.cause_keys,
        "completeness": completeness(pm, settings).as_json(),
        # Both directions, and only postmortems this audience may see.
        "related": [r.slug for r in analysis.links.related.get(pm.slug, [])],
        "similar": [s.pm.slug for s in analysis.similar.get(pm.slug, [])],
        "came_back": [
            {"cause": r.cause, "action_item": r.item.id, "fixed_in": r.fixed_in.slug, "shared": {r.reach: r.name}}
            for r in analysis.came_back_in.get(pm.slug, [])
        ],
    }


def causes(library: Library, analysis: Analysis) -> dict[str, Any]:
    out = {}
    for key, cause in library.causes.items():
        pms = analysis.links.by_cause.get(key, [])  # newest first
        out[key] = {
            **plain(cause),
            "url": urls.url(urls.cause(key)),
            "postmortems": [pm.slug for pm in pms],
            "count": len(pms),
            "first": pms[-1].started.date().isoformat() if pms else None,
            "last": pms[0].started.date().isoformat() if pms else None,
            "recurred_after_fix": key in analysis.came_back_for,
            "addressed_by": [item.id for pm in reversed(pms) for item in pm.action_items if key in item.addresses],
        }
    return out


def dumps(data: object) -> str:
    # Sorted nowhere: key order is the declaration order, stable across builds. Compact:
    # a quarter smaller than indented, and only then does json use its C encoder (the
    # files are tens of MB at thousands of postmortems). Browsers' JSON viewers indent.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def api_files(library: Library, analysis: Analysis) -> dict[str, str]:
    items = tracked_items(library.postmortems, library.today, library.settings.due_soon_days, library.tracker_state)
    records = [action_item(t) for t in items]
    by_postmortem: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for tracked, record in zip(items, records, strict=True):
        by_postmortem[tracked.pm.slug].append(record)
    settings = library.settings
    return {
        "api/postmortems.json": dumps(
            [postmortem(pm, settings, analysis, by_postmortem[pm.slug]) for pm in library.postmortems]
        ),
        "api/causes.json": dumps(causes(library, analysis)),
        "api/action-items.json": dumps(records),
    }
