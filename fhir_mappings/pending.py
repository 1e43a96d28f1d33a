"""Pending results: ``pending_results(record, *concepts)`` returns the results and studies of
``concepts`` ordered but not final (``registered`` or ``preliminary`` Observations,
``registered``/``preliminary``/``partial`` reports), newest first, without those a final
result of the same concept dated on or after the order has since answered.

A rule names each one as pending in its card and lists it in the card's facts with
``"value": "pending"`` and the date ordered (``cds_service.guideline.facts.pending_fact``).
"""

from __future__ import annotations

from datetime import date

from .record import PatientRecord, PendingEntry


def _answered(record: PatientRecord, entry: PendingEntry) -> bool:
    """A final result of the same concept dated on/after the pending one's date."""
    since = entry.ordered or date.min
    concept = entry.concept
    if any(r.final and r.when >= since for r in record.antibodies.get(concept, ())):
        return True
    if any(m.when >= since for m in record.measurements.get(concept, ())):
        return True
    if any(s.concept == concept and s.when >= since for s in record.studies):
        return True
    return any(c.concept == concept and (c.when or date.min) >= since for c in record.conditions)


def pending_results(record: PatientRecord, *concepts: str) -> list[PendingEntry]:
    """Pending results of ``concepts`` (all concepts when none is given), newest first."""
    wanted = set(concepts)
    out = [
        p
        for p in record.pending
        if (not wanted or p.concept in wanted) and not _answered(record, p)
    ]
    return sorted(out, key=lambda p: (p.ordered or date.min, p.source_id), reverse=True)
