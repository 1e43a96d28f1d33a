"""KL-6 rising after the start of treatment of DM/PM-ILD.

JP §KL-6 (R087): "A single KL-6 value does not predict outcome (initial KL-6 was normal in
about 30% of A/S-ILD). An increase ratio of KL-6 >1.70 within the first 4 weeks after
starting treatment is a poor prognostic factor."

When/Then: DM/PM-ILD, current treatment started (high-dose GC, calcineurin inhibitor or
cyclophosphamide), KL-6 at start and a KL-6 1–28 days after start; ratio = later ÷ start
value; any ratio >1.70 -> `warning`.

Decisions left open by the source, taken here:
- The value "at start" is the latest KL-6 from 14 days before to the day of the start.
- The ratio is rounded to 0.001 before comparison; day 28 counts, day 29 does not.
- A KL-6 reported as a bound (">5000") gives a bounded ratio (``bounds.rises_by``), judged
  with ``Threshold.decide``; a ratio the bound cannot settle does not fire.
- Medications not fully available: the treatment start may be wrong; the card names the gap.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from fhir_mappings.record import PatientRecord

from .. import evidence
from ..compose import finding
from ..derived import Derived
from ..facts import measurement_fact
from ..findings import Finding, Indicator
from ..text import COMPARATOR_TEXT, label, measurement_text, threshold_text
from .bounds import rises_by
from .treatment import medication_gap, treated_dmpm_ild

TOPIC = "kl6-rising"
WINDOW_DAYS = 28
BASELINE_BEFORE = timedelta(days=14)

R087 = evidence.rule(
    "R087",
    "JP",
    "§KL-6",
    "An increase ratio of KL-6 >1.70 within the first 4 weeks after starting treatment is a "
    "poor prognostic factor; a single KL-6 value does not predict outcome.",
    figure="KL-6 increase ratio >1.70 within 4 weeks",
    topics=(TOPIC,),
)
KL6_RATIO = evidence.Threshold("kl6_ratio", ">", 1.70, "", R087)


def kl6_ratio(start_value: float, later_value: float) -> float | None:
    return round(later_value / start_value, 3) if start_value > 0 else None


def kl6_rising(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    started = treated_dmpm_ild(record)
    if started is None:
        return
    start, med = started
    base = record.latest("kl6", until=start)
    if base is None or base.value is None or base.when < start - BASELINE_BEFORE:
        return
    later = record.series(
        "kl6", since=start + timedelta(days=1), until=start + timedelta(days=WINDOW_DAYS)
    )
    hits = []
    for m in later:
        if m.value is None:
            continue
        ratio = kl6_ratio(base.value, m.value)
        usable, comparator = rises_by(base, m)
        if ratio is not None and usable and KL6_RATIO.decide(ratio, comparator):
            hits.append((ratio, comparator, m))
    if not hits:
        return
    ratio, comparator, worst = max(hits, key=lambda h: h[0])
    bound = COMPARATOR_TEXT.get(comparator or "", "")
    gap = medication_gap(record)
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=f"KL-6 rose {bound}{evidence.fmt_number(ratio)}-fold within 4 weeks of treatment "
        f"start (ratio {threshold_text(KL6_RATIO)} is a poor prognostic factor).",
        why=[
            f"KL-6 increase ratio {bound}{evidence.fmt_number(ratio)} (threshold "
            f"{threshold_text(KL6_RATIO)}) within 4 weeks of starting {label(med.concept)} "
            f"({start.isoformat()})",
            f"at start: {measurement_text(base)}",
            f"day {(worst.when - start).days}: {measurement_text(worst)}",
        ],
        body=(
            f"A KL-6 ratio {threshold_text(KL6_RATIO)} in the first 4 weeks is a poor prognostic "
            "factor (Japanese review); a single KL-6 value alone does not predict outcome.",
        ),
        what_to_do=("Reassess the regimen and monitor closely.",),
        notes=(gap,) if gap else (),
        rules=(R087,),
        facts=(measurement_fact(base), measurement_fact(worst)),
        priority=30,
    )
