"""FHIR R4 resources as EHRs send them, for every test that builds a chart: the guideline
charts (``tests/guideline/chart.py``), the order drafts (``tests/orders/builders.py``), the
charted records loaded into a FHIR server (``tests/data/charted_records.py``) and the SMART
app's patients (``tests/smart_app/patients.py``). Dates are ISO strings."""

from __future__ import annotations

from typing import Any

from cds_service.guideline.suggestions.orders import _ROUTES as ROUTES

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"

Resource = dict[str, Any]

# ingredient concept -> (RxNorm code, display)
DRUGS = {
    "prednisolone": ("8638", "prednisolone"),
    "prednisone": ("8640", "prednisone"),
    "methylprednisolone": ("6902", "methylprednisolone"),
    "dexamethasone": ("3264", "dexamethasone"),
    "hydrocortisone": ("5492", "hydrocortisone"),
    "cyclophosphamide": ("3002", "cyclophosphamide"),
    "cyclosporine": ("3008", "cyclosporine"),
    "tacrolimus": ("42316", "tacrolimus"),
    "azathioprine": ("1256", "azathioprine"),
    "mycophenolate_mofetil": ("68149", "mycophenolate mofetil"),
    "leflunomide": ("27169", "leflunomide"),
    "tocilizumab": ("612865", "tocilizumab"),
    "mesna": ("44", "mesna"),
    "tmp_smx": ("198334", "sulfamethoxazole 400 MG / trimethoprim 80 MG Oral Tablet"),
    "lisinopril": ("29046", "lisinopril"),
}
ROUTE = {
    "oral": ("26643006", "Oral route"),
    "intravenous": ("47625008", "Intravenous route"),
    "subcutaneous": ("34206005", "Subcutaneous route"),
}

__all__ = ["ROUTES"]


def cc(
    system: str | None, code: str, display: str | None = None, text: str | None = None
) -> dict[str, Any]:
    """A CodeableConcept with one coding (no ``system`` when None)."""
    coding: dict[str, Any] = {"code": code} if system is None else {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding], "text": text} if text else {"coding": [coding]}


def quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def subject(pid: str) -> dict[str, str]:
    return {"reference": f"Patient/{pid}"}


def patient(
    pid: str, gender: str = "female", birth_date: str | None = None, **extra: Any
) -> Resource:
    res: Resource = {"resourceType": "Patient", "id": pid, "gender": gender}
    if birth_date:
        res["birthDate"] = birth_date
    return {**res, **extra}


def condition(
    pid: str,
    rid: str,
    code: dict[str, Any],
    onset: str,
    *,
    verified: bool = False,
    problem_list: bool = False,
    recorded: str | None = None,
) -> Resource:
    """An active Condition (confirmed, on the problem list, with its recorded date if asked)."""
    res: Resource = {
        "resourceType": "Condition",
        "id": rid,
        "subject": subject(pid),
        "clinicalStatus": cc(CLINICAL, "active"),
    }
    if verified:
        res["verificationStatus"] = cc(VERIFICATION, "confirmed")
    if problem_list:
        res["category"] = [cc(CONDITION_CATEGORY, "problem-list-item")]
    res["code"] = code
    res["onsetDateTime"] = onset
    if recorded:
        res["recordedDate"] = recorded
    return res


def observation(
    pid: str,
    rid: str,
    code: dict[str, Any],
    when: str,
    *,
    category: str | None = None,
    status: str = "final",
    **value: Any,
) -> Resource:
    """An Observation; ``value`` holds its ``value[x]`` (and any other element, e.g. issued)."""
    res: Resource = {"resourceType": "Observation", "id": rid, "status": status}
    if category:
        res["category"] = [cc(OBS_CATEGORY, category)]
    res.update(code=code, subject=subject(pid), effectiveDateTime=when)
    return {**res, **value}


def report(
    pid: str,
    rid: str,
    code: dict[str, Any],
    when: str,
    findings: list[dict[str, Any]],
    *,
    category: dict[str, Any] | None = None,
    status: str = "final",
    **extra: Any,
) -> Resource:
    """A DiagnosticReport whose coded conclusion lists ``findings`` (CodeableConcepts)."""
    return {
        "resourceType": "DiagnosticReport",
        "id": rid,
        "status": status,
        "category": [category or cc(V2_0074, "RAD")],
        "code": code,
        "subject": subject(pid),
        "effectiveDateTime": when,
        **extra,
        "conclusionCode": findings,
    }


def dosage(
    dose: float | None,
    unit: str = "mg",
    *,
    frequency: int = 1,
    period: float = 1,
    period_unit: str = "d",
    route: dict[str, Any] | None = None,
    sandbox: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """A dosage instruction: the dose in ``doseAndRate`` (R4), or on the dosage itself as the
    CDS Hooks sandbox's Rx View sends it (``sandbox``)."""
    out: dict[str, Any] = dict(extra)
    out["timing"] = {
        "repeat": {"frequency": frequency, "period": period, "periodUnit": period_unit}
    }
    if route is not None:
        out["route"] = route
    if dose is not None and sandbox:
        out["doseQuantity"] = quantity(dose, unit)
    elif dose is not None:
        out["doseAndRate"] = [{"doseQuantity": quantity(dose, unit)}]
    return out


def coded_route(route: str) -> dict[str, Any]:
    """A route of administration in SNOMED CT ("oral", "intravenous", "subcutaneous")."""
    code, display = ROUTES[route]
    return cc(SNOMED, code, display)


def medication_request(
    pid: str,
    rid: str,
    medication: dict[str, Any] | None,
    dosages: list[dict[str, Any]],
    authored: str | None,
    *,
    status: str = "active",
    intent: str | None = "order",
    category: Any = None,
) -> Resource:
    """A MedicationRequest; a draft as the sandbox sends it has no ``intent`` and its
    ``category`` an object, not a list."""
    res: Resource = {"resourceType": "MedicationRequest", "id": rid, "status": status}
    if intent:
        res["intent"] = intent
    if category is not None:
        res["category"] = category
    res["subject"] = subject(pid)
    if authored:
        res["authoredOn"] = authored
    if medication is not None:
        res["medicationCodeableConcept"] = medication
    res["dosageInstruction"] = dosages
    return res
