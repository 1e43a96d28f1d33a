"""Glucocorticoid resistance in DM/PM-ILD: add cyclosporine.

JP Table 1 footnote (R090): "GC-resistance is judged when respiratory symptoms, arterial
oxygen tension levels, or abnormalities on CT scan images worsened within 2 weeks after
starting GC therapy or were not improved within 4 weeks." JP Figure 1 legend (R117): high-dose
GC first; if worse within 2 weeks or not improved within 4 weeks, additional CsA.

When/Then: DM/PM-ILD on high-dose GC, no calcineurin inhibitor, and
- worse within 2 weeks: worsening dyspnea or HRCT progression dated day 0–14 of the GC course,
  or a PaO2 dated day 0–14 that fell by the A/S-ILD cut-off from the value at GC start; or
- not improved within 4 weeks, judged only from day 28: the latest PaO2 dated day 28 or later
  not above the value at GC start, the first HRCT dated day 28 or later coding progression, or
  worsening dated day 15–28;
-> `warning`: add cyclosporine. Before day 28 with no worsening in days 0–14 there is no card,
whatever the values show (an unchanged PaO2 on day 20 is neither criterion).

Decisions left open by the source, taken here:
- High-dose GC: see treatment.py. Day 0 = the start of the current high-dose GC course.
- The PaO2 "at GC start" is the latest value from 14 days before the start to the start day.
- Medications not fully available: "no calcineurin inhibitor" cannot be concluded; the card
  fires on the resistance criteria, says "unless already given" and names the gap.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from fhir_mappings.record import Measurement, PatientRecord

from .. import evidence
from ..compose import finding
from ..derived import Derived
from ..facts import condition_fact, measurement_fact, medication_fact, prednisolone_equivalent_fact
from ..findings import Fact, Finding, Indicator
from ..text import measurement_text, threshold_text
from .course import ENTRY_CRITERIA, PAO2_DECREASE, pao2_decrease_mmhg
from .myositis import is_dmpm_ild
from .readers import entries, entry_text, hrct_studies
from .ssc_overlap import CAVEAT, SSC_RULES, ssc_overlap
from .treatment import CNI_CONCEPTS, R090, GcCourse, active, high_dose_gc, medication_gap

TOPIC = "dmpm-ild-gc-resistance"

R117 = evidence.rule(
    "R117",
    "JP",
    "Figure 1 legend",
    "CsA markedly improved the prognosis of GC-resistant DM/PM-ILD; protocol: high-dose GC "
    "first, if worse within 2 weeks or not improved within 4 weeks, add CsA.",
    figure="worse within 2 weeks or not improved within 4 weeks -> add CsA",
    topics=(TOPIC,),
)

#: "worsened within 2 weeks": a worsening dated day 0 to day 14 of high-dose GC
WORSE_WITHIN = evidence.Threshold("days_on_high_dose_gc", "<=", 14.0, "days", R090)
#: "not improved within 4 weeks": judged only from day 28, on a value dated day 28 or later
JUDGED_FROM = evidence.Threshold("days_on_high_dose_gc", ">=", 28.0, "days", R090)
BASELINE_BEFORE = timedelta(days=14)


def _n(t: evidence.Threshold) -> int:
    return int(t.value)


@dataclass
class Judgement:
    worse: list[str] = field(default_factory=list)  # worse within 2 weeks
    not_improved: list[str] = field(default_factory=list)  # not improved within 4 weeks
    facts: list[Fact] = field(default_factory=list)
    base: Measurement | None = None


def _pao2_base(record: PatientRecord, start: date) -> Measurement | None:
    base = record.latest("pao2", until=start)
    return base if base is not None and base.when >= start - BASELINE_BEFORE else None


def _worse_within_2_weeks(record: PatientRecord, gc: GcCourse, j: Judgement) -> None:
    start = gc.start
    last = start + timedelta(days=_n(WORSE_WITHIN))
    for concept in ENTRY_CRITERIA:
        for c in entries(record, concept, since=start, until=last):
            assert c.when is not None
            j.worse.append(f"{entry_text(c)}, day {(c.when - start).days}")
            j.facts.append(condition_fact(c))
    if j.base is None or j.base.value is None:
        return
    for m in record.series("pao2", since=start, until=last):
        if m is j.base or m.value is None:
            continue
        fall = pao2_decrease_mmhg(j.base.value, m.value)
        if PAO2_DECREASE.decide(fall, None):
            j.worse.append(
                f"PaO2 fell {threshold_text(PAO2_DECREASE)}: {measurement_text(j.base)} -> "
                f"{measurement_text(m)}, day {(m.when - start).days}"
            )
            j.facts += [measurement_fact(j.base), measurement_fact(m)]
            return


def _not_improved_within_4_weeks(record: PatientRecord, gc: GcCourse, j: Judgement) -> None:
    start = gc.start
    day28 = start + timedelta(days=_n(JUDGED_FROM))
    if record.today < day28:
        return  # not judged before day 28
    for concept in ENTRY_CRITERIA:
        lo = start + timedelta(days=_n(WORSE_WITHIN) + 1)
        for c in entries(record, concept, since=lo, until=day28):
            assert c.when is not None
            j.not_improved.append(f"{entry_text(c)}, day {(c.when - start).days}")
            j.facts.append(condition_fact(c))
    studies = hrct_studies(record, since=day28)
    if studies and studies[0].findings.get("ct_ild_progression"):
        s = studies[0]  # the first study from day 28: the 4-week comparison
        j.not_improved.append(f"{s.text()}, day {(s.when - start).days}")
    later = record.series("pao2", since=day28, until=record.today)
    if later and j.base is not None and j.base.value is not None:
        m = later[-1]
        if m.value is not None and round(m.value, 1) <= round(j.base.value, 1):
            j.not_improved.append(
                f"PaO2 not improved: {measurement_text(j.base)} at GC start, "
                f"{measurement_text(m)} on day {(m.when - start).days}"
            )
            j.facts += [measurement_fact(j.base), measurement_fact(m)]


def judge(record: PatientRecord, gc: GcCourse) -> Judgement:
    j = Judgement(base=_pao2_base(record, gc.start))
    _worse_within_2_weeks(record, gc, j)
    _not_improved_within_4_weeks(record, gc, j)
    return j


def gc_resistance(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    if not is_dmpm_ild(record):
        return
    gc = high_dose_gc(record)
    if gc is None or active(record, CNI_CONCEPTS):
        return
    j = judge(record, gc)
    if not (j.worse or j.not_improved):
        return
    gap = medication_gap(record)
    caveat = CAVEAT if ssc_overlap(record) else None
    on_day = (record.today - gc.start).days
    if j.worse:
        decided = f"worse within 2 weeks of high-dose glucocorticoid ({j.worse[0].split(',')[0]})"
    else:
        decided = f"not improved after {on_day} days of high-dose glucocorticoid"
    add = "add cyclosporine" + (" unless already given" if gap else "")
    summary = f"DM/PM-ILD {decided}: {add}."
    if len(summary) > 139:
        summary = f"DM/PM-ILD glucocorticoid-resistant on day {on_day} of high-dose GC: {add}."
    lines = [f"On high-dose glucocorticoid (GC): {gc.text} (day {on_day} today)"]
    lines += [f"worse within 2 weeks (day 0–{_n(WORSE_WITHIN)}): {w}" for w in j.worse]
    lines += [
        f"not improved within 4 weeks (judged from day {_n(JUDGED_FROM)}): {w}"
        for w in j.not_improved
    ]
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=summary,
        why_title="glucocorticoid resistance, Japanese review criteria",
        why=lines,
        what_to_do=[
            f"{add[0].upper()}{add[1:]}: intravenous cyclosporine (CsA) 200 mg/day over 12 "
            "hours, pre-dose level 200–250 ng/mL."
        ],
        notes=[x for x in (gap, caveat) if x],
        rules=[R090, R117, *(SSC_RULES if caveat else ())],
        facts=[medication_fact(gc.entry), prednisolone_equivalent_fact(gc.pred_eq_mg, gc.start)]
        + j.facts,
        priority=25,
    )
