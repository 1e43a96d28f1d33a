"""``cds-service feedback-report --html FILE``: one self-contained HTML page for the
clinicians who govern the rules.

Per card topic: cards issued, accepted and overridden per week (a plot and its table) and
the override reasons (a plot and its table). Plots are inline SVG drawn by pygal; the file
has no script and references nothing outside itself.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html import escape
from typing import Any

import pygal
from sqlalchemy import select

from .feedback import FEEDBACK_TOPIC, TopicReport, counted_feedback, feedback_report
from .guideline.topics import ALL_TOPICS
from .smart_app.charts import STYLE, inline_svg
from .storage import Storage, feedback_table, issued_card_table


@dataclass
class TopicWeeks:
    """Counts per week (the Monday starting it) of one topic."""

    issued: Counter[date] = field(default_factory=Counter)
    accepted: Counter[date] = field(default_factory=Counter)
    overridden: Counter[date] = field(default_factory=Counter)

    def weeks(self) -> list[date]:
        return sorted(set(self.issued) | set(self.accepted) | set(self.overridden))


def _week(value: datetime) -> date:
    d = value.astimezone(UTC).date() if value.tzinfo else value.date()
    return d - timedelta(days=d.weekday())


def weekly_counts(storage: Storage) -> dict[str, TopicWeeks]:
    """Per topic and week: cards issued, and the feedback ``feedback_report`` counts (each
    card once) by the week it was received."""
    f, ic = feedback_table, issued_card_table
    out: dict[str, TopicWeeks] = defaultdict(TopicWeeks)
    with storage.engine.connect() as conn:
        for t, issued_at in conn.execute(select(ic.c.topic, ic.c.issued_at)):
            out[t].issued[_week(issued_at)] += 1
        rows = conn.execute(counted_feedback(FEEDBACK_TOPIC, f.c.outcome, f.c.received_at))
        for t, outcome, received_at in rows:
            target = out[t].accepted if outcome == "accepted" else out[t].overridden
            target[_week(received_at)] += 1
    return dict(out)


def _chart(kind: Any, **options: Any) -> Any:
    return kind(
        js=[],
        disable_xml_declaration=True,
        style=STYLE,
        width=760,
        legend_at_bottom=True,
        print_values=True,
        show_y_guides=False,
        **options,
    )


def _weeks_svg(weeks: TopicWeeks) -> str:
    labels = weeks.weeks()
    chart = _chart(
        pygal.Bar, height=260, x_labels=[w.isoformat() for w in labels], x_label_rotation=20
    )
    for name, counter in (
        ("issued", weeks.issued),
        ("accepted", weeks.accepted),
        ("overridden", weeks.overridden),
    ):
        chart.add(name, [counter.get(w, 0) for w in labels])
    return inline_svg(chart)


def _reasons_svg(reasons: list[tuple[str, int]]) -> str:
    chart = _chart(pygal.HorizontalBar, height=80 + 30 * len(reasons))
    for reason, n in reasons:
        chart.add(reason, [n])
    return inline_svg(chart)


def _table(head: list[str], rows: list[list[Any]]) -> str:
    th = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _topic_section(report: TopicReport, weeks: TopicWeeks | None) -> str:
    display = ALL_TOPICS.get(report.topic, report.topic)
    parts = [
        f'<section id="topic-{escape(report.topic)}"><h2>{escape(display)} '
        f"<small>({escape(report.topic)})</small></h2>",
        _table(
            ["issued", "accepted", "overridden"],
            [[report.issued, report.accepted, report.overridden]],
        ),
    ]
    if weeks is not None and weeks.weeks():
        parts.append(f'<h3>Per week</h3><div class="chart">{_weeks_svg(weeks)}</div>')
        rows = [
            [
                w.isoformat(),
                weeks.issued.get(w, 0),
                weeks.accepted.get(w, 0),
                weeks.overridden.get(w, 0),
            ]
            for w in weeks.weeks()
        ]
        parts.append(_table(["week starting", "issued", "accepted", "overridden"], rows))
    if report.override_reasons:
        reasons = report.reasons_by_count()
        parts.append(f'<h3>Override reasons</h3><div class="chart">{_reasons_svg(reasons)}</div>')
        parts.append(_table(["override reason", "count"], [[r, n] for r, n in reasons]))
    parts.append("</section>")
    return "\n".join(parts)


_CSS = (
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:1rem 2rem;color:#111}"
    "table{border-collapse:collapse;margin:.4rem 0}th,td{border:1px solid #999;"
    "padding:.15rem .5rem;text-align:left}section{border-top:2px solid #333;margin-top:1.5rem}"
    ".chart svg{max-width:100%;height:auto}"
)


def feedback_html(storage: Storage, generated: datetime | None = None) -> str:
    reports = feedback_report(storage)
    weeks = weekly_counts(storage)
    when = (generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    head = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>CTD-ILD CDS: card feedback</title>"
        f"<style>{_CSS}</style></head><body>"
        "<h1>CTD-ILD CDS: card feedback per topic</h1>"
        f"<p>Generated {escape(when)}. Counts of cards issued, accepted and overridden, and "
        "the reasons given for overrides, for the clinicians who govern the rules.</p>"
    )
    if not reports:
        body = "<p id='empty'>No cards issued and no feedback stored yet.</p>"
    else:
        summary = _table(
            ["topic", "issued", "accepted", "overridden"],
            [[r.topic, r.issued, r.accepted, r.overridden] for r in reports],
        )
        body = summary + "\n".join(_topic_section(r, weeks.get(r.topic)) for r in reports)
    return head + body + "</body></html>\n"
