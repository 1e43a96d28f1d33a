"""DM/PM-ILD whose management cannot be chosen yet: poor-risk inputs missing or
contradictory, or the course itself undetermined.

Derived rule R140 (JP Figure 3, §Assessment of poor risk factors; KW): the DM/PM algorithm
needs myositis type, anti-MDA5, ferritin, HRCT pattern, PaO2 and CK; "if any is missing, the
engine must report the risk assessment as incomplete and must not conclude 'no poor
prognostic factors'." JP §DM, PM, ADM (R064): amyopathic DM has no muscle-enzyme
abnormality, so ADM with a raised CK, or ADM/DM recorded with PM, is a contradiction.

When/Then:
- A/S-ILD, no poor-risk factor present, and a factor missing (not measured, stale,
  unreadable) or unresolved by a contradiction -> `warning` naming each input and why; a
  contradiction is named as one to resolve, with the escalation stated conditionally ("if ADM
  is confirmed, JP Figure 3 calls for initial combination therapy"). With a factor present
  the poor-prognosis card fires instead (and names what was not assessed).
- Course undetermined (more than 3 months after onset and nothing in the record shows the
  course: course.py) -> `info`, or `warning` when a poor-risk factor is present: what to
  obtain to decide the course. Never a recommendation of combination therapy, never
  "chronic", never "observation".

Decisions left open: staleness per risk.py (values from 30 days before onset).
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.record import PatientRecord

from ..compose import finding
from ..derived import Derived
from ..findings import Finding, Indicator
from ..shared_rules import R113
from .assessment import DmpmAssessment, assess, course_lines, ssc_caveat_for, with_names
from .course import R068, R069
from .myositis import R063, R064
from .risk import R108, R140, absent_line
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
    if a is None or a.risk is None:
        return
    if a.course.kind == "undetermined":
        yield _course_undetermined(a)
    elif a.course.kind == "acute_subacute" and not a.risk.present and a.risk.missing:
        yield _inputs_missing(a)


def _inputs_missing(a: DmpmAssessment) -> Finding:
    risk = a.risk
    assert risk is not None
    missing = risk.missing
    if risk.contradictions:
        first = risk.contradictions[0]
        summary = f"A/S {a.disease}: {first}; resolve before choosing initial therapy."
        if len(summary) > 139:
            summary = f"A/S {a.disease}: contradictory inputs to resolve before choosing therapy."
    else:
        names = ", ".join(SHORT[f.key] for f in missing)
        summary = f"A/S {a.disease}: poor-risk assessment incomplete, missing {names}."
        if len(summary) > 139:
            summary = (
                f"A/S {a.disease}: poor-risk assessment incomplete, {len(missing)} inputs missing."
            )
    body = ["No poor-risk factor is confirmed; none can be ruled out until these are known."]
    if risk.contradictions:
        body.append("**Contradiction to resolve:** " + "; ".join(risk.contradictions) + ".")
    if risk.conditional:
        body.append(
            "Glucocorticoid (GC), cyclosporine (CsA), intravenous cyclophosphamide (IVCY): "
            + "; ".join(risk.conditional)
            + "."
        )
    caveat = ssc_caveat_for(a)
    return finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=summary,
        why_title="acute/subacute (A/S) ILD",
        why=course_lines(a)
        + [x for x in [absent_line(risk.factors)] if x]
        + [f"{f.name}: {f.evidence_text}" for f in risk.not_applicable],
        body=body + ([caveat] if caveat else []),
        what_to_do=[f"{f.name}: {f.evidence_text}" for f in missing],
        what_to_do_title="obtain or resolve",
        rules=[R140, R113, R108, R068, R063, R064] + (list(SSC_RULES) if caveat else []),
        facts=a.base_facts() + risk.facts,
        priority=15,
    )


def _course_undetermined(a: DmpmAssessment) -> Finding:
    """Undetermined course: what to obtain; factors present are named, never acted on."""
    risk = a.risk
    assert risk is not None
    present = risk.present
    onset = a.course.onset.isoformat() if a.course.onset else "unknown"
    if present:
        summary = with_names(
            f"{a.disease} course undetermined, with ", present, ": establish the course first."
        )
    else:
        summary = (
            f"{a.disease} (onset {onset}): acute/subacute vs chronic course undetermined; "
            "obtain the course data."
        )
    body = [
        "The acute/subacute (A/S) criteria could not be assessed (any one within 3 months of "
        "onset), nor a slow or stable course since (chronic ILD): "
        f"{a.course.why_undecided}."
    ]
    if present:
        body.append(
            "The factors above decide the regimen only for an A/S course; no combination "
            "therapy is chosen on an undetermined course."
        )
    caveat = ssc_caveat_for(a)
    if caveat:
        body.append(caveat)
    return finding(
        topic=TOPIC,
        indicator=Indicator.WARNING if present else Indicator.INFO,
        summary=summary,
        why_title="DM/PM-ILD, course undetermined",
        why=course_lines(a) + [f"{f.name}: {f.evidence_text}" for f in present],
        body=body,
        what_to_do=a.course.obtain,
        what_to_do_title="obtain",
        rules=[R069, R068, R113, R140]
        + ([R108] if present else [])
        + (list(SSC_RULES) if caveat else []),
        facts=a.base_facts() + risk.facts,
        priority=15,
    )
