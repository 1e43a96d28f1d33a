"""DM/PM-ILD worsening after an adequate trial of GC + CsA/TAC and/or CY: salvage therapy.

JP §Importance of monitoring (R112): "When disease activity is not controlled and the
respiratory condition is worsening, salvage therapy should be considered." JP Figure 3
(R113): GC + CsA(iv) + IVCY -> improvement? No -> add IVIG, PMX-DHP. Suzuki 2009 (IV
Abstract, R124): 5 patients with refractory ILD "resistant to high-dose corticosteroid and
cyclosporine A and/or cyclophosphamide" (1 PM, 4 ADM): 2 survived, 3 died; no adverse
reactions to IVIG; "could be an effective salvage therapy in certain cases". JP §PMX-DHP
(R104): effective in a case report of refractory anti-MDA5 A/S-ILD.

When/Then: DM/PM-ILD on a glucocorticoid with cyclosporine/tacrolimus and/or
cyclophosphamide (the IVIG paper's "CsA and/or CY"), and a worsening (dyspnea, HRCT
progression, PaO2 fall >=10 mmHg or VC/FVC fall >=10%) dated at least ``ADEQUATE_TRIAL``
days after the combination was complete (the start of its last agent) -> `warning`:
consider IVIG and PMX-DHP. A worsening earlier than that is not yet a failed trial: no card.
Never on an undetermined course (R140): the risk-incomplete card asks for the course first.

Decisions left open by the source, taken here:
- The adequate trial is 14 days: a service choice, cited as such on the card (the seeds give
  no number).
- Medications not fully available: the start dates may be wrong; the card names the gap.
- The IVIG dose is not given by the sources and is not stated here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from fhir_mappings.record import MedicationEntry, PatientRecord

from .. import evidence
from ..compose import finding
from ..derived import Derived
from ..facts import condition_fact, measurement_fact, medication_fact
from ..findings import Fact, Finding, Indicator
from ..shared_rules import R037, R111, R113
from ..text import label, threshold_text
from .assessment import assess
from .course import scan_pao2, scan_vc
from .readers import entries, entry_text, hrct_studies
from .treatment import CNI_CONCEPTS, CY_CONCEPTS, GC_CONCEPTS, active, medication_gap

TOPIC = "dmpm-ild-salvage"

R112 = evidence.rule(
    "R112",
    "JP",
    "§Importance of monitoring",
    "When disease activity is not controlled and the respiratory condition is worsening, "
    "salvage therapy should be considered.",
    topics=(TOPIC,),
)
R124 = evidence.rule(
    "R124",
    "IV",
    "Abstract",
    "IVIG for refractory DM/PM-ILD resistant to high-dose corticosteroid and CsA and/or CY: "
    "safe and could be an effective salvage therapy in certain cases; no dose given.",
    figure="5 patients (1 PM, 4 ADM): 2 survived, 3 died; no adverse reactions to IVIG",
    topics=(TOPIC,),
)
R104 = evidence.rule(
    "R104",
    "JP",
    "§PMX-DHP",
    "PMX-DHP was effective in a case report of refractory anti-MDA5 A/S-ILD.",
    figure="one case report",
    topics=(TOPIC,),
)

#: an adequate trial of the combination before it is called failed: a service choice (the
#: seeds give no number), rendered on the card from this object
ADEQUATE_TRIAL = evidence.Threshold("days_on_combination", ">=", 14.0, "days", R112)
BASELINE_BEFORE = timedelta(days=14)


@dataclass
class Combination:
    agents: list[MedicationEntry]
    complete: date  # the start of its last agent

    @property
    def text(self) -> str:
        names = " + ".join(label(m.concept) for m in self.agents)
        return f"{names}, complete since {self.complete.isoformat()}"


@dataclass
class Worsening:
    lines: list[str] = field(default_factory=list)
    short: list[str] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)


def _first_start(record: PatientRecord, concepts: frozenset[str]) -> MedicationEntry | None:
    dated = [m for m in active(record, concepts) if m.start is not None]
    return min(dated, key=lambda m: m.start or date.max) if dated else None


def combination(record: PatientRecord) -> Combination | None:
    """GC + CsA/TAC and/or CY, all active and dated; None otherwise."""
    gc = _first_start(record, GC_CONCEPTS)
    partners = [m for m in (_first_start(record, c) for c in (CNI_CONCEPTS, CY_CONCEPTS)) if m]
    if gc is None or not partners:
        return None
    agents = [gc, *partners]
    return Combination(agents, max(m.start for m in agents if m.start is not None))


def worsening_after(record: PatientRecord, since: date, base_from: date) -> Worsening:
    """Worsening dated on or after ``since``: dyspnea, HRCT progression, a PaO2 or VC fall
    (the later value on or after ``since``, the earlier from ``base_from``)."""
    w = Worsening()
    for c in entries(record, "dyspnea_worsening", since=since):
        w.lines.append(entry_text(c))
        w.short.append(f"dyspnoea worse {c.when.isoformat() if c.when else ''}".strip())
        w.facts.append(condition_fact(c))
    for s in hrct_studies(record, since=since):
        if s.findings.get("ct_ild_progression"):
            w.lines.append(f"{s.text()}: progression")
            w.short.append(f"HRCT progression {s.when.isoformat()}")
    for scan in (scan_pao2, scan_vc):
        d = scan(record, base_from, record.today, since).hit
        if d is not None:
            w.lines.append(d.text)
            w.short.append(d.short)
            w.facts += [measurement_fact(d.earlier), measurement_fact(d.later)]
    return w


def salvage(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    a = derived.dmpm if derived is not None else assess(record)
    if a is None or a.course.kind == "undetermined":
        return  # no salvage on an undetermined course: the course first (R140)
    combo = combination(record)
    if combo is None:
        return
    trial_end = combo.complete + timedelta(days=int(ADEQUATE_TRIAL.value))
    w = worsening_after(record, trial_end, combo.complete - BASELINE_BEFORE)
    if not w.lines:
        return
    gap = medication_gap(record)
    names = " + ".join(label(m.concept) for m in combo.agents)
    tail = ": consider IVIG or PMX-DHP."
    summary = f"DM/PM-ILD worse ({w.short[0]}) after an adequate trial of {names}{tail}"
    if len(summary) > 139:
        summary = f"DM/PM-ILD worse after an adequate trial of combination therapy{tail}"
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=summary,
        why_title="worsening despite combination therapy",
        why=[f"On {combo.text}"]
        + [
            f"{line} (trial {threshold_text(ADEQUATE_TRIAL)} from {combo.complete.isoformat()})"
            for line in w.lines[:1]
        ]
        + w.lines[1:3],
        body=[
            f"Adequate trial = {threshold_text(ADEQUATE_TRIAL)} on the full combination: a "
            "service choice; the sources give no number."
        ],
        what_to_do=[
            "Exclude infection first: plasma beta-D-glucan and CMV antigenemia.",
            "Intravenous immunoglobulin (IVIG): of 5 refractory patients 2 survived, 3 died; no "
            "adverse reactions; no dose in the source: follow the local protocol.",
            "Polymyxin-B hemoperfusion (PMX-DHP): one case report in anti-MDA5 ILD.",
            "Worse despite drug therapy: refer for lung-transplant assessment.",
        ],
        notes=[gap] if gap else [],
        rules=[R112, R113, R124, R104, R111, R037],
        facts=[medication_fact(m) for m in combo.agents] + w.facts,
        priority=12,
    )
