"""FHIR R4 resources -> PatientRecord. (The terminology issue fills this in.)"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from .record import PatientRecord


def build_record(
    resources: Iterable[dict[str, Any]],
    today: date,
    patient_id: str | None = None,
) -> PatientRecord:
    """Map the patient's resources to a PatientRecord evaluated on ``today``.

    Resources of other patients, entered-in-error and refuted entries are excluded.
    Placeholder: returns an empty record.
    """
    return PatientRecord(today=today, patient_id=patient_id)
