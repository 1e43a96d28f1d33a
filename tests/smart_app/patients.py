"""Fixture patients of the SMART app tests, as FHIR transaction Bundles (dated records).

``COURSE`` (``smart-course-1``): dermatomyositis with ILD since 2026-10, anti-MDA5
positive, treated from 2026-11-01 (prednisolone 50 mg/day, cyclosporine from 2026-11-08);
FVC and DLCO falling, KL-6 (site code, through the site ConceptMap) x1.875 by day 14,
ferritin 600 -> 1,800 ng/mL, CK 420 -> 310 U/L, PaO2 72 -> 58 mmHg, one HRCT with site-coded
findings (ground-glass opacity, lower-zone consolidation).

``SPARSE`` (``smart-sparse-1``): ILD with one ferritin value; its name holds HTML.
"""

from __future__ import annotations

from bench.workloads import transaction
from tests import fhir
from tests.fhir import ICD10, LOINC, RXNORM, SNOMED, Resource, cc, quantity

COURSE = "smart-course-1"
SPARSE = "smart-sparse-1"
COURSE_NAME = "Hanako Course-Test"
SPARSE_NAME = "<script>alert('x')</script> O'Hara & <b>Sons</b>"

SITE_LAB = "https://hospital.example.org/lab-codes"
SITE_FINDINGS = "https://hospital.example.org/radiology-findings"
SITE_PROCEDURES = "https://hospital.example.org/imaging-procedures"

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


def condition(pid: str, rid: str, code: str, onset: str) -> Resource:
    return fhir.condition(pid, rid, cc(ICD10, code), onset)


def observation(pid: str, rid: str, label: str, when: str, value: float) -> Resource:
    system, code, unit, category = _CODES[label]
    return fhir.observation(
        pid, rid, cc(system, code), when, category=category, valueQuantity=quantity(value, unit)
    )


def _medication(
    pid: str, rid: str, rxnorm: str, start: str, dose_mg: float, per_day: int
) -> Resource:
    dosage = fhir.dosage(dose_mg, frequency=per_day)
    return fhir.medication_request(pid, rid, cc(RXNORM, rxnorm), [dosage], authoredOn=start)


def course_bundle() -> Resource:
    pid = COURSE
    findings = [cc(SITE_FINDINGS, "GGO"), cc(SITE_FINDINGS, "CONSOL-LOWER")]
    mda5 = cc(SNOMED, "10828004", text="Positive")
    resources = [
        fhir.patient(pid, birth_date="1970-05-02", name=[{"text": COURSE_NAME}]),
        condition(pid, f"{pid}-dm", "M33.10", "2026-09-20"),
        condition(pid, f"{pid}-ild", "J84.10", "2026-10-15"),
        fhir.observation(pid, f"{pid}-mda5", cc(LOINC, "82424-3"), "2026-10-20",
                         category="laboratory", valueCodeableConcept=mda5),
        _medication(pid, f"{pid}-psl", "312617", "2026-11-01", 50, 1),
        _medication(pid, f"{pid}-csa", "3008", "2026-11-08", 75, 2),
        fhir.report(pid, f"{pid}-hrct", cc(SITE_PROCEDURES, "CT-HR-CHEST"), "2026-10-16", findings),
    ]  # fmt: skip
    for label, values in COURSE_VALUES.items():
        for i, (when, value) in enumerate(values):
            rid = f"{pid}-{label}-{i}".replace("_", "-")
            resources.append(observation(pid, rid, label, when, value))
    return transaction(resources)


def sparse_bundle() -> Resource:
    pid = SPARSE
    return transaction(
        [
            fhir.patient(pid, gender="male", name=[{"text": SPARSE_NAME}]),
            condition(pid, f"{pid}-ild", "J84.10", "2026-06-01"),
            observation(pid, f"{pid}-ferritin-0", "ferritin", "2026-11-02", 321),
        ]
    )
