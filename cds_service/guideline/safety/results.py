"""Monitoring results, quantitative or qualitative, as one "last result" per item.

The builder keeps quantitative results as ``Measurement`` (with the lab's reference range or
flag when given) and qualitative ones (CMV, beta-D-glucan, urine blood by dipstick) as
results with a status (``record.antibodies``). A monitoring item counts either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from fhir_mappings.record import Measurement, PatientRecord

from ..facts import antibody_fact, measurement_fact
from ..findings import Action, Fact, Suggestion
from ..suggestions.labs import LAB_TEMPLATES, lab_request
from ..text import antibody_text, measurement_text


@dataclass(frozen=True)
class LastResult:
    when: date
    text: str  # for card text, with value/status and date
    fact: Fact
    abnormal: bool | None  # positive / above range; None = not judged


def below_range(m: Measurement) -> bool | None:
    if m.value is not None and m.ref_low is not None:
        return m.value < m.ref_low
    if m.flag in ("high", "low", "normal"):
        return m.flag == "low"
    return None


def last_result(record: PatientRecord, concepts: tuple[str, ...]) -> LastResult | None:
    """The latest result of any of ``concepts`` (quantitative or qualitative), up to today."""
    found: list[LastResult] = []
    for c in concepts:
        m = record.latest(c)
        if m is not None:
            found.append(
                LastResult(
                    m.when,
                    measurement_text(m),
                    measurement_fact(m),
                    m.above_range(),
                )
            )
        results = [r for r in record.antibody_results(c) if r.when <= record.today]
        if results:
            r = results[-1]
            found.append(
                LastResult(
                    r.when,
                    antibody_text(r),
                    antibody_fact(r),
                    None if r.status == "unknown" else r.status == "positive",
                )
            )
    return max(found, key=lambda x: x.when) if found else None


def lab_order_suggestions(
    record: PatientRecord, templates: Iterable[str], reason: str
) -> tuple[Suggestion, ...]:
    """One "Order <lab>" suggestion per overdue test (a ``LAB_TEMPLATES`` key)."""
    return tuple(
        Suggestion(
            label=f"Order {LAB_TEMPLATES[t].text}",
            actions=(
                Action("create", LAB_TEMPLATES[t].text, lab_request(t, record.patient_id, reason)),
            ),
        )
        for t in templates
    )
