"""Charts drawn at build time with matplotlib, as SVG to inline in a page.

Why these choices:

- Only the object API (``Figure``), never ``pyplot``: no global figure state, no GUI
  backend, safe to call from a MkDocs build.
- Byte-reproducible: a fixed ``svg.hashsalt`` per chart and no ``Date`` metadata.
- Light and dark mode: the background is transparent and everything that should take
  the page's text colour (labels, axes, grid) is drawn in a placeholder colour that is
  then swapped for ``currentColor``; bar colours are mid-tones that read on both.
- Text stays text (``svg.fonttype: none``): small, selectable, and no font is embedded
  or fetched; author-written labels are XML-escaped by matplotlib, and math parsing is
  off so a ``$`` in a service name is just a dollar sign.
- Every chart is inlined in the same page, so its element ids get a per-chart prefix.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar, cast

from markupsafe import Markup

from kb.render.escape import attr

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# matplotlib is imported where a chart is drawn, not with this module: it is slow to
# import, every build process (the worker too, which must start fast) would pay for it
# before doing anything, and only the insights page draws charts.

INK = "#010203"  # "the page's text colour": replaced by currentColor in the SVG
MAX_LABELS = 10  # more category labels than this on an axis become unreadable
WIDTH, HEIGHT = 8.0, 3.6  # inches; the SVG scales to the page width
Ticks = Sequence[tuple[float, str]]  # (position, label) pairs on a category axis


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    color: str


def _style(slug: str) -> dict[str, object]:
    return {
        "svg.hashsalt": f"kb-{slug}",
        "svg.fonttype": "none",
        "text.parse_math": False,
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans"],
        "font.size": 10,
        "text.color": INK,
        "axes.labelcolor": INK,
        "axes.edgecolor": INK,
        "axes.facecolor": "none",
        "figure.facecolor": "none",
        "savefig.facecolor": "none",
        "savefig.edgecolor": "none",
        "xtick.color": INK,
        "ytick.color": INK,
        "grid.color": INK,
        "grid.alpha": 0.15,
        "legend.frameon": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def _figure(height: float = HEIGHT) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH, height), layout="constrained")


def _drawing(slug: str) -> contextlib.AbstractContextManager[object]:
    """The style above, for drawing and saving: artists read it when they are created."""
    import matplotlib

    return matplotlib.rc_context(_style(slug))


def to_svg(fig: Figure, slug: str, label: str) -> Markup:
    """The figure as an ``<svg>`` element ready to inline in HTML (or Markdown)."""
    buffer = io.StringIO()
    with _drawing(slug), warnings.catch_warnings():
        # Text is written as text, which the reader's browser draws in its own fonts: a
        # glyph DejaVu Sans lacks (a service named in Japanese) is only measured roughly
        # for the layout, not missing from the chart.
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # no XML declaration or DOCTYPE inside HTML
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = svg.replace(INK, "currentColor")
    # Ids must be unique in the page (headings use the bare slug): prefix every id and
    # every reference to one.
    svg_id = f"chart-{slug}"
    svg = re.sub(r'\bid="', f'id="{svg_id}-', svg)
    svg = svg.replace("url(#", f"url(#{svg_id}-").replace('href="#', f'href="#{svg_id}-')
    # matplotlib's stylesheet selects ``*``: keep it from styling the whole page.
    svg = svg.replace("*{", f"#{svg_id} *{{")
    # A picture to assistive technology (role="img"), named by its <title>: its shapes and
    # labels are not read out one by one; the data table under it holds the numbers.
    svg = re.sub(
        r'<svg ([^>]*?)width="[\d.]+pt" height="[\d.]+pt"([^>]*)>',
        lambda m: (
            f'<svg id="{svg_id}" class="kb-chart-svg" role="img" aria-labelledby="{svg_id}-title" '
            f'{m.group(1)}{m.group(2).strip()}><title id="{svg_id}-title">{attr(label)}</title>'
        ),
        svg,
        count=1,
    )
    return Markup(svg.strip())


def describe(svg: Markup, slug: str, description: str) -> Markup:
    """The chart with a ``<desc>`` after its title, which screen readers give after its name:
    what it shows, in words. Separate from drawing, so a new takeaway draws nothing again."""
    svg_id = f"chart-{slug}"
    head, title_end, rest = str(svg).partition("</title>")
    head = head.replace(' role="img"', f' role="img" aria-describedby="{svg_id}-desc"', 1)
    return Markup(f'{head}{title_end}<desc id="{svg_id}-desc">{attr(description)}</desc>{rest}')


# The last drawing of each chart, by slug, with the data it was drawn from. Drawing is
# most of the insights page's cost, and under ``mkdocs serve`` a rebuild after an edit
# almost never changes a chart's data: the same process then reuses the SVG.
_LAST: dict[str, tuple[str, Markup]] = {}
Draw = TypeVar("Draw", bound=Callable[..., Markup])


def _remembered(draw: Draw) -> Draw:
    @functools.wraps(draw)
    def drawing(slug: str, *args: object, **kwargs: object) -> Markup:
        key = repr((draw.__name__, args, sorted(kwargs.items())))
        last = _LAST.get(slug)
        if last and last[0] == key:
            return last[1]
        svg = draw(slug, *args, **kwargs)
        _LAST[slug] = (key, svg)
        return svg

    return cast(Draw, drawing)


def short(label: str, limit: int = 40) -> str:
    """Long names would squeeze the plot to nothing; the data table has them in full."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _category_axis(ax: Axes, labels: Sequence[str], horizontal: bool, ticks: Ticks | None) -> None:
    """Label the given ticks, else every category, or every n-th when there are too many."""
    from matplotlib.ticker import FixedLocator, NullLocator

    if ticks is None:
        step = max(1, math.ceil(len(labels) / MAX_LABELS))
        ticks = [(i, labels[i]) for i in range(0, len(labels), step)]
    axis = ax.yaxis if horizontal else ax.xaxis
    axis.set_major_locator(FixedLocator([position for position, _ in ticks]))
    axis.set_ticklabels([short(label) for _, label in ticks])
    axis.set_minor_locator(NullLocator())


