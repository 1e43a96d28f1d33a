"""GC-only plan for A/S-ILD with poor-risk factors (topic ``order-as-ild-monotherapy``).

Sources: JP §Initial combination therapy (R109): initial combination beats step-up
(Kotani 1-year survival 89% vs 43%; Takada 5-year 74% vs 54%); "for A/S-ILD with poor
prognostic factors, consider initial combination therapy". JP Figure 3 (R113): A/S-ILD with
any poor-risk factor → GC + CsA(iv) + IVCY. The factors are Figure 3's five plus the text's
CK <500 U/L (R108; the Z20 union). R140: a missing factor never reads as "no poor-risk factor".

When a glucocorticoid is drafted (focused) for DM/PM A/S-ILD and the regimen (record + drafts)
holds no cyclosporine, tacrolimus or cyclophosphamide:
- ≥1 poor-risk factor present, active medications known → critical (card policy: A/S-ILD with
  poor-risk factors), naming the factors;
- ≥1 factor present but the active medications could not be had for this call
  (``PatientRecord.missing_data``: ``medications``/``medication_statements``) → info: "no
  combination agent" cannot be concluded, the card names the gap;
- no factor present but some could not be assessed (R140) → info naming the missing inputs: if
  any is present, JP calls for initial combination. Never critical on unknowns.
No suggestion: the combination (drug, route, target level) is a specialist decision; the card
names the JP regimen. The A/S-ILD course and the poor-risk factors (Z20 union) are the
DM/PM-ILD assessment (``guideline.dmpm.assessment``), so this order card and the patient-view
``dmpm-ild-poor-prognosis`` card can never disagree; an undecided course, or every factor
assessed absent, gives no card.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fhir_mappings.record import MedicationEntry, PatientRecord

from ..compose import finding
from ..data_gaps import MEDICATIONS, gap_text
from ..dmpm.assessment import DmpmAssessment, assess
from ..dmpm.risk import R108, Factor
from ..findings import Finding, Indicator
from ..shared_rules import R109, R111, R113, R116
from ..text import label
from . import common
from .common import dose_text

if TYPE_CHECKING:
    from fhir_mappings.orders import OrderSet

TOPIC = "order-as-ild-monotherapy"


_COMBINATION = common.CALCINEURIN_INHIBITORS | common.CYCLOPHOSPHAMIDE

REGIMEN = (
    "Initial combination, not step-up: glucocorticoid with intravenous cyclosporine and "
    "intravenous cyclophosphamide (or tacrolimus as the calcineurin inhibitor)",
    "From the start: co-trimoxazole (trimethoprim-sulfamethoxazole) Pneumocystis prophylaxis",
)
EVIDENCE = (
    "Survival, initial combination vs step-up: 89% vs 43% at 1 year (Kotani); 74% vs 54% at "
    "5 years (Takada)."
)
RULES = (R113, R108, R109, R116, R111)


def check(record: PatientRecord, orders: OrderSet) -> Iterator[Finding]:
    drafts = common.focused(orders, common.GLUCOCORTICOIDS)
    if not drafts:
        return
    assessment = assess(record)
    if assessment is None or assessment.course.kind != "acute_subacute":
        return
    present = assessment.risk.present if assessment.risk is not None else []
    missing = assessment.risk.missing if assessment.risk is not None else []
    if not (present or missing):
        return
    if common.of_class(common.regimen(record, orders), _COMBINATION):
        return
    gaps = record.missing_data(*MEDICATIONS)
    if present:
        yield _poor_risk(record, assessment, present, drafts, gaps)
    else:
        yield _incomplete(record, assessment, missing, drafts, gaps)


def _drafted(drafts: list[MedicationEntry]) -> str:
    return "; ".join(f"{label(d.concept)} {dose_text(d)}" for d in drafts)


def _combination_line(gaps: dict[str, str]) -> str:
    if gaps:
        return (
            "Whether cyclosporine, tacrolimus or cyclophosphamide is already active could "
            f"**not be checked**: {gap_text(gaps)}. None is drafted."
        )
    return "No cyclosporine, tacrolimus or cyclophosphamide is active or drafted."


def _poor_risk(
    record: PatientRecord,
    assessment: DmpmAssessment,
    present: list[Factor],
    drafts: list[MedicationEntry],
    gaps: dict[str, str],
) -> Finding:
    names = ", ".join(f.name for f in present)
    if gaps:
        indicator = Indicator.INFO
        summary = (
            "A/S-ILD with poor-risk factors, glucocorticoid ordered: active CsA/TAC/IVCY could "
            "not be checked (medication data unavailable)."
        )
    else:
        indicator = Indicator.CRITICAL
        summary = (
            "A/S-ILD with poor-risk factors: glucocorticoid alone ordered; consider initial "
            "combination (CsA/TAC + IVCY)."
        )
    facts = [x for f in present for x in f.facts]
    return finding(
        topic=TOPIC,
        indicator=indicator,
        summary=summary,
        why_title=(
            f"acute/subacute DM/PM-ILD ({'; '.join(assessment.course.criteria)}) with poor-risk "
            f"factor(s): {names}"
        ),
        why=[
            *(f"{f.name}: {f.evidence_text}" for f in present),
            f"Drafted glucocorticoid: {_drafted(drafts)}",
            _combination_line(gaps),
        ],
        what_to_do=REGIMEN,
        notes=(EVIDENCE,),
        rules=RULES,
        facts=(*facts, *(common.dose_fact(d, record) for d in drafts)),
        override_reasons=common.OVERRIDE_REASONS,
    )


def _incomplete(
    record: PatientRecord,
    assessment: DmpmAssessment,
    missing: list[Factor],
    drafts: list[MedicationEntry],
    gaps: dict[str, str],
) -> Finding:
    """No factor present, some not assessable (R140): info, never critical."""
    facts = [x for f in missing for x in f.facts]
    return finding(
        topic=TOPIC,
        indicator=Indicator.INFO,
        summary="A/S-ILD, glucocorticoid ordered: poor-risk assessment incomplete; if any factor "
        "is present, JP calls for initial combination.",
        why_title=(
            f"acute/subacute DM/PM-ILD ({'; '.join(assessment.course.criteria)}); no poor-risk "
            "factor recorded present"
        ),
        why=[
            f"Drafted glucocorticoid: {_drafted(drafts)}",
            _combination_line(gaps),
        ],
        not_assessed=[f"{f.name}: {f.evidence_text}" for f in missing],
        what_to_do=(
            "Complete the assessment before settling on glucocorticoid alone (a factor not "
            "assessed is never read as absent)",
            *REGIMEN,
        ),
        rules=RULES,
        facts=(*facts, *(common.dose_fact(d, record) for d in drafts)),
    )
