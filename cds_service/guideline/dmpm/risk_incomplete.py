"""A/S DM/PM-ILD whose poor-risk assessment cannot be completed.

Derived rule R140 (JP Figure 3, §Assessment of poor risk factors; KW): the DM/PM algorithm
needs myositis type, anti-MDA5, ferritin, HRCT pattern, PaO2 and CK; "if any is missing, the
engine must report the risk assessment as incomplete and must not conclude 'no poor
prognostic factors'."

When/Then: A/S-ILD in DM/PM/ADM, no poor-risk factor found, and at least one factor missing
(not measured, stale, or uninterpretable, e.g. a ferritin with an unknown unit) -> `warning`
card naming each missing input and why. When a factor is present the poor-prognosis card
fires instead (and lists what was not assessed).

Decisions left open: staleness per risk.py (values from 30 days before onset).
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.record import PatientRecord

from ..compose import finding
from ..findings import Finding, Indicator
from ..shared_rules import R113
from .assessment import assess, course_lines
from .course import R068
from .myositis import R063, R064
from .risk import R108, R140

TOPIC = "dmpm-ild-risk-incomplete"
SHORT = {
    "adm": "myositis type",
    "mda5": "anti-MDA5",
    "ferritin": "ferritin",
    "hrct": "HRCT pattern",
    "pao2": "PaO2",
    "ck": "CK",
}


def risk_incomplete(record: PatientRecord) -> Iterator[Finding]:
    a = assess(record)
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
        rules=(R140, R113, R108, R068, R063, R064),
        facts=a.base_facts() + risk.facts,
        priority=15,
    )
