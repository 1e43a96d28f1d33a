"""What every order check shares: the regimen (record + drafts), patient size, planned
monitoring and override reasons. Rules the order checks share with patient-view cards are
declared once in ``guideline.shared_rules``.

Regimen (decision of this package): a drafted order and an active medication of the same
ingredient are one regimen, not two: the draft is the new order for that drug (a dose change
or renewal), so it replaces the active entry. Different ingredients add up (e.g. active
prednisolone plus a drafted methylprednisolone pulse are summed as prednisolone-equivalent).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from fhir_mappings.record import MedicationEntry, PatientRecord

from .. import diseases, drug_classes
from ..facts import medication_fact
from ..findings import Fact
from ..safety.regimen import systemic
from ..text import dose_text as _record_dose_text
from ..text import number

if TYPE_CHECKING:
    from fhir_mappings.orders import OrderSet

# Drug classes (``guideline.drug_classes``) and diseases (``guideline.diseases``): one
# definition for the patient-view and the order cards.
GLUCOCORTICOIDS = drug_classes.GLUCOCORTICOIDS
CALCINEURIN_INHIBITORS = drug_classes.CALCINEURIN_INHIBITORS
CYCLOPHOSPHAMIDE = drug_classes.CYCLOPHOSPHAMIDE
SECOND_IMMUNOSUPPRESSANTS = drug_classes.SECOND_IMMUNOSUPPRESSANTS
SSC = diseases.CTD_CONCEPTS["ssc"]
ILD = diseases.ILD_CONCEPTS
#: ILD concepts that already say "due to a CTD"
CTD_ILD = frozenset(diseases.CTD_LUNG_CONCEPTS.values()) | {"ild_ctd"}
CTD = frozenset().union(*diseases.CTD_CONCEPTS.values())

#: override reasons (codes of urn:ctd-ild-cds:override-reason) offered on every order card
OVERRIDE_REASONS: tuple[str, ...] = (
    "benefit-outweighs-risk",
    "already-addressed",
    "patient-declined",
    "not-applicable",
    "data-incorrect",
)

#: a monitoring result this recent counts as done (decision left open by the seeds, which
#: say "regularly"; a drafted order always counts)
RECENT_RESULT = timedelta(days=14)


def regimen(record: PatientRecord, orders: OrderSet) -> list[MedicationEntry]:
    """Active medications of the record plus the drafts; a draft replaces the active entry
    of the same ingredient (one regimen, not two)."""
    drafted = {m.concept for m in orders.medications}
    draft_ids = {m.source_id for m in orders.medications}
    kept = [
        m
        for m in record.active_medications(include_drafts=False)
        if m.concept not in drafted and m.source_id not in draft_ids
    ]
    return kept + list(orders.medications)


def of_class(entries: Iterable[MedicationEntry], concepts: frozenset[str]) -> list[MedicationEntry]:
    """Entries of the class; glucocorticoids count only when systemic (not topical/inhaled)."""
    return [
        m
        for m in entries
        if (m.concept in concepts or concepts.intersection(m.ingredients))
        and (m.concept not in GLUCOCORTICOIDS or systemic(m))
    ]


def projected_record(record: PatientRecord, orders: OrderSet) -> PatientRecord:
    """The record as it would be once the drafts are signed: the regimen's drafts become
    active entries, so patient-view questions (``safety.regimen``) can be asked of
    it and the order card agrees with the patient-view card."""
    signed = [
        replace(m, status="active", is_draft=False) if m.is_draft else m
        for m in regimen(record, orders)
    ]
    return replace(record, medications=signed)


def focused(orders: OrderSet, concepts: frozenset[str]) -> list[MedicationEntry]:
    """The drafts this call is about (the selection, or every draft at order-sign)."""
    return of_class(orders.focused_medications(), concepts)


def in_scope(record: PatientRecord) -> bool:
    """The service's patients: an ILD or a connective tissue disease is recorded. Order checks
    whose seed ranges come from CTD-ILD treatment stay silent for other patients (e.g. the
    oncology doses of cyclophosphamide)."""
    return record.has_condition(*ILD, *CTD)


def weight_kg(record: PatientRecord) -> float | None:
    w = record.latest_weight_kg()
    return w.value if w is not None and w.value and w.value > 0 else None


def bsa_m2(record: PatientRecord) -> float | None:
    """Mosteller body surface area, √(cm × kg / 3600), from recent weight and height."""
    weight, height = weight_kg(record), record.latest_height_cm()
    if weight is None or height is None or not height.value or height.value <= 0:
        return None
    return float((height.value * weight / 3600.0) ** 0.5)


def planned_or_recent(
    record: PatientRecord,
    orders: OrderSet,
    service_concepts: frozenset[str],
    result_concepts: frozenset[str],
) -> bool:
    """True when a drafted ServiceRequest of ``service_concepts`` exists, or a result of
    ``result_concepts`` is no older than ``RECENT_RESULT``."""
    if orders.service_concepts() & service_concepts:
        return True
    return any(record.latest(c, within=RECENT_RESULT) is not None for c in result_concepts)


def dose_fact(entry: MedicationEntry, record: PatientRecord) -> Fact:
    """The drafted medication as a fact (``facts.medication_fact``), dated by its start or,
    for a draft without one, today."""
    return medication_fact(entry, entry.start or record.today)


_ROUTE_SHORT = {"intravenous": "IV", "oral": "oral", "subcutaneous": "SC"}


def dose_text(entry: MedicationEntry) -> str:
    """A drafted dose for an order card. A pulse (one administration every ``period_days`` > 1)
    is shown as given, ``1,636 mg (900 mg/m²) IV every 28 days``, never as a daily average;
    other doses as ``text.dose_text`` (``20 mg/day (oral)``)."""
    period = entry.period_days
    if period is None or period <= 1 or entry.dose_mg is None or entry.dose_problem is not None:
        return _record_dose_text(entry)
    basis = ""
    if entry.dose_per_m2 is not None:
        basis = f" ({_shown(entry.dose_per_m2)} mg/m²)"
    elif entry.dose_per_kg is not None:
        basis = f" ({_shown(entry.dose_per_kg)} mg/kg)"
    route = _ROUTE_SHORT.get(entry.route or "", entry.route or "route not given")
    return f"{_shown(entry.dose_mg)} mg{basis} {route} every {number(period)} days"


def _shown(x: float) -> str:
    """Whole units from 100 up (``1,636``), one decimal below (``28.6``)."""
    return number(round(x) if x >= 100 else round(x, 1))
