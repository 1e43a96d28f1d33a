"""Activity markers rising during treatment of DM/PM-ILD (ferritin, anti-MDA5 titre).

JP §Anti-MDA5 Ab (R074): ferritin is associated with A/S-ILD severity and activity; the
anti-MDA5 titre correlates with ILD activity and ferritin. JP §Serum ferritin (R086):
ferritin is a predictive factor and an activity biomarker. JP §Importance of monitoring
(R111): monitor disease activity by serum ferritin, anti-MDA5 titre and clinical signs.

When/Then: DM/PM-ILD on treatment (high-dose GC, calcineurin inhibitor or cyclophosphamide)
and the latest ferritin (or anti-MDA5 titre/value) measured since 14 days before the start
is higher than the one before it -> card; `warning` when the latest ferritin is
>1,000 ng/mL (the Figure 3 cut-off), else `info`.

Decisions left open by the source, taken here: the sources give no magnitude for "rising";
any rise between the last two on-treatment values fires, and the card shows both values and
dates so the clinician judges its size. Anti-MDA5 values are compared only when both carry a
titre, or both a value in the same unit.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from fhir_mappings.record import AntibodyResult, PatientRecord

from .. import evidence
from ..compose import finding
from ..derived import Derived
from ..facts import antibody_fact, measurement_fact
from ..findings import Fact, Finding, Indicator
from ..shared_rules import R111
from ..text import antibody_text, label, measurement_text, threshold_text
from .assessment import assess
from .risk import FERRITIN_HIGH, R086
from .treatment import medication_gap, treated_dmpm_ild

TOPIC = "dmpm-ild-activity-rising"

R074 = evidence.rule(
    "R074",
    "JP",
    "§Anti-MDA5 Ab",
    "Ferritin is associated with A/S-ILD severity and activity in DM; the anti-MDA5 titre "
    "correlates with ILD activity and ferritin.",
    topics=(TOPIC,),
)


def _titre_pair(results: list[AntibodyResult]) -> tuple[AntibodyResult, AntibodyResult] | None:
    if len(results) < 2:
        return None
    prev, last = results[-2], results[-1]
    if prev.titer is not None and last.titer is not None:
        return (prev, last) if last.titer > prev.titer else None
    if prev.value is not None and last.value is not None and prev.unit == last.unit:
        return (prev, last) if last.value > prev.value else None
    return None


def activity_rising(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    started = treated_dmpm_ild(record)
    if started is None:
        return
    start, med = started
    since = start - timedelta(days=14)
    lines: list[str] = []
    facts: list[Fact] = []
    warning = False
    ferritin = record.series("ferritin", since=since, until=record.today)
    if len(ferritin) >= 2 and (ferritin[-1].value or 0.0) > (ferritin[-2].value or 0.0):
        prev, last = ferritin[-2], ferritin[-1]
        lines.append(f"ferritin rising: {measurement_text(prev)} -> {measurement_text(last)}")
        facts += [measurement_fact(prev), measurement_fact(last)]
        warning = (
            last.value is not None and FERRITIN_HIGH.decide(last.value, last.comparator) is True
        )
    mda5 = [r for r in record.antibody_results("anti_mda5") if r.when >= since]
    pair = _titre_pair(mda5)
    if pair is not None:
        lines.append(f"anti-MDA5 rising: {antibody_text(pair[0])} -> {antibody_text(pair[1])}")
        facts += [
            antibody_fact(pair[0]),
            antibody_fact(pair[1]),
        ]
    if not lines:
        return
    gap = medication_gap(record)
    high = f"Latest ferritin {threshold_text(FERRITIN_HIGH)}. " if warning else ""
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING if warning else Indicator.INFO,
        summary="DM/PM-ILD activity markers rising on treatment: "
        + "; ".join(line.split(":")[0] for line in lines)
        + ".",
        why=[f"on {label(med.concept)} since {start.isoformat()}", *lines],
        body=(
            "Ferritin and the anti-MDA5 titre track DM/PM-ILD activity (Japanese review). " + high,
        ),
        what_to_do=(_next_step(record, derived),),
        notes=(gap,) if gap else (),
        rules=(R074, R086, R111),
        facts=facts,
        priority=35,
    )


def _next_step(record: PatientRecord, derived: Derived | None) -> str:
    """Escalation is named only once the course is known (R140: the course first)."""
    assessment = derived.dmpm if derived is not None else assess(record)
    if assessment is None or assessment.course.kind == "undetermined":
        return (
            "Reassess disease activity and the respiratory condition; establish the course "
            "(acute/subacute or chronic) before any escalation."
        )
    return (
        "Reassess disease activity and the respiratory condition; uncontrolled activity "
        "with worsening respiration calls for escalation or salvage therapy."
    )
