"""DM/PM-ILD worsening despite GC + calcineurin inhibitor + cyclophosphamide: salvage.

JP §Importance of monitoring (R112): "When disease activity is not controlled and the
respiratory condition is worsening, salvage therapy should be considered." JP Figure 3
(R113): GC + CsA(iv) + IVCY -> improvement? No -> add IVIG, PMX-DHP. Suzuki 2009 (IV
Abstract, R124): 5 patients with refractory ILD resistant to high-dose corticosteroid and
CsA and/or CY (1 PM, 4 ADM): 2 survived, 3 died; no adverse reactions to IVIG; "could be an
effective salvage therapy in certain cases". JP §PMX-DHP (R104): effective in a case report
of refractory anti-MDA5 A/S-ILD.

When/Then: DM/PM-ILD on GC + cyclosporine/tacrolimus + cyclophosphamide, and worsening
(dyspnea, HRCT progression, PaO2 fall >=10 mmHg or VC fall >=10%) dated after the last of
the three was started -> `warning`: consider IVIG and PMX-DHP.

Medications not fully available: the start dates may be wrong; the card names the gap.

Decisions left open: the IVIG dose is not given by the sources and is not stated here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from fhir_mappings.record import PatientRecord

from .. import evidence
from ..derived import Derived
from ..evidence import cite
from ..facts import condition_fact, measurement_fact, unique_facts
from ..findings import Fact, Finding, Indicator
from ..shared_rules import R037, R111, R113
from ..text import bullets, condition_text
from .course import largest_pao2_decrease, largest_vc_decrease
from .myositis import is_dmpm_ild
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


def _start_of(record: PatientRecord, concepts: frozenset[str]) -> date | None:
    starts = [m.start for m in active(record, concepts) if m.start is not None]
    return min(starts) if starts else None


def salvage(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    if not is_dmpm_ild(record):
        return
    starts = [_start_of(record, c) for c in (GC_CONCEPTS, CNI_CONCEPTS, CY_CONCEPTS)]
    if any(s is None for s in starts):
        return
    since = max(s for s in starts if s is not None)
    after = since + timedelta(days=1)
    worse: list[str] = []
    facts: list[Fact] = []
    for concept in ("dyspnea_worsening", "ct_ild_progression"):
        for c in record.condition_entries(concept):
            if c.active and c.when is not None and c.when >= after:
                worse.append(condition_text(c))
                facts.append(condition_fact(c))
    pao2 = largest_pao2_decrease(record, since - timedelta(days=14), record.today, after)
    if pao2 is not None:
        worse.append(pao2.text("mmHg"))
        facts += [measurement_fact(pao2.earlier), measurement_fact(pao2.later)]
    vc = largest_vc_decrease(record, since - timedelta(days=30), record.today, after)
    if vc is not None:
        worse.append(vc.text("%"))
        facts += [measurement_fact(vc.earlier), measurement_fact(vc.later)]
    if not worse:
        return
    gap = medication_gap(record)
    detail = "\n\n".join(
        [
            f"**Worsening on GC + calcineurin inhibitor + cyclophosphamide** (all three active "
            f"since {since.isoformat()}):",
            bullets(worse),
            "**Salvage options (JP Figure 3: no improvement -> add IVIG, PMX-DHP):**",
            bullets(
                [
                    "**IVIG**: Suzuki 2009, 5 patients with refractory DM/PM-ILD: 2 survived, "
                    "3 died, no adverse reactions; 'could be an effective salvage therapy in "
                    "certain cases'. The source gives no dose: follow the local protocol.",
                    "**PMX-DHP** (polymyxin-B direct hemoperfusion): effective in a case "
                    "report of refractory anti-MDA5 A/S-ILD.",
                    "**Lung transplant referral** when the ILD keeps worsening despite drug "
                    "therapy.",
                ]
            ),
            "Exclude infection before escalating: on this regimen JP (R111) advises monitoring "
            "plasma beta-D-glucan and CMV antigenemia.",
        ]
        + ([gap] if gap else [])
        + [cite(*[R112, R113, R124, R104, R111, R037])]
    )
    yield Finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary="DM/PM-ILD worsening on GC + CsA/TAC + cyclophosphamide: consider salvage "
        "IVIG or PMX-DHP.",
        detail=detail,
        rules=("R112", "R113", "R124", "R104", "R111", "R037"),
        facts=unique_facts(facts),
        priority=12,
    )
