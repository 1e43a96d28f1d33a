"""Workload generators for the benchmark: a typical CTD-ILD patient, scaled variants, order-sign.

Everything is generated from a seed (deterministic), with real codes and units taken from the
service's code tables (LOINC, SNOMED CT, ICD-10-CM, RxNorm, UCUM):

- ``typical_patient()``: anti-MDA5-positive amyopathic dermatomyositis with ILD (DM A/S-ILD),
  3 years of follow-up: monthly laboratory panel (ferritin, CK, CRP, ALT, leukocytes,
  lymphocytes), PFTs every 3 months (FVC volume, FVC and DLCO % predicted),
  SpO2, the autoantibody panel at diagnosis, HRCT findings and reports, weight, a glucocorticoid
  taper, tacrolimus and TMP-SMX prophylaxis: about 300 resources.
- ``scaled_patient(n)``: the same clinical core plus laboratory Observations up to ``n``
  Observations in all (100, 1,000, 10,000).
- ``hook_request(...)``: a CDS Hooks request, by prefetch (one searchset Bundle per prefetch key
  of the service) or without prefetch (the service queries ``fhirServer``).
- ``draft_orders(5)``: an order-sign draft Bundle with 5 MedicationRequests.
- ``transaction(resources)``: a transaction Bundle to load the patient into a FHIR server.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

Resource = dict[str, Any]

TODAY = date(2026, 12, 1)  # the benchmark pins the evaluation date (CDS_EVALUATION_DATE)
PATIENT_ID = "bench-dm-ild"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
OBS_CAT = "http://terminology.hl7.org/CodeSystem/observation-category"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"

ALT_NAME = "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma"
LDH_NAME = "Lactate dehydrogenase [Enzymatic activity/volume] in Serum or Plasma"
AST_NAME = "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma"
#: (LOINC, display, UCUM unit, typical value, spread): the monthly laboratory panel
LAB_PANEL: tuple[tuple[str, str, str, float, float], ...] = (
    ("2276-4", "Ferritin [Mass/volume] in Serum or Plasma", "ng/mL", 450.0, 150.0),
    ("2157-6", "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 140, 40),
    ("1988-5", "C reactive protein [Mass/volume] in Serum or Plasma", "mg/L", 6.0, 4.0),
    ("1742-6", ALT_NAME, "U/L", 28, 8),
    ("26464-8", "Leukocytes [#/volume] in Blood", "10*3/uL", 7.5, 1.5),
    ("731-0", "Lymphocytes [#/volume] in Blood by Automated count", "10*3/uL", 0.9, 0.3),
)
#: extra codes used to pad the scaled patients (also real laboratory results)
PAD_PANEL: tuple[tuple[str, str, str, float, float], ...] = LAB_PANEL + (
    ("2532-0", LDH_NAME, "U/L", 260, 40),
    ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.8, 0.1),
    ("777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", 240, 40),
    ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 12.8, 0.8),
    ("1920-8", AST_NAME, "U/L", 30, 8),
    ("751-8", "Neutrophils [#/volume] in Blood by Automated count", "10*3/uL", 5.0, 1.2),
    ("2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", 105, 15),
)
MONTHS = 36


def _cc(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _category(code: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": OBS_CAT, "code": code}]}]


def _subject() -> dict[str, str]:
    return {"reference": f"Patient/{PATIENT_ID}"}


def _quantity_obs(
    oid: str, loinc: str, display: str, when: date, value: float, unit: str, category: str | None
) -> Resource:
    obs: Resource = {
        "resourceType": "Observation",
        "id": oid,
        "meta": {"lastUpdated": f"{when.isoformat()}T10:30:00Z"},
        "status": "final",
        "code": _cc(LOINC, loinc, display),
        "subject": _subject(),
        "effectiveDateTime": f"{when.isoformat()}T08:15:00Z",
        "issued": f"{when.isoformat()}T10:30:00Z",
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }
    if category:
        obs["category"] = _category(category)
    return obs


def _coded_obs(oid: str, loinc: str, display: str, when: date, positive: bool) -> Resource:
    value = ("10828004", "Positive") if positive else ("260385009", "Negative")
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "category": _category("laboratory"),
        "code": _cc(LOINC, loinc, display),
        "subject": _subject(),
        "effectiveDateTime": when.isoformat(),
        "valueCodeableConcept": _cc(SNOMED, *value),
    }


def _finding_obs(oid: str, system: str, code: str, display: str, when: date) -> Resource:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "category": _category("imaging"),
        "code": _cc(system, code, display),
        "subject": _subject(),
        "effectiveDateTime": when.isoformat(),
        "valueBoolean": True,
    }


def _condition(cid: str, system: str, code: str, display: str, onset: date) -> Resource:
    return {
        "resourceType": "Condition",
        "id": cid,
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "verificationStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "code": "confirmed",
                }
            ]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                        "code": "problem-list-item",
                    }
                ]
            }
        ],
        "code": _cc(system, code, display),
        "subject": _subject(),
        "onsetDateTime": onset.isoformat(),
        "recordedDate": onset.isoformat(),
    }


def _med_request(
    mid: str, rxcui: str, display: str, authored: date, dose_mg: float, status: str, per_day: int
) -> Resource:
    return {
        "resourceType": "MedicationRequest",
        "id": mid,
        "status": status,
        "intent": "order",
        "subject": _subject(),
        "authoredOn": authored.isoformat(),
        "medicationCodeableConcept": _cc(RXNORM, rxcui, display),
        "dosageInstruction": [
            {
                "text": f"{dose_mg:g} mg {per_day} times daily",
                "timing": {"repeat": {"frequency": per_day, "period": 1, "periodUnit": "d"}},
                "route": _cc(SNOMED, "26643006", "Oral route"),
                "doseAndRate": [
                    {
                        "doseQuantity": {
                            "value": dose_mg,
                            "unit": "mg",
                            "system": UCUM,
                            "code": "mg",
                        }
                    }
                ],
            }
        ],
    }


def _core(rng: random.Random) -> list[Resource]:
    """Patient, conditions, antibodies, imaging, PFTs, SpO2, weight, medications."""
    start = TODAY - timedelta(days=MONTHS * 30)
    ild_onset = TODAY - timedelta(days=75)  # a recent ILD: subacute course
    out: list[Resource] = [
        {
            "resourceType": "Patient",
            "id": PATIENT_ID,
            "gender": "female",
            "birthDate": "1971-05-20",
            "name": [{"family": "Benchmark", "given": ["Synthetic"]}],
        },
        _condition(f"{PATIENT_ID}-dm", SNOMED, "238935002", "Dermatomyositis sine myositis", start),
        _condition(
            f"{PATIENT_ID}-ild", SNOMED, "233703007", "Interstitial lung disease", ild_onset
        ),
        _condition(f"{PATIENT_ID}-htn", SNOMED, "38341003", "Hypertensive disorder", start),
    ]
    dx = ild_onset + timedelta(days=5)
    panel = (
        ("82424-3", "MDA5 Ab [Presence] in Serum by Line blot", True),
        ("8061-4", "Nuclear Ab [Presence] in Serum", True),
        ("8076-2", "Jo-1 extractable nuclear Ab [Presence] in Serum", False),
        ("53016-2", "Sjogrens syndrome-A extractable nuclear 52kD Ab [Presence] in Serum", True),
        ("5348-8", "SCL-70 extractable nuclear Ab [Presence] in Serum by Immunoassay", False),
    )
    for i, (code, display, positive) in enumerate(panel):
        out.append(_coded_obs(f"{PATIENT_ID}-ab-{i}", code, display, dx, positive))
    ct = ild_onset + timedelta(days=2)
    out.append(
        _finding_obs(
            f"{PATIENT_ID}-ct-ggo",
            "http://human-phenotype-ontology.org",
            "HP:0025179",
            "Ground-glass opacification",
            ct,
        )
    )
    out.append(_finding_obs(f"{PATIENT_ID}-ct-cons", SNOMED, "95436008", "Lung consolidation", ct))
    for j, when in enumerate((ct, TODAY - timedelta(days=20))):
        out.append(
            {
                "resourceType": "DiagnosticReport",
                "id": f"{PATIENT_ID}-hrct-{j}",
                "status": "final",
                "category": [{"coding": [{"system": V2_0074, "code": "RAD"}]}],
                "code": _cc(LOINC, "29252-4", "CT Chest WO contrast"),
                "subject": _subject(),
                "effectiveDateTime": when.isoformat(),
                "conclusion": "High-resolution CT: bilateral lower-lobe consolidation and GGO.",
            }
        )
    # PFTs every 3 months, falling over the last 6 months
    for k in range(MONTHS // 3):
        when = start + timedelta(days=90 * k + 10)
        drop = max(0, k - (MONTHS // 3 - 3)) * 6.0
        fvc_pct = round(88 - drop + rng.uniform(-2, 2), 1)
        out.append(
            _quantity_obs(
                f"{PATIENT_ID}-fvcl-{k}",
                "19870-5",
                "Forced vital capacity [Volume] Respiratory system",
                when,
                round(fvc_pct * 0.032, 2),
                "L",
                None,
            )
        )
        out.append(
            _quantity_obs(
                f"{PATIENT_ID}-fvcp-{k}",
                "19872-1",
                "FVC measured/predicted",
                when,
                fvc_pct,
                "%",
                None,
            )
        )
        out.append(
            _quantity_obs(
                f"{PATIENT_ID}-dlco-{k}",
                "98130-8",
                "Diffusion capacity.carbon monoxide/Predicted",
                when,
                round(72 - drop * 1.3 + rng.uniform(-2, 2), 1),
                "%",
                None,
            )
        )
        out.append(
            _quantity_obs(
                f"{PATIENT_ID}-spo2-{k}",
                "59408-5",
                "Oxygen saturation in Arterial blood by Pulse oximetry",
                when,
                float(rng.choice((93, 94, 95, 96))),
                "%",
                "vital-signs",
            )
        )
    out.append(
        _quantity_obs(
            f"{PATIENT_ID}-pao2",
            "2703-7",
            "Oxygen [Partial pressure] in Arterial blood",
            TODAY - timedelta(days=3),
            62.0,
            "mm[Hg]",
            "laboratory",
        )
    )
    for k in range(4):
        out.append(
            _quantity_obs(
                f"{PATIENT_ID}-wt-{k}",
                "29463-7",
                "Body weight",
                TODAY - timedelta(days=270 * k + 5),
                61.0 - k,
                "kg",
                "vital-signs",
            )
        )
    # medications: prednisolone taper, tacrolimus, TMP-SMX prophylaxis, one stopped MMF
    taper = (60, 50, 40, 30, 25, 20)
    for k, dose in enumerate(taper):
        authored = ild_onset + timedelta(days=7 + 10 * k)
        status = "active" if k == len(taper) - 1 else "completed"
        out.append(
            _med_request(
                f"{PATIENT_ID}-psl-{k}", "8638", "prednisolone", authored, float(dose), status, 1
            )
        )
    out.append(
        _med_request(
            f"{PATIENT_ID}-tac",
            "42316",
            "tacrolimus",
            ild_onset + timedelta(days=8),
            3.0,
            "active",
            2,
        )
    )
    out.append(
        _med_request(
            f"{PATIENT_ID}-mmf",
            "68149",
            "mycophenolate mofetil",
            start + timedelta(days=30),
            1000.0,
            "stopped",
            2,
        )
    )
    out.append(
        _med_request(f"{PATIENT_ID}-hcq", "5521", "hydroxychloroquine", start, 200.0, "stopped", 1)
    )
    return out


def _labs(
    rng: random.Random, count: int, panel: tuple[tuple[str, str, str, float, float], ...]
) -> Iterator[Resource]:
    """``count`` laboratory Observations, newest last, over the follow-up."""
    per_draw = len(panel)
    draws = max(1, -(-count // per_draw))
    span = MONTHS * 30
    made = 0
    for d in range(draws):
        when = TODAY - timedelta(days=span - int(d * span / draws) - 1)
        rising = d >= draws - 3  # ferritin and CK rise at the recent flare
        for code, display, unit, mean, spread in panel:
            if made == count:
                return
            value = mean + rng.uniform(-spread, spread)
            if rising and code in ("2276-4", "2532-0"):
                value *= 2.5
            yield _quantity_obs(
                f"{PATIENT_ID}-lab-{made}", code, display, when, round(value, 2), unit, "laboratory"
            )
            made += 1


def typical_patient(seed: int = 7) -> list[Resource]:
    """~300 resources: the core plus 36 monthly draws of the 6-test panel."""
    rng = random.Random(seed)
    core = _core(rng)
    return core + list(_labs(rng, MONTHS * len(LAB_PANEL), LAB_PANEL))


def scaled_patient(observations: int, seed: int = 7) -> list[Resource]:
    """The clinical core plus laboratory results: ``observations`` Observations in all."""
    rng = random.Random(seed)
    core = _core(rng)
    in_core = sum(1 for r in core if r["resourceType"] == "Observation")
    return core + list(_labs(rng, max(0, observations - in_core), PAD_PANEL))


# ------------------------------------------------------------------------ requests
def _searchset(resources: list[Resource]) -> Resource:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [
            {
                "fullUrl": f"urn:uuid:{r['resourceType']}-{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in resources
        ],
    }


def _has_code(resource: Resource, codes: frozenset[str]) -> bool:
    return any(c.get("code") in codes for c in resource.get("code", {}).get("coding", []))


def _has_category(resource: Resource, code: str) -> bool:
    return any(
        c.get("code") == code for cat in resource.get("category", []) for c in cat.get("coding", [])
    )


def prefetch_for(resources: list[Resource]) -> dict[str, Any]:
    """The service's prefetch keys answered the way an EHR would answer its templates."""
    from cds_service.services import AUTOANTIBODY_LOINC, BODY_SIZE_LOINC, RESPIRATORY_LOINC

    antibody = frozenset(AUTOANTIBODY_LOINC)
    respiratory = frozenset(RESPIRATORY_LOINC)
    body_size = frozenset(BODY_SIZE_LOINC)

    def of(rtype: str) -> list[Resource]:
        return [r for r in resources if r["resourceType"] == rtype]

    obs = of("Observation")
    return {
        "patient": next(r for r in resources if r["resourceType"] == "Patient"),
        "conditions": _searchset(of("Condition")),
        "labs": _searchset([o for o in obs if _has_category(o, "laboratory")]),
        "antibodies": _searchset([o for o in obs if _has_code(o, antibody)]),
        "respiratory": _searchset([o for o in obs if _has_code(o, respiratory)]),
        "body_size": _searchset([o for o in obs if _has_code(o, body_size)]),
        "clinical_findings": _searchset(
            [o for o in obs if any(_has_category(o, c) for c in ("exam", "survey", "symptom"))]
        ),
        "imaging": _searchset([o for o in obs if _has_category(o, "imaging")]),
        "imaging_reports": _searchset(of("DiagnosticReport")),
        "medications": _searchset(of("MedicationRequest")),
        "medication_statements": _searchset([]),
    }


