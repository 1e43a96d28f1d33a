"""Card ordering and de-duplication policy (documented in docs/card-policy.md).

1. At most one card per topic per call: if several findings share a topic, the most urgent
   (then the lowest ``priority``) is kept.
2. Cards are ordered by indicator (critical, warning, info), then by ``priority``, then by
   topic code, so the order is stable between calls.
"""

from __future__ import annotations

from collections.abc import Iterable

from .findings import Finding


def select_and_order(findings: Iterable[Finding]) -> list[Finding]:
    best: dict[str, Finding] = {}
    for f in findings:
        kept = best.get(f.topic)
        if kept is None or (f.indicator.rank, f.priority) < (kept.indicator.rank, kept.priority):
            best[f.topic] = f
    return sorted(best.values(), key=lambda f: (f.indicator.rank, f.priority, f.topic))
