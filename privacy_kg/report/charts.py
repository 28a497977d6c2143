"""Geometry for the report's inline SVG charts; the templates (heatmap.svg, bars.svg) draw it.

Text widths are estimated (no font metrics at build time): CHAR_WIDTH per character at the charts'
12px sans-serif, generous enough that labels do not overlap."""

from __future__ import annotations

import math
from dataclasses import dataclass

CHAR_WIDTH = 7.2
ROW = 26  # px per row
LOW, HIGH = (0xE8, 0xF1, 0xFA), (0x08, 0x45, 0x94)  # light to dark blue


def colour(share: float) -> str:
    """A sequential blue for a share in [0, 1]."""
    channels = (round(lo + (hi - lo) * share) for lo, hi in zip(LOW, HIGH))
    return "#" + "".join(f"{c:02x}" for c in channels)


def text_width(labels: list[str]) -> float:
    return math.ceil(max((len(s) for s in labels), default=0) * CHAR_WIDTH) + 12


@dataclass
class HeatCell:
    x: float
    y: float
    count: int
    fill: str
    ink: str  # text colour with enough contrast on the fill
    title: str  # the tooltip (and the accessible name of the cell)
    href: str


@dataclass
class Heatmap:
    width: float
    height: float
    left: float  # width of the row labels
    top: float  # height of the (rotated) column labels
    cell: float
    rows: list[tuple[float, str]]  # (y, label)
    columns: list[tuple[float, str]]  # (x, label)
    cells: list[HeatCell]
    maximum: int


def heatmap(rows: list[str], columns: list[str], counts: list[list[int]], hrefs: list[list[str]]) -> Heatmap:
    """Rows x columns of counts; the colour grows with the square root of the count (0 is silent: grey)."""
    cell = ROW + 14
    left = text_width(rows)
    reach = text_width(columns) * math.sqrt(0.5)  # column labels at -45 degrees reach this far up and right
    top = reach + 16
    maximum = max((c for row in counts for c in row), default=0)
    cells = []
    for i, row in enumerate(counts):
        for j, count in enumerate(row):
            share = math.sqrt(count / maximum) if maximum and count else 0.0
            fill = colour(share) if count else "#eeeeee"
            title = f"{rows[i]}, {columns[j]}: {count} practice{'s' if count != 1 else ''}" + ("" if count else " (silent)")
            cells.append(HeatCell(left + j * cell, top + i * ROW, count, fill, "#ffffff" if share > 0.55 else "#1a1a1a", title, hrefs[i][j]))
    return Heatmap(left + len(columns) * cell + reach, top + len(rows) * ROW + 8, left, top, cell,
                   [(top + i * ROW, r) for i, r in enumerate(rows)],
                   [(left + j * cell, c) for j, c in enumerate(columns)], cells, maximum)


@dataclass
class Bar:
    y: float
    label: str
    value: int
    width: float
    title: str


@dataclass
class BarChart:
    width: float
    height: float
    left: float
    plot: float  # width of the longest possible bar
    maximum: int
    ticks: list[tuple[float, int]]  # (x, value)
    bars: list[Bar]


def bars(items: list[tuple[str, int, str]], maximum: int, plot: float = 360) -> BarChart:
    """Horizontal bars of (label, value, tooltip), on a scale from 0 to `maximum`."""
    left = text_width([label for label, _, _ in items])
    scale = plot / maximum if maximum else 0
    step = max(1, math.ceil(maximum / 5)) if maximum else 1
    ticks = [(left + v * scale, v) for v in range(0, maximum + 1, step)]
    rows = [Bar(20 + i * ROW, label, value, value * scale, title) for i, (label, value, title) in enumerate(items)]
    return BarChart(left + plot + 40, 20 + len(items) * ROW + 24, left, plot, maximum, ticks, rows)
