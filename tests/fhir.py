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

Json = dict[str, Any]
Resource = Json

#: the concepts the test charts code: concept -> (system, code, display)
CODES = {
    # diagnoses
    "ild": (SNOMED, "233703007", "Interstitial lung disease"),
    "rheumatoid_arthritis": (SNOMED, "69896004", "Rheumatoid arthritis"),
    "systemic_sclerosis": (SNOMED, "89155008", "Systemic sclerosis"),
    "dermatomyositis": (SNOMED, "396230008", "Dermatomyositis"),
    "sjogren": (SNOMED, "83901003", "Sjögren's syndrome"),
    "amyopathic_dm": (SNOMED, "238935002", "Dermatomyositis sine myositis"),
    "polymyositis": (SNOMED, "31384009", "Polymyositis"),
    "antisynthetase_syndrome": (SNOMED, "445187004", "Antisynthetase syndrome"),
    "rp_ild_or_aip": (SNOMED, "236302005", "Acute interstitial pneumonia"),
    # ingredients
    "prednisolone": (RXNORM, "8638", "prednisolone"),
    "prednisone": (RXNORM, "8640", "prednisone"),
    "methylprednisolone": (RXNORM, "6902", "methylprednisolone"),
    "dexamethasone": (RXNORM, "3264", "dexamethasone"),
    "hydrocortisone": (RXNORM, "5492", "hydrocortisone"),
    "cyclophosphamide": (RXNORM, "3002", "cyclophosphamide"),
    "cyclosporine": (RXNORM, "3008", "cyclosporine"),
    "tacrolimus": (RXNORM, "42316", "tacrolimus"),
    "azathioprine": (RXNORM, "1256", "azathioprine"),
    "mycophenolate_mofetil": (RXNORM, "68149", "mycophenolate mofetil"),
    "leflunomide": (RXNORM, "27169", "leflunomide"),
    "tocilizumab": (RXNORM, "612865", "tocilizumab"),
    "mesna": (RXNORM, "44", "mesna"),
    "tmp_smx": (RXNORM, "198334", "sulfamethoxazole 400 MG / trimethoprim 80 MG Oral Tablet"),
    "lisinopril": (RXNORM, "29046", "lisinopril"),
    # tests ordered
    "cbc_panel": (LOINC, "58410-2", "CBC panel - Blood by Automated count"),
    "urinalysis_panel": (LOINC, "24356-8", "Urinalysis complete panel - Urine"),
    "liver_panel": (LOINC, "24325-3", "Hepatic function panel - Serum or Plasma"),
    "creatinine": (LOINC, "2160-0", "Creatinine [Mass/volume] in Serum or Plasma"),
    "cyclosporine_level": (LOINC, "3520-4", "Cyclosporine [Mass/volume] in Blood"),
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
    pid: str, rid: str, code: Json, onset: str, *, verified: bool = False, **more: Any
) -> Json:
    """An active Condition (confirmed if ``verified``); ``more``: other elements (category...)."""
    res: Json = {"resourceType": "Condition", "id": rid, "subject": subject(pid)}
    res["clinicalStatus"] = cc(CLINICAL, "active")
    if verified:
        res["verificationStatus"] = cc(VERIFICATION, "confirmed")
    return {**res, "code": code, "onsetDateTime": onset, **more}


def observation(
    pid: str, rid: str, code: Json, when: str, category: str | None = None, **value: Any
) -> Json:
    """An Observation (``final`` unless ``value`` says its status); ``value``: its
    ``value[x]`` and any other element (issued, referenceRange...)."""
    res: Json = {"resourceType": "Observation", "id": rid, "status": value.pop("status", "final")}
    if category:
        res["category"] = [cc(OBS_CATEGORY, category)]
    return {**res, "code": code, "subject": subject(pid), "effectiveDateTime": when, **value}


def report(pid: str, rid: str, code: Json, when: str, findings: list[Json], **more: Any) -> Json:
    """A DiagnosticReport (final, radiology, unless ``more`` says otherwise) whose coded
    conclusion lists ``findings``."""
    res: Json = {"resourceType": "DiagnosticReport", "id": rid, "status": "final"}
    res["category"] = [cc(V2_0074, "RAD")]
    res.update(code=code, subject=subject(pid), effectiveDateTime=when)
    return {**res, **more, "conclusionCode": findings}


def dosage(dose: float | None, unit: str = "mg", *, sandbox: bool = False, **more: Any) -> Json:
    """A dosage instruction (once a day unless told): the dose in ``doseAndRate`` (R4), or on
    the dosage itself as the CDS Hooks sandbox's Rx View sends it (``sandbox``). ``more``: the
    timing's repeat (frequency, period, periodUnit) and other elements (route, text)."""
    repeat = {"frequency": 1, "period": 1, "periodUnit": "d"}
    for key in list(more):
        if key in repeat:
            repeat[key] = more.pop(key)
    out: Json = {**more, "timing": {"repeat": repeat}}
    if dose is not None and sandbox:
        out["doseQuantity"] = quantity(dose, unit)
    elif dose is not None:
        out["doseAndRate"] = [{"doseQuantity": quantity(dose, unit)}]
    return out


def coded_route(route: str) -> Json:
    """A route of administration in SNOMED CT ("oral", "intravenous", "subcutaneous")."""
    code, display = ROUTES[route]
    return cc(SNOMED, code, display)


def medication_request(
    pid: str, rid: str, medication: Json | None, dosages: list[Json], **more: Any
) -> Json:
    """An active order (``more``: status, intent, authoredOn...). A draft as the sandbox sends
    it has no ``intent`` (``intent=None``) and its ``category`` an object, not a list."""
    res: Json = {"resourceType": "MedicationRequest", "id": rid, "status": "active"}
    res["intent"] = "order"
    res.update(more, subject=subject(pid))
    if medication is not None:
        res["medicationCodeableConcept"] = medication
    res["dosageInstruction"] = dosages
    return {k: v for k, v in res.items() if v is not None}
