"""A/S DM/PM-ILD whose poor-risk assessment cannot be completed.

Derived rule R140 (JP Figure 3, §Assessment of poor risk factors; KW): the DM/PM algorithm
needs myositis type, anti-MDA5, ferritin, HRCT pattern, PaO2 and CK; "if any is missing, the
engine must report the risk assessment as incomplete and must not conclude 'no poor
prognostic factors'."

When/Then: A/S-ILD in DM/PM/ADM, no poor-risk factor found, and at least one factor missing
(not measured, stale, or uninterpretable, e.g. a ferritin with an unknown unit) -> `warning`
card naming each missing input and why. When a factor is present the poor-prognosis card
fires instead (and lists what was not assessed).

A DM/PM-ILD whose course could not be determined (more than 3 months after onset, no data
on the first 3 months: course.py) with at least one poor-risk factor present -> `warning`
card under this topic naming the factors and saying the A/S-ILD criteria could not be
assessed (R069, R140).

Decisions left open: staleness per risk.py (values from 30 days before onset).
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.record import PatientRecord

from ..compose import finding
from ..derived import Derived
from ..findings import Finding, Indicator
from ..shared_rules import R113
from .assessment import DmpmAssessment, assess, course_lines, ssc_caveat_for
from .course import R068, R069
from .myositis import R063, R064
from .risk import R108, R140
from .ssc_overlap import SSC_RULES

TOPIC = "dmpm-ild-risk-incomplete"
SHORT = {
    "adm": "myositis type",
    "mda5": "anti-MDA5",
    "ferritin": "ferritin",
    "hrct": "HRCT pattern",
    "pao2": "PaO2",
    "ck": "CK",
}


def risk_incomplete(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    a = derived.dmpm if derived is not None else assess(record)
    if a is not None and a.course.kind == "undetermined" and a.risk is not None:
        yield from _course_undetermined(a)
        return
    if a is None or a.course.kind != "acute_subacute" or a.risk is None:
        return
    risk = a.risk
    if risk.present or risk.complete:
        return
    missing = risk.missing
    names = ", ".join(SHORT[f.key] for f in missing)
    summary = f"A/S DM/PM-ILD: poor-risk assessment incomplete, missing {names}."
    if len(summary) > 139:
        summary = f"A/S DM/PM-ILD: poor-risk assessment incomplete, {len(missing)} inputs missing."
    assessed = [f for f in risk.factors if f.present is False]
    notes = []
    if assessed:
        notes.append(
            "Assessed, not present: " + "; ".join(f"{f.name} ({f.evidence_text})" for f in assessed)
        )
    notes.append(
        "Obtain the missing results promptly: with any one factor the algorithm calls for "
        "initial combination therapy (GC + IV cyclosporine + IV cyclophosphamide)."
    )
    caveat = ssc_caveat_for(a)
    if caveat:
        notes.append(caveat)
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=summary,
        patient_data_title="Acute/subacute ILD",
        patient_data=course_lines(a),
        body=(
            "The absence of poor-risk factors cannot be concluded until the inputs below are "
            "known (JP Figure 3 and text).",
        ),
        options_title="Missing for the poor-risk assessment",
        options=[f"{f.name}: {f.evidence_text}" for f in missing],
        notes=notes,
        rules=(R140, R113, R108, R068, R063, R064) + (SSC_RULES if caveat else ()),
        facts=a.base_facts() + risk.facts,
        priority=15,
    )


def _course_undetermined(a: DmpmAssessment) -> Iterator[Finding]:
    """More than 3 months after onset, A/S vs chronic not determinable (no data in the first
    3 months), and a JP Figure 3 / text (Z20) poor-risk factor present: `warning` naming the
    factors and saying the A/S-ILD criteria could not be assessed. Without a factor the
    chronic topic's card says the course is undetermined."""
    risk = a.risk
    assert risk is not None
    present = risk.present
    if not present:
        return
    names = ", ".join(f.name for f in present)
    summary = f"DM/PM-ILD course (A/S vs chronic) undetermined, with poor-risk factor(s): {names}."
    if len(summary) > 139:
        summary = (
            f"DM/PM-ILD course (A/S vs chronic) undetermined, with {len(present)} poor-risk "
            "factors present."
        )
    notes = []
    if risk.missing:
        notes.append(
            "Not assessed: " + "; ".join(f"{f.name} ({f.evidence_text})" for f in risk.missing)
        )
    notes.append(
        "If the ILD was acute/subacute, JP Figure 3 calls for initial combination therapy "
        "(GC + IV cyclosporine + IV cyclophosphamide), not step-up; do not read the absence of "
        "records as a chronic course."
    )
    caveat = ssc_caveat_for(a)
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=summary,
        patient_data_title="DM/PM-ILD",
        patient_data=course_lines(a)
        + [f"poor-risk factor {f.name}: {f.evidence_text}" for f in present],
        body=(
            "**The A/S-ILD criteria could not be assessed** (JP Figure 3: any one within 3 "
            "months of onset): " + a.course.why_undecided + ".",
            "Establish the course from the first 3 months (dyspnea on exertion, HRCT, VC and "
            "PaO2 trend) before treating this ILD as chronic.",
        )
        + ((caveat,) if caveat else ()),
        notes=notes,
        rules=(R140, R113, R108, R068, R069) + (SSC_RULES if caveat else ()),
        facts=a.base_facts() + risk.facts,
        priority=15,
    )
