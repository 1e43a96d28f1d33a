"""DM/PM-ILD with an acute/subacute course: subtype group and management branch.

JP Figure 3 (R113) and Table 1 (R089): "A/S-ILD -> poor risk factors? No -> DM: GC +
CsA/IVCY; PM: GC -> improvement? No -> GC + CsA(iv) + IVCY." JP §Treatment principles
(R106): delay of effective treatment causes poor outcomes; monitor tightly. JP §Assessment
of poor risk factors (R108, second sentence): "If a patient has PM or positivity for anti-ARS
Ab, the patient has a low possibility for fatal progressive ILD" (so CK <500 is not a factor
for them: risk.py).

When/Then: DM/PM/ADM-ILD meeting the A/S-ILD definition (R068) -> a `warning` card naming the
criterion that decided and the subtype group; the management branch is stated only when the
poor-risk assessment is complete, without a factor and without a contradiction. With a
poor-risk factor the regimen is the poor-prognosis card's; with missing or contradictory
inputs the branch is not chosen (R140) and the risk-incomplete card names them.

Decisions left open: none beyond those of course.py, risk.py and subtypes.py.
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.record import PatientRecord

from .. import evidence
from ..compose import finding
from ..derived import Derived
from ..findings import Finding, Indicator
from ..shared_rules import R088, R113
from .assessment import (
    DmpmAssessment,
    assess,
    course_lines,
    group_line,
    prognostic_context,
    ssc_caveat_for,
)
from .course import R068
from .risk import R108, R140
from .ssc_overlap import SSC_RULES
from .subtypes import R089

TOPIC = "dmpm-ild-acute-subacute"

R106 = evidence.rule(
    "R106",
    "JP",
    "§Treatment principles",
    "A/S-ILD: delay of effective treatment causes poor outcomes; consider intensive initial "
    "therapy, particularly in DM with anti-MDA5 or in ADM; monitor tightly.",
    topics=(TOPIC, "dmpm-ild-poor-prognosis"),
)

#: JP Figure 3's branch without a poor-risk factor, by myositis type (ADM is DM)
DM_BRANCH = (
    "GC + CsA or IVCY",
    "glucocorticoid (GC) with cyclosporine (CsA) or intravenous cyclophosphamide (IVCY)",
)
BRANCH = {"DM": DM_BRANCH, "ADM": DM_BRANCH, "PM": ("GC alone", "glucocorticoid (GC) alone")}


def _branch(a: DmpmAssessment) -> tuple[str, list[str]]:
    """(summary tail, what to do) for the assessment's state."""
    risk = a.risk
    assert risk is not None
    if risk.present:
        return "poor-risk factors present, see the poor-prognosis card", [
            "Initial combination therapy: the factors and the regimen are on the "
            "poor-prognosis card."
        ]
    if risk.missing or risk.contradictions:
        return "branch not chosen until the poor-risk inputs are known", [
            "The branch cannot be chosen yet: the poor-risk inputs are on the risk-incomplete "
            "card; do not read this as 'no poor-risk factors'."
        ]
    if a.kind.type is None:
        return "no poor-risk factor, myositis type unknown", ["Record the myositis type."]
    short, long = BRANCH[a.kind.type]
    return f"no poor-risk factor: JP Figure 3 branch {short}", [
        f"JP Figure 3 branch {short}: {long}; no improvement: escalate to GC + intravenous "
        "CsA + IVCY.",
        "Monitor closely: deterioration can happen within days.",
    ]


def acute_subacute(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    a = derived.dmpm if derived is not None else assess(record)
    if a is None or a.course.kind != "acute_subacute" or a.risk is None:
        return
    risk = a.risk
    tail, todo = _branch(a)
    decided = a.course.short[0] if a.course.short else "criterion met"
    summary = f"A/S {a.disease} ({decided}): {tail}."
    if len(summary) > 139:
        summary = f"Acute/subacute {a.disease}: {tail}."
    context, context_facts = prognostic_context(record, a)
    caveat = ssc_caveat_for(a)
    not_applicable = [f"{f.name}: {f.evidence_text}" for f in risk.not_applicable]
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=summary,
        why_title="acute/subacute (A/S) ILD: any one criterion within 3 months of onset",
        why=course_lines(a) + not_applicable + context,
        body=[group_line(a)] + ([caveat] if caveat else []),
        what_to_do=todo,
        rules=[R113, R068, R089, R106, R140]
        + ([R108] if not_applicable else [])
        + ([R088] if context else [])
        + (list(SSC_RULES) if caveat else []),
        facts=a.base_facts() + (a.group.facts if a.group else []) + risk.facts + context_facts,
        priority=20,
    )