# Beyond this many categories (months over years), stacked bars are drawn as filled
# steps: one shape per series instead of one per bar, which is most of the drawing time
# and of the SVG's size, and looks the same once the bars are a few pixels wide.
STEPS_FROM = 48


def _bars(ax: Axes, series: Sequence[Series], stacked: bool, horizontal: bool) -> list[float]:
    """Draw the bars; returns where each category's bars end, for notes."""
    count = len(series[0].values)
    ends = [0.0] * count
    width = 0.8 if stacked else 0.8 / len(series)
    steps = stacked and not horizontal and count >= STEPS_FROM
    for n, s in enumerate(series):
        offset = 0.0 if stacked else (n - (len(series) - 1) / 2) * width
        where = [p + offset for p in range(count)]
        base = ends if stacked else [0.0] * count
        if steps:
            tops = [b + v for b, v in zip(base, s.values, strict=True)]
            edges = [p - 0.5 for p in range(count + 1)]
            ax.stairs(tops, edges, baseline=base, fill=True, color=s.color, label=short(s.name), linewidth=0)
        elif horizontal:
            ax.barh(where, s.values, width, left=base, color=s.color, label=short(s.name))
        else:
            ax.bar(where, s.values, width, bottom=base, color=s.color, label=short(s.name))
        ends = (
            [e + v for e, v in zip(base, s.values, strict=True)]
            if stacked
            else [max(e, v) for e, v in zip(ends, s.values, strict=True)]
        )
    return ends


def _notes(ax: Axes, ends: list[float], notes: Sequence[str], horizontal: bool) -> None:
    for position, (end, note) in enumerate(zip(ends, notes, strict=False)):
        if not note:
            continue
        ax.annotate(
            note,
            (end, position) if horizontal else (position, end),
            xytext=(4, 0) if horizontal else (0, 3),
            textcoords="offset points",
            ha="left" if horizontal else "center",
            va="center" if horizontal else "bottom",
            fontsize=8,
        )
    if horizontal:
        ax.margins(x=0.12)  # room for the notes
    else:
        ax.margins(y=0.12)


