"""Chronic DM/PM-ILD: observe or treat with glucocorticoid.

JP Figure 3 (R113): "Chronic ILD -> symptomatic, decrease in VC, increase in GGO? Yes -> GC
(-> GC + CsA/IVCY if no improvement); No -> observation for ILD." JP §Treatment principles
(R107): initial intensive therapy is not usually required; asymptomatic patients may need
no ILD treatment; symptomatic C-ILD: GC first, add an immunosuppressant when the effect is
insufficient or the GC dose must come down. JP §Anti-ARS (R078): ARS-ILD responds well to
GC but recurs after withdrawal or dose reduction (Yoshifuji: recurrence 40%).

When/Then: chronic DM/PM-ILD (R069: onset more than 3 months ago, no A/S-ILD criterion in
the first 3 months, the course since shown by the record; course.py) -> a card that states
that basis, the subtype group and the branch:
symptomatic or declining -> the JP GC branch (`warning` when no GC is recorded or the
medications could not be fetched; never an imperative "start GC"; with SSc the
glucocorticoid caveat of ``ssc_overlap``); no worsening dyspnea recorded in 180 days, a
recorded symptom assessment and a stable VC/FVC pair -> observation (`info`); not judgeable
-> `info` naming the missing data. Anti-MDA5 positive with a chronic course: described as
JP §Predictive factors does (R083): anti-MDA5-positive chronic ILD exists and is not
associated with a poor prognosis; no poor-risk escalation is ever made on a chronic course.
An undetermined course is the risk-incomplete card's.

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

from fhir_mappings.record import AntibodyResult, PatientRecord

from .. import evidence
from ..compose import finding
from ..data_gaps import MEDICATIONS, gap_text
from ..derived import Derived
from ..facts import antibody_fact, measurement_fact
from ..findings import Fact, Finding, Indicator
from ..shared_rules import R083, R113
from ..text import day, label, measurement_text
from .assessment import assess, group_line, ssc_caveat_for
from .course import R069, VC_DECREASE, vc_decrease_pct
from .readers import VOLUME_CONCEPTS, entries, entry_text
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
    for concept in VOLUME_CONCEPTS:
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
            f"{measurement_text(prior)} → {measurement_text(latest)}"
            f" (change {evidence.fmt_number(-(pct or 0.0))}%)"
        )
        return (pct is not None and VC_DECREASE.holds(pct)), text, facts
    return None, "no VC or FVC in the last 12 months", []


def _recent(record: PatientRecord, concept: str, present: bool = True) -> list[str]:
    """The latest entry of the last 180 days, as text (or none)."""
    found = entries(record, concept, record.today - RECENT, None, present)
    return [entry_text(c) for c in found[-1:]]


def _branch(
    record: PatientRecord, declining: bool, vc_down: bool | None, assessed: bool, ssc: bool
) -> tuple[str, list[str], Indicator]:
    """(summary tail, what to do, indicator) of JP Figure 3's chronic branch."""
    if declining:
        if active(record, GC_CONCEPTS):
            return (
                "symptomatic or declining on GC: JP Figure 3 escalation",
                [
                    "No improvement on GC: add CsA or IVCY; add an immunosuppressant when GC "
                    "must come down."
                ],
                Indicator.INFO,
            )
        gaps = record.missing_data(*MEDICATIONS)
        todo = (
            "JP Figure 3 regimen: glucocorticoid (GC), only with an SSc expert (see the caution)"
            if ssc
            else "JP Figure 3: **start GC** (glucocorticoid)"
        ) + "; no improvement: add cyclosporine (CsA) or intravenous cyclophosphamide (IVCY)."
        if gaps:
            todo += f" Whether GC is already given cannot be decided: {gap_text(gaps)}."
        return "symptomatic or declining: JP Figure 3 GC branch", [todo], Indicator.WARNING
    if vc_down is None or not assessed:
        missing = (["lung-function trend"] if vc_down is None else []) + (
            [] if assessed else ["symptom assessment"]
        )
        return (
            f"{' and '.join(missing)} missing to choose observation vs GC",
            [
                "Observation applies when a symptom assessment shows no worse dyspnoea and VC/FVC "
                "is stable: record " + " and ".join(missing) + "."
            ],
            Indicator.INFO,
        )
    return (
        "stable: observation per JP Figure 3",
        [
            "**observation** of the ILD (JP Figure 3); initial intensive therapy is not "
            "required, and treating the myositis often improves chronic ILD."
        ],
        Indicator.INFO,
    )


def _mda5_positive(record: PatientRecord) -> AntibodyResult | None:
    result = record.antibody("anti_mda5")
    return result if result is not None and result.status == "positive" else None


def chronic(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    a = derived.dmpm if derived is not None else assess(record)
    if a is None or a.course.kind != "chronic":
        return
    symptomatic = _recent(record, "dyspnea_worsening")
    assessed_no_dyspnea = _recent(record, "dyspnea_worsening", present=False)
    ct_worse = _recent(record, "ct_ild_progression")
    vc_down, vc_text, vc_facts = _vc_decline(record)
    declining = bool(symptomatic or ct_worse or vc_down)
    tail, todo, indicator = _branch(
        record, declining, vc_down, bool(assessed_no_dyspnea or symptomatic), a.ssc
    )
    trend_shown = any("→" in line for line in a.course.against)
    months = (record.today - a.course.onset).days // 30 if a.course.onset else 0
    summary = f"Chronic {a.disease} ({months} months, no acute/subacute criterion): {tail}."
    if len(summary) > 139:
        summary = f"Chronic {a.disease}: {tail}."
    caveat = ssc_caveat_for(a) if declining else None
    body = [group_line(a)]
    rules = [R069, R113, R107, R089]
    group = a.group.group if a.group else None
    if group is not None and group.name == "Chronic 1":
        body.append(
            "Anti-synthetase (anti-ARS) positive: good GC response but frequent recurrence on "
            "GC withdrawal or dose reduction (Yoshifuji: 40%); taper slowly."
        )
        rules.append(R078)
    mda5 = _mda5_positive(record)
    if mda5 is not None:
        body.append(
            f"Anti-MDA5 positive ({mda5.when.isoformat()}), chronic course: anti-MDA5-positive "
            "chronic ILD is not associated with a poor prognosis; no initial combination "
            "therapy. Recheck if the course accelerates."
        )
        rules.append(R083)
    if caveat:
        body.append(caveat)
        rules += list(SSC_RULES)
    yield finding(
        topic=TOPIC,
        indicator=indicator,
        summary=summary,
        why_title="chronic ILD: no acute/subacute criterion within 3 months of onset",
        why=[f"ILD onset {day(a.course.onset)}; myositis type {a.type_text}"]
        + a.course.against
        + symptomatic
        + ct_worse
        + (assessed_no_dyspnea if not symptomatic else [])
        + ([f"last 12 months: {vc_text}"] if vc_down is not False or not trend_shown else []),
        body=body,
        what_to_do=todo,
        rules=rules,
        facts=a.base_facts()
        + vc_facts
        + (a.group.facts if a.group else [])
        + ([antibody_fact(mda5)] if mda5 is not None else []),
        priority=40,
    )
