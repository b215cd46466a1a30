"""``/insights/``: figures about the whole library, each a chart, a takeaway and its numbers.

Every figure is computed here from the library in one pass or so; ``kb.render.charts`` only
draws. Each chart comes with a data table (its text alternative, and the exact
numbers) and a one-sentence takeaway computed from the same data.

Durations are summarised by their median and 90th percentile, never their mean: incident
durations have long tails, and one marathon outage drags a mean far from any typical
incident (the VOID report's finding; see docs/insights.md).
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from markupsafe import Markup

from kb.analysis import action_item_states
from kb.checks.library import Library
from kb.format.model import ActionItem, Postmortem
from kb.pages.rendering import render
from kb.render import charts
from kb.render.charts import Series, Spread
from kb.render.deferred import Rendered
from kb.render.escape import meta
from kb.render.times import span

PAGE = "insights/index.md"
NEAR_MISS = "Near-miss"
SEVERITY_COLORS = ["#e53935", "#fb8c00", "#fdd835", "#1e88e5", "#00897b", "#6d4c41"]
NEAR_MISS_COLOR = "#ab47bc"
INCIDENT_COLOR = "#1e88e5"
PALETTE = ["#1e88e5", "#fb8c00", "#43a047", "#e53935", "#ab47bc", "#00acc1"]
TOP_CAUSES = 5
TOP_SERVICES = 10
# Buckets of the duration table, in minutes: from (inclusive) and label.
DURATION_BUCKETS = [
    (0, "under 15 min"),
    (15, "15 min to 1 h"),
    (60, "1 h to 4 h"),
    (240, "4 h to 1 d"),
    (1440, "1 d or more"),
]


@dataclass(frozen=True)
class Table:
    caption: str  # what the numbers are, for a reader who meets the table on its own
    header: list[str]
    rows: list[list[object]]
    numeric: list[bool] = field(default_factory=list)  # right-align these columns


@dataclass(frozen=True)
class Chart:
    slug: str  # the chart's anchor and SVG id
    title: str
    takeaway: str
    svg: Markup | None  # None when there is nothing to draw yet
    tables: list[Table]


def _table(caption: str, header: list[str], rows: list[list[object]]) -> Table:
    """Columns after the first hold numbers (or percentages)."""
    return Table(caption, header, rows, [False] + [True] * (len(header) - 1))


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


# --- calendar periods ------------------------------------------------------------------


def month_of(moment: date) -> str:
    return f"{moment:%Y-%m}"


def quarter_of(moment: date) -> str:
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def shift_month(month: str, n: int) -> str:
    """``YYYY-MM`` moved by ``n`` months."""
    year, index = divmod(int(month[:4]) * 12 + int(month[5:]) - 1 + n, 12)
    return f"{year:04d}-{index + 1:02d}"


def _months(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last``, so empty months show as gaps."""
    found = [first]
    while found[-1] < last:
        found.append(shift_month(found[-1], 1))
    return found


def _quarters(first: str, last: str) -> list[str]:
    year, quarter = int(first[:4]), int(first[-1])
    found = []
    while f"{year}-Q{quarter}" <= last:
        found.append(f"{year}-Q{quarter}")
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return found


def _years(first: int, last: int) -> list[str]:
    return [str(year) for year in range(first, last + 1)]


