"""Hand-built inputs for the order-check tests: records, draft resources, draftOrders bundles.

``med_request(..., shape="sandbox")`` produces the CDS Hooks Sandbox's shape (no ``intent``,
``category`` an object, dose directly on the dosage); ``shape="r4"`` a strict R4 resource.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fhir_mappings.orders import OrderSet, map_draft_orders
from fhir_mappings.record import (
    AntibodyResult,
    ConditionEntry,
    Measurement,
    MedicationEntry,
    PatientRecord,
)
from tests import fhir
from tests.fhir import RXNORM, cc
from tests.guideline import records

TODAY = date(2026, 11, 20)
PATIENT = "pat-1"


def med_request(
    rid: str,
    drug: str | tuple[str, str] | None,
    dose: float | None = None,
    unit: str = "mg",
    frequency: int = 1,
    period: float = 1,
    period_unit: str = "d",
    route: str | None = "oral",
    shape: str = "r4",
    end: str | None = None,
    timing: bool = True,
) -> dict[str, Any]:
    """A draft; ``drug`` an ingredient of ``tests.fhir.CODES`` or (RxNorm code, display)."""
    code, display = fhir.CODES[drug][1:] if isinstance(drug, str) else drug or (None, None)
    medication = None if code is None else cc(RXNORM, code, display, text=display)
    more: dict[str, Any] = {} if route is None else {"route": fhir.coded_route(route)}
    repeat = {"frequency": frequency, "period": period, "periodUnit": period_unit}
    dosage = fhir.dosage(dose, unit, sandbox=shape != "r4", **repeat, **more)
    if end:
        dosage["timing"]["repeat"]["boundsPeriod"] = {"start": TODAY.isoformat(), "end": end}
    if not timing:
        del dosage["timing"]
    outpatient = {"coding": [{"code": "outpatient"}]}
    r4 = shape == "r4"
    return fhir.medication_request(
        PATIENT,
        rid,
        medication,
        [dosage],
        status="draft",
        intent="order" if r4 else None,
        category=[outpatient] if r4 else outpatient,
        authoredOn=TODAY.isoformat(),
    )


def prednisone_tablet_draft(
    pid: str, code: str | None = "{pill}", unit: str | None = None, value: float = 1
) -> dict[str, Any]:
    """The CDS Hooks sandbox's Rx View draft (medication-reducers.js shape): Prednisone 20 MG
    Oral Tablet, ``value`` of a dose form (``{pill}``) a day."""
    quantity: dict[str, Any] = {"value": value, "system": fhir.UCUM}
    if code is not None:
        quantity["code"] = code
    if unit is not None:
        quantity["unit"] = unit
    tablet = "Prednisone 20 MG Oral Tablet"
    dosage = fhir.dosage(None, text=f"{value} {code or unit} daily")
    dosage["doseAndRate"] = [{"doseQuantity": quantity}]
    medication = cc(RXNORM, "312617", tablet, text=tablet)
    return fhir.medication_request(pid, "request-123", medication, [dosage], status="draft")


def service_request(rid: str, concept: str, shape: str = "r4") -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": rid,
        "status": "draft",
        "code": cc(*fhir.CODES[concept]),
        "subject": {"reference": f"Patient/{PATIENT}"},
    }
    if shape == "r4":
        res["intent"] = "order"
    return res


def bundle(*resources: dict[str, Any], shape: str = "r4") -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": "Bundle", "entry": [{"resource": r} for r in resources]}
    if shape == "r4":
        out["type"] = "collection"
    return out


def record(
    conditions: tuple[str, ...] = (),
    weight: float | None = 70.0,
    height: float | None = 170.0,
    meds: tuple[MedicationEntry, ...] = (),
    measurements: dict[str, list[tuple[float, int]]] | None = None,
    antibodies: dict[str, str] | None = None,
) -> PatientRecord:
    """``measurements``: concept -> [(value, days ago)]."""
    ms: list[Measurement] = []
    if weight is not None:
        ms.append(Measurement("body_weight", weight, "kg", TODAY - timedelta(days=10)))
    if height is not None:
        ms.append(Measurement("body_height", height, "cm", TODAY - timedelta(days=400)))
    for concept, values in (measurements or {}).items():
        ms += [Measurement(concept, v, None, TODAY - timedelta(days=ago)) for v, ago in values]
    return records.record(
        [ConditionEntry(c, True, TODAY - timedelta(days=30)) for c in conditions],
        ms,
        [AntibodyResult(c, s, TODAY - timedelta(days=20)) for c, s in (antibodies or {}).items()],  # type: ignore[arg-type]
        meds,
        TODAY,
        patient_id=PATIENT,
        sex=None,
        birth_date=None,
    )


def active(concept: str, daily: float | None = None, **kw: Any) -> MedicationEntry:
    """An active medication of the record (not a draft)."""
    pred = {"prednisolone": 1.0, "prednisone": 1.0, "methylprednisolone": 1.25}.get(concept)
    return MedicationEntry(
        concept=concept,
        status="active",
        start=TODAY - timedelta(days=60),
        ingredients=kw.pop("ingredients", (concept,)),
        daily_dose_mg=daily,
        pred_eq_mg_per_day=daily * pred if pred is not None and daily is not None else None,
        source_id=kw.pop("source_id", f"MedicationRequest/active-{concept}"),
        **kw,
    )


def orders(
    rec: PatientRecord,
    *resources: dict[str, Any],
    selections: list[str] | None = None,
    shape: str = "r4",
) -> OrderSet:
    return map_draft_orders(bundle(*resources, shape=shape), selections, rec)


def findings_for(
    topic: str,
    rec: PatientRecord,
    *resources: dict[str, Any],
    selections: list[str] | None = None,
    shape: str = "r4",
) -> list[Any]:
    """The findings of one topic for the given drafts (all order rules run)."""
    from cds_service.guideline.registry import evaluate_orders

    o = orders(rec, *resources, selections=selections, shape=shape)
    return [f for f in evaluate_orders(rec, o) if f.topic == topic]
