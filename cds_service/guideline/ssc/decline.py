"""SSc-ILD follow-up decline (KR §Classification 2, R024 part 2; conflict note Z11).

Recommendation (KR): treatment should be considered "on a follow-up PFT" when DLCO declines
over 15% or FVC over 10%. The seed leaves relative vs absolute and the interval open (Z11).

When: SSc-ILD, and the latest FVC % predicted (or DLCO % predicted) of the last 12 months has
fallen from the highest value of the 12 months before it by a **relative** decline of >10%
(FVC) or >15% (DLCO) (contract; Z11). Then: card (warning) with both the relative and the
absolute change, and the SSc-ILD options for progression (ACR/CHEST 2023 Figure 4).

Decisions: relative = (peak - latest) / peak; the absolute change (points of predicted) is
shown beside it, never used to decide here (the PPF card applies ATS 2022's absolute rule).
A censored value (comparator) decides only when its bound settles the threshold. With no
decline found but ``respiratory`` unavailable for this call (or a censored value that cannot
decide): ``info`` card saying the decline could not be assessed (never a silent "no").
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.lung_volumes import volume_concept
from fhir_mappings.record import PatientRecord

from ..compose import finding
from ..ctd_ild.physiology import PeakDecline, decline_from_peak
from ..data_gaps import LUNG_FUNCTION, gap_text
from ..derived import Derived
from ..diseases import has_ctd_ild
from ..evidence import Threshold, fmt_number
from ..facts import measurement_fact
from ..findings import Fact, Finding, Indicator
from ..shared_rules import R037
from ..text import day, measured_quantity, measurement_text, threshold_text
from .options import NO_GLUCOCORTICOID, OPTION_RULES, OPTIONS
from .treatment_indicated import R024

TOPIC = "ssc-ild-decline"

FVC_DECLINE = Threshold("fvc_pct_pred_relative_decline", ">", 10.0, "% (relative)", R024)
DLCO_DECLINE = Threshold("dlco_pct_pred_relative_decline", ">", 15.0, "% (relative)", R024)

MEASURES = (("fvc_pct_pred", "FVC", FVC_DECLINE), ("dlco_pct_pred", "DLCO", DLCO_DECLINE))


def significant_decline(change: PeakDecline, threshold: Threshold) -> bool | None:
    relative = change.relative_percent
    return None if relative is None else change.decide(threshold, relative)


def describe_change(change: PeakDecline) -> str:
    relative = change.relative_percent
    rel = f"{fmt_number(relative)}% relative" if relative is not None else "relative n/a"
    return (
        f"{measurement_text(change.latest)} vs highest of the preceding 12 months "
        f"{measured_quantity(change.peak)} ({day(change.peak.when)}): "
        f"decline {rel}, {fmt_number(change.absolute_points)} {_points(change)}"
    )


def _points(change: PeakDecline) -> str:
    """ "points" of % predicted; the volume's unit when the decline is read on volumes."""
    unit = change.latest.unit
    return "points" if unit in (None, "%") else unit


def ssc_ild_decline(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    if not has_ctd_ild(record, "ssc"):
        return
    hits: list[str] = []
    undecided: list[str] = []
    lines: list[str] = []
    facts: list[Fact] = []
    for concept, label, threshold in MEASURES:
        # relative decline: from % predicted, else from the volumes themselves (L or mL)
        volume = volume_concept(concept)
        change = decline_from_peak(record, concept) or (
            decline_from_peak(record, volume) if volume else None
        )
        if change is None:
            lines.append(f"{label}: no pair of values within 12 months to compare")
            continue
        lines.append(describe_change(change))
        facts.extend((measurement_fact(change.latest), measurement_fact(change.peak)))
        decided = significant_decline(change, threshold)
        if decided:
            hits.append(f"{label} {threshold_text(threshold)}")
        elif decided is None:
            undecided.append(f"{label}: censored value, cannot decide")
    if not hits:
        gaps = record.missing_data(*LUNG_FUNCTION)
        if gaps:
            undecided.append(f"lung function: not assessed in full: {gap_text(gaps)}")
        if undecided:
            yield finding(
                topic=TOPIC,
                indicator=Indicator.INFO,
                summary=(
                    "SSc-ILD lung function decline could not be assessed: "
                    "data unavailable or censored."
                ),
                why=lines + undecided,
                body=(_BODY,),
                rules=(R024,),
                facts=tuple(facts),
                priority=15,
            )
        return
    rules = (R024, *OPTION_RULES, R037)
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=(
            f"SSc-ILD lung function decline ({' and '.join(hits)} from the 12-month peak): "
            "reassess treatment."
        ),
        why=lines,
        body=(_BODY,),
        what_to_do=OPTIONS,
        notes=(NO_GLUCOCORTICOID,),
        rules=rules,
        facts=tuple(facts),
        priority=15,
    )


_BODY = (
    f"Korean guideline: consider treatment when forced vital capacity (FVC) falls "
    f"{threshold_text(FVC_DECLINE)} or DLCO {threshold_text(DLCO_DECLINE)} from the highest "
    "value of the preceding 12 months."
)
