"""Actions on draft orders: ``update`` a drafted MedicationRequest to a new dose, ``delete``
a draft, and ``create`` the orders an order check asks for (TMP-SMX prophylaxis, monitoring
labs, from the templates in ``suggestions.medications`` and ``suggestions.labs``). Every
resource is FHIR R4 (checked in tests with ``fhir.resources.R4B``, the R4-compatible models of
fhir.resources 8.x). The only codes here are the SNOMED CT route codes of an updated dosage.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from ..findings import Action, Suggestion
from .labs import LAB_TEMPLATES, lab_request
from .medications import TMP_SMX_REGIMEN_SOURCE, TMP_SMX_REGIMEN_TEXT, tmp_smx_prophylaxis_request

UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"

_ROUTES = {
    "oral": ("26643006", "Oral route"),
    "intravenous": ("47625008", "Intravenous route"),
    "subcutaneous": ("34206005", "Subcutaneous route"),
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


def update_dose(
    resource: dict[str, Any], dose_mg: float, route: str | None, text: str, description: str
) -> Action:
    """Replace the draft (same id) by one with a single dosage: ``dose_mg`` once daily
    (``text``)."""
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
    return Action(type="update", description=description, resource=out)


def update_timing(resource: dict[str, Any], repeat: dict[str, Any], description: str) -> Action:
    """Replace the draft (same id) by one whose every dosage has the timing ``repeat`` (e.g.
    once weekly), the dose and route kept as drafted."""
    out = _normalize_r4(resource)
    dosages = out.get("dosageInstruction")
    for dosage in dosages if isinstance(dosages, list) else []:
        if isinstance(dosage, dict):
            dosage["timing"] = {"repeat": dict(repeat)}
            dosage.pop("text", None)
            if "doseQuantity" in dosage:  # the sandbox's shape: R4 nests it in doseAndRate
                dosage["doseAndRate"] = [{"doseQuantity": dosage.pop("doseQuantity")}]
    return Action(type="update", description=description, resource=out)


def delete_draft(reference: str, description: str) -> Action:
    """Remove a draft order: ``resourceId`` only (CDS Hooks 2.0; invariant cds-resp-2)."""
    return Action(type="delete", description=description, resource_id=reference)


def tmp_smx_prophylaxis(patient_id: str) -> Action:
    """Create TMP-SMX 480 mg once daily (``suggestions.medications``; EULAR 2022, B15)."""
    return Action(
        type="create",
        description=f"Order {TMP_SMX_REGIMEN_TEXT} for Pneumocystis prophylaxis "
        f"({TMP_SMX_REGIMEN_SOURCE})",
        resource=tmp_smx_prophylaxis_request(patient_id),
    )


def lab_label(concept: str) -> str:
    """What the clinician sees for a lab template ("Complete blood count")."""
    return LAB_TEMPLATES[concept].text


def lab_suggestions(
    concepts: Iterable[str], patient_id: str | None, reason: str, *, recommend_first: bool
) -> list[Suggestion]:
    """One "Order <lab>" suggestion per monitoring lab (``LAB_TEMPLATES``); the first is
    marked recommended when ``recommend_first``."""
    return [
        Suggestion(
            label=f"Order {lab_label(concept)}",
            actions=(
                Action(
                    type="create",
                    description=f"Order {lab_label(concept)} ({reason})",
                    resource=lab_request(concept, patient_id, reason),
                ),
            ),
            is_recommended=recommend_first and i == 0,
        )
        for i, concept in enumerate(concepts)
    ]
