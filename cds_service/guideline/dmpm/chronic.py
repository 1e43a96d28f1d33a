"""Chronic DM/PM-ILD: observe or treat with glucocorticoid.

JP Figure 3 (R113): "Chronic ILD -> symptomatic, decrease in VC, increase in GGO? Yes -> GC
(-> GC + CsA/IVCY if no improvement); No -> observation for ILD." JP §Treatment principles
(R107): initial intensive therapy is not usually required; asymptomatic patients may need
no ILD treatment; symptomatic C-ILD: GC first, add an immunosuppressant when the effect is
insufficient or the GC dose must come down. JP §Anti-ARS (R078): ARS-ILD responds well to
GC but recurs after withdrawal or dose reduction (Yoshifuji: recurrence 40%).

When/Then: chronic DM/PM-ILD (R069) -> a card with the subtype group and the branch:
symptomatic or declining -> the JP GC branch (`warning` when no GC is recorded or the
medications could not be fetched; never an imperative "start GC"; with SSc the
glucocorticoid caveat of ``ssc_overlap``); no worsening dyspnea recorded in 180 days, a
recorded symptom assessment and a stable VC/FVC pair -> observation (`info`); not judgeable
-> `info` naming the missing data. A course that could not be determined (course.py) and no
poor-risk factor present -> `info` saying so (with a factor: the risk-incomplete card).

Decisions left open by the source, taken here:
- "Symptomatic" = worsening dyspnea recorded in the last 180 days; "increase in GGO" = HRCT
  progression recorded in the last 180 days. "Asymptomatic" needs a recorded assessment:
  worsening dyspnea recorded *absent* in the last 180 days (absence of a record is not
  absence of symptoms).
- "Decrease in VC" = the latest VC (else FVC) of the last 12 months at least 10% (relative)
  below the highest value of the 12 months before it (the A/S-ILD cut-off of R068).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from fhir_mappings.record import PatientRecord

from .. import evidence
from ..compose import finding
from ..data_gaps import MEDICATIONS
from ..derived import Derived
from ..evidence import cite
from ..facts import measurement_fact, unique_facts
from ..findings import Fact, Finding, Indicator
from ..shared_rules import R113
from ..text import bullets, condition_text, day, label, measurement_text
from .assessment import DmpmAssessment, assess, course_lines, group_line, ssc_caveat_for
from .course import R068, R069, VC_DECREASE, vc_decrease_pct
from .risk import R140
from .ssc_overlap import SSC_RULES
from .subtypes import R089
from .treatment import GC_CONCEPTS, active

TOPIC = "dmpm-ild-chronic"
RECENT = timedelta(days=180)
YEAR = timedelta(days=365)

R107 = evidence.rule(
    "R107",
    "JP",
    "§Treatment principles",
    "C-ILD: initial intensive therapy is not usually required; asymptomatic patients may "
    "need no ILD treatment; symptomatic C-ILD: GC first, add an immunosuppressant when the "
    "effect is insufficient or the GC dose must be reduced.",
    topics=(TOPIC,),
)
R078 = evidence.rule(
    "R078",
    "JP",
    "§Anti-ARS Abs",
    "ARS-ILD develops gradually in most cases, responds well to GC, but recurs after GC "
    "withdrawal or dose reduction.",
    figure="Yoshifuji: 28% anti-ARS+, 95% of them with ILD, recurrence 40%",
    topics=(TOPIC,),
)


def _vc_decline(record: PatientRecord) -> tuple[bool | None, str, list[Fact]]:
    for concept in ("vital_capacity", "fvc"):
        latest = record.latest(concept, within=YEAR)
        if latest is None or latest.value is None:
            continue
        prior = record.highest(
            concept, since=latest.when - YEAR, until=latest.when - timedelta(days=1)
        )
        if prior is None or prior.value is None:
            return (
                None,
                f"only one {label(concept)} value in 12 months ({measurement_text(latest)})",
                [measurement_fact(latest)],
            )
        pct = vc_decrease_pct(prior.value, latest.value)
        facts = [measurement_fact(prior), measurement_fact(latest)]
        text = (
            f"{measurement_text(prior)} -> {measurement_text(latest)}"
            f" (change {evidence.fmt_number(-(pct or 0.0))}%)"
        )
        return (pct is not None and VC_DECREASE.holds(pct)), text, facts
    return None, "no VC or FVC in the last 12 months", []


def _recent(record: PatientRecord, concept: str, active: bool = True) -> list[str]:
    since = record.today - RECENT
    hits = [
        c
        for c in record.condition_entries(concept)
        if c.active is active and c.when and c.when >= since
    ]
    return [condition_text(c) for c in hits[-1:]]


def chronic(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    a = derived.dmpm if derived is not None else assess(record)
    if a is None:
        return
    if a.course.kind == "undetermined":
        yield from _undetermined(a)
        return
    if a.course.kind != "chronic":
        return
    symptomatic = _recent(record, "dyspnea_worsening")
    assessed_no_dyspnea = _recent(record, "dyspnea_worsening", active=False)
    ct_worse = _recent(record, "ct_ild_progression")
    vc_down, vc_text, vc_facts = _vc_decline(record)
    on_gc = active(record, GC_CONCEPTS)
    meds_missing = record.missing_data(*MEDICATIONS)
    caveat = ssc_caveat_for(a)
    declining = bool(symptomatic or ct_worse or vc_down)
    data = (
        symptomatic
        + ct_worse
        + (assessed_no_dyspnea if not symptomatic else [])
        + [f"lung function: {vc_text}"]
    )
    if declining:
        if on_gc:
            branch = (
                "Symptomatic or declining while on GC: if no improvement, escalate to GC + "
                "CsA or IVCY (JP Figure 3); add an immunosuppressant when GC must be reduced."
            )
            indicator = Indicator.INFO
        elif meds_missing:
            branch = (
                "Symptomatic or declining. JP Figure 3 regimen: GC; escalate to GC + CsA or "
                "IVCY if no improvement. Whether a GC is already given cannot be decided: "
                + "; ".join(f"{k} unavailable ({why})" for k, why in sorted(meds_missing.items()))
                + "."
            )
            indicator = Indicator.WARNING
        elif caveat:
            branch = (
                "Symptomatic or declining, no GC recorded. JP Figure 3 regimen: **GC**; "
                "escalate to GC + CsA or IVCY if no improvement; in SSc overlap see the "
                "caution below."
            )
            indicator = Indicator.WARNING
        else:
            branch = (
                "Symptomatic or declining, no GC recorded: **start GC** (JP Figure 3); "
                "escalate to GC + CsA or IVCY if no improvement."
            )
            indicator = Indicator.WARNING
        summary = (
            f"Chronic DM/PM-ILD ({a.type_text}) symptomatic or declining: JP Figure 3 GC branch."
        )
    elif vc_down is None or not assessed_no_dyspnea:
        missing = []
        if vc_down is None:
            missing.append("lung-function trend")
        if not assessed_no_dyspnea:
            missing.append("symptom assessment")
        branch = (
            f"Whether the ILD is stable and asymptomatic cannot be judged from the record "
            f"({' and '.join(missing)} missing): observation applies only when a symptom "
            "assessment shows no worsening dyspnea and the VC/FVC is stable."
        )
        summary = (
            f"Chronic DM/PM-ILD ({a.type_text}): {' and '.join(missing)} missing to choose "
            "observation vs GC."
        )
        indicator = Indicator.INFO
    else:
        branch = (
            "No worsening dyspnea recorded in 180 days and VC/FVC stable: **observation** of "
            "the ILD (JP Figure 3); intensive therapy is not usually required, and myositis "
            "therapy often improves C-ILD."
        )
        summary = f"Chronic DM/PM-ILD ({a.type_text}), stable: observation per JP Figure 3."
        indicator = Indicator.INFO
    parts = [
        f"**Chronic ILD** (onset {day(a.course.onset)}; no A/S-ILD criterion within 3 months; "
        "first 3 months: " + "; ".join(a.course.against) + ").",
        bullets(data),
        group_line(a),
        f"**Management:** {branch}",
    ]
    if caveat and declining:
        parts.append(caveat)
    rules = ["R069", "R113", "R107", "R089"]
    group = a.group.group if a.group else None
    if group is not None and group.name == "Chronic 1":
        parts.append(
            "Anti-ARS positive: good GC response but frequent recurrence after GC withdrawal or "
            "dose reduction (Yoshifuji: recurrence 40%); taper slowly and follow up (R078)."
        )
        rules.append("R078")
    cited = [R069, R113, R107, R089] + ([R078] if "R078" in rules else [])
    if caveat and declining:
        cited += list(SSC_RULES)
        rules += [r.id for r in SSC_RULES]
    parts.append(cite(*cited))
    yield Finding(
        topic=TOPIC,
        indicator=indicator,
        summary=summary,
        detail="\n\n".join(parts),
        rules=tuple(rules),
        facts=unique_facts(a.base_facts() + vc_facts + (a.group.facts if a.group else [])),
        priority=40,
    )


def _undetermined(a: DmpmAssessment) -> Iterator[Finding]:
    """Course undetermined and no poor-risk factor present (with one, the risk-incomplete
    card warns): `info`, never "chronic" and never "observation"."""
    risk = a.risk
    if risk is None or risk.present:
        return
    missing = [f"{f.name}: {f.evidence_text}" for f in risk.missing]
    absent = [f"{f.name}: {f.evidence_text}" for f in risk.factors if f.present is False]
    body = [
        "**The A/S-ILD criteria could not be assessed** (JP Figure 3: any one within 3 months "
        f"of onset): {a.course.why_undecided}. C-ILD is asymptomatic, non-rapidly progressive "
        "ILD: a finding, not the absence of records.",
        "Poor-risk factors assessed, not present: " + ("; ".join(absent) or "none"),
    ]
    if missing:
        body.append("Poor-risk factors not assessed: " + "; ".join(missing))
    yield finding(
        topic=TOPIC,
        indicator=Indicator.INFO,
        summary=f"DM/PM-ILD ({a.type_text}): course undetermined, no data on the first 3 "
        "months after onset.",
        patient_data_title="DM/PM-ILD",
        patient_data=course_lines(a),
        body=body,
        rules=(R069, R068, R113, R140),
        facts=a.base_facts() + risk.facts,
        priority=40,
    )
