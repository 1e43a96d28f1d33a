"""Plots as inline SVG, drawn server-side by pygal (a pure-Python charting library).

No JavaScript reaches the page: pygal's inline configuration script is removed and its
tooltips are not used; every value is printed in the data table beside the plot instead.
Readable without colour: measured values are a solid line with dots, thresholds are dashed
lines labelled in the plot and in the legend, treatments are labelled bars.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pygal
from pygal.style import Style

from .timeline import HrctStudy, Plot, TreatmentBar

# pygal puts an import hook for its map plugins (``pygal.maps.*``, unused here) on
# sys.meta_path; it has no ``find_spec``, so every later import warns (ImportWarning)
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)

#: high-contrast, colour-blind-safe (Okabe-Ito) colours; shape and dash carry the meaning too
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#222222",
    foreground_strong="#000000",
    foreground_subtle="#555555",
    colors=("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"),
    font_family="DejaVu Sans, Arial, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    value_label_font_size=11,
    title_font_size=14,
)
DASHES = ("8,4", "2,4", "12,4,2,4", "4,4")

WIDTH, HEIGHT = 820, 300
_NO_DOT = {"r": 0}


def inline_svg(chart: Any) -> str:
    """The chart's SVG for inline use: without pygal's configuration script and comments."""
    return _COMMENT.sub("", _SCRIPT.sub("", str(chart.render(is_unicode=True))))


def _svg(chart: Any, nonce: str) -> str:
    """The chart's inline SVG, its styles carrying the page's CSP nonce."""
    return inline_svg(chart).replace("<style", f'<style nonce="{nonce}"')


def _base(start: date, end: date, height: int = HEIGHT, **extra: Any) -> Any:
    options: dict[str, Any] = {"print_labels": True, **extra}
    return pygal.DateLine(
        js=[],
        disable_xml_declaration=True,
        style=STYLE,
        width=WIDTH,
        height=height,
        xrange=(start, end),
        x_value_formatter=lambda d: d.isoformat(),
        x_label_rotation=20,
        legend_at_bottom=True,
        legend_at_bottom_columns=1,
        truncate_legend=-1,
        show_x_guides=False,
        show_y_guides=False,
        dots_size=4,
        **options,
    )


def plot_svg(plot: Plot, start: date, end: date, nonce: str) -> str:
    """One measurement plot with its threshold lines."""
    chart = _base(start, end)
    chart.add(
        f"{plot.title} ({plot.unit}), measured",
        [
            {"value": (p.when, p.value), "label": p.text if p.comparator else None}
            for p in plot.points
        ],
        stroke_style={"width": 2},
    )
    for i, line in enumerate(plot.lines):
        chart.add(
            f"threshold: {line.label}",
            [  # invisible dots (r=0): pygal prints a label only at a dot
                {"value": (line.start, line.value), "node": _NO_DOT},
                {
                    "value": (line.start + (line.end - line.start) / 2, line.value),
                    "label": line.short or line.label,
                    "node": _NO_DOT,
                },
                {"value": (line.end, line.value), "node": _NO_DOT},
            ],
            stroke_style={"width": 3, "dasharray": DASHES[i % len(DASHES)]},
        )
    return _svg(chart, nonce)


def treatment_svg(
    bars: Sequence[TreatmentBar], hrct: Sequence[HrctStudy], start: date, end: date, nonce: str
) -> str:
    """Treatments as horizontal bars and HRCT studies as markers, one row each, on the same
    time axis as the plots; each bar and study is named in the legend (row order)."""
    rows = list(dict.fromkeys(b.row for b in bars))
    if hrct:
        rows.append("HRCT")
    height = max(160, 70 + 34 * len(rows) + 18 * len(rows))
    chart = _base(
        start,
        end,
        height=height + 20 * (len(bars) + len(hrct)),
        range=(0, len(rows) + 1),
        y_labels=[{"label": r, "value": len(rows) - i} for i, r in enumerate(rows)],
        print_labels=False,
    )
    level = {r: len(rows) - i for i, r in enumerate(rows)}
    for bar in bars:
        y = level[bar.row]
        until = "ongoing" if bar.ongoing else bar.end.isoformat()
        if not bar.end_recorded:
            until = "end not recorded"
        chart.add(
            f"{bar.drug} {bar.dose_text}, {bar.start.isoformat()} to {until}",
            [{"value": (bar.start, y)}, {"value": (max(bar.end, bar.start), y)}],
            stroke_style={"width": 10, "linecap": "butt"},
            dots_size=5,
        )
    if hrct:
        y = level["HRCT"]
        for study in hrct:
            chart.add(
                f"HRCT {study.when.isoformat()}: {hrct_label(study)}",
                [{"value": (study.when, y)}],
                stroke=False,
                dots_size=7,
            )
    return _svg(chart, nonce)


def hrct_label(study: HrctStudy) -> str:
    if study.pending:
        return "report pending"
    parts = list(study.findings)
    if study.extent_percent is not None:
        parts.append(f"extent {study.extent_percent:g}%")
    return ", ".join(parts) if parts else "no coded finding"


def axis(start: date, today: date) -> tuple[date, date]:
    """The common time axis: from the first date to a little after today."""
    return start - timedelta(days=14), today + timedelta(days=14)
