"""Chronic DM/PM-ILD: observe or treat with glucocorticoid.

JP Figure 3 (R113): "Chronic ILD -> symptomatic, decrease in VC, increase in GGO? Yes -> GC
(-> GC + CsA/IVCY if no improvement); No -> observation for ILD." JP §Treatment principles
(R107): initial intensive therapy is not usually required; asymptomatic patients may need
no ILD treatment; symptomatic C-ILD: GC first, add an immunosuppressant when the effect is
insufficient or the GC dose must come down. JP §Anti-ARS (R078): ARS-ILD responds well to
GC but recurs after withdrawal or dose reduction (Yoshifuji: recurrence 40%).

When/Then: chronic DM/PM-ILD (R069) -> a card with the subtype group and the branch:
symptomatic or declining -> GC (`warning` when not on GC); asymptomatic and stable ->
observation (`info`); not judgeable -> `info` naming the missing data.

Decisions left open by the source, taken here:
- "Symptomatic" = worsening dyspnea recorded in the last 180 days; "increase in GGO" = HRCT
  progression recorded in the last 180 days.
- "Decrease in VC" = the latest VC (else FVC) of the last 12 months at least 10% (relative)
  below the highest value of the 12 months before it (the A/S-ILD cut-off of R068).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from fhir_mappings.record import PatientRecord

from .. import evidence
from ..evidence import cite
from ..facts import measurement_fact, unique_facts
from ..findings import Fact, Finding, Indicator
from ..shared_rules import R113
from ..text import bullets, condition_text, day, label, measurement_text
from .assessment import assess, group_line
from .course import R069, VC_DECREASE, vc_decrease_pct
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


def _recent(record: PatientRecord, concept: str) -> list[str]:
    since = record.today - RECENT
    hits = [c for c in record.condition_entries(concept) if c.active and c.when and c.when >= since]
    return [condition_text(c) for c in hits[-1:]]


def chronic(record: PatientRecord) -> Iterator[Finding]:
    a = assess(record)
    if a is None or a.course.kind != "chronic":
        return
    symptomatic = _recent(record, "dyspnea_worsening")
    ct_worse = _recent(record, "ct_ild_progression")
    vc_down, vc_text, vc_facts = _vc_decline(record)
    on_gc = active(record, GC_CONCEPTS)
    declining = bool(symptomatic or ct_worse or vc_down)
    data = symptomatic + ct_worse + [f"lung function: {vc_text}"]
    if declining:
        if on_gc:
            branch = (
                "Symptomatic or declining while on GC: if no improvement, escalate to GC + "
                "CsA or IVCY (JP Figure 3); add an immunosuppressant when GC must be reduced."
            )
        else:
            branch = (
                "Symptomatic or declining: **start GC** (JP Figure 3); escalate to GC + CsA or "
                "IVCY if no improvement."
            )
        summary = f"Chronic DM/PM-ILD ({a.type_text}) symptomatic or declining: GC per JP Figure 3."
        indicator = Indicator.WARNING if not on_gc else Indicator.INFO
    elif vc_down is None:
        branch = (
            "Whether the ILD is stable cannot be judged from the record (lung-function trend "
            "missing): observation applies only if asymptomatic and stable."
        )
        summary = (
            f"Chronic DM/PM-ILD ({a.type_text}): lung-function trend missing to choose "
            "observation vs GC."
        )
        indicator = Indicator.INFO
    else:
        branch = (
            "Asymptomatic and stable: **observation** of the ILD (JP Figure 3); intensive "
            "therapy is not usually required, and myositis therapy often improves C-ILD."
        )
        summary = f"Chronic DM/PM-ILD ({a.type_text}), stable: observation per JP Figure 3."
        indicator = Indicator.INFO
    parts = [
        f"**Chronic ILD** (onset {day(a.course.onset)}, no A/S-ILD criterion within 3 months).",
        bullets(data),
        group_line(a),
        f"**Management:** {branch}",
    ]
    rules = ["R069", "R113", "R107", "R089"]
    group = a.group.group if a.group else None
    if group is not None and group.name == "Chronic 1":
        parts.append(
            "Anti-ARS positive: good GC response but frequent recurrence after GC withdrawal or "
            "dose reduction (Yoshifuji: recurrence 40%); taper slowly and follow up (R078)."
        )
        rules.append("R078")
    parts.append(cite(*[R069, R113, R107, R089] + ([R078] if "R078" in rules else [])))
    yield Finding(
        topic=TOPIC,
        indicator=indicator,
        summary=summary,
        detail="\n\n".join(parts),
        rules=tuple(rules),
        facts=unique_facts(a.base_facts() + vc_facts + (a.group.facts if a.group else [])),
        priority=40,
    )
