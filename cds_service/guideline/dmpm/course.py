"""Acute/subacute (A/S-ILD) or chronic (C-ILD) course of DM/PM-ILD.

JP §Onset and progression; Figure 3 (R068, R069; conflict notes Z10, Z21):
"A/S-ILD is defined as rapidly progressive ILD within 3 months from the onset of symptoms":
1) symptomatic exacerbation (dyspnea on exertion); 2) an increase in parenchymal
abnormalities on HRCT; 3) a 10% decrease in VC or a 1.33 kPa decrease in PaO2 (Figure 3:
"Decrease in VC >10% or PaO2 >10 mm Hg"; "1), 2), or 3) within 3 months"). C-ILD is
asymptomatic, non-rapidly progressive ILD, or ILD progressing slowly over more than 3 months.

When/Then: any one criterion dated 0–90 days after ILD symptom onset -> A/S-ILD. A recorded
diagnosis of acute interstitial pneumonia / rapidly progressive ILD -> A/S-ILD. No criterion,
more than 90 days since onset, and evidence *against* A/S-ILD in the first 90 days (a VC/FVC
or PaO2 pair without the decrease, or dyspnea worsening / HRCT progression recorded absent),
with every data set that could hold a criterion available -> chronic. No criterion and no
such evidence (the first 3 months simply have no data) -> "undetermined": C-ILD is a
finding ("asymptomatic, non-rapidly progressive"), not the lack of one (R069, R140).
Otherwise (onset unknown, or still inside the first 90 days with no criterion) -> undecided
(None): no course card.

Decisions left open by the source, taken here:
- "3 months" = 90 days; criteria dated on day 90 count, day 91 do not.
- VC decrease is relative, >=10% (text and ATS/ERS, Z10), VC or else FVC; the baseline is the
  first value from 90 days before onset, the decreased value is dated 0–90 days after onset.
  The percentage is rounded to 0.01 % before comparison (no float noise at 10 %).
- PaO2 decrease >=10 mmHg (1.33 kPa, Z10); decreases are rounded to 0.1 mmHg, the resolution
  of blood-gas reports, so a fall of 1.33 kPa (9.98 mmHg) counts as 10 mmHg.
- A value reported as a bound (">", "<") gives a bounded decrease (``bounds.falls_by``),
  judged with ``Threshold.decide``; a pair it cannot settle is neither a criterion nor
  evidence against one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from fhir_mappings.record import Measurement, PatientRecord

from .. import evidence
from ..diseases import first_ild_entry
from ..facts import condition_fact, measurement_fact
from ..findings import Fact
from ..text import COMPARATOR_TEXT, condition_text, day, label, measurement_text
from .bounds import falls_by

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

CourseKind = Literal["acute_subacute", "chronic", "undetermined"]

#: data sets that hold the A/S-ILD criteria (prefetch keys): VC/FVC and PaO2 (respiratory,
#: labs), HRCT progression (imaging, imaging_reports)
COURSE_DATA = ("respiratory", "labs", "imaging", "imaging_reports")


@dataclass
class Course:
    kind: CourseKind | None
    onset: date | None
    criteria: list[str] = field(default_factory=list)  # plain-text criteria met
    facts: list[Fact] = field(default_factory=list)
    why_undecided: str = ""
    #: what in the first 3 months speaks against A/S-ILD (chronic), or what could not be
    #: judged (undetermined)
    against: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Decrease:
    earlier: Measurement
    later: Measurement
    amount: float  # % for VC/FVC, mmHg for PaO2
    comparator: str | None = None  # when a value was reported as a bound

    def text(self, unit: str) -> str:
        bound = COMPARATOR_TEXT.get(self.comparator or "", "")
        return (
            f"{label(self.later.concept)} fell {bound}{evidence.fmt_number(self.amount)}"
            f" {unit}: {measurement_text(self.earlier)} -> "
            f"{measurement_text(self.later)}"
        )


@dataclass
class PairScan:
    """Every (baseline, later) pair of one concept: the largest decrease meeting the
    threshold, a pair judged not decreased, and pairs the values cannot judge."""

    hit: Decrease | None = None
    stable: Decrease | None = None
    undecided: list[Decrease] = field(default_factory=list)


def vc_decrease_pct(earlier: float, later: float) -> float | None:
    """Relative decrease in %, rounded to 0.01 %; None if the earlier value is not positive."""
    if earlier <= 0:
        return None
    return round((earlier - later) / earlier * 100.0, 2)


def pao2_decrease_mmhg(earlier: float, later: float) -> float:
    return round(earlier - later, 1)


def _scan(
    record: PatientRecord,
    concept: str,
    since: date,
    until: date,
    later_from: date,
    threshold: evidence.Threshold,
    amount: Callable[[float, float], float | None],
) -> PairScan:
    scan = PairScan()
    values = record.series(concept, since=since, until=until)
    if len(values) < 2:
        return scan
    base = values[0]
    for m in values[1:]:
        if m.when < later_from or base.value is None or m.value is None:
            continue
        x = amount(base.value, m.value)
        usable, comparator = falls_by(base, m)
        if x is None:
            continue
        d = Decrease(base, m, x, comparator)
        decided = threshold.decide(x, comparator) if usable else None
        if decided is True:
            if scan.hit is None or x > scan.hit.amount:
                scan.hit = d
        elif decided is False:
            scan.stable = scan.stable or d
        else:
            scan.undecided.append(d)
    return scan


def scan_vc(record: PatientRecord, since: date, until: date, later_from: date) -> PairScan:
    """VC, else FVC: the first concept with a decrease meeting the threshold, else the pairs
    of both."""
    merged = PairScan()
    for concept in ("vital_capacity", "fvc"):
        scan = _scan(record, concept, since, until, later_from, VC_DECREASE, vc_decrease_pct)
        if scan.hit is not None:
            return scan
        merged.stable = merged.stable or scan.stable
        merged.undecided += scan.undecided
    return merged


def scan_pao2(record: PatientRecord, since: date, until: date, later_from: date) -> PairScan:
    return _scan(record, "pao2", since, until, later_from, PAO2_DECREASE, pao2_decrease_mmhg)


def largest_vc_decrease(
    record: PatientRecord, since: date, until: date, later_from: date
) -> Decrease | None:
    """Largest relative VC (else FVC) decrease meeting the threshold, later value in window."""
    return scan_vc(record, since, until, later_from).hit


def largest_pao2_decrease(
    record: PatientRecord, since: date, until: date, later_from: date
) -> Decrease | None:
    return scan_pao2(record, since, until, later_from).hit


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
    vc_scan = scan_vc(record, baseline_from, end, onset)
    pao2_scan = scan_pao2(record, baseline_from, end, onset)
    vc, pao2 = vc_scan.hit, pao2_scan.hit
    if vc is not None:
        course.criteria.append(f"{vc.text('%')} (threshold {VC_DECREASE.text})")
        course.facts += [measurement_fact(vc.earlier), measurement_fact(vc.later)]
    if pao2 is not None:
        course.criteria.append(f"{pao2.text('mmHg')} (threshold {PAO2_DECREASE.text}, 1.33 kPa)")
        course.facts += [
            measurement_fact(pao2.earlier),
            measurement_fact(pao2.later),
        ]
    if course.criteria:
        course.kind = "acute_subacute"
    elif (record.today - onset).days <= AS_WINDOW_DAYS:
        course.why_undecided = "still within 3 months of onset with no progression criterion"
    else:
        _chronic_or_undetermined(record, course, onset, end, [vc_scan, pao2_scan])
    return course


def _chronic_or_undetermined(
    record: PatientRecord, course: Course, onset: date, end: date, scans: list[PairScan]
) -> None:
    """More than 3 months after onset with no A/S-ILD criterion: chronic only when the first
    3 months carry evidence against A/S-ILD (a VC/FVC or PaO2 pair without the decrease, or
    worsening dyspnea / HRCT progression recorded absent) and every data set that could hold
    a criterion was had; otherwise undetermined, with what could not be judged."""
    against: list[str] = []
    for scan in scans:
        if scan.stable is not None:
            d = scan.stable
            against.append(
                f"{label(d.later.concept)} {measurement_text(d.earlier)} -> "
                f"{measurement_text(d.later)}: no decrease meeting the A/S-ILD threshold"
            )
            course.facts += [measurement_fact(d.earlier), measurement_fact(d.later)]
    for concept in ("dyspnea_worsening", "ct_ild_progression"):
        absent = [
            c
            for c in record.condition_entries(concept)
            if not c.active and c.when is not None and onset <= c.when <= end
        ]
        if absent:
            against.append(condition_text(absent[-1]))
            course.facts.append(condition_fact(absent[-1]))
    gaps = [
        f"{d.text('%' if d.later.concept != 'pao2' else 'mmHg')}: a reported bound cannot "
        "decide the A/S-ILD threshold"
        for scan in scans
        for d in scan.undecided
    ]
    gaps += [
        f"{k} unavailable ({why})" for k, why in sorted(record.missing_data(*COURSE_DATA).items())
    ]
    if against and not gaps:
        course.kind = "chronic"
        course.against = against
        return
    course.kind = "undetermined"
    course.against = against
    if not against:
        gaps.insert(
            0,
            f"no VC/FVC or PaO2 pair, and no recorded assessment of dyspnea or HRCT "
            f"progression, between onset ({onset.isoformat()}) and day {AS_WINDOW_DAYS} "
            f"({end.isoformat()})",
        )
    course.why_undecided = "; ".join(gaps)
