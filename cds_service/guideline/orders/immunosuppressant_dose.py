"""Azathioprine, mycophenolate mofetil and tacrolimus dose checks
(topic ``order-immunosuppressant-dose``).

Sources: KR §Treatment 2-1): azathioprine 1-2 mg/kg/day (R040); MMF 1.0-1.5 g twice daily
(R042); tacrolimus, typical dose 1-3 mg/day (R043). Conflict note Z16: do not hard-code a
tacrolimus ceiling; in DM/PM-ILD tacrolimus is trough-guided.

When one of these is drafted (focused) for a patient with ILD or a CTD:
- azathioprine >2 mg/kg/day → warning; <1 mg/kg/day → info (needs a weight within a year);
- MMF >3,000 mg/day (1.5 g twice daily) → warning; <2,000 mg/day → info;
- tacrolimus outside 1-3 mg/day → info only (trough-guided, Z16);
- a dose (or weight) that cannot be read → info saying the dose could not be checked.
No suggestion: the seed ranges are typical doses, not a dose the service can choose.
Left open: titration doses below the range at the start of therapy are common; they are shown
as info, never as a warning. Mycophenolic acid (enteric-coated) is not checked against the
MMF range (different mg).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fhir_mappings.record import MedicationEntry, PatientRecord

from ..evidence import Threshold, cite, fmt_number, rule
from ..facts import measurement_fact
from ..findings import Fact, Finding, Indicator
from ..text import label
from . import common
from .common import dose_text

if TYPE_CHECKING:
    from fhir_mappings.orders import OrderSet

TOPIC = "order-immunosuppressant-dose"

R040 = rule(
    "R040",
    "KR",
    "§Treatment 2-1)",
    "Azathioprine 1-2 mg/kg/day, often combined with a steroid.",
    "1-2 mg/kg/day",
    (TOPIC,),
)
R042 = rule(
    "R042",
    "KR",
    "§Treatment 2-1)",
    "MMF 1.0-1.5 g bid; reduced the steroid dose needed and improved FVC.",
    "1.0-1.5 g bid",
    (TOPIC,),
)
R043 = rule(
    "R043",
    "KR",
    "§Treatment 2-1)",
    "Tacrolimus, typical dose 1-3 mg/day.",
    "1-3 mg/day",
    (TOPIC,),
)

AZA_LOW = Threshold("azathioprine_dose", "<", 1.0, "mg/kg/day", R040)
AZA_HIGH = Threshold("azathioprine_dose", ">", 2.0, "mg/kg/day", R040)
MMF_LOW = Threshold("mycophenolate_mofetil_dose", "<", 2000.0, "mg/day", R042)
MMF_HIGH = Threshold("mycophenolate_mofetil_dose", ">", 3000.0, "mg/day", R042)
TAC_LOW = Threshold("tacrolimus_dose", "<", 1.0, "mg/day", R043)
TAC_HIGH = Threshold("tacrolimus_dose", ">", 3.0, "mg/day", R043)

_DRUGS = frozenset({"azathioprine", "mycophenolate_mofetil", "tacrolimus"})


def _assess(m: MedicationEntry, record: PatientRecord) -> tuple[Indicator | None, str]:
    """(indicator or None when within range, text) for one drafted order."""
    if m.daily_dose_mg is None:
        return Indicator.INFO, f"dose could not be checked ({m.dose_problem or 'unknown'})"
    if m.concept == "azathioprine":
        weight = common.weight_kg(record)
        if weight is None:
            return Indicator.INFO, "dose could not be checked: no body weight within a year"
        per_kg = m.daily_dose_mg / weight
        text = f"{fmt_number(round(per_kg, 2))} mg/kg/day (seed 1-2 mg/kg/day, R040)"
        if AZA_HIGH.holds(per_kg):
            return Indicator.WARNING, f"above range: {text}"
        if AZA_LOW.holds(per_kg):
            return Indicator.INFO, f"below range: {text}"
        return None, text
    daily = m.daily_dose_mg
    if m.concept == "mycophenolate_mofetil":
        text = f"{fmt_number(round(daily))} mg/day (seed 1.0-1.5 g twice daily, R042)"
        if MMF_HIGH.holds(daily):
            return Indicator.WARNING, f"above range: {text}"
        if MMF_LOW.holds(daily):
            return Indicator.INFO, f"below range: {text}"
        return None, text
    text = (
        f"{fmt_number(round(daily, 2))} mg/day (typical 1-3 mg/day, R043; trough-guided, "
        "no fixed ceiling, Z16)"
    )
    if TAC_HIGH.holds(daily) or TAC_LOW.holds(daily):
        return Indicator.INFO, f"outside the typical range: {text}"
    return None, text


def check(record: PatientRecord, orders: OrderSet) -> Iterator[Finding]:
    drafts = common.focused(orders, _DRUGS)
    if not drafts or not common.in_scope(record):
        return
    flagged = [(d, *_assess(d, record)) for d in drafts]
    flagged = [(d, ind, text) for d, ind, text in flagged if ind is not None]
    if not flagged:
        return
    worst = min((ind for _, ind, _ in flagged if ind is not None), key=lambda i: i.rank)
    unread = [d for d, _, text in flagged if text.startswith("dose could not")]
    names = ", ".join(sorted({d.concept.replace("_", " ") for d, _, _ in flagged}))
    if len(unread) == len(flagged):
        summary = f"The dose of the {names} order could not be checked against the seed range."
    else:
        summary = f"{names.capitalize()} ordered at a dose outside the seed range: check the dose."
    facts: list[Fact] = [common.dose_fact(d, record) for d, _, _ in flagged]
    weight = record.latest("body_weight", within=common.WEIGHT_WINDOW)
    if weight is not None and any(d.concept == "azathioprine" for d, _, _ in flagged):
        facts.append(measurement_fact(weight))
    yield Finding(
        topic=TOPIC,
        indicator=worst,
        summary=summary[:139],
        detail="\n".join(
            [
                "Drafted immunosuppressant doses compared with KR §Treatment 2-1):",
                *[
                    f"- {label(d.concept)} ({d.source_id}"
                    + (f", {dose_text(d)}): {text}" if d.dose_problem is None else f"): {text}")
                    for d, _, text in flagged
                ],
                "",
                cite(R040, R042, R043),
            ]
        ),
        rules=(R040.id, R042.id, R043.id),
        facts=tuple(facts),
        override_reasons=common.OVERRIDE_REASONS,
    )
