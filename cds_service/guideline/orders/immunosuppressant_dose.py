"""Azathioprine, mycophenolate mofetil and tacrolimus dose checks
(topic ``order-immunosuppressant-dose``).

Sources: KR §Treatment 2-1): azathioprine 1-2 mg/kg/day (R040); MMF 1.0-1.5 g twice daily
(R042); tacrolimus, typical dose 1-3 mg/day (R043). Conflict note Z16: do not hard-code a
tacrolimus ceiling; in DM/PM-ILD tacrolimus is trough-guided.

When one of these is drafted (focused) for a patient with ILD or a CTD:
- methotrexate scheduled more than once in 7 days → **critical**, with a suggestion to change
  the draft to once weekly (``methotrexate_schedule``; contract);
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

from ..compose import finding
from ..evidence import Threshold, rule
from ..facts import measurement_fact
from ..findings import Fact, Finding, Indicator
from ..shared_rules import R131
from ..text import label, number
from . import common
from .common import dose_text
from .methotrexate_schedule import RULE_TEXT, schedules, weekly_suggestions

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


def _range(low: Threshold, high: Threshold) -> str:
    return f"{number(low.value)}-{number(high.value)} {high.unit}"


def _assess(m: MedicationEntry, record: PatientRecord) -> tuple[Indicator | None, str]:
    """(indicator or None when within range, text) for one drafted order."""
    if m.daily_dose_mg is None:
        return Indicator.INFO, f"dose could not be checked ({m.dose_problem or 'unknown'})"
    if m.concept == "azathioprine":
        weight = common.weight_kg(record)
        if weight is None:
            return Indicator.INFO, "dose could not be checked: no body weight within a year"
        per_kg = m.daily_dose_mg / weight
        text = f"{number(per_kg)} mg/kg/day (usual {_range(AZA_LOW, AZA_HIGH)})"
        if AZA_HIGH.holds(per_kg):
            return Indicator.WARNING, f"above range: {text}"
        if AZA_LOW.holds(per_kg):
            return Indicator.INFO, f"below range: {text}"
        return None, text
    daily = m.daily_dose_mg
    if m.concept == "mycophenolate_mofetil":
        text = f"{number(round(daily))} mg/day (usual 1.0-1.5 g twice daily)"
        if MMF_HIGH.holds(daily):
            return Indicator.WARNING, f"above range: {text}"
        if MMF_LOW.holds(daily):
            return Indicator.INFO, f"below range: {text}"
        return None, text
    text = (
        f"{number(daily)} mg/day (typical {_range(TAC_LOW, TAC_HIGH)}; trough-guided, no fixed "
        "ceiling)"
    )
    if TAC_HIGH.holds(daily) or TAC_LOW.holds(daily):
        return Indicator.INFO, f"outside the typical range: {text}"
    return None, text


def check(record: PatientRecord, orders: OrderSet) -> Iterator[Finding]:
    mtx = schedules(record, orders)
    too_often = [s for s in mtx if s.too_often]
    unread_mtx = [s for s in mtx if s.per_week is None]
    drafts = common.focused(orders, _DRUGS) if common.in_scope(record) else []
    flagged = [(d, *_assess(d, record)) for d in drafts]
    flagged = [(d, ind, text) for d, ind, text in flagged if ind is not None]
    if not (flagged or too_often or unread_mtx):
        return
    lines = [s.text() for s in (*too_often, *unread_mtx)]
    lines += [f"{label(d.concept)} {dose_text(d)}: {text}" for d, _, text in flagged]
    facts: list[Fact] = [common.dose_fact(s.entry, record) for s in (*too_often, *unread_mtx)]
    facts += [common.dose_fact(d, record) for d, _, _ in flagged]
    weight = record.latest_weight_kg()
    if weight is not None and any(d.concept == "azathioprine" for d, _, _ in flagged):
        facts.append(measurement_fact(weight))
    if too_often:
        s = too_often[0]
        yield finding(
            topic=TOPIC,
            indicator=Indicator.CRITICAL,
            summary=(
                f"Methotrexate {dose_text(s.entry).split(' (')[0]} scheduled "
                f"{number(s.per_week or 0)} times in 7 days: methotrexate is given once weekly."
            ),
            why=lines,
            body=(RULE_TEXT,),
            what_to_do=("Change the order to once weekly, or confirm an intended schedule.",),
            rules=(R131, R040, R042, R043) if flagged else (R131,),
            facts=facts,
            suggestions=weekly_suggestions(orders, too_often),
            override_reasons=common.OVERRIDE_REASONS,
        )
        return
    indicators = [ind for _, ind, _ in flagged if ind is not None]
    worst = min(indicators, key=lambda i: i.rank) if indicators else Indicator.INFO
    shown = {label(d.concept) for d, _, _ in flagged} | ({"methotrexate"} if unread_mtx else set())
    names = ", ".join(sorted(shown))
    if all(t.startswith("dose could not") for _, _, t in flagged):
        summary = f"The dose or schedule of the {names} order could not be checked."
    else:
        summary = f"{names.capitalize()} ordered at a dose outside the usual range: check the dose."
    yield finding(
        topic=TOPIC,
        indicator=worst,
        summary=summary,
        why=lines,
        rules=(R040, R042, R043, *((R131,) if unread_mtx else ())),
        facts=facts,
        override_reasons=common.OVERRIDE_REASONS,
    )
