"""Which data sets (prefetch keys) a guideline question depends on, and how a card names
one that could not be had for this call (shared by every rule package).

Contract §Card topics: "Missing data that blocks a decision is itself the finding ... and
otherwise is named inside the card that could only be partly assessed." A rule whose "no"
depends on a data set listed here must not conclude "no" ("not treated", "no prophylaxis",
"no decline", "no level") while ``PatientRecord.missing_data`` names that set.
"""

from __future__ import annotations

from fhir_mappings.record import PatientRecord

#: medication orders and statements (treatment status, glucocorticoid dose, regimen)
MEDICATIONS: tuple[str, ...] = ("medications", "medication_statements")
#: pulmonary function tests (FVC, DLCO % predicted)
LUNG_FUNCTION: tuple[str, ...] = ("respiratory",)
#: HRCT findings and extent, imaging report conclusions
IMAGING: tuple[str, ...] = ("imaging", "imaging_reports")
#: laboratory results (drug levels, monitoring labs)
LABS: tuple[str, ...] = ("labs",)


def missing(record: PatientRecord, datasets: tuple[str, ...]) -> dict[str, str]:
    """The data sets of ``datasets`` that could not be had, with the reason."""
    return record.missing_data(*datasets)


def gap_text(gaps: dict[str, str]) -> str:
    """``medications unavailable (timeout); medication_statements unavailable (HTTP 500)``."""
    return "; ".join(f"{key} unavailable ({reason})" for key, reason in sorted(gaps.items()))
