"""Acute/subacute (A/S-ILD) or chronic (C-ILD) course of DM/PM-ILD.

JP §Onset and progression; Figure 3 (R068, R069; conflict notes Z10, Z21):
"A/S-ILD is defined as rapidly progressive ILD within 3 months from the onset of symptoms":
1) symptomatic exacerbation (dyspnea on exertion); 2) an increase in parenchymal
abnormalities on HRCT; 3) a 10% decrease in VC or a 1.33 kPa decrease in PaO2 (Figure 3:
"Decrease in VC >10% or PaO2 >10 mm Hg"; "1), 2), or 3) within 3 months"). C-ILD is
asymptomatic, non-rapidly progressive ILD, or ILD progressing slowly over more than 3 months.

When/Then: any one criterion dated 0–90 days after ILD symptom onset -> A/S-ILD. A recorded
diagnosis of acute interstitial pneumonia / rapidly progressive ILD -> A/S-ILD. No criterion
and more than 90 days since onset -> chronic. Otherwise (onset unknown, or still inside the
first 90 days with no criterion) -> undecided (None): no course card.

Decisions left open by the source, taken here:
- "3 months" = 90 days; criteria dated on day 90 count, day 91 do not.
- VC decrease is relative, >=10% (text and ATS/ERS, Z10), VC or else FVC; the baseline is the
  first value from 90 days before onset, the decreased value is dated 0–90 days after onset.
  The percentage is rounded to 0.01 % before comparison (no float noise at 10 %).
- PaO2 decrease >=10 mmHg (1.33 kPa, Z10); decreases are rounded to 0.1 mmHg, the resolution
  of blood-gas reports, so a fall of 1.33 kPa (9.98 mmHg) counts as 10 mmHg.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from fhir_mappings.record import Measurement, PatientRecord

from .. import evidence
from ..diseases import first_ild_entry
from ..facts import condition_fact, measurement_fact
from ..findings import Fact
from ..text import day, label, measurement_text

TOPICS_COURSE = (
    "dmpm-ild-acute-subacute",
    "dmpm-ild-poor-prognosis",
    "dmpm-ild-risk-incomplete",
    "dmpm-ild-chronic",
)

R068 = evidence.rule(
    "R068",
    "JP",
    "§Onset and progression; Figure 3",
    "A/S-ILD: rapidly progressive ILD within 3 months of symptom onset; any one of "
    "1) symptomatic exacerbation (dyspnea on exertion), 2) increase of parenchymal "
    "abnormalities on HRCT, 3) decrease in VC or PaO2.",
    figure="text: 10% decrease in VC or 1.33 kPa decrease in PaO2; Figure 3: Decrease in VC "
    ">10% or PaO2 >10 mm Hg; 1), 2), or 3) within 3 months",
    topics=TOPICS_COURSE,
)
R069 = evidence.rule(
    "R069",
    "JP",
    "§Onset and progression",
    "Chronic ILD (C-ILD): asymptomatic, non-rapidly progressive ILD, or ILD progressing "
    "slowly over more than 3 months.",
    figure="over more than 3 months",
    topics=("dmpm-ild-chronic",),
)

AS_WINDOW_DAYS = 90  # "within 3 months" of symptom onset (R068)
VC_DECREASE = evidence.Threshold("vital_capacity_decrease", ">=", 10.0, "%", R068)
PAO2_DECREASE = evidence.Threshold("pao2_decrease", ">=", 10.0, "mmHg", R068)

CourseKind = Literal["acute_subacute", "chronic"]


@dataclass
class Course:
    kind: CourseKind | None
    onset: date | None
    criteria: list[str] = field(default_factory=list)  # plain-text criteria met
    facts: list[Fact] = field(default_factory=list)
    why_undecided: str = ""


@dataclass(frozen=True)
class Decrease:
    earlier: Measurement
    later: Measurement
    amount: float  # % for VC/FVC, mmHg for PaO2

    def text(self, unit: str) -> str:
        return (
            f"{label(self.later.concept)} fell {evidence.fmt_number(self.amount)}"
            f" {unit}: {measurement_text(self.earlier)} -> "
            f"{measurement_text(self.later)}"
        )


def vc_decrease_pct(earlier: float, later: float) -> float | None:
    """Relative decrease in %, rounded to 0.01 %; None if the earlier value is not positive."""
    if earlier <= 0:
        return None
    return round((earlier - later) / earlier * 100.0, 2)


def pao2_decrease_mmhg(earlier: float, later: float) -> float:
    return round(earlier - later, 1)


def largest_vc_decrease(
    record: PatientRecord, since: date, until: date, later_from: date
) -> Decrease | None:
    """Largest relative VC (else FVC) decrease meeting the threshold, later value in window."""
    for concept in ("vital_capacity", "fvc"):
        values = record.series(concept, since=since, until=until)
        if len(values) < 2:
            continue
        base = values[0]
        best: Decrease | None = None
        for m in values[1:]:
            if m.when < later_from or base.value is None or m.value is None:
                continue
            pct = vc_decrease_pct(base.value, m.value)
            if pct is not None and VC_DECREASE.holds(pct) and (best is None or pct > best.amount):
                best = Decrease(base, m, pct)
        if best is not None:
            return best
    return None


def largest_pao2_decrease(
    record: PatientRecord, since: date, until: date, later_from: date
) -> Decrease | None:
    values = record.series("pao2", since=since, until=until)
    if len(values) < 2:
        return None
    base = values[0]
    best: Decrease | None = None
    for m in values[1:]:
        if m.when < later_from or base.value is None or m.value is None:
            continue
        drop = pao2_decrease_mmhg(base.value, m.value)
        if PAO2_DECREASE.holds(drop) and (best is None or drop > best.amount):
            best = Decrease(base, m, drop)
    return best


def classify_course(record: PatientRecord) -> Course:
    """Is the ILD acute/subacute, chronic, or not yet decidable?"""
    ild = first_ild_entry(record)
    if ild is None:
        return Course(None, None, why_undecided="no active ILD diagnosis")
    onset = ild.when
    course = Course(None, onset)
    rp = record.condition("rp_ild_or_aip")
    if rp is not None:
        course.criteria.append(
            f"recorded diagnosis of acute interstitial pneumonia / rapidly progressive ILD "
            f"({day(rp.when)})"
        )
        course.facts.append(condition_fact(rp))
    if onset is None:
        if course.criteria:
            course.kind = "acute_subacute"
        else:
            course.why_undecided = "the ILD has no onset date"
        return course
    end = onset + timedelta(days=AS_WINDOW_DAYS)
    for concept in ("dyspnea_worsening", "ct_ild_progression"):
        hits = [
            c
            for c in record.condition_entries(concept)
            if c.active and c.when is not None and onset <= c.when <= end
        ]
        if hits:
            first = hits[0]
            course.criteria.append(
                f"{label(concept)} on {day(first.when)}, "
                f"{(first.when - onset).days if first.when else '?'} days after onset"
            )
            course.facts.append(condition_fact(first))
    baseline_from = onset - timedelta(days=AS_WINDOW_DAYS)
    vc = largest_vc_decrease(record, baseline_from, end, onset)
    if vc is not None:
        course.criteria.append(f"{vc.text('%')} (threshold {VC_DECREASE.text})")
        course.facts += [measurement_fact(vc.earlier), measurement_fact(vc.later)]
    pao2 = largest_pao2_decrease(record, baseline_from, end, onset)
    if pao2 is not None:
        course.criteria.append(f"{pao2.text('mmHg')} (threshold {PAO2_DECREASE.text}, 1.33 kPa)")
        course.facts += [
            measurement_fact(pao2.earlier),
            measurement_fact(pao2.later),
        ]
    if course.criteria:
        course.kind = "acute_subacute"
    elif (record.today - onset).days > AS_WINDOW_DAYS:
        course.kind = "chronic"
    else:
        course.why_undecided = "still within 3 months of onset with no progression criterion"
    return course
