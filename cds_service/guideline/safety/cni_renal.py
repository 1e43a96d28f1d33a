"""Renal function on a calcineurin inhibitor: creatinine against the pre-treatment baseline.

Recommendation: JP §Importance of monitoring (R111) names nephrotoxicity of cyclosporine among
the adverse events to watch, and the intensive bundle (R141) lists renal function; neither
gives a figure. The service flags a serum creatinine **>=30% above the pre-treatment
baseline** (the dose-reduction trigger used in consensus recommendations for cyclosporine in
rheumatic disease; a decision of this service, named as such on the card), and a creatinine
above the laboratory's reference range when no baseline is on record.

Decisions:
- baseline = the latest creatinine dated on or before the start of the calcineurin inhibitor
  and no more than 365 days before it; current = the latest creatinine after the start,
  no older than 30 days;
- the rise is relative: (current - baseline) / baseline; the record gives mg/dL whether the
  lab reported mg/dL or umol/L (unit normalization), so the ratio is unit-free;
- a start date unknown or no baseline: the rise is "not assessable", said as such; the
  current value is still judged against the lab's own range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from fhir_mappings.record import Measurement, MedicationEntry, PatientRecord

from ..evidence import Threshold
from ..facts import measurement_fact
from ..findings import Fact
from ..shared_rules import R111
from ..text import measured_quantity, measurement_text, number, threshold_text

CREATININE_RISE = Threshold("creatinine_rise_from_baseline", ">=", 30.0, "%", R111)
BASELINE_WINDOW = timedelta(days=365)
CURRENT_WITHIN = timedelta(days=30)


@dataclass
class RenalCheck:
    problem: str | None = None  # what is wrong, for the summary; None = nothing found
    #: the rise from the pre-treatment value reaches ``CREATININE_RISE`` (not merely a value
    #: above the laboratory's range)
    risen: bool = False
    lines: list[str] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)


def _baseline(record: PatientRecord, med: MedicationEntry) -> Measurement | None:
    if med.start is None:
        return None
    values = record.series("creatinine", since=med.start - BASELINE_WINDOW, until=med.start)
    return values[-1] if values else None


def creatinine_check(record: PatientRecord, med: MedicationEntry) -> RenalCheck:
    """Creatinine on ``med`` (cyclosporine or tacrolimus) against its pre-treatment value."""
    out = RenalCheck()
    current = record.latest("creatinine", within=CURRENT_WITHIN)
    if current is None or (med.start is not None and current.when <= med.start):
        return out
    out.facts.append(measurement_fact(current))
    baseline = _baseline(record, med)
    if baseline is None or not baseline.value or current.value is None:
        why = "start date unknown" if med.start is None else "no creatinine before the start"
        out.lines.append(f"{measurement_text(current)}; rise from baseline not assessable ({why})")
        if current.above_range():
            out.problem = f"creatinine {measured_quantity(current)} above the reference range"
        return out
    out.facts.append(measurement_fact(baseline))
    rise = round(100.0 * (current.value - baseline.value) / baseline.value, 6)
    hit = CREATININE_RISE.decide(rise, current.comparator or None)
    line = (
        f"{measurement_text(current)}, before treatment {measured_quantity(baseline)} "
        f"({baseline.when.isoformat()}): {'up' if rise >= 0 else 'down'} {number(abs(rise))}%"
    )
    if hit:
        out.risen = True
        out.problem = f"creatinine up {number(rise)}% from before treatment"
        line += f" (flag at {threshold_text(CREATININE_RISE)}: possible nephrotoxicity)"
    elif current.above_range():
        out.problem = f"creatinine {measured_quantity(current)} above the reference range"
    out.lines.append(line)
    return out
