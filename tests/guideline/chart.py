"""Realistic dated FHIR records for the seed-rule tests: conditions in SNOMED CT, site-coded
lab and lung-function results mapped through a ConceptMap (``data/site-conceptmap.json``),
volumes in litres or millilitres, draft orders as the CDS Hooks sandbox's Rx View drafts them
(``tests/orders/builders.med_request(shape="sandbox")``); run through the engine as the
service runs them."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from cds_service.engine import evaluate_resources
from cds_service.guideline.findings import Finding
from cds_service.services import REGISTRY
from fhir_mappings.terminology import Terminology, build_terminology

TODAY = date(2026, 11, 20)
PATIENT = "pat-1"
SITE = "https://hospital.example.org/site-local"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
CONCEPTMAP = Path(__file__).with_name("data") / "site-conceptmap.json"

CONDITIONS = {
    "ild": ("233703007", "Interstitial lung disease"),
    "rheumatoid_arthritis": ("69896004", "Rheumatoid arthritis"),
    "systemic_sclerosis": ("89155008", "Systemic sclerosis"),
    "dermatomyositis": ("396230008", "Dermatomyositis"),
    "sjogren": ("83901003", "Sjögren's syndrome"),
}


@cache
def terminology() -> Terminology:
    return build_terminology(str(CONCEPTMAP))


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def patient() -> dict[str, Any]:
    return {"resourceType": "Patient", "id": PATIENT, "gender": "female", "birthDate": "1962-03-14"}


def condition(name: str, days_ago: int = 900, rid: str | None = None) -> dict[str, Any]:
    code, display = CONDITIONS[name]
    return {
        "resourceType": "Condition",
        "id": rid or f"c-{name}",
        "subject": {"reference": f"Patient/{PATIENT}"},
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "code": {"coding": [{"system": SNOMED, "code": code, "display": display}], "text": display},
        "onsetDateTime": ago(days_ago),
    }


_SEQ = iter(range(1, 1_000_000))


def observation(
    code: str, value: float, unit: str, days_ago: int, system: str = SITE, display: str = ""
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": f"o{next(_SEQ)}",
        "status": "final",
        "subject": {"reference": f"Patient/{PATIENT}"},
        "code": {"coding": [{"system": system, "code": code, "display": display or code}]},
        "effectiveDateTime": ago(days_ago),
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }


def finding_present(code: str, days_ago: int) -> dict[str, Any]:
    """A charted clinical or HRCT finding (site code), as an Observation with valueBoolean."""
    return {
        "resourceType": "Observation",
        "id": f"o{next(_SEQ)}",
        "status": "final",
        "subject": {"reference": f"Patient/{PATIENT}"},
        "code": {"coding": [{"system": SITE, "code": code}]},
        "effectiveDateTime": ago(days_ago),
        "valueBoolean": True,
    }


def fvc_litres(
    measured: float, predicted: float, days_ago: int, unit: str = "L"
) -> list[dict[str, Any]]:
    """A spirometry result in litres (or mL) with its predicted value, same date."""
    return [
        observation("PFT-FVC", measured, unit, days_ago),
        observation("PFT-FVC-PRED", predicted, unit, days_ago),
    ]


def active_med(
    rid: str,
    rxnorm: str,
    display: str,
    dose: float,
    unit: str = "mg",
    days_ago: int = 60,
    route: str = "oral",
    frequency: int = 1,
    period: float = 1,
    period_unit: str = "d",
) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": "active",
        "intent": "order",
        "subject": {"reference": f"Patient/{PATIENT}"},
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": rxnorm, "display": display}],
            "text": display,
        },
        "authoredOn": ago(days_ago),
        "dosageInstruction": [
            {
                "route": {"text": route},
                "timing": {
                    "repeat": {"frequency": frequency, "period": period, "periodUnit": period_unit}
                },
                "doseAndRate": [
                    {"doseQuantity": {"value": dose, "unit": unit, "system": UCUM, "code": unit}}
                ],
            }
        ],
    }


def patient_view(*resources: dict[str, Any]) -> list[Finding]:
    ev = evaluate_resources(
        REGISTRY["ctd-ild-patient-view"],
        [patient(), *resources],
        {"patientId": PATIENT},
        TODAY,
        terminology=terminology(),
    )
    return ev.findings


def order_sign(
    resources: list[dict[str, Any]], drafts: list[dict[str, Any]], hook: str = "ctd-ild-order-sign"
) -> list[Finding]:
    """The cards for ``drafts`` (a sandbox-shaped draftOrders bundle: no ``type``)."""
    bundle = {"resourceType": "Bundle", "entry": [{"resource": d} for d in drafts]}
    context: dict[str, Any] = {"patientId": PATIENT, "draftOrders": bundle}
    if hook == "ctd-ild-order-select":
        context["selections"] = [f"MedicationRequest/{d['id']}" for d in drafts]
    ev = evaluate_resources(
        REGISTRY[hook], [patient(), *resources], context, TODAY, terminology=terminology()
    )
    return ev.findings


def of_topic(findings: list[Finding], topic: str) -> list[Finding]:
    return [f for f in findings if f.topic == topic]


ROUTES = {
    "oral": ("26643006", "Oral route"),
    "intravenous": ("47625008", "Intravenous route"),
    "subcutaneous": ("34206005", "Subcutaneous route"),
}


def sandbox_draft(
    rid: str,
    rxnorm: str,
    display: str,
    dose: float,
    unit: str = "mg",
    frequency: int = 1,
    period: float = 1,
    period_unit: str = "d",
    route: str | None = "oral",
) -> dict[str, Any]:
    """A draft MedicationRequest as the CDS Hooks sandbox's Rx View sends it: no ``intent``,
    ``category`` an object, the dose directly on the dosage."""
    dosage: dict[str, Any] = {
        "timing": {"repeat": {"frequency": frequency, "period": period, "periodUnit": period_unit}},
        "doseQuantity": {"value": dose, "unit": unit, "system": UCUM, "code": unit},
    }
    if route is not None:
        code, text = ROUTES[route]
        dosage["route"] = {"coding": [{"system": SNOMED, "code": code, "display": text}]}
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": "draft",
        "subject": {"reference": f"Patient/{PATIENT}"},
        "authoredOn": TODAY.isoformat(),
        "category": {"coding": [{"code": "outpatient"}]},
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": rxnorm, "display": display}],
            "text": display,
        },
        "dosageInstruction": [dosage],
    }
