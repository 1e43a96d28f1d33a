"""The evidence catalog as text (``cds-service rules``) and as a page (``GET /rules``).

Sources first, then every rule the service applies: id, card topics, source, section as
printed, the rule's statement and its exact figure, so clinicians can review what the
service does and on what evidence.
"""

from __future__ import annotations

import html

from . import registry  # noqa: F401  - importing the rule packages fills the catalog
from .evidence import CATALOG, SOURCES, Rule


def _rules() -> list[Rule]:
    return sorted(
        CATALOG.values(), key=lambda r: (r.id[0], int(r.id[1:]) if r.id[1:].isdigit() else 0)
    )


def catalog_text() -> str:
    lines = ["Sources:"]
    for s in SOURCES.values():
        extra = f" [{s.file}]" if s.file else ""
        url = f" {s.url}" if s.url else ""
        lines.append(f"  {s.key}: {s.title}. {s.citation}{url}{extra}")
    lines.append("")
    lines.append("Rules:")
    for r in _rules():
        topics = ", ".join(r.topics) or "-"
        lines.append(f"  {r.id} [{topics}] {r.source} {r.section}: {r.statement}")
        if r.figure:
            lines.append(f"      figure: {r.figure}")
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
    out.append(
        "</table><h2>Rules</h2><table><tr><th>Id</th><th>Topics</th><th>Source</th>"
        "<th>Section</th><th>Statement</th><th>Figure</th></tr>"
    )
    for r in _rules():
        out.append(
            f'<tr id="{e(r.id)}"><td>{e(r.id)}</td><td>{e(", ".join(r.topics))}</td>'
            f"<td>{e(r.source)}</td><td>{e(r.section)}</td><td>{e(r.statement)}</td>"
            f"<td>{e(r.figure)}</td></tr>"
        )
    out.append("</table></body></html>")
    return "\n".join(out) + "\n"