def _local(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


# --- (a) postmortems per month by severity ---------------------------------------------


def _kind(pm: Postmortem) -> str:
    """The series a postmortem counts in: its severity, or near-miss whatever its severity."""
    return NEAR_MISS if pm.type == "near-miss" else pm.severity or "none"


def per_month(library: Library) -> Chart:
    zone = library.settings.zone()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for pm in library.postmortems:
        counts[month_of(_local(pm.started, zone))][_kind(pm)] += 1
    title = "Postmortems per month"
    if not counts:
        return Chart("per-month", title, "No postmortems yet.", None, [])
    months = _months(min(counts), max(counts))
    kinds = [*library.settings.severities, NEAR_MISS]
    # A longer severity scale than the palette reuses its colours; the legend tells them apart.
    colors = [SEVERITY_COLORS[i % len(SEVERITY_COLORS)] for i in range(len(kinds) - 1)] + [NEAR_MISS_COLOR]
    series = [Series(k, [counts[m][k] for m in months], c) for k, c in zip(kinds, colors, strict=True)]
    rows = [[m, *(counts[m][k] for k in kinds), sum(counts[m].values())] for m in months if counts[m]]
    svg = charts.bar_chart(
        "per-month",
        "Postmortems per month, by severity",
        months,
        series,
        value_label="postmortems",
        ticks=_year_ticks(months),
    )
    table = _table("Postmortems per month, by severity", ["Month", *kinds, "Total"], rows)
    return Chart("per-month", title, _per_month_takeaway(counts, library.today), svg, [table])


def _year_ticks(months: list[str]) -> list[tuple[float, str]] | None:
    """Over a few years, month labels crowd each other out: label each January by its year."""
    januaries = [(float(i), month[:4]) for i, month in enumerate(months) if month.endswith("-01")]
    return januaries if len(months) > charts.MAX_LABELS and len(januaries) >= 2 else None


def _per_month_takeaway(counts: dict[str, Counter[str]], today: date) -> str:
    totals = {m: sum(c.values()) for m, c in counts.items()}
    busiest = max(totals, key=lambda m: (totals[m], m))  # the most recent of equal months
    now = month_of(today)
    recent = sum(n for m, n in totals.items() if shift_month(now, -12) < m <= now)
    before = sum(n for m, n in totals.items() if shift_month(now, -24) < m <= shift_month(now, -12))
    return (
        f"The busiest month was {busiest}, with {plural(totals[busiest], 'postmortem')}. In the 12 months to "
        f"{month_of(today)} there were {recent}, against {before} in the 12 months before."
    )


# --- (b) near-misses against incidents -------------------------------------------------


def near_misses(library: Library) -> Chart:
    zone = library.settings.zone()
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for pm in library.postmortems:
        counts[_local(pm.started, zone).year][pm.type] += 1
    title = "Near-misses and incidents"
    if not counts:
        return Chart("near-misses", title, "No postmortems yet.", None, [])
    years = _years(min(counts), max(counts))
    incidents = [counts[int(y)]["incident"] for y in years]
    misses = [counts[int(y)]["near-miss"] for y in years]
    shares = [_percent(m, i + m) for i, m in zip(incidents, misses, strict=True)]
    svg = charts.bar_chart(
        "near-misses",
        "Incidents and near-misses per year, with the near-miss share",
        years,
        [Series("Incidents", incidents, INCIDENT_COLOR), Series("Near-misses", misses, NEAR_MISS_COLOR)],
        value_label="postmortems",
        notes=[s if s != "-" else "" for s in shares],
    )
    rows = [[y, i, m, s] for y, i, m, s in zip(years, incidents, misses, shares, strict=True) if i + m]
    table = _table("Incidents and near-misses per year", ["Year", "Incidents", "Near-misses", "Near-miss share"], rows)
    return Chart("near-misses", title, _near_miss_takeaway(rows), svg, [table])


def _near_miss_takeaway(rows: list[list[object]]) -> str:
    (first, fi, fm, fs), (last, li, lm, ls) = rows[0], rows[-1]
    healthy = "A rising share of reported near-misses is a healthy sign: risks are being noticed and written up"
    if first == last:
        return f"Near-misses were {fs} of the postmortems of {first}. {healthy} before they become outages."
    before, after = fm / (fi + fm), lm / (li + lm)  # type: ignore[operator]
    if after > before:
        return f"The near-miss share rose from {fs} in {first} to {ls} in {last}. {healthy}, before they hurt anyone."
    change = "fell" if after < before else "stayed"
    return (
        f"The near-miss share {change} from {fs} in {first} to {ls} in {last}. {healthy}; "
        "a falling share more often means near-misses go unreported than that there are fewer of them."
    )


# --- (c) time to detect and to resolve -------------------------------------------------


def p90(values: list[timedelta]) -> timedelta:
    """The nearest-rank 90th percentile: 90% of the values are at most this."""
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


def _bucket_counts(values: list[timedelta]) -> list[int]:
    counts = [0] * len(DURATION_BUCKETS)
    for value in values:
        index = max(i for i, (start, _) in enumerate(DURATION_BUCKETS) if _minutes(value) >= start)
        counts[index] += 1
    return counts


def durations(library: Library) -> Chart:
    """Incidents only: a near-miss's "resolution" is when the risk was removed, another thing."""
    incidents = [pm for pm in library.postmortems if pm.type == "incident"]
    measures = {
        "Time to detect": [d for pm in incidents if (d := pm.time_to_detect) is not None],
        "Time to resolve": [d for pm in incidents if (d := pm.time_to_resolve) is not None],
    }
    measured = {name: values for name, values in measures.items() if values}
    title = "Time to detect and to resolve"
    if not measured:
        return Chart("durations", title, "No incident has a detected or resolved time yet.", None, [])
    spreads = [_spread(name, values, color) for (name, values), color in zip(measured.items(), PALETTE, strict=False)]
    svg = charts.strip_chart("durations", "Time to detect and to resolve each incident, log scale", spreads)
    takeaway = " ".join(
        f"{name}: half of the incidents within {span(statistics.median(values))}, 90% within {span(p90(values))}."
        for name, values in measured.items()
    )
    return Chart("durations", title, takeaway, svg, _duration_tables(measured))


def _spread(name: str, values: list[timedelta], color: str) -> Spread:
    median, high = statistics.median(values), p90(values)
    return Spread(
        name,
        [_minutes(d) for d in values],
        _minutes(median),
        _minutes(high),
        color,
        median_label=f"median {span(median)}",
        p90_label=f"p90 {span(high)}",
    )


def _duration_tables(measured: dict[str, list[timedelta]]) -> list[Table]:
    summary = _table(
        "Time to detect and to resolve, over all incidents",
        ["Measure", "Incidents", "Median", "90th percentile", "Longest"],
        [[n, len(v), span(statistics.median(v)), span(p90(v)), span(max(v))] for n, v in measured.items()],
    )
    counts = {name: _bucket_counts(values) for name, values in measured.items()}
    buckets = _table(
        "Incidents by time to detect and to resolve",
        ["Duration", *measured],
        [[label, *(counts[name][i] for name in measured)] for i, (_, label) in enumerate(DURATION_BUCKETS)],
    )
    return [summary, buckets]


# --- (d) the most frequent causes ------------------------------------------------------


def causes(library: Library) -> Chart:
    """The top causes by how many postmortems name them, and how many a year."""
    zone = library.settings.zone()
    total: Counter[str] = Counter()
    per_year: dict[str, Counter[int]] = defaultdict(Counter)
    for pm in library.postmortems:
        year = _local(pm.started, zone).year
        for key in set(pm.cause_keys):
            total[key] += 1
            per_year[key][year] += 1
    title = "Most frequent causes"
    if not total:
        return Chart("causes", title, "No postmortem names a cause yet.", None, [])
    top = sorted(total, key=lambda key: (-total[key], key))[:TOP_CAUSES]
    active = [_local(pm.started, zone).year for pm in library.postmortems]
    years = _years(min(active), max(active))
    name = {key: library.causes[key].title if key in library.causes else key for key in top}
    series = [
        Series(name[key], [per_year[key][int(y)] for y in years], color)
        for key, color in zip(top, PALETTE, strict=False)
    ]
    svg = charts.bar_chart(
        "causes",
        "Postmortems per year for the most frequent causes",
        years,
        series,
        value_label="postmortems",
        stacked=False,
    )
    rows = [[f"{name[key]} ({key})", total[key], *(per_year[key][int(y)] for y in years)] for key in top]
    table = _table("Postmortems per year for the most frequent causes", ["Cause", "Total", *years], rows)
    leaders = [name[key] for key in top if total[key] == total[top[0]]]
    takeaway = _causes_takeaway(leaders, total[top[0]], per_year[top[0]], years)
    return Chart("causes", title, takeaway, svg, [table])


def _causes_takeaway(names: list[str], count: int, per_year: Counter[int], years: list[str]) -> str:
    """``names``: the causes with the highest count, the first of them the trend's subject."""
    if len(names) > 1:
        listed = ", ".join(f"“{n}”" for n in names[:-1]) + f" and “{names[-1]}”"
        return f"{listed} are the most frequent causes, in {plural(count, 'postmortem')} each."
    sentence = f"The most frequent cause is “{names[0]}”, in {plural(count, 'postmortem')}"
    if len(years) < 2:
        return sentence + "."
    last, previous = int(years[-1]), int(years[-2])
    return sentence + f": {per_year[last]} in {last}, against {per_year[previous]} in {previous}."


# --- (e) action items opened and closed ------------------------------------------------


def follow_through(library: Library) -> Chart:
    zone = library.settings.zone()
    opened: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    items = [(pm, item) for pm in library.postmortems for item in pm.action_items]
    for pm, item in items:
        opened[quarter_of(_local(pm.started, zone))] += 1
        if item.status == "done" and item.completed:
            closed[quarter_of(item.completed)] += 1
    title = "Action items opened and closed"
    if not items:
        return Chart("action-items", title, "No action items yet.", None, [])
    quarters = _quarters(min(opened | closed), max(opened | closed))
    svg = charts.bar_chart(
        "action-items",
        "Action items opened and closed per quarter",
        quarters,
        [
            Series("Opened", [opened[q] for q in quarters], PALETTE[1]),
            Series("Closed", [closed[q] for q in quarters], PALETTE[2]),
        ],
        value_label="action items",
        stacked=False,
    )
    table = _table(
        "Action items opened and closed per quarter",
        ["Quarter", "Opened", "Closed"],
        [[q, opened[q], closed[q]] for q in quarters if opened[q] or closed[q]],
    )
    return Chart("action-items", title, _follow_through_takeaway(library, [i for _, i in items]), svg, [table])


def _follow_through_takeaway(library: Library, items: list[ActionItem]) -> str:
    states = Counter(action_item_states.state(i, library.today, library.settings.due_soon_days) for i in items)
    timed = [i for i in items if i.status == "done" and i.completed and i.due]
    on_time = sum(1 for i in timed if i.completed <= i.due)
    overdue = f"{states['overdue']} overdue as of {library.today.isoformat()}"
    sentence = f"{states['done']} of {plural(len(items), 'action item')} done, {overdue}."
    if timed:
        share = _percent(on_time, len(timed))
        sentence += f" Closed on time: {on_time} of the {len(timed)} done items with a due date ({share})."
    return sentence


# --- (f) services ----------------------------------------------------------------------


def services(library: Library) -> Chart:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for pm in library.postmortems:
        for service in set(pm.services):
            counts[service][pm.type] += 1
    title = "Services with the most postmortems"
    if not counts:
        return Chart("services", title, "No postmortem names a service yet.", None, [])
    top = sorted(counts, key=lambda s: (-counts[s].total(), s))[:TOP_SERVICES]
    svg = charts.bar_chart(
        "services",
        "Postmortems per service, for the services with the most",
        top,
        [
            Series("Incidents", [counts[s]["incident"] for s in top], INCIDENT_COLOR),
            Series("Near-misses", [counts[s]["near-miss"] for s in top], NEAR_MISS_COLOR),
        ],
        value_label="postmortems",
        horizontal=True,
    )
    rows = [[s, counts[s].total(), counts[s]["incident"], counts[s]["near-miss"]] for s in top]
    table = _table("Postmortems per service", ["Service", "Postmortems", "Incidents", "Near-misses"], rows)
    first = top[0]
    share = _percent(counts[first].total(), len(library.postmortems))
    takeaway = f"{first} has the most postmortems: {counts[first].total()} of {len(library.postmortems)} ({share})."
    return Chart("services", title, takeaway, svg, [table])


FIGURES: list[Callable[[Library], Chart]] = [per_month, near_misses, durations, causes, follow_through, services]


def insights(library: Library) -> list[Chart]:
    return [_described(figure(library)) for figure in FIGURES]


def _described(chart: Chart) -> Chart:
    """The chart's SVG with its takeaway as its description, and where its numbers are."""
    if chart.svg is None:
        return chart
    text = f"{chart.takeaway} The table under the chart gives its numbers."
    return dataclasses.replace(chart, svg=charts.describe(chart.svg, chart.slug, text))


def insights_page(library: Library) -> Rendered:
    return render(
        "insights.md.j2",
        # The charts are pictures of numbers; searching them finds nothing useful.
        meta=meta({"title": "Insights", "search": {"exclude": True}}),
        total=len(library.postmortems),
        as_of=library.today,
        charts=insights(library),
    )