def _legend_columns(series: Sequence[Series]) -> int:
    """One row when the names are short; two columns when one row would be cut off."""
    return len(series) if sum(len(short(s.name)) + 6 for s in series) <= 100 else 2


@_remembered
def bar_chart(
    slug: str,
    label: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    value_label: str,
    stacked: bool = True,
    horizontal: bool = False,
    notes: Sequence[str] = (),
    ticks: Ticks | None = None,
) -> Markup:
    """Stacked or grouped bars; ``notes`` are written at the end of each category's bars."""
    from matplotlib.ticker import MaxNLocator

    with _drawing(slug):
        fig = _figure(max(HEIGHT, 0.35 * len(categories) + 1.2) if horizontal else HEIGHT)
        ax = fig.add_subplot()
        ends = _bars(ax, series, stacked, horizontal)
        if notes:
            _notes(ax, ends, notes, horizontal)
        _category_axis(ax, categories, horizontal, ticks)
        value_axis = ax.xaxis if horizontal else ax.yaxis
        value_axis.set_major_locator(MaxNLocator(integer=True))
        if horizontal:
            ax.set_xlabel(value_label)
            ax.invert_yaxis()  # the largest first, at the top
        else:
            ax.set_ylabel(value_label)
        ax.grid(axis="x" if horizontal else "y")
        ax.set_axisbelow(True)
        if len(series) > 1:
            fig.legend(loc="outside upper center", ncols=_legend_columns(series))
        return to_svg(fig, slug, label)


@dataclass(frozen=True)
class Spread:
    """One row of a strip chart: every value, with its median and 90th percentile."""

    name: str
    minutes: Sequence[float]
    median: float
    p90: float
    color: str
    median_label: str = "median"
    p90_label: str = "p90"


TIME_TICKS = [(1, "1 min"), (5, "5 min"), (15, "15 min"), (60, "1 h"), (240, "4 h"), (1440, "1 d"), (10080, "1 w")]
MAX_DOTS = 1000  # per row: beyond this, dots only blacken the row and bloat the page
SHORTEST = 0.5  # minutes: 0 cannot sit on a log axis, so shorter values are drawn here


def _thinned(values: Sequence[float]) -> list[float]:
    """At most ``MAX_DOTS`` values, evenly spaced by rank: the same shape, a bounded SVG."""
    ordered = sorted(values)
    if len(ordered) <= MAX_DOTS:
        return ordered
    step = (len(ordered) - 1) / (MAX_DOTS - 1)
    return [ordered[round(i * step)] for i in range(MAX_DOTS)]


@_remembered
def strip_chart(slug: str, label: str, rows: Sequence[Spread]) -> Markup:
    """Every duration as a dot on a log time axis, with the median and p90 marked.

    Dots show the whole distribution, long tail included, which a mean would hide; the
    dots of a row are spread vertically only so that they do not cover each other.
    """
    with _drawing(slug):
        fig = _figure(1.2 + 1.1 * len(rows))
        ax = fig.add_subplot()
        for y, row in enumerate(rows):
            values = [max(m, SHORTEST) for m in _thinned(row.minutes)]
            jitter = [((i * 0.618034) % 1 - 0.5) * 0.4 for i in range(len(values))]  # golden-ratio spread
            ax.scatter(values, [y + j for j in jitter], s=22, color=row.color, alpha=0.7, linewidths=0)
            for value, style, text in ((row.median, "-", row.median_label), (row.p90, "--", row.p90_label)):
                ax.plot([max(value, SHORTEST)] * 2, [y - 0.35, y + 0.35], style, color=INK, linewidth=2)
                ax.annotate(text, (max(value, SHORTEST), y - 0.38), ha="center", va="bottom", fontsize=8)
        right = max(max((m for row in rows for m in row.minutes), default=60) * 1.5, 60)
        ticks = [(v, t) for v, t in TIME_TICKS if v <= right]
        ax.set_xscale("log")
        ax.set_xlim(SHORTEST * 0.8, right)
        _category_axis(ax, [], False, ticks)
        _category_axis(ax, [row.name for row in rows], True, None)
        ax.set_ylim(len(rows) - 0.5, -0.75)
        ax.grid(axis="x")
        ax.set_axisbelow(True)
        return to_svg(fig, slug, label)