def hook_request(
    resources: list[Resource] | None,
    hook: str = "patient-view",
    fhir_server: str | None = None,
    draft: Resource | None = None,
) -> dict[str, Any]:
    """A CDS Hooks 2.0 request; ``resources=None`` sends no prefetch (FHIR fallback)."""
    context: dict[str, Any] = {"userId": "Practitioner/bench-1", "patientId": PATIENT_ID}
    if hook == "patient-view":
        context["encounterId"] = "bench-enc-1"
    else:
        context["encounterId"] = "bench-enc-1"
        context["draftOrders"] = draft or draft_orders(5)
    body: dict[str, Any] = {
        "hook": hook,
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": context,
    }
    if fhir_server:
        body["fhirServer"] = fhir_server
    if resources is not None:
        body["prefetch"] = prefetch_for(resources)
    return body


def draft_orders(count: int = 5) -> Resource:
    """An order-sign draft Bundle: cyclophosphamide, MMF, prednisolone, TMP-SMX, tacrolimus."""
    drugs = (
        ("3002", "cyclophosphamide", 750.0, 1),
        ("68149", "mycophenolate mofetil", 1000.0, 2),
        ("8638", "prednisolone", 40.0, 1),
        ("10831", "sulfamethoxazole / trimethoprim", 400.0, 1),
        ("42316", "tacrolimus", 2.0, 2),
    )
    entries = []
    for i in range(count):
        rxcui, display, dose, per_day = drugs[i % len(drugs)]
        res = _med_request(f"draft-{i}", rxcui, display, TODAY, dose, "draft", per_day)
        res["intent"] = "proposal"
        entries.append({"resource": res})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def transaction(resources: list[Resource]) -> Resource:
    """A transaction Bundle that PUTs every resource (to load a FHIR server)."""
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"resource": r, "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"}}
            for r in resources
        ],
    }
