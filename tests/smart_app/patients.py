"""Fixture patients of the SMART app tests, as FHIR transaction Bundles (dated records).

``COURSE`` (``smart-course-1``): dermatomyositis with ILD since 2026-10, anti-MDA5
positive, treated from 2026-11-01 (prednisolone 50 mg/day, cyclosporine from 2026-11-08);
FVC and DLCO falling, KL-6 (site code, through the site ConceptMap) x1.875 by day 14,
ferritin 600 -> 1,800 ng/mL, CK 420 -> 310 U/L, PaO2 72 -> 58 mmHg, one HRCT with site-coded
findings (ground-glass opacity, lower-zone consolidation).

``SPARSE`` (``smart-sparse-1``): ILD with one ferritin value; its name holds HTML.
"""

from __future__ import annotations

from typing import Any

COURSE = "smart-course-1"
SPARSE = "smart-sparse-1"
COURSE_NAME = "Hanako Course-Test"
SPARSE_NAME = "<script>alert('x')</script> O'Hara & <b>Sons</b>"

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SITE_LAB = "https://hospital.example.org/lab-codes"
SITE_FINDINGS = "https://hospital.example.org/radiology-findings"
SITE_PROCEDURES = "https://hospital.example.org/imaging-procedures"
_CAT = "http://terminology.hl7.org/CodeSystem/observation-category"

#: (concept label, system, code, unit, category) of the course's measurements
_CODES = {
    "fvc_pct": (LOINC, "19872-1", "%", None),
    "fvc_l": (LOINC, "19870-5", "L", None),
    "dlco_pct": (LOINC, "98130-8", "%", None),
    "kl6": (SITE_LAB, "KL6", "U/mL", "laboratory"),
    "ferritin": (LOINC, "2276-4", "ng/mL", "laboratory"),
    "ck": (LOINC, "2157-6", "U/L", "laboratory"),
    "pao2": (LOINC, "2703-7", "mm[Hg]", "laboratory"),
}

#: the course's values: concept label -> [(date, value)]
COURSE_VALUES: dict[str, list[tuple[str, float]]] = {
    "fvc_pct": [("2026-03-10", 85), ("2026-08-01", 82), ("2026-10-16", 74), ("2026-11-18", 66)],
    "fvc_l": [("2026-03-10", 2.9), ("2026-08-01", 2.8), ("2026-10-16", 2.5), ("2026-11-18", 2.2)],
    "dlco_pct": [("2026-08-01", 70), ("2026-11-18", 52)],
    "kl6": [("2026-10-28", 800), ("2026-11-15", 1500)],
    "ferritin": [("2026-10-20", 600), ("2026-11-10", 1250), ("2026-11-19", 1800)],
    "ck": [("2026-10-20", 420), ("2026-11-19", 310)],
    "pao2": [("2026-10-20", 72), ("2026-11-19", 58)],
}


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    url = f"{resource['resourceType']}/{resource['id']}"
    return {"resource": resource, "request": {"method": "PUT", "url": url}}


def _condition(pid: str, rid: str, code: str, onset: str) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": rid,
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "code": {"coding": [{"system": ICD10, "code": code}]},
        "subject": {"reference": f"Patient/{pid}"},
        "onsetDateTime": onset,
    }


def _observation(pid: str, rid: str, label: str, when: str, value: float) -> dict[str, Any]:
    system, code, unit, category = _CODES[label]
    res: dict[str, Any] = {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "code": {"coding": [{"system": system, "code": code}]},
        "subject": {"reference": f"Patient/{pid}"},
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }
    if category:
        res["category"] = [{"coding": [{"system": _CAT, "code": category}]}]
    return res


def _medication(
    pid: str, rid: str, rxnorm: str, start: str, dose_mg: float, per_day: int
) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": "active",
        "intent": "order",
        "subject": {"reference": f"Patient/{pid}"},
        "authoredOn": start,
        "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": rxnorm}]},
        "dosageInstruction": [
            {
                "timing": {"repeat": {"frequency": per_day, "period": 1, "periodUnit": "d"}},
                "doseAndRate": [
                    {"doseQuantity": {"value": dose_mg, "unit": "mg", "system": UCUM, "code": "mg"}}
                ],
            }
        ],
    }


def course_bundle() -> dict[str, Any]:
    pid = COURSE
    resources: list[dict[str, Any]] = [
        {
            "resourceType": "Patient",
            "id": pid,
            "gender": "female",
            "birthDate": "1970-05-02",
            "name": [{"text": COURSE_NAME}],
        },
        _condition(pid, f"{pid}-dm", "M33.10", "2026-09-20"),
        _condition(pid, f"{pid}-ild", "J84.10", "2026-10-15"),
        {
            "resourceType": "Observation",
            "id": f"{pid}-mda5",
            "status": "final",
            "category": [{"coding": [{"system": _CAT, "code": "laboratory"}]}],
            "code": {"coding": [{"system": LOINC, "code": "82424-3"}]},
            "subject": {"reference": f"Patient/{pid}"},
            "effectiveDateTime": "2026-10-20",
            "valueCodeableConcept": {
                "coding": [{"system": "http://snomed.info/sct", "code": "10828004"}],
                "text": "Positive",
            },
        },
        _medication(pid, f"{pid}-psl", "312617", "2026-11-01", 50, 1),
        _medication(pid, f"{pid}-csa", "3008", "2026-11-08", 75, 2),
        {
            "resourceType": "DiagnosticReport",
            "id": f"{pid}-hrct",
            "status": "final",
            "category": [
                {
                    "coding": [
                        {"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "RAD"}
                    ]
                }
            ],
            "code": {"coding": [{"system": SITE_PROCEDURES, "code": "CT-HR-CHEST"}]},
            "subject": {"reference": f"Patient/{pid}"},
            "effectiveDateTime": "2026-10-16",
            "conclusionCode": [
                {"coding": [{"system": SITE_FINDINGS, "code": "GGO"}]},
                {"coding": [{"system": SITE_FINDINGS, "code": "CONSOL-LOWER"}]},
            ],
        },
    ]
    for label, values in COURSE_VALUES.items():
        for i, (when, value) in enumerate(values):
            resources.append(
                _observation(pid, f"{pid}-{label}-{i}".replace("_", "-"), label, when, value)
            )
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [_entry(r) for r in resources],
    }


def sparse_bundle() -> dict[str, Any]:
    pid = SPARSE
    resources = [
        {"resourceType": "Patient", "id": pid, "gender": "male", "name": [{"text": SPARSE_NAME}]},
        _condition(pid, f"{pid}-ild", "J84.10", "2026-06-01"),
        _observation(pid, f"{pid}-ferritin-0", "ferritin", "2026-11-02", 321),
    ]
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [_entry(r) for r in resources],
    }
