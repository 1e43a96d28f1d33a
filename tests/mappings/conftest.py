"""Helpers for the mapping tests: small FHIR resource builders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mappings"
PATIENT = "pt-1"
SUBJECT = {"reference": f"Patient/{PATIENT}"}
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
Json = dict[str, Any]


def cc(
    system: str, code: str, display: str | None = None, text: str | None = None
) -> dict[str, Any]:
    coding: dict[str, Any] = {"system": system, "code": code}
    if display:
        coding["display"] = display
    out: dict[str, Any] = {"coding": [coding]}
    if text:
        out["text"] = text
    return out


def quantity(value: float, unit: str, code: str | None = None) -> dict[str, Any]:
    q: dict[str, Any] = {"value": value, "unit": unit}
    if code is not None:
        q["system"] = UCUM
        q["code"] = code
    return q


def observation(
    rid: str,
    loinc: str,
    when: str = "2026-11-16",
    subject: dict[str, Any] | None = None,
    status: str = "final",
    system: str = LOINC,
    **value: Any,
) -> dict[str, Any]:
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": rid,
        "status": status,
        "subject": subject or SUBJECT,
        "code": cc(system, loinc),
        "effectiveDateTime": when,
    }
    obs.update(value)
    return obs


def condition(
    rid: str, system: str, code: str, onset: str = "2026-01-05", **extra: Any
) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Condition",
        "id": rid,
        "subject": SUBJECT,
        "clinicalStatus": cc("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
        "code": cc(system, code),
        "onsetDateTime": onset,
    }
    res.update(extra)
    return res


def report(
    rid: str, code: dict[str, Any], when: str = "2026-11-12", **extra: Any
) -> dict[str, Any]:
    """A final DiagnosticReport (``extra``: conclusionCode, status, ...)."""
    res = {"resourceType": "DiagnosticReport", "id": rid, "status": "final", "code": code}
    return {**res, "subject": SUBJECT, "effectiveDateTime": when, **extra}


def med_request(
    rid: str, rxcui: str, dosage: list[dict[str, Any]] | None, **extra: Any
) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": "active",
        "intent": "order",
        "subject": SUBJECT,
        "authoredOn": "2026-11-01",
        "medicationCodeableConcept": cc(RXNORM, rxcui),
    }
    if dosage is not None:
        res["dosageInstruction"] = dosage
    res.update(extra)
    return res


def bundle_resources(name: str) -> list[dict[str, Any]]:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return [e["resource"] for e in data["entry"]]


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
