"""Glucocorticoid order in systemic sclerosis (topic ``order-ssc-glucocorticoid-dose``).

Source: KR §Treatment 2-2) (R051): "High-dose steroid is not recommended in SSc, because
renal crisis can develop rapidly if the daily prednisolone dose is over 10 mg." Derived
order guard R143. External: Steen 1998 (B12), prednisone ≥15 mg/day in the prior 6 months,
OR 4.37 for renal crisis; seed conflict note Z2 fixes the service's two levels.

When a glucocorticoid is drafted (the focused order) for a patient with SSc, and the
regimen's prednisolone-equivalent dose (the drafted dose replaces an active order of the
same drug; other glucocorticoids add up) is
- >10 mg/day: warning;
- ≥15 mg/day: critical.
Then suggest updating the draft to a dose that brings the regimen to prednisolone-equivalent
10 mg/day, once daily (isRecommended), when the other glucocorticoids leave room for it.

A drafted glucocorticoid whose dose cannot be read gives an ``info`` card saying the dose could
not be checked. Left open by the sources: a short taper above 10 mg/day; the card is
overridable ("benefit outweighs risk").
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.draft_medication import pred_eq_factor
from fhir_mappings.orders import OrderSet
from fhir_mappings.record import ConditionEntry, MedicationEntry, PatientRecord

from ..evidence import cite, fmt_number, rule
from ..facts import condition_fact, prednisolone_equivalent_fact
from ..findings import Finding, Indicator, Suggestion
from ..shared_rules import B12, R051
from ..ssc.glucocorticoid_risk import GC_CRITICAL, GC_WARNING
from ..suggestions.orders import update_dose
from ..text import dose_text
from . import common

TOPIC = "order-ssc-glucocorticoid-dose"

R143 = rule(
    "R143",
    "KR",
    "§Treatment 2-2) (derived)",
    "SSc glucocorticoid guard: convert any systemic GC order to prednisolone-equivalent and "
    "warn of renal crisis above 10 mg/day.",
    ">10 mg/day prednisolone-equivalent",
    (TOPIC,),
)
# R051, B12 and the two thresholds are the patient-view card's (ssc.glucocorticoid_risk):
# one definition, so the order card and the patient-view card cannot disagree.
WARN = GC_WARNING
CRITICAL = GC_CRITICAL
#: the dose the update suggestion brings the regimen to (the R051 limit itself)
TARGET_PRED_EQ = WARN.value


def _total(entries: list[MedicationEntry]) -> float | None:
    doses = [m.pred_eq_mg_per_day for m in entries]
    if any(d is None for d in doses):
        return None
    return sum(d for d in doses if d is not None)


def check(record: PatientRecord, orders: OrderSet) -> Iterator[Finding]:
    drafts = common.focused(orders, common.GLUCOCORTICOIDS)
    if not drafts or not common.has_condition(record, common.SSC):
        return
    ssc = record.condition(*sorted(common.SSC))
    gcs = common.of_class(common.regimen(record, orders), common.GLUCOCORTICOIDS)
    facts = [condition_fact(ssc)] if ssc else []
    facts += [common.dose_fact(m, record) for m in gcs]
    total = _total(gcs)
    rules = (R051.id, R143.id, B12.id)
    if total is None:
        unknown = [m for m in gcs if m.pred_eq_mg_per_day is None]
        yield Finding(
            topic=TOPIC,
            indicator=Indicator.INFO,
            summary="SSc: the glucocorticoid dose could not be checked against the 10 mg/day "
            "renal-crisis limit.",
            detail="\n".join(
                [
                    f"{_ssc_text(ssc)} The prednisolone-equivalent dose of "
                    "this glucocorticoid regimen could not be computed:",
                    *[
                        f"- {m.source_id or m.concept}: {m.dose_problem or 'dose unknown'}."
                        for m in unknown
                    ],
                    "",
                    f"Check the daily dose: in SSc, prednisolone {WARN.text} risks scleroderma "
                    f"renal crisis (R051); {CRITICAL.text} is a high-risk dose (Steen 1998).",
                    "",
                    cite(R051, R143, B12),
                ]
            ),
            rules=rules,
            facts=tuple(facts),
            override_reasons=common.OVERRIDE_REASONS,
        )
        return
    if not WARN.holds(total):
        return
    critical = CRITICAL.holds(total)
    level = CRITICAL if critical else WARN
    suggestions = tuple(_suggestions(orders, drafts, gcs, total))
    facts.append(prednisolone_equivalent_fact(total, record.today))
    yield Finding(
        topic=TOPIC,
        indicator=Indicator.CRITICAL if critical else Indicator.WARNING,
        summary="SSc: glucocorticoid order gives prednisolone-equivalent "
        f"{fmt_number(round(total, 1))} mg/day ({level.text}): renal crisis risk.",
        detail=_detail(_ssc_text(ssc), gcs, total, critical),
        rules=rules,
        facts=tuple(facts),
        suggestions=suggestions,
        selection_behavior="at-most-one" if suggestions else None,
        override_reasons=common.OVERRIDE_REASONS,
    )


def _ssc_text(ssc: ConditionEntry | None) -> str:
    since = f" (recorded since {ssc.when.isoformat()})" if ssc and ssc.when else ""
    return f"The patient has systemic sclerosis{since}."


def _detail(ssc_text: str, gcs: list[MedicationEntry], total: float, critical: bool) -> str:
    lines = [
        f"{ssc_text} The glucocorticoid regimen with this order:",
        *[
            f"- {m.concept} {dose_text(m)}"
            f"{' (draft)' if m.is_draft else ' (active)'}: prednisolone-equivalent "
            f"{fmt_number(round(m.pred_eq_mg_per_day or 0.0, 2))} mg/day"
            for m in gcs
        ],
        f"- total: prednisolone-equivalent **{fmt_number(round(total, 2))} mg/day**",
        "",
        f"KR §Treatment 2-2) (R051): high-dose steroid is not recommended in SSc because renal "
        f"crisis can develop rapidly above prednisolone 10 mg/day ({WARN.text} warns).",
    ]
    if critical:
        lines.append(
            f"At {CRITICAL.text}, Steen 1998 found renal crisis 4.37 times as likely (OR 4.37, "
            "95% CI 2.03-9.43): a high-risk dose (Z2)."
        )
    lines += [
        "If a glucocorticoid is needed, keep prednisolone-equivalent at or below 10 mg/day and "
        "monitor blood pressure and creatinine.",
        "",
        cite(R051, R143, B12),
    ]
    return "\n".join(lines)


def _suggestions(
    orders: OrderSet, drafts: list[MedicationEntry], gcs: list[MedicationEntry], total: float
) -> list[Suggestion]:
    """Update of one focused draft so that the regimen totals 10 mg/day prednisolone-eq."""
    for draft in drafts:
        resource = orders.resource(draft.source_id)
        factor = pred_eq_factor(draft.concept)
        if resource is None or factor is None or draft.pred_eq_mg_per_day is None:
            continue
        others = total - draft.pred_eq_mg_per_day
        room = TARGET_PRED_EQ - others
        if room <= 0:
            continue
        new_mg = round(room / factor, 2)
        text = (
            f"{draft.concept} {fmt_number(new_mg)} mg once daily (prednisolone-equivalent "
            f"{fmt_number(round(room, 2))} mg/day; regimen total 10 mg/day)"
        )
        return [
            Suggestion(
                label=f"Change to {draft.concept} {fmt_number(new_mg)} mg/day "
                f"(prednisolone-equivalent 10 mg/day in total)",
                actions=(
                    update_dose(
                        resource,
                        new_mg,
                        draft.route,
                        f"{draft.concept} {fmt_number(new_mg)} mg once daily",
                        f"Change the draft to {text}",
                    ),
                ),
                is_recommended=True,
            )
        ]
    return []
