"""Pneumocystis prophylaxis with an intensive regimen (topic ``order-pjp-prophylaxis``).

Sources: JP §Importance of monitoring (R111(c)): "prophylactic trimethoprim-sulfamethoxazole
for Pneumocystis pneumonia" during DM/PM-ILD treatment; derived intensive-immunosuppression
bundle R141: when GC is combined with CsA/TAC and/or CY, check TMP-SMX prophylaxis.
Clinical anchor B15 (EULAR 2022): prophylaxis when prednisolone-equivalent ≥15 mg/day is
combined with a second immunosuppressant (CYC, CsA, TAC, MMF, RTX, JAKi), or after an IV GC
pulse; regimen TMP-SMX 480 mg daily.

When a focused draft is part of an intensive regimen (record + drafts):
- a glucocorticoid (any dose) with cyclosporine, tacrolimus or cyclophosphamide (R141); or
- prednisolone-equivalent ≥15 mg/day with mycophenolate, rituximab or a JAK inhibitor (B15); or
- an IV glucocorticoid pulse (≥250 mg methylprednisolone, i.e. ≥312.5 mg prednisolone-eq, B15);
and no PJP prophylaxis (TMP-SMX, atovaquone, dapsone, pentamidine) is active or drafted
→ warning, with a recommended ``create`` of TMP-SMX 480 mg once daily.

Left open: the duration of the GC course (B15 says ">2-4 weeks"); a drafted order is
taken as planned to continue. A glucocorticoid dose that cannot be read counts for R141
(any dose) but not for the ≥15 mg/day branch (unknown is not high).
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.draft_medication import PRED_EQ_FACTOR
from fhir_mappings.orders import OrderSet
from fhir_mappings.record import MedicationEntry, PatientRecord

from ..evidence import Threshold, cite, fmt_number
from ..findings import Finding, Indicator, Suggestion
from ..suggestions.orders import tmp_smx_prophylaxis
from . import common

TOPIC = "order-pjp-prophylaxis"

R111 = common.declare(
    "R111",
    "JP",
    "§Importance of monitoring",
    "Monitor adverse events including opportunistic infection: beta-D-glucan, CMV antigenemia, "
    "prophylactic trimethoprim-sulfamethoxazole for Pneumocystis pneumonia, CsA and CY toxicity.",
    "",
    (TOPIC,),
)
R141 = common.declare(
    "R141",
    "JP",
    "§Monitoring (derived)",
    "Intensive immunosuppression bundle: when GC is combined with CsA/TAC and/or CY, check "
    "TMP-SMX prophylaxis, beta-D-glucan, CMV antigenemia, renal and hepatic function, CsA "
    "levels and CBC.",
    "",
    (TOPIC,),
)
B15 = common.declare(
    "B15",
    "EULAR 2022 infections",
    "evidence table",
    "Consider PJP prophylaxis with prednisolone-equivalent >15-30 mg/day for >2-4 weeks, "
    "especially with other immunosuppressants; TMP-SMX 480 mg daily or 3 x 480 mg weekly.",
    "GC ≥30 mg/day ≥4 weeks: HR 0.07",
    (TOPIC,),
)

HIGH_GC = Threshold("prednisolone_equivalent", ">=", 15.0, "mg/day", B15)
IV_PULSE = Threshold("prednisolone_equivalent_iv_dose", ">=", 250.0 * 1.25, "mg", B15)

_INTENSIVE_PARTNERS = common.CALCINEURIN_INHIBITORS | common.CYCLOPHOSPHAMIDE
_ALL_AGENTS = common.GLUCOCORTICOIDS | _INTENSIVE_PARTNERS | common.OTHER_B15_IMMUNOSUPPRESSANTS


def _iv_pulse(m: MedicationEntry) -> bool:
    factor = PRED_EQ_FACTOR.get(m.concept)
    return (
        m.route == "intravenous"
        and factor is not None
        and m.dose_mg is not None
        and IV_PULSE.holds(m.dose_mg * factor)
    )


def intensive_reason(regimen: list[MedicationEntry]) -> str | None:
    """Why the regimen is intensive (text), or None when it is not (or cannot be said)."""
    gcs = common.of_class(regimen, common.GLUCOCORTICOIDS)
    partners = common.of_class(regimen, _INTENSIVE_PARTNERS)
    if gcs and partners:
        names = ", ".join(sorted({m.concept for m in partners}))
        return f"glucocorticoid with {names} (R141)"
    pulses = [m for m in gcs if _iv_pulse(m)]
    if pulses:
        return (
            f"IV glucocorticoid pulse ({pulses[0].concept} {common.describe_dose(pulses[0])}; B15)"
        )
    others = common.of_class(regimen, common.OTHER_B15_IMMUNOSUPPRESSANTS)
    doses = [m.pred_eq_mg_per_day for m in gcs]
    if others and gcs and all(d is not None for d in doses):
        total = sum(d for d in doses if d is not None)
        if HIGH_GC.holds(total):
            names = ", ".join(sorted({m.concept for m in others}))
            return (
                f"prednisolone-equivalent {fmt_number(round(total, 1))} mg/day "
                f"({HIGH_GC.text}) with {names} (B15)"
            )
    return None


def check(record: PatientRecord, orders: OrderSet) -> Iterator[Finding]:
    drafts = common.focused(orders, _ALL_AGENTS)
    if not drafts or not common.in_scope(record):
        return
    regimen = common.regimen(record, orders)
    if common.of_class(regimen, common.PJP_PROPHYLAXIS):
        return
    reason = intensive_reason(regimen)
    if reason is None:
        return
    agents = common.of_class(regimen, _ALL_AGENTS)
    suggestions: tuple[Suggestion, ...] = ()
    if record.patient_id is not None:
        suggestions = (
            Suggestion(
                label="Order TMP-SMX 480 mg once daily (Pneumocystis prophylaxis)",
                actions=(tmp_smx_prophylaxis(record.patient_id, record.today),),
                is_recommended=True,
            ),
        )
    yield Finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary="Intensive immunosuppression ordered without Pneumocystis prophylaxis: consider "
        "TMP-SMX.",
        detail="\n".join(
            [
                f"With the draft order(s) the regimen is intensive: {reason}.",
                *[
                    f"- {m.concept} {common.describe_dose(m)}"
                    f"{' (draft)' if m.is_draft else ' (active)'}"
                    for m in agents
                ],
                "",
                "No Pneumocystis prophylaxis (TMP-SMX, atovaquone, dapsone, pentamidine) is "
                "active or drafted.",
                "",
                "JP R111 lists prophylactic trimethoprim-sulfamethoxazole among the monitoring of "
                "intensive DM/PM-ILD treatment; EULAR 2022 (B15): TMP-SMX 480 mg daily (or "
                "3 × 480 mg weekly); GC ≥30 mg/day for ≥4 weeks: HR 0.07 for PJP.",
                "",
                cite(R111, R141, B15),
            ]
        ),
        rules=(R111.id, R141.id, B15.id),
        facts=tuple(common.dose_fact(m, record) for m in agents),
        suggestions=suggestions,
        selection_behavior="at-most-one" if suggestions else None,
        override_reasons=common.OVERRIDE_REASONS,
    )
