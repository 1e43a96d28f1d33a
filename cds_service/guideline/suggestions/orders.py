"""Actions on draft orders: ``update`` a drafted MedicationRequest to a new dose, ``delete``
a draft, and ``create`` the orders an order check asks for (TMP-SMX prophylaxis, monitoring
labs). Every resource built here is a FHIR R4 resource (checked in tests with
``fhir.resources.R4B``, the R4-compatible models of fhir.resources 8.x).

Codes live here, not in the rules: RxNorm 198334 (sulfamethoxazole 400 MG / trimethoprim 80
MG Oral Tablet, i.e. TMP-SMX 480 mg) and LOINC order codes 58410-2 (CBC panel - Blood by
Automated count), 24356-8 (Urinalysis complete panel - Urine), 24325-3 (Hepatic function
panel - Serum or Plasma), 2160-0 (Creatinine [Mass/volume] in Serum or Plasma), 3520-4
(Cyclosporine [Mass/volume] in Blood).

The TMP-SMX and lab templates are private stand-ins for guide2's
``suggestions.medications``/``suggestions.labs``: replace them with those once on main.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from ..findings import Action

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"

_ROUTES = {
    "oral": ("26643006", "Oral route"),
    "intravenous": ("47625008", "Intravenous route"),
    "subcutaneous": ("34206005", "Subcutaneous route"),
}

#: monitoring concept -> (LOINC code, display, specimen-independent short label)
LAB_ORDERS: dict[str, tuple[str, str, str]] = {
    "cbc_panel": ("58410-2", "CBC panel - Blood by Automated count", "blood count"),
    "urinalysis_panel": ("24356-8", "Urinalysis complete panel - Urine", "urinalysis"),
    "liver_panel": ("24325-3", "Hepatic function panel - Serum or Plasma", "liver tests"),
    "creatinine": ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "serum creatinine"),
    "cyclosporine_level": ("3520-4", "Cyclosporine [Mass/volume] in Blood", "cyclosporine level"),
}


def _normalize_r4(resource: dict[str, Any]) -> dict[str, Any]:
    """Make a (possibly sandbox-shaped) MedicationRequest a valid R4 one, keeping its id:
    ``category`` as a list, ``intent`` defaulting to ``order``, status ``draft``."""
    out = copy.deepcopy(resource)
    if isinstance(out.get("category"), dict):
        out["category"] = [out["category"]]
    if not isinstance(out.get("intent"), str):
        out["intent"] = "order"
    out["status"] = "draft"
    return out


def updated_dose_resource(
    resource: dict[str, Any], dose_mg: float, route: str | None, text: str
) -> dict[str, Any]:
    """The whole draft MedicationRequest (same id) with one dosage: ``dose_mg`` once a day."""
    out = _normalize_r4(resource)
    dosage: dict[str, Any] = {
        "text": text,
        "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
        "doseAndRate": [
            {"doseQuantity": {"value": dose_mg, "unit": "mg", "system": UCUM, "code": "mg"}}
        ],
    }
    if route in _ROUTES:
        code, display = _ROUTES[route]
        dosage["route"] = {"coding": [{"system": SNOMED, "code": code, "display": display}]}
    out["dosageInstruction"] = [dosage]
    return out


def update_dose(
    resource: dict[str, Any], dose_mg: float, route: str | None, dose_text: str, description: str
) -> Action:
    """Replace the draft (same id) by one with ``dose_mg`` once daily (``dose_text``)."""
    return Action(
        type="update",
        description=description,
        resource=updated_dose_resource(resource, dose_mg, route, dose_text),
    )


def delete_draft(reference: str, description: str) -> Action:
    """Remove a draft order: ``resourceId`` only (CDS Hooks 2.0; invariant cds-resp-2)."""
    return Action(type="delete", description=description, resource_id=reference)


def tmp_smx_prophylaxis(patient_id: str, today: date) -> Action:
    """Create TMP-SMX 480 mg (one 400/80 mg tablet) orally once daily: the prophylactic
    regimen of the EULAR 2022 evidence table (clinical anchor B15)."""
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "proposal",
        "subject": {"reference": f"Patient/{patient_id}"},
        "authoredOn": today.isoformat(),
        "medicationCodeableConcept": {
            "coding": [
                {
                    "system": RXNORM,
                    "code": "198334",
                    "display": "sulfamethoxazole 400 MG / trimethoprim 80 MG Oral Tablet",
                }
            ],
            "text": "Trimethoprim-sulfamethoxazole 80/400 mg tablet",
        },
        "reasonCode": [
            {"text": "Pneumocystis pneumonia prophylaxis during intensive immunosuppression"}
        ],
        "dosageInstruction": [
            {
                "text": "1 tablet (TMP-SMX 480 mg) by mouth once daily",
                "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
                "route": {
                    "coding": [{"system": SNOMED, "code": "26643006", "display": "Oral route"}]
                },
                "doseAndRate": [
                    {
                        "doseQuantity": {
                            "value": 1,
                            "unit": "tablet",
                            "system": UCUM,
                            "code": "{tbl}",
                        }
                    }
                ],
            }
        ],
    }
    return Action(
        type="create",
        description="Order TMP-SMX 480 mg by mouth once daily for Pneumocystis prophylaxis",
        resource=resource,
    )


def lab_order(concept: str, patient_id: str, today: date, reason: str) -> Action:
    """Create a ServiceRequest for a monitoring lab (``LAB_ORDERS`` concept)."""
    code, display, label = LAB_ORDERS[concept]
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "proposal",
        "category": [
            {"coding": [{"system": SNOMED, "code": "108252007", "display": "Laboratory procedure"}]}
        ],
        "code": {"coding": [{"system": LOINC, "code": code, "display": display}], "text": label},
        "subject": {"reference": f"Patient/{patient_id}"},
        "authoredOn": today.isoformat(),
        "reasonCode": [{"text": reason}],
    }
    return Action(type="create", description=f"Order {label} ({reason})", resource=resource)


def lab_label(concept: str) -> str:
    return LAB_ORDERS[concept][2]
