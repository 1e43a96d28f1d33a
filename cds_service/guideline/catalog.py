"""The evidence catalog as text (``cds-service rules``) and as a page (``GET /rules``).

Sources first, then every seed rule (R001-R144) and the anchors the cards use, in three groups
(automated; shown as evidence; not automated, with the reason): id, kind, source, section as
printed, where it acts, the rule's statement and its exact figure, so clinicians can review
what the service does, on what evidence, and what it leaves to them.
"""

from __future__ import annotations

import html

from . import not_automated, registry  # noqa: F401  - importing them fills the catalog
from .evidence import SOURCES
from .rule_groups import GROUPS, SEED_RULE_COUNT, grouped, kind, seed_rule_ids, where

GROUP_TITLES = {
    "automated": "Automated: a card decides on it",
    "shown as evidence": "Shown as evidence beside a card's decision",
    "not automated": "Not automated, and why",
}


def catalog_text() -> str:
    lines = ["Sources:"]
    for s in SOURCES.values():
        extra = f" [{s.file}]" if s.file else ""
        url = f" {s.url}" if s.url else ""
        lines.append(f"  {s.key}: {s.title}. {s.citation}{url}{extra}")
    groups = grouped()
    counts = ", ".join(f"{len(groups[g])} {g}" for g in GROUPS)
    lines.append("")
    lines.append(
        f"Seed rules: {len(seed_rule_ids())} of {SEED_RULE_COUNT} (R001-R{SEED_RULE_COUNT:03d}), "
        f"plus the anchors the cards use"
    )
    lines.append(f"Rules ({counts}):")
    for g in GROUPS:
        lines.append("")
        lines.append(f"{GROUP_TITLES[g]} ({len(groups[g])}):")
        for r in groups[g]:
            lines.append(f"  {r.id} ({kind(r)}) {r.source} {r.section}: {r.statement}")
            if r.figure:
                lines.append(f"      figure: {r.figure}")
            lines.append(f"      {where(r)}")
    return "\n".join(lines) + "\n"


def catalog_html() -> str:
    e = html.escape
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8"><title>CTD-ILD CDS rules</title>',
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}</style>",
        "</head><body><h1>CTD-ILD CDS: evidence catalog</h1>",
        "<h2>Sources</h2><table><tr><th>Key</th><th>Document</th><th>Citation</th></tr>",
    ]
    for s in SOURCES.values():
        cite = e(s.citation)
        if s.url:
            cite += f' <a href="{e(s.url)}">{e(s.url)}</a>'
        out.append(f"<tr><td>{e(s.key)}</td><td>{e(s.title)}</td><td>{cite}</td></tr>")
    out.append("</table>")
    out.append(
        f"<p>Seed rules: {len(seed_rule_ids())} of {SEED_RULE_COUNT}, plus the anchors the "
        "cards use.</p>"
    )
    groups = grouped()
    for g in GROUPS:
        out.append(
            f'<h2 id="{e(g.replace(" ", "-"))}">{e(GROUP_TITLES[g])} ({len(groups[g])})</h2>'
            "<table><tr><th>Id</th><th>Kind</th><th>Where it acts</th><th>Source</th>"
            "<th>Section</th><th>Statement</th><th>Figure</th></tr>"
        )
        for r in groups[g]:
            out.append(
                f'<tr id="{e(r.id)}"><td>{e(r.id)}</td><td>{e(kind(r))}</td>'
                f"<td>{e(where(r))}</td><td>{e(r.source)}</td><td>{e(r.section)}</td>"
                f"<td>{e(r.statement)}</td><td>{e(r.figure)}</td></tr>"
            )
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
