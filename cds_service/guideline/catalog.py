"""The evidence catalog as text (``cds-service rules``) and as a page (``GET /rules``).

Guideline I completes the presentation; the functions' names are the seam.
"""

from __future__ import annotations

import html

from . import registry  # noqa: F401  - importing the rule packages fills the catalog
from .evidence import CATALOG, SOURCES


def catalog_text() -> str:
    lines = ["Sources:"]
    for s in SOURCES.values():
        lines.append(f"  {s.key}: {s.citation}" + (f" [{s.file}]" if s.file else ""))
    lines.append("")
    lines.append("Rules:")
    for r in sorted(CATALOG.values(), key=lambda r: r.id):
        lines.append(f"  {r.id} [{', '.join(r.topics)}] {r.source} {r.section}: {r.statement}")
        if r.figure:
            lines.append(f"      figure: {r.figure}")
    return "\n".join(lines) + "\n"


def catalog_html() -> str:
    return "<!doctype html><title>CTD-ILD CDS rules</title><pre>" + html.escape(
        catalog_text()
    ) + "</pre>"
