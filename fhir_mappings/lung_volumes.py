"""Lung volumes in any unit: ``volume_concept(pct_concept)`` returns the volume concept behind
a % predicted concept (``fvc_pct_pred`` -> ``fvc``), and ``volumes_without_percent(record,
pct_concept, since=)`` the volume results (in litres, whatever unit they were charted in) on
days with no % predicted, for a rule to name the absolute criterion it cannot assess.

% predicted is computed by the builder from a volume and its predicted value of the same day
(a predicted-value Observation, or a reference range marked "predicted"); a relative
criterion (FVC fall >10%) is judged on the volumes themselves when no % predicted pair
exists.
"""

from __future__ import annotations

from datetime import date

from .record import Measurement, PatientRecord

VOLUME_OF = {
    "fvc_pct_pred": "fvc",
    "vital_capacity_pct_pred": "vital_capacity",
    "dlco_pct_pred": "dlco",
    "tlc_pct_pred": "tlc",
}


def volume_concept(pct_concept: str) -> str | None:
    return VOLUME_OF.get(pct_concept)


def volumes_without_percent(
    record: PatientRecord, pct_concept: str, since: date | None = None
) -> list[Measurement]:
    """Volume results (interpretable, oldest first) dated on days with no % predicted."""
    volume = VOLUME_OF.get(pct_concept)
    if volume is None:
        return []
    with_percent = {m.when for m in record.series(pct_concept, since=since)}
    return [m for m in record.series(volume, since=since) if m.when not in with_percent]
