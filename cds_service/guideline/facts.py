"""The patient values a finding used, as ``Fact`` entries of the card ``extension``.

One convention (contract: "the patient values it used, after unit normalization, with their
effective dates"):

- measurements: the number in the concept's canonical (UCUM) unit, with its date; a value
  the lab reported as a bound (">1000") keeps its ``comparator``;
- antibodies and other qualitative results: ``"positive"``, ``"negative"`` or ``"unknown"``;
- conditions and findings: ``"present"`` or ``"absent"``;
- results ordered but not final: ``"pending"``, dated by the order;
- medications: concept = ingredient, value = daily dose in ``mg/d`` (or, under
  ``prednisolone_equivalent``, the prednisolone-equivalent daily dose), else
  ``"unknown dose"``; dated by the start of the order.

Card text uses clinician-facing units instead (``text``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from fhir_mappings.record import (
    AntibodyResult,
    ConditionEntry,
    Measurement,
    MedicationEntry,
    PendingEntry,
)

from .findings import Fact

PRESENT = "present"
ABSENT = "absent"
UNKNOWN_DOSE = "unknown dose"
PENDING = "pending"
DAILY_DOSE_UNIT = "mg/d"
PREDNISOLONE_EQUIVALENT = "prednisolone_equivalent"


def measurement_fact(m: Measurement) -> Fact:
    """The value in the canonical unit (rounded to 3 decimals: no float noise), or None when
    the value could not be interpreted."""
    value = round(m.value, 3) if m.value is not None and m.interpretable else None
    if value is None:
        return Fact(m.concept, None, None, m.when)
    return Fact(m.concept, value, m.unit, m.when, comparator=m.comparator or None)


def antibody_fact(a: AntibodyResult) -> Fact:
    return Fact(a.concept, a.status, None, a.when)


def condition_fact(c: ConditionEntry) -> Fact:
    return Fact(c.concept, PRESENT if c.active else ABSENT, None, c.when or c.recorded)


def pending_fact(p: PendingEntry) -> Fact:
    """A result ordered but not final: value "pending", dated by the order (contract)."""
    return Fact(p.concept, PENDING, None, p.ordered)


def present(concept: str, when: date | None) -> Fact:
    """A condition or finding the record shows present on ``when``."""
    return Fact(concept, PRESENT, None, when)


def medication_fact(entry: MedicationEntry, when: date | None = None) -> Fact:
    """The ingredient and its daily dose in mg/d ("unknown dose" when not computable)."""
    dated = when or entry.start
    if entry.daily_dose_mg is not None:
        return Fact(entry.concept, round(entry.daily_dose_mg, 3), DAILY_DOSE_UNIT, dated)
    return Fact(entry.concept, UNKNOWN_DOSE, None, dated)


def prednisolone_equivalent_fact(mg_per_day: float, when: date | None) -> Fact:
    return Fact(PREDNISOLONE_EQUIVALENT, round(mg_per_day, 3), DAILY_DOSE_UNIT, when)


def unique_facts(facts: Iterable[Fact]) -> tuple[Fact, ...]:
    return tuple(dict.fromkeys(facts))
