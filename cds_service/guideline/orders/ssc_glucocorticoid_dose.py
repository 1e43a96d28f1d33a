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
Then suggest updating the draft to a dose that brings the regimen to at most
prednisolone-equivalent 10 mg/day, once daily, when the other glucocorticoids leave room for it:
the dose is rounded **down** to a deliverable step of the drug (``DOSE_STEP_MG``: prednisolone
and prednisone 1 mg, dexamethasone 0.5 mg, methylprednisolone 2 mg, hydrocortisone 5 mg) and
the regimen with it is checked to be ≤10 mg/day before it is offered.

SSc-ILD (an ILD is recorded): glucocorticoids are not an SSc-ILD treatment (ACR/CHEST 2023,
B02: strong recommendation against; Z13 "never suggest GC for SSc-ILD"), so the card says so
and asks to reconsider the indication; the dose update is **not** recommended and is labelled
"If a glucocorticoid is required for another indication: reduce to ≤10 mg/day", next to a
non-recommended ``delete`` of the draft. Without an ILD the update stays recommended (R051).

A drafted glucocorticoid whose dose cannot be read gives an ``info`` card saying the dose could
not be checked. A regimen within the limit while the active medications are unavailable
(``PatientRecord.missing_data``) gives an ``info`` card: an unseen active glucocorticoid would
add up. Left open by the sources: a short taper above 10 mg/day; the card is
overridable ("benefit outweighs risk").
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from fhir_mappings.record import ConditionEntry, MedicationEntry, PatientRecord

from ..compose import finding
from ..data_gaps import MEDICATIONS, gap_text
from ..evidence import fmt_number, rule
from ..facts import antibody_fact, condition_fact, prednisolone_equivalent_fact
from ..findings import Fact, Finding, Indicator, Suggestion
from ..shared_rules import B02, B12, R051
from ..ssc.glucocorticoid_risk import GC_CRITICAL, GC_WARNING
from ..suggestions.orders import delete_draft, update_dose
from ..text import label, steen_1998, threshold_text, unit
from . import common
from .common import dose_text

if TYPE_CHECKING:
    from fhir_mappings.orders import OrderSet

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
# R051, B12 and the two thresholds (GC_WARNING, GC_CRITICAL) are the patient-view card's
# (ssc.glucocorticoid_risk): one definition, so the order card and the patient-view card
# cannot disagree.
#: the dose the update suggestion brings the regimen to at most (the R051 limit itself)
TARGET_PRED_EQ = GC_WARNING.value
#: the renal-crisis dose limit as card text (``10 mg/day``), from its Threshold
LIMIT = f"{fmt_number(GC_WARNING.value)} {unit(GC_WARNING.unit)}"
#: deliverable dose steps (mg) per glucocorticoid: the update rounds down to one of these
#: (tablet strengths: prednisolone/prednisone 1 mg, dexamethasone 0.5 mg, methylprednisolone
#: 2 mg, hydrocortisone 5 mg); a drug without a step gets no update
DOSE_STEP_MG = {
    "prednisolone": 1.0,
    "prednisone": 1.0,
    "dexamethasone": 0.5,
    "methylprednisolone": 2.0,
    "hydrocortisone": 5.0,
}


def _total(entries: list[MedicationEntry]) -> float | None:
    doses = [m.pred_eq_mg_per_day for m in entries]
    if any(d is None for d in doses):
        return None
    return sum(d for d in doses if d is not None)


