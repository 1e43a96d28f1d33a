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

With a positive anti-ARS the card says anti-synthetase syndrome should be excluded first
(anti-ARS + ILD can already meet ASyS, a defined CTD; JP R077).

Decisions left open, taken here: RF >=2x ULN cannot be judged (no reference range in the
record) and is not counted; telangiectasia without a palmar site, and ANA >=1:320 without a
diffuse, speckled or homogeneous pattern (none recorded, or another one), are listed as
"unconfirmed", never counted; the pattern is the result's own text or a
separate ANA pattern result of the same day; digital oedema and multicompartment
involvement have no concept and are not read.
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.record import AntibodyResult, PatientRecord

from .. import evidence
from ..compose import finding
from ..derived import Derived
from ..diseases import ANTI_SYNTHETASE
from ..facts import antibody_fact, condition_fact
from ..findings import Fact, Finding, Indicator
from ..shared_rules import R077
from ..text import antibody_text, condition_text, day, number
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
#: features the record shows but cannot confirm as the criterion (listed, never counted)
UNCONFIRMED_CLINICAL = {
    "telangiectasia": "telangiectasia without a recorded palmar site (the criterion is palmar "
    "telangiectasia)",
}


def _pattern(record: PatientRecord, result: AntibodyResult) -> str:
    """The ANA pattern: the result's own text, else a separate pattern result of that day."""
    if result.text:
        return result.text.lower()
    same_day = [
        r
        for r in record.antibody_results("ana_pattern")
        if r.when == result.when and r.text and r.status != "unknown"
    ]
    return (same_day[-1].text or "").lower() if same_day else ""


def _ana_feature(record: PatientRecord) -> tuple[str | None, str | None, Fact | None]:
    """(feature counted, feature unconfirmed, fact): ANA >=1:320 counts only with a diffuse,
    speckled or homogeneous pattern; nucleolar or centromere at any titre. A high titre with
    no pattern recorded (or another pattern) is listed as unconfirmed, never counted."""
    unconfirmed: tuple[str, Fact] | None = None
    for concept in ("ana_titer", "ana_presence", "ana_pattern"):
        result = record.antibody(concept)
        if result is None or result.status != "positive":
            continue
        pattern = _pattern(record, result)
        if any(p in pattern for p in ANY_TITRE_PATTERNS):
            return f"ANA {pattern} pattern ({day(result.when)})", None, antibody_fact(result)
        if result.titer is not None and ANA_TITRE.holds(result.titer):
            if any(p in pattern for p in TITRE_PATTERNS):
                return f"{antibody_text(result)}, {pattern} pattern", None, antibody_fact(result)
            why = f"pattern {pattern}" if pattern else "no pattern recorded"
            unconfirmed = (
                f"{antibody_text(result)}: {why} (a titre of 1:{number(ANA_TITRE.value)} or "
                "more counts only with a diffuse, speckled or homogeneous pattern)",
                antibody_fact(result),
            )
    if unconfirmed is not None:
        return None, unconfirmed[0], unconfirmed[1]
    return None, None, None


def _recorded(record: PatientRecord, names: dict[str, str], facts: list[Fact]) -> list[str]:
    """The features of ``names`` the record shows, dated (their facts added to ``facts``)."""
    out = []
    for concept, name in names.items():
        c = record.condition(concept)
        if c is not None:
            out.append(f"{name} ({day(c.when)})")
            facts.append(condition_fact(c))
    return out


def ipaf_criteria(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    ild = ild_without_ctd(record)
    if ild is None or record.has_condition("ipaf"):
        return
    facts: list[Fact] = [condition_fact(ild)]
    clinical = _recorded(record, CLINICAL, facts)
    unconfirmed = _recorded(record, UNCONFIRMED_CLINICAL, facts)
    serologic = []
    ana_counted, ana_unconfirmed, ana_fact = _ana_feature(record)
    if ana_counted is not None:
        serologic.append(ana_counted)
    if ana_unconfirmed is not None:
        unconfirmed.append(ana_unconfirmed)
    if ana_fact is not None:
        facts.append(ana_fact)
    ars_positive = []
    for p in record.any_antibody_positive(SEROLOGIC):
        serologic.append(antibody_text(p))
        facts.append(antibody_fact(p))
        if p.concept in ANTI_SYNTHETASE:
            ars_positive.append(antibody_text(p))
    morphologic = _recorded(record, MORPHOLOGIC, facts)
    domains = {"A. Clinical": clinical, "B. Serologic": serologic, "C. Morphologic": morphologic}
    met = [d for d, items in domains.items() if items]
    if len(met) < 2:
        return
    why = [f"ILD recorded ({condition_text(ild)}), no defined CTD"]
    why += [
        f"**{d}:** " + ("; ".join(items) if items else "none recorded")
        for d, items in domains.items()
    ]
    if unconfirmed:
        why.append("**Not counted (unconfirmed):** " + "; ".join(unconfirmed))
    to_do = [
        "Exclude alternative causes of the interstitial pneumonia.",
        "Follow up for an evolving CTD with rheumatology (a research classification).",
    ]
    if ars_positive:
        to_do.insert(
            0,
            "**Anti-synthetase syndrome should be excluded first**: a defined CTD, which IPAF "
            "requires to be absent.",
        )
    domain_names = " + ".join(d.split(". ")[1] for d in met)
    summary = f"ILD without a defined CTD meets IPAF criteria ({domain_names} domains)."
    if ars_positive:
        summary = (
            f"ILD meets IPAF criteria ({domain_names}) if anti-synthetase syndrome is "
            "excluded first (anti-ARS positive)."
        )
    yield finding(
        topic=TOPIC,
        indicator=Indicator.INFO,
        summary=summary,
        why=why,
        body=(
            f"{len(met)} of 3 domains of interstitial pneumonia with autoimmune features "
            "(IPAF, ERS/ATS 2015); 2 are required.",
        ),
        what_to_do=to_do,
        rules=(B07, R008, *((R077,) if ars_positive else ())),
        facts=facts,
        priority=70,
    )
