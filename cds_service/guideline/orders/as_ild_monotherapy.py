"""GC-only plan for A/S-ILD with poor-risk factors (topic ``order-as-ild-monotherapy``).

Sources: JP §Initial combination therapy (R109): initial combination beats step-up
(Kotani 1-year survival 89% vs 43%; Takada 5-year 74% vs 54%); "for A/S-ILD with poor
prognostic factors, consider initial combination therapy". JP Figure 3 (R113): A/S-ILD with
any poor-risk factor → GC + CsA(iv) + IVCY.

When a glucocorticoid is drafted (focused) for DM/PM A/S-ILD with ≥1 poor-risk factor, and the
regimen (record + drafts) holds no cyclosporine, tacrolimus or cyclophosphamide → critical
(card policy: A/S-ILD with poor-risk factors), naming the factors.
No suggestion: the combination (drug, route, target level) is a specialist decision; the card
names the JP regimen. The A/S-ILD course and the poor-risk factors (Z20 union) are guide1's
DM/PM-ILD assessment (``guideline.dmpm.assessment``), so this order card and the patient-view
``dmpm-ild-poor-prognosis`` card can never disagree; an undecided course or no factor present
gives no card (unknown is never "poor risk").
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.orders import OrderSet
from fhir_mappings.record import PatientRecord

from ..dmpm.assessment import assess
from ..evidence import cite
from ..findings import Finding, Indicator
from ..shared_rules import R109, R113
from ..text import dose_text
from . import common

TOPIC = "order-as-ild-monotherapy"


_COMBINATION = common.CALCINEURIN_INHIBITORS | common.CYCLOPHOSPHAMIDE


def check(record: PatientRecord, orders: OrderSet) -> Iterator[Finding]:
    drafts = common.focused(orders, common.GLUCOCORTICOIDS)
    if not drafts:
        return
    assessment = assess(record)
    if assessment is None or assessment.course.kind != "acute_subacute":
        return
    factors = assessment.risk.present if assessment.risk is not None else []
    if not factors:
        return
    if common.of_class(common.regimen(record, orders), _COMBINATION):
        return
    names = ", ".join(f.name for f in factors)
    facts = [x for f in factors for x in f.facts]
    yield Finding(
        topic=TOPIC,
        indicator=Indicator.CRITICAL,
        summary="A/S-ILD with poor-risk factors: glucocorticoid alone ordered; consider initial "
        "combination (CsA/TAC + IVCY).",
        detail="\n".join(
            [
                f"DM/PM acute/subacute ILD ({'; '.join(assessment.course.criteria)}) with "
                f"poor-risk factor(s): {names}.",
                *[f"- {f.name}: {f.evidence_text}" for f in factors],
                "",
                "The drafted regimen is glucocorticoid only: "
                + "; ".join(f"{d.concept} {dose_text(d)}" for d in drafts)
                + ". No cyclosporine, tacrolimus or cyclophosphamide is active or drafted.",
                "",
                "JP Figure 3 (R113): A/S-ILD with any poor-risk factor → GC + CsA (IV) + IVCY. "
                "R109: initial combination beats step-up (Kotani 1-year survival 89% vs 43%; "
                "Takada 5-year 74% vs 54%).",
                "",
                cite(R109, R113),
            ]
        ),
        rules=(R109.id, R113.id),
        facts=tuple(facts) + tuple(common.dose_fact(d, record) for d in drafts),
        override_reasons=common.OVERRIDE_REASONS,
    )
