"""Draft orders (CDS Hooks ``draftOrders``) mapped to concepts, for the order checks.

``map_draft_orders`` reads the ``draftOrders`` Bundle of an ``order-select``/``order-sign`` call
leniently: strict FHIR R4 and the CDS Hooks Sandbox's shapes (Bundle without ``type``,
``category`` a single object, no ``intent``, the medication missing until one is chosen, the
DSTU2-era ``doseQuantity`` directly on the dosage). Each entry is mapped on its own, so one bad
entry never hides the others; what cannot be read is listed in ``OrderSet.unreadable`` with the
reason.

Only MedicationRequest and ServiceRequest are read; other request types are ignored.
Drafted MedicationRequests become ``MedicationEntry`` objects (``is_draft=True``) through
``fhir_mappings.draft_medication`` (the adapter to the record's medication mapping), so a
draft and the patient's active medication speak the same concepts and units.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .draft_medication import map_medication_request, service_concept
from .record import MedicationEntry, PatientRecord
from .terminology import Terminology


@dataclass(frozen=True)
class ServiceOrder:
    """A drafted ServiceRequest mapped to a concept (e.g. ``cbc_panel``)."""

    concept: str | None
    status: str
    source_id: str | None = None
    text: str | None = None


@dataclass
class OrderSet:
    """The draft orders of one call.

    ``medications`` are drafted MedicationRequests (``is_draft=True``), mapped like the
    record's medications; ``focus`` holds the ids ("MedicationRequest/x") the call is about:
    ``context.selections`` at order-select, every draft at order-sign.
    """

    medications: list[MedicationEntry] = field(default_factory=list)
    services: list[ServiceOrder] = field(default_factory=list)
    focus: set[str] = field(default_factory=set)
    #: drafts that could not be mapped: (reference, reason)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    #: the drafted resources as sent, by reference, for ``update`` suggestions (same id)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)

    def focused_medications(self) -> list[MedicationEntry]:
        return [m for m in self.medications if m.source_id in self.focus]

    def service_concepts(self) -> set[str]:
        """Concepts of every drafted ServiceRequest (focused or not: any draft is planned)."""
        return {s.concept for s in self.services if s.concept is not None}

    def resource(self, reference: str | None) -> dict[str, Any] | None:
        """A copy of the drafted resource ``reference`` ("MedicationRequest/x"), or None."""
        if reference is None or reference not in self.resources:
            return None
        return copy.deepcopy(self.resources[reference])


_READ_TYPES = ("MedicationRequest", "ServiceRequest")


def _entries(draft_orders: object) -> list[object]:
    """Resources of the Bundle (``type`` optional); a bare list or a single resource too."""
    if isinstance(draft_orders, list):
        return list(draft_orders)
    if not isinstance(draft_orders, dict):
        return []
    if draft_orders.get("resourceType") in _READ_TYPES:
        return [draft_orders]
    entries = draft_orders.get("entry")
    if not isinstance(entries, list):
        return []
    return [entry.get("resource") if isinstance(entry, dict) else None for entry in entries]


def _reference(resource_type: str, raw_id: object, index: int) -> tuple[str, bool]:
    """("Type/id", has_real_id). Drafts without an id get a positional reference."""
    if isinstance(raw_id, str) and raw_id.strip():
        return f"{resource_type}/{raw_id.strip()}", True
    return f"{resource_type}/#{index}", False


def _normalize_selection(selection: object) -> str | None:
    """ "MedicationRequest/1", "https://ehr/fhir/MedicationRequest/1" -> "MedicationRequest/1"."""
    if not isinstance(selection, str):
        return None
    parts = [p for p in selection.strip().split("/") if p]
    if len(parts) < 2:
        return None
    if len(parts) >= 4 and parts[-2] == "_history":
        parts = parts[:-2]
    return f"{parts[-2]}/{parts[-1]}"


def map_draft_orders(
    draft_orders: dict[str, object] | object,
    selections: list[str] | None,
    record: PatientRecord,
    terminology: Terminology | None = None,
) -> OrderSet:
    """Map ``context.draftOrders`` (strict R4 or sandbox-shaped) to an OrderSet.

    ``selections`` (order-select) limits the focus to the selected drafts; ``None``
    (order-sign) focuses on every draft. ``record`` supplies weight and height, so a dose
    ordered per kg or per m² gets its mg amount (and an mg dose its per-kg value).
    ``terminology`` is the start-up Terminology (standard codes + site ConceptMaps), as for
    the record; None uses the standard codes.
    """
    out = OrderSet()
    for index, resource in enumerate(_entries(draft_orders)):
        if not isinstance(resource, dict):
            out.unreadable.append((f"entry/#{index}", "entry without a resource object"))
            continue
        rtype = resource.get("resourceType")
        if rtype not in _READ_TYPES:
            continue  # NutritionOrder, VisionPrescription, ...: not checked here
        ref, has_id = _reference(str(rtype), resource.get("id"), index)
        if has_id:
            out.resources[ref] = resource
        if rtype == "MedicationRequest":
            entries, problem = map_medication_request(resource, ref, record, terminology)
            out.medications.extend(entries)
            if problem is not None:
                out.unreadable.append((ref, problem))
            # else: a drug none of the checks is about (not an error)
        else:
            concept, text = service_concept(resource)
            status = resource.get("status")
            out.services.append(
                ServiceOrder(
                    concept=concept,
                    status=status if isinstance(status, str) else "draft",
                    source_id=ref,
                    text=text,
                )
            )
    all_refs = {m.source_id for m in out.medications if m.source_id} | {
        s.source_id for s in out.services if s.source_id
    }
    if selections is None:
        out.focus = set(all_refs)
    else:
        wanted = {n for n in (_normalize_selection(s) for s in selections) if n}
        out.focus = wanted & all_refs
    return out
