"""The pipeline of one hook call, in the order data flows:

request -> patient data (prefetch / FHIR server) -> PatientRecord (concepts) ->
guideline findings -> cards.

Nothing here knows HTTP; ``cds_service.api`` and the CLI call ``evaluate_resources``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fhir_mappings.builder import build_record
from fhir_mappings.orders import map_draft_orders
from fhir_mappings.record import PatientRecord
from fhir_mappings.terminology import Terminology

from .card_list import response_cards
from .cards import DEFAULT_BASE_URL
from .guideline import evaluate_orders, evaluate_patient_view
from .guideline.compose import with_not_assessed
from .guideline.data_gaps import dataset_name
from .guideline.findings import Finding
from .services import Service


@dataclass
class Evaluation:
    record: PatientRecord
    findings: list[Finding]


def evaluate_resources(
    service: Service,
    resources: list[dict[str, Any]],
    context: dict[str, Any],
    today: date,
    unavailable: dict[str, str] | None = None,
    terminology: Terminology | None = None,
) -> Evaluation:
    """Build the record from resources (standard codes plus the site's ConceptMaps in
    ``terminology``) and run the service's rules."""
    record = build_record(
        resources, today=today, patient_id=context.get("patientId"), terminology=terminology
    )
    if unavailable:
        record.unavailable.update(unavailable)
    if service.hook == "patient-view":
        findings = evaluate_patient_view(record)
    else:
        order_set = map_draft_orders(
            context.get("draftOrders") or {},
            selections=context.get("selections") if service.hook == "order-select" else None,
            record=record,
            terminology=terminology,
        )
        findings = evaluate_orders(record, order_set)
    gaps = dict(record.unavailable)
    unread = record.unreadable_text()
    if unread:  # resources skipped by the builder: named on every card, never a failed call
        gaps["unreadable resources"] = unread
    if gaps:
        findings = [with_data_gaps(f, gaps, service) for f in findings]
    return Evaluation(record, findings)


def with_data_gaps(finding: Finding, unavailable: dict[str, str], service: Service) -> Finding:
    """Name, inside every card, the data the service could not get for this call.

    The contract: missing data that blocks a decision is "named inside the card that could
    only be partly assessed". Rules that depend on a data set handle it themselves
    (``PatientRecord.missing_data``); this note makes sure no card reads as if it had seen
    the whole record when it did not.
    """
    purposes = {p.key: p.purpose for p in service.prefetch}
    lines = [
        f"{purposes.get(key) or dataset_name(key)}: unavailable for this call ({reason}), "
        "not taken into account"
        for key, reason in sorted(unavailable.items())
    ]
    return with_not_assessed(finding, lines)


def cards_for(
    service: Service, evaluation: Evaluation, base_url: str = DEFAULT_BASE_URL
) -> list[dict[str, Any]]:
    """The response's cards (at most four, shared facts once: ``card_list``); links to the
    rules page are absolute under ``base_url``, the service's public base URL."""
    return response_cards(evaluation.findings, base_url)
