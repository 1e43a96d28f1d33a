"""DM/PM-ILD with an acute/subacute course: subtype group and management branch.

JP Figure 3 (R113) and Table 1 (R089): "A/S-ILD -> poor risk factors? No -> DM: GC +
CsA/IVCY; PM: GC -> improvement? No -> GC + CsA(iv) + IVCY." JP §Treatment principles
(R106): delay of effective treatment causes poor outcomes; monitor tightly.

When/Then: DM/PM/ADM-ILD meeting the A/S-ILD definition (R068) -> a `warning` card naming
the criteria met and the subtype group; the management branch is stated only when the
poor-risk assessment is complete and negative. With a poor-risk factor the branch is the
poor-prognosis card's; with missing inputs the branch is not chosen (R140).

Decisions left open: none beyond those of course.py, risk.py and subtypes.py.
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.record import PatientRecord

from .. import evidence
from ..compose import finding
from ..derived import Derived
from ..findings import Finding, Indicator
from ..shared_rules import R113
from .assessment import assess, course_lines, group_line, ssc_caveat_for
from .course import R068
from .risk import R140
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

BRANCH = {
    "DM": "no poor-risk factor, DM: **GC + CsA or IVCY**",
    "ADM": "no poor-risk factor, DM: **GC + CsA or IVCY**",
    "PM": "no poor-risk factor, PM: **GC**",
}


def acute_subacute(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    a = derived.dmpm if derived is not None else assess(record)
    if a is None or a.course.kind != "acute_subacute" or a.risk is None:
        return
    risk = a.risk
    if risk.present:
        branch = (
            f"{len(risk.present)} poor-risk factor(s) present: initial combination GC + "
            "CsA(iv) + IVCY; the factors and the regimen are in the DM/PM-ILD poor-prognosis card."
        )
    elif risk.missing:
        branch = (
            f"The management branch cannot be chosen yet: the poor-risk assessment is "
            f"incomplete ({len(risk.missing)} of {len(risk.factors)} inputs missing, named in "
            "the risk-incomplete card). Do not read this as 'no poor-risk factors'."
        )
    elif a.kind.type is not None:
        branch = (
            f"JP Figure 3 branch: {BRANCH[a.kind.type]}; if no improvement, escalate to "
            "GC + CsA(iv) + IVCY. Monitor tightly: deterioration can happen within days."
        )
    else:
        branch = "Management branch: myositis type (DM vs PM) unknown."
    group = group_line(a)
    caveat = ssc_caveat_for(a)
    summary = f"DM/PM-ILD ({a.type_text}) meets the acute/subacute ILD definition (JP Figure 3)."
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=summary,
        patient_data_title="Acute/subacute ILD (any one criterion within 3 months of onset)",
        patient_data=course_lines(a),
        body=(group, f"**Management:** {branch}") + ((caveat,) if caveat else ()),
        rules=(R068, R089, R113, R106, R140) + (SSC_RULES if caveat else ()),
        facts=a.base_facts() + (a.group.facts if a.group else []),
        priority=20,
    )
