"""Glucocorticoid resistance in DM/PM-ILD: add cyclosporine.

JP Table 1 footnote (R090): "GC resistance was judged when respiratory symptoms, PaO2 or CT
abnormalities worsened within 2 weeks after starting GC therapy, or were not improved within
4 weeks." JP Figure 1 legend (R117): high-dose GC first; if worse within 2 weeks or not
improved within 4 weeks -> additional CsA; CsA markedly improved the prognosis of
GC-resistant DM/PM-ILD.

When/Then: DM/PM-ILD on high-dose GC, no calcineurin inhibitor, and (worse within 14 days of
GC start) or (not improved by day 28) -> `warning`: add cyclosporine.

Decisions left open by the source, taken here:
- High-dose GC: see treatment.py (>=0.5 mg/kg/day, else >=30 mg/day prednisolone-eq).
- "Worse" = worsening dyspnea or HRCT progression recorded, or PaO2 falling >=10 mmHg from the
  value at GC start (the A/S-ILD cut-off), dated 1–14 days after the start.
- Medications not fully available: "no calcineurin inhibitor" cannot be concluded; the card
  still fires on the resistance criteria, says "unless already given" and names the gap.
- SSc overlap: the glucocorticoid caveat of ``ssc_overlap``.
- "Not improved within 4 weeks" = worsening recorded 15–28 days after the start, or the last
  PaO2 of days 15–28 not above the PaO2 at GC start. Events on day 29 or later are outside
  the judgement window.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from fhir_mappings.record import PatientRecord

from .. import evidence
from ..derived import Derived
from ..evidence import cite
from ..facts import (
    condition_fact,
    measurement_fact,
    medication_fact,
    prednisolone_equivalent_fact,
    unique_facts,
)
from ..findings import Fact, Finding, Indicator
from ..text import bullets, condition_text, measurement_text
from .course import PAO2_DECREASE, pao2_decrease_mmhg
from .myositis import is_dmpm_ild
from .ssc_overlap import ssc_caveat, ssc_rules
from .treatment import (
    CNI_CONCEPTS,
    HIGH_DOSE_GC_PER_DAY,
    HIGH_DOSE_GC_PER_KG,
    R090,
    active,
    high_dose_gc,
    medication_gap,
)

TOPIC = "dmpm-ild-gc-resistance"
WORSE_WITHIN_DAYS = 14
IMPROVED_WITHIN_DAYS = 28
BASELINE_BEFORE = timedelta(days=14)

R117 = evidence.rule(
    "R117",
    "JP",
    "Figure 1 legend",
    "CsA markedly improved the prognosis of GC-resistant DM/PM-ILD; protocol: high-dose GC "
    "first, if worse within 2 weeks or not improved within 4 weeks, add CsA.",
    figure="worse within 2 weeks or not improved within 4 weeks -> add CsA",
    topics=(TOPIC,),
)


def _events(record: PatientRecord, start: date, first: int, last: int) -> list[tuple[str, Fact]]:
    lo, hi = start + timedelta(days=first), start + timedelta(days=last)
    out = []
    for concept in ("dyspnea_worsening", "ct_ild_progression"):
        for c in record.condition_entries(concept):
            if c.active and c.when is not None and lo <= c.when <= hi:
                out.append(
                    (
                        f"{condition_text(c)}, day {(c.when - start).days}",
                        condition_fact(c),
                    )
                )
    return out


def gc_resistance(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    if not is_dmpm_ild(record):
        return
    gc = high_dose_gc(record)
    if gc is None or active(record, CNI_CONCEPTS):
        return
    start = gc.start
    base = record.latest("pao2", until=start)
    if base is not None and base.when < start - BASELINE_BEFORE:
        base = None
    reasons: list[str] = []
    facts: list[Fact] = []
    worse = _events(record, start, 1, WORSE_WITHIN_DAYS)
    early = record.series(
        "pao2", since=start + timedelta(days=1), until=start + timedelta(days=WORSE_WITHIN_DAYS)
    )
    if base is not None and base.value is not None:
        for m in early:
            if m.value is not None and PAO2_DECREASE.holds(pao2_decrease_mmhg(base.value, m.value)):
                worse.append(
                    (
                        f"PaO2 fell {PAO2_DECREASE.text}: {measurement_text(base)} -> "
                        f"{measurement_text(m)}",
                        measurement_fact(m),
                    )
                )
                facts.append(measurement_fact(base))
                break
    if worse:
        reasons.append("worse within 2 weeks of starting GC: " + "; ".join(t for t, _ in worse))
        facts += [f for _, f in worse]
    late = _events(record, start, WORSE_WITHIN_DAYS + 1, IMPROVED_WITHIN_DAYS)
    if late:
        reasons.append("not improved within 4 weeks: " + "; ".join(t for t, _ in late))
        facts += [f for _, f in late]
    late_pao2 = record.series(
        "pao2",
        since=start + timedelta(days=WORSE_WITHIN_DAYS + 1),
        until=start + timedelta(days=IMPROVED_WITHIN_DAYS),
    )
    if not late and late_pao2 and base is not None and base.value is not None:
        last = late_pao2[-1]
        if last.value is not None and round(last.value, 1) <= round(base.value, 1):
            reasons.append(
                f"not improved within 4 weeks: {measurement_text(base)} at GC start, "
                f"{measurement_text(last)} on day {(last.when - start).days}"
            )
            facts += [measurement_fact(base), measurement_fact(last)]
    if not reasons:
        return
    gap = medication_gap(record)
    caveat = ssc_caveat(record)
    extra_rules = ssc_rules(record)
    add = "add **cyclosporine**" if gap is None else "add **cyclosporine** unless already given"
    detail = "\n\n".join(
        [
            f"**On high-dose GC:** {gc.text} (high dose = {gc_threshold_text()}, a choice: the "
            "source gives no number).",
            "**GC resistance** (JP Table 1 footnote):",
            bullets(reasons),
            f"**Management:** {add} (JP Figure 1 legend; IV regimen in JP "
            "§Cyclosporine: 200 mg/day over 12 h, pre-dose level 200–250 ng/mL). If the "
            "patient has A/S-ILD with poor-risk factors, the initial regimen is GC + CsA(iv) + "
            "IVCY (JP Figure 3).",
        ]
        + [x for x in (gap, caveat) if x]
        + [cite(*[R090, R117, *extra_rules])]
    )
    yield Finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary="DM/PM-ILD not responding to high-dose glucocorticoid (JP criteria): "
        + ("add cyclosporine." if gap is None else "add cyclosporine unless already given."),
        detail=detail,
        rules=("R090", "R117", *(r.id for r in extra_rules)),
        facts=unique_facts(
            [medication_fact(gc.entry), prednisolone_equivalent_fact(gc.pred_eq_mg, start)] + facts
        ),
        priority=25,
    )


def gc_threshold_text() -> str:
    return (
        f"prednisolone-equivalent {HIGH_DOSE_GC_PER_KG.text} with a recorded weight, else "
        f"{HIGH_DOSE_GC_PER_DAY.text}"
    )
