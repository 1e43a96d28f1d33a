"""Interstitial pneumonia with autoimmune features (IPAF).

ERS/ATS 2015 research statement (B07, Fischer 2015): interstitial pneumonia on HRCT or
biopsy, alternative aetiologies excluded, criteria of a defined CTD not met, and at least
one feature from at least two of three domains: A clinical (distal digital fissuring
(mechanic's hands), distal digital tip ulceration, inflammatory arthritis or morning
stiffness >=60 min, palmar telangiectasia, Raynaud's, unexplained digital oedema, Gottron's
sign); B serologic (ANA >=1:320 diffuse/speckled/homogeneous or nucleolar/centromere at any
titre, RF >=2x ULN, anti-CCP, dsDNA, Ro, La, RNP, Sm, Scl-70, tRNA synthetase, PM-Scl,
MDA-5); C morphologic (NSIP, OP, NSIP/OP overlap, LIP on HRCT or biopsy; multicompartment
involvement).

When/Then: active ILD, no defined CTD, IPAF not already recorded, features in >=2 domains
-> `info` card listing the features per domain ("provided alternative causes are excluded").

Decisions left open, taken here: RF >=2x ULN cannot be judged (no reference range in the
record) and is not counted; telangiectasia is counted without knowing it is palmar (the card
says so); digital oedema and multicompartment involvement have no concept and are not read.
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.record import PatientRecord

from .. import evidence
from ..diseases import ANTI_SYNTHETASE
from ..evidence import cite
from ..facts import antibody_fact, condition_fact, unique_facts
from ..findings import Fact, Finding, Indicator
from ..text import antibody_text, condition_text, day
from .scope import ild_without_ctd
from .workup import R008

TOPIC = "ipaf-criteria"

B07 = evidence.rule(
    "B07",
    "ERS/ATS 2015 IPAF",
    "Classification criteria",
    "IPAF: interstitial pneumonia, alternative aetiologies excluded, defined CTD criteria not "
    "met, and at least one feature from at least two of the clinical, serologic and "
    "morphologic domains.",
    figure="ANA >=1:320 (diffuse, speckled, homogeneous) or nucleolar/centromere any titre; "
    "RF >=2x ULN; morning stiffness >=60 min",
    topics=(TOPIC,),
)

CLINICAL = {
    "mechanics_hands": "mechanic's hands (distal digital fissuring)",
    "digital_ulcer": "digital tip ulceration",
    "arthritis": "inflammatory arthritis",
    "telangiectasia": "telangiectasia (palmar site not recorded)",
    "raynaud": "Raynaud's phenomenon",
    "gottron_papules": "Gottron's sign",
}
SEROLOGIC = (
    "anti_ccp",
    "anti_dsdna",
    "anti_ssa_ro60",
    "anti_ssb_la",
    "anti_u1rnp",
    "anti_scl70",
    *ANTI_SYNTHETASE,
    "anti_pmscl",
    "anti_mda5",
)
MORPHOLOGIC = {
    "ct_nsip_pattern": "NSIP pattern on HRCT",
    "ct_op_pattern": "OP pattern on HRCT",
    "nsip": "NSIP",
    "organizing_pneumonia": "organising pneumonia",
    "lip": "LIP",
}
ANA_TITRE = evidence.Threshold("ana_titer", ">=", 320.0, "(reciprocal titre)", B07)
ANY_TITRE_PATTERNS = ("nucleolar", "centromere")
TITRE_PATTERNS = ("diffuse", "speckled", "homogeneous", "homogenous")


def _ana_feature(record: PatientRecord) -> tuple[str, Fact] | None:
    for concept in ("ana_titer", "ana_presence", "ana_pattern"):
        result = record.antibody(concept)
        if result is None or result.status != "positive":
            continue
        pattern = (result.text or "").lower()
        if any(p in pattern for p in ANY_TITRE_PATTERNS):
            return f"ANA {pattern} pattern ({day(result.when)})", antibody_fact(result)
        if (
            result.titer is not None
            and ANA_TITRE.holds(result.titer)
            and (not pattern or any(p in pattern for p in TITRE_PATTERNS))
        ):
            return antibody_text(result), antibody_fact(result)
    return None


def ipaf_criteria(record: PatientRecord) -> Iterator[Finding]:
    ild = ild_without_ctd(record)
    if ild is None or record.has_condition("ipaf"):
        return
    facts: list[Fact] = [condition_fact(ild)]
    clinical = []
    for concept, name in CLINICAL.items():
        c = record.condition(concept)
        if c is not None:
            clinical.append(f"{name} ({day(c.when)})")
            facts.append(condition_fact(c))
    serologic = []
    ana = _ana_feature(record)
    if ana is not None:
        serologic.append(ana[0])
        facts.append(ana[1])
    for p in record.any_antibody_positive(SEROLOGIC):
        serologic.append(antibody_text(p))
        facts.append(antibody_fact(p))
    morphologic = []
    for concept, name in MORPHOLOGIC.items():
        c = record.condition(concept)
        if c is not None:
            morphologic.append(f"{name} ({day(c.when)})")
            facts.append(condition_fact(c))
    domains = {"A. Clinical": clinical, "B. Serologic": serologic, "C. Morphologic": morphologic}
    met = [d for d, items in domains.items() if items]
    if len(met) < 2:
        return
    parts = [
        f"ILD recorded ({condition_text(ild)}), no defined CTD. Features in "
        f"{len(met)} of 3 IPAF domains (at least 2 required):",
    ]
    for d, items in domains.items():
        parts.append(f"**{d}:** " + ("; ".join(items) if items else "none recorded"))
    parts += [
        "Meets the 2015 ERS/ATS IPAF classification **provided alternative causes of the "
        "interstitial pneumonia are excluded**. IPAF is a research classification: follow up "
        "for an evolving CTD, with rheumatology input.",
        cite(*[B07, R008]),
    ]
    domain_names = " + ".join(d.split(". ")[1] for d in met)
    yield Finding(
        topic=TOPIC,
        indicator=Indicator.INFO,
        summary=f"ILD without a defined CTD meets IPAF criteria ({domain_names} domains).",
        detail="\n\n".join(parts),
        rules=("B07",),
        facts=unique_facts(facts),
        priority=70,
    )
