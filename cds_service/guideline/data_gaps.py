"""Which data sets (prefetch keys) a guideline question depends on, and how a card names
one that could not be had for this call (shared by every rule package).

Contract §Card topics: "Missing data that blocks a decision is itself the finding ... and
otherwise is named inside the card that could only be partly assessed." A rule whose "no"
depends on a data set listed here must not conclude "no" ("not treated", "no prophylaxis",
"no decline", "no level") while ``PatientRecord.missing_data`` names that set.
"""

from __future__ import annotations

from .text import label

#: medication orders and statements (treatment status, glucocorticoid dose, regimen)
MEDICATIONS: tuple[str, ...] = ("medications", "medication_statements")
#: pulmonary function tests (FVC, DLCO % predicted)
LUNG_FUNCTION: tuple[str, ...] = ("respiratory",)
#: HRCT findings and extent, imaging report conclusions
IMAGING: tuple[str, ...] = ("imaging", "imaging_reports")
#: laboratory results (drug levels, monitoring labs)
LABS: tuple[str, ...] = ("labs",)


#: data set (prefetch key) -> how a card names it
DATASET_NAMES: dict[str, str] = {
    "patient": "patient details",
    "conditions": "diagnoses",
    "labs": "laboratory results",
    "antibodies": "antibody results",
    "respiratory": "lung function tests",
    "imaging": "imaging results",
    "imaging_reports": "imaging reports",
    "medications": "medication orders",
    "medication_statements": "medication statements",
    "symptoms": "symptoms",
    "service_requests": "ordered tests",
    "body_size": "height and weight",
    "clinical_findings": "charted symptoms and clinical features",
}


def dataset_name(key: str) -> str:
    return label(key, DATASET_NAMES)


def gap_text(gaps: dict[str, str]) -> str:
    """``medication orders unavailable (timeout); medication statements unavailable (HTTP
    500)``."""
    return "; ".join(
        f"{dataset_name(key)} unavailable ({reason})" for key, reason in sorted(gaps.items())
    )