def check(record: PatientRecord, orders: OrderSet) -> Iterator[Finding]:
    drafts = common.focused(orders, common.GLUCOCORTICOIDS)
    if not drafts or not record.has_condition(*common.SSC):
        return
    ssc = record.condition(*common.SSC)
    gcs = common.of_class(common.regimen(record, orders), common.GLUCOCORTICOIDS)
    facts = [condition_fact(ssc)] if ssc else []
    facts += [common.dose_fact(m, record) for m in gcs]
    total = _total(gcs)
    if total is None:
        unknown = [m for m in gcs if m.pred_eq_mg_per_day is None]
        yield finding(
            topic=TOPIC,
            indicator=Indicator.INFO,
            summary=f"SSc: the glucocorticoid dose could not be checked against the {LIMIT} "
            "renal-crisis limit.",
            why=[
                _ssc_text(ssc) + " The prednisolone-equivalent dose of this regimen could not "
                "be computed",
                *[f"{label(m.concept)}: {m.dose_problem or 'dose unknown'}" for m in unknown],
            ],
            what_to_do=(
                f"Check the daily dose: in SSc, prednisolone {threshold_text(GC_WARNING)} risks "
                f"scleroderma renal crisis; {threshold_text(GC_CRITICAL)} is a high-risk dose "
                "(Steen 1998).",
            ),
            rules=(R051, R143, B12),
            facts=facts,
            override_reasons=common.OVERRIDE_REASONS,
        )
        return
    if not GC_WARNING.holds(total):
        gaps = record.missing_data(*MEDICATIONS)
        if gaps:
            yield _unseen_active(_ssc_text(ssc), gcs, total, gaps, facts, record)
        return
    critical = GC_CRITICAL.holds(total)
    level = GC_CRITICAL if critical else GC_WARNING
    ild = record.condition(*common.ILD)
    suggestions = tuple(_suggestions(orders, drafts, total, ssc_ild=ild is not None))
    facts.append(prednisolone_equivalent_fact(total, record.today))
    rnap3 = record.antibody("anti_rnap3")  # a renal crisis risk factor (B12), site-coded
    if rnap3 is not None and rnap3.status == "positive":
        facts.append(antibody_fact(rnap3))
    if ild is not None:
        facts.append(condition_fact(ild))
    why, body, to_do = _layout(_ssc_text(ssc), gcs, total, critical, ild)
    yield finding(
        topic=TOPIC,
        indicator=Indicator.CRITICAL if critical else Indicator.WARNING,
        summary="SSc: glucocorticoid order gives prednisolone-equivalent "
        f"{fmt_number(round(total, 1))} mg/day ({threshold_text(level)}): renal crisis risk.",
        why=why,
        body=body,
        what_to_do=to_do,
        rules=(R051, R143, B12, *((B02,) if ild is not None else ())),
        facts=facts,
        suggestions=suggestions,
        selection_behavior="at-most-one" if suggestions else None,
        override_reasons=common.OVERRIDE_REASONS,
    )


def _unseen_active(
    ssc_text: str,
    gcs: list[MedicationEntry],
    total: float,
    gaps: dict[str, str],
    facts: list[Fact],
    record: PatientRecord,
) -> Finding:
    """Within the limit with what is seen, but an unseen active glucocorticoid would add up:
    info naming the gap, never "within the limit"."""
    return finding(
        topic=TOPIC,
        indicator=Indicator.INFO,
        summary="SSc: other active glucocorticoids could not be checked (medications "
        f"unavailable); the {LIMIT} renal-crisis limit is not assessed.",
        why=[
            f"{ssc_text} The glucocorticoid regimen seen with this order:",
            *[f"{label(m.concept)} {dose_text(m)}" for m in gcs],
            f"total seen: prednisolone-equivalent {fmt_number(round(total, 2))} mg/day",
        ],
        body=(
            f"Korean guideline: in SSc, prednisolone {threshold_text(GC_WARNING)} risks "
            f"scleroderma renal crisis; {steen_1998(B12, threshold_text(GC_CRITICAL))}.",
        ),
        what_to_do=("Different glucocorticoids add up: check the active ones before signing.",),
        not_assessed=(f"Active medications: {gap_text(gaps)}",),
        rules=(R051, R143, B12),
        facts=(*facts, prednisolone_equivalent_fact(total, record.today)),
    )


def _ssc_text(ssc: ConditionEntry | None) -> str:
    since = f" (recorded since {ssc.when.isoformat()})" if ssc and ssc.when else ""
    return f"The patient has systemic sclerosis{since}."


