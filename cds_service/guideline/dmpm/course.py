"""Acute/subacute (A/S-ILD) or chronic (C-ILD) course of DM/PM-ILD.

JP §Onset and progression; Figure 3 (R068, R069; conflict notes Z10, Z21):
"A/S-ILD is defined as rapidly progressive ILD within 3 months from the onset of symptoms":
1) symptomatic exacerbation (dyspnea on exertion); 2) an increase in parenchymal
abnormalities on HRCT; 3) a 10% decrease in VC or a 1.33 kPa decrease in PaO2 (Figure 3:
"Decrease in VC >10% or PaO2 >10 mm Hg"; "1), 2), or 3) within 3 months"). C-ILD is
asymptomatic, non-rapidly progressive ILD, or ILD progressing slowly over more than 3 months.

When/Then: any one criterion dated 0–90 days after ILD symptom onset, from any dated source
(a VC/FVC pair in litres or % predicted, a PaO2 pair, HRCT progression on a report or the
problem list, worsening dyspnea as a Condition or an Observation) -> A/S-ILD. A recorded
diagnosis of acute interstitial pneumonia / rapidly progressive ILD -> A/S-ILD. No criterion,
more than 90 days since onset, and the record shows the course (the first 90 days: a pair
without the decrease, or worsening dyspnea / HRCT progression recorded absent; after them: a
lung-volume trend, or a later HRCT report compared with an earlier study), with every data
set that could hold a criterion available -> chronic, with that evidence as its basis. No
criterion and nothing to show the course -> "undetermined", with what to obtain: C-ILD is a
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
from ..data_gaps import gap_text
from ..diseases import first_ild_entry
from ..facts import condition_fact, measurement_fact
from ..findings import Fact
from ..text import COMPARATOR_TEXT, day, label, measurement_text, quantity, threshold_text
from .bounds import falls_by
from .readers import VOLUME_CONCEPTS, entries, entry_text, hrct_studies, volumes

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

#: how a summary names a symptom / HRCT criterion
SHORT_LABEL = {"dyspnea_worsening": "dyspnoea worse", "ct_ild_progression": "HRCT progression"}
#: the dated-entry criteria of R068 (1: dyspnea on exertion, 2: HRCT progression)
ENTRY_CRITERIA = tuple(SHORT_LABEL)

CourseKind = Literal["acute_subacute", "chronic", "undetermined"]

#: data sets that hold the A/S-ILD criteria (prefetch keys): VC/FVC and PaO2 (respiratory,
#: labs), HRCT progression (imaging, imaging_reports)
COURSE_DATA = ("respiratory", "labs", "imaging", "imaging_reports")


@dataclass
class Course:
    kind: CourseKind | None
    onset: date | None
    criteria: list[str] = field(default_factory=list)  # plain-text criteria met
    short: list[str] = field(default_factory=list)  # the same, as a summary names them
    facts: list[Fact] = field(default_factory=list)
    why_undecided: str = ""
    #: the evidence of the course (chronic: the first 3 months and the course since), or what
    #: little there is (undetermined)
    against: list[str] = field(default_factory=list)
    #: undetermined: what to obtain to decide the course
    obtain: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Decrease:
    earlier: Measurement
    later: Measurement
    amount: float  # % for VC/FVC, mmHg for PaO2
    comparator: str | None = None  # when a value was reported as a bound

    @property
    def unit(self) -> str:
        return "mmHg" if self.later.concept == "pao2" else "%"

    @property
    def short(self) -> str:
        """As a summary names it: ``FVC fell 12%``, ``PaO2 fell 10 mmHg``."""
        amount = evidence.fmt_number(self.amount)
        unit = " mmHg" if self.unit == "mmHg" else "%"
        return f"{label(self.later.concept)} fell {amount}{unit}"

    @property
    def text(self) -> str:
        bound = COMPARATOR_TEXT.get(self.comparator or "", "")
        return (
            f"{label(self.later.concept)} fell {bound}{evidence.fmt_number(self.amount)}"
            f" {self.unit}: {measurement_text(self.earlier)} -> "
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
    for concept in VOLUME_CONCEPTS:
        scan = _scan(record, concept, since, until, later_from, VC_DECREASE, vc_decrease_pct)
        if scan.hit is not None:
            return scan
        merged.stable = merged.stable or scan.stable
        merged.undecided += scan.undecided
    return merged


def scan_pao2(record: PatientRecord, since: date, until: date, later_from: date) -> PairScan:
    return _scan(record, "pao2", since, until, later_from, PAO2_DECREASE, pao2_decrease_mmhg)


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
        course.short.append("rapidly progressive ILD recorded")
        course.facts.append(condition_fact(rp))
    if onset is None:
        if course.criteria:
            course.kind = "acute_subacute"
        else:
            course.why_undecided = "the ILD has no onset date"
        return course
    end = onset + timedelta(days=AS_WINDOW_DAYS)
    for concept in ENTRY_CRITERIA:
        hits = entries(record, concept, since=onset, until=end)
        if hits:
            first = hits[0]
            assert first.when is not None
            course.criteria.append(f"{entry_text(first)}, day {(first.when - onset).days}")
            course.short.append(f"{SHORT_LABEL[concept]} day {(first.when - onset).days}")
            course.facts.append(condition_fact(first))
    baseline_from = onset - timedelta(days=AS_WINDOW_DAYS)
    vc_scan = scan_vc(record, baseline_from, end, onset)
    pao2_scan = scan_pao2(record, baseline_from, end, onset)
    for d, cut_off in ((vc_scan.hit, VC_DECREASE), (pao2_scan.hit, PAO2_DECREASE)):
        if d is not None:
            kpa = ", 1.33 kPa" if cut_off is PAO2_DECREASE else ""
            course.criteria.append(f"{d.text} (threshold {threshold_text(cut_off)}{kpa})")
            course.short.append(d.short)
            course.facts += [measurement_fact(d.earlier), measurement_fact(d.later)]
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
    """More than 3 months after onset with no A/S-ILD criterion in the first 3 months:
    chronic when the record shows the course (the first 3 months: a VC/FVC or PaO2 pair
    without the decrease, worsening dyspnea or HRCT progression recorded absent; after them:
    a lung-volume trend or a later HRCT compared with an earlier one) and every data set that
    could hold a criterion was had; otherwise undetermined, naming what to obtain."""
    basis: list[str] = []
    for scan in scans:
        if scan.stable is not None:
            d = scan.stable
            basis.append(
                f"first 3 months: {measurement_text(d.earlier)} → {measurement_text(d.later)}, "
                "no decrease meeting the acute/subacute threshold"
            )
            course.facts += [measurement_fact(d.earlier), measurement_fact(d.later)]
    for concept in ENTRY_CRITERIA:
        absent = entries(record, concept, since=onset, until=end, present=False)
        if absent:
            basis.append(f"first 3 months: {entry_text(absent[-1])}")
            course.facts.append(condition_fact(absent[-1]))
    basis += _later_course(record, course, onset, end)
    gaps = [
        f"{d.text}: a reported bound cannot decide the acute/subacute threshold"
        for scan in scans
        for d in scan.undecided
    ]
    gaps += [gap_text({k: why}) for k, why in sorted(record.missing_data(*COURSE_DATA).items())]
    course.against = basis
    if basis and not gaps:
        course.kind = "chronic"
        return
    course.kind = "undetermined"
    if not basis:
        gaps.insert(
            0,
            f"no dated lung function, blood gas, HRCT or dyspnoea record since onset "
            f"({onset.isoformat()}) to show whether the ILD progressed within 3 months",
        )
    course.why_undecided = "; ".join(gaps)
    course.obtain = list(OBTAIN)


#: what an undetermined course needs (the A/S-ILD criteria of JP Figure 3, and a trend)
OBTAIN = (
    "the dated history of exertional dyspnoea since onset (worse within 3 months?)",
    "earlier HRCT reports, or a new HRCT to compare with the first",
    "vital capacity or FVC now, and any earlier value",
    "arterial blood gas (PaO2)",
)


def _later_course(record: PatientRecord, course: Course, onset: date, end: date) -> list[str]:
    """After the first 3 months: a lung-volume trend (two or more values since onset, the
    latest after day 90) and an HRCT compared with an earlier one (a final report dated after
    day 90, with an earlier study on file)."""
    out: list[str] = []
    series = volumes(record, since=onset, until=record.today)
    if len(series) >= 2 and series[-1].when > end:
        shown = series if len(series) <= 4 else [series[0], *series[-3:]]
        rapid = _rapid_fall(series)
        trend = (
            f"fell {evidence.fmt_number(rapid.amount)}% from {day(rapid.earlier.when)} to "
            f"{day(rapid.later.when)}"
            if rapid
            else f"no fall {threshold_text(VC_DECREASE)} within 3 months"
        )
        out.append(
            f"{label(series[0].concept)} "
            + " → ".join(f"{quantity(m.value, m.unit)} ({day(m.when)})" for m in shown)
            + f": {trend}"
        )
        course.facts += [measurement_fact(m) for m in shown]
    studies = hrct_studies(record, since=onset - timedelta(days=AS_WINDOW_DAYS))
    later = [s for s in studies if s.complete and s.when > end]
    if later and len(studies) >= 2:
        last = later[-1]
        state = "progression coded" if last.has("ct_ild_progression") else "no progression coded"
        out.append(f"{last.text()}: {state} (first HRCT {day(studies[0].when)})")
    return out


def _rapid_fall(series: list[Measurement]) -> Decrease | None:
    """The first pair of values at most 3 months apart with the A/S-ILD fall, if any."""
    for i, earlier in enumerate(series):
        for later in series[i + 1 :]:
            if (later.when - earlier.when).days > AS_WINDOW_DAYS:
                break
            if earlier.value is None or later.value is None:
                continue
            x = vc_decrease_pct(earlier.value, later.value)
            if x is not None and VC_DECREASE.holds(x):
                return Decrease(earlier, later, x)
    return None
