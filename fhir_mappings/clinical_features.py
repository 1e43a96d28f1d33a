"""Symptoms and clinical features: ``clinical_feature(record, *concepts, since=)`` returns the
latest entry recording one of ``concepts`` as present, and ``feature_entries`` every entry
(present or explicitly absent), each with its date and the resource it came from.

A feature counts whether charted as a Condition, as an Observation of any category (matched
by code, site codes through ``CDS_SITE_CONCEPTMAP``; ``valueBoolean`` or a present/absent
``valueCodeableConcept`` honoured), or coded in a report's conclusion. An explicit "absent"
is recorded as an inactive entry: it is never the feature.
"""

from __future__ import annotations

from datetime import date

from .record import ConditionEntry, PatientRecord


def clinical_feature(
    record: PatientRecord, *concepts: str, since: date | None = None
) -> ConditionEntry | None:
    """The latest present entry of ``concepts`` (dated on/after ``since`` when given)."""
    return record.condition(*concepts, since=since)


def feature_entries(
    record: PatientRecord, *concepts: str, since: date | None = None
) -> list[ConditionEntry]:
    """Every entry of ``concepts``, present or absent, oldest first (undated first)."""
    return [
        c
        for c in record.condition_entries(*concepts)
        if since is None or (c.when is not None and c.when >= since)
    ]