def _layout(
    ssc_text: str,
    gcs: list[MedicationEntry],
    total: float,
    critical: bool,
    ild: ConditionEntry | None,
) -> tuple[list[str], list[str], list[str]]:
    """(why, body, what to do) of the card of a dose over the limit."""
    why = [
        f"{ssc_text} The glucocorticoid regimen with this order:",
        *[
            f"{label(m.concept)} {dose_text(m)}"
            f"{' (draft)' if m.is_draft else ' (active)'}: prednisolone-equivalent "
            f"{fmt_number(round(m.pred_eq_mg_per_day or 0.0, 2))} mg/day"
            for m in gcs
        ],
        f"total: prednisolone-equivalent **{fmt_number(round(total, 2))} mg/day**",
    ]
    body = [
        "Korean guideline: high-dose steroid is not recommended in SSc because renal crisis "
        f"can develop rapidly above prednisolone {LIMIT}."
    ]
    if critical:
        body.append(f"{steen_1998(B12, threshold_text(GC_CRITICAL))}: a high-risk dose.")
    to_do = []
    if ild is not None:
        since = f" (ILD recorded since {ild.when.isoformat()})" if ild.when else ""
        to_do.append(
            f"**Glucocorticoids are not an SSc-ILD treatment** (ACR/CHEST 2023: strong "
            f"recommendation against){since}; reconsider the indication."
        )
    to_do.append(
        (
            "If a glucocorticoid is required for another indication, keep "
            if ild is not None
            else "If a glucocorticoid is needed, keep "
        )
        + f"prednisolone-equivalent at or below {LIMIT} and monitor blood pressure and "
        "creatinine."
    )
    return why, body, to_do


def deliverable_dose(concept: str, room_pred_eq: float, factor: float | None) -> float | None:
    """The largest deliverable dose (mg) of ``concept`` (prednisolone-equivalent mg per mg:
    ``factor``) whose prednisolone-equivalent is at most ``room_pred_eq``: rounded down to
    the drug's ``DOSE_STEP_MG``; None when the drug has no step or no positive dose fits."""
    step = DOSE_STEP_MG.get(concept)
    if step is None or factor is None or room_pred_eq <= 0:
        return None
    steps = math.floor(room_pred_eq / factor / step + 1e-9)
    dose = round(steps * step, 3)
    while dose > 0 and dose * factor > room_pred_eq + 1e-9:  # guard against float edges
        dose = round(dose - step, 3)
    return dose if dose > 0 else None


def _suggestions(
    orders: OrderSet,
    drafts: list[MedicationEntry],
    total: float,
    *,
    ssc_ild: bool,
) -> list[Suggestion]:
    """Update of one focused draft to the largest deliverable dose that keeps the regimen at
    or below 10 mg/day prednisolone-eq (checked before it is offered); in SSc-ILD not
    recommended and offered next to a non-recommended delete of the draft."""
    out: list[Suggestion] = []
    for draft in drafts:
        resource = orders.resource(draft.source_id)
        if resource is None or draft.pred_eq_mg_per_day is None or not draft.daily_dose_mg:
            continue
        # the record's prednisolone-equivalent factor of this glucocorticoid
        factor = draft.pred_eq_mg_per_day / draft.daily_dose_mg
        others = total - draft.pred_eq_mg_per_day
        new_mg = deliverable_dose(draft.concept, TARGET_PRED_EQ - others, factor)
        if new_mg is None:
            continue
        regimen_after = others + new_mg * factor
        if GC_WARNING.holds(round(regimen_after, 6)):
            continue  # never offer a dose the service itself would warn about
        dose = f"{draft.concept} {fmt_number(new_mg)} mg once daily"
        text = (
            f"{dose} (prednisolone-equivalent {fmt_number(round(new_mg * factor, 2))} mg/day; "
            f"regimen total {fmt_number(round(regimen_after, 2))} mg/day)"
        )
        label = (
            f"If a glucocorticoid is required for another indication: reduce to ≤10 mg/day ({dose})"
            if ssc_ild
            else f"Change to {dose} (prednisolone-equivalent ≤10 mg/day in total)"
        )
        out.append(
            Suggestion(
                label=label,
                actions=(
                    update_dose(resource, new_mg, draft.route, dose, f"Change the draft to {text}"),
                ),
                is_recommended=not ssc_ild,
            )
        )
        break
    target = next((d for d in drafts if d.source_id in orders.resources), None)
    if ssc_ild and target is not None and target.source_id is not None:
        concept = target.concept
        out.append(
            Suggestion(
                label=f"Remove the {concept} draft (not an SSc-ILD treatment)",
                actions=(delete_draft(target.source_id, f"Remove the drafted {concept} order"),),
                is_recommended=False,
            )
        )
    return out
