"""ILD screening in a SARD at risk (2023 ACR/CHEST screening guideline, B01).

Recommendation (ACR/CHEST 2023, conditional, low certainty): in people with SSc, RA, IIM,
MCTD or Sjögren's disease at increased risk of ILD (Table 2 risk factors), screen with PFTs
(spirometry, lung volumes, DLCO) and HRCT chest; HRCT + PFTs over PFTs alone.

When: one of those SARDs, no ILD recorded, at least one Table 2 risk factor the record can
show, and no HRCT or no PFT on record. Then: info card naming the risk factors and the
missing test(s).

Decisions left open / not computed: risk factors needing a reference range or data the record
lacks (high-titre RF/anti-CCP, smoking, race, BMI, acute-phase reactants, lymphopenia, older
age at onset) are not assessed; absence of risk factors is never stated as "no risk"
(ACR/CHEST: their absence does not preclude ILD). SSc "early disease" = SSc onset within 7
years (upper bound of Table 2's 5-7 years). SLE is outside ACR/CHEST's scope: no card.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from fhir_mappings.record import PatientRecord

from ..compose import finding
from ..derived import Derived
from ..diseases import (
    ANTI_SYNTHETASE,
    CTD_CONCEPTS,
    CTD_NAMES,
    ctd_groups,
    ctd_onset,
    has_ild,
    last_hrct,
    last_pft,
)
from ..evidence import rule
from ..facts import antibody_fact, condition_fact, present
from ..findings import Fact, Finding, Indicator
from ..text import label

TOPIC = "sard-ild-screening"

B01 = rule(
    "B01",
    "ACR/CHEST 2023 screening",
    "Table 2 (risk factors); screening and monitoring recommendations (Table 4)",
    "Screen SARD patients at increased risk of ILD with PFTs and HRCT; monitor SARD-ILD with "
    "PFTs every 3-6 months (IIM, SSc) or 3-12 months (RA, SjD, MCTD) in the first year",
    "IIM/SSc-ILD PFT every 3-6 months; RA/SjD/MCTD-ILD every 3-12 months (first year)",
    (TOPIC, "sard-ild-monitoring-due"),
)

SSC_EARLY = timedelta(days=round(7 * 365.25))
SCREENED_GROUPS = ("ssc", "ra", "iim", "mctd", "sjd")


def _positive(record: PatientRecord, concepts: tuple[str, ...]) -> list[tuple[str, Fact]]:
    return [
        (f"{label(r.concept)} positive ({r.when.isoformat()})", antibody_fact(r))
        for r in record.any_antibody_positive(concepts)
    ]


def _findings(record: PatientRecord, concepts: tuple[str, ...]) -> list[tuple[str, Fact]]:
    out = []
    for concept in concepts:
        c = record.condition(concept)
        if c is not None:
            when = f" ({c.when.isoformat()})" if c.when else ""
            out.append((label(concept) + when, condition_fact(c)))
    return out


def risk_factors(record: PatientRecord, group: str) -> list[tuple[str, Fact | None]]:
    """Table 2 risk factors of ``group`` that the record shows (text, fact)."""
    out: list[tuple[str, Fact | None]] = []
    # sex is a demographic of the Patient resource, not a dated observation: text only
    male: list[tuple[str, Fact | None]] = [("male sex", None)] if record.sex == "male" else []
    if group == "ssc":
        out += _positive(record, ("anti_scl70",))
        pattern = record.antibody("ana_pattern")
        if pattern is not None and pattern.text and "nucleol" in pattern.text.lower():
            out.append(
                (
                    f"ANA nucleolar pattern ({pattern.when.isoformat()})",
                    antibody_fact(pattern),
                )
            )
        out += _findings(record, ("ssc_diffuse",))
        out += male
        onset = ctd_onset(record, "ssc")
        if onset is not None and record.today - onset <= SSC_EARLY:
            out.append(
                (
                    f"early disease (SSc since {onset.isoformat()})",
                    present("systemic_sclerosis", onset),
                )
            )
    elif group == "ra":
        out += male
    elif group == "iim":
        out += _positive(record, (*ANTI_SYNTHETASE, "anti_mda5", "anti_pmscl", "anti_ro52"))
        out += _findings(record, ("mechanics_hands", "arthritis", "digital_ulcer"))
    elif group == "mctd":
        out += _findings(record, ("raynaud", "sclerodactyly", "digital_ulcer", "telangiectasia"))
        out += _positive(record, ("anti_scl70",))
    elif group == "sjd":
        out += _positive(record, ("anti_ro52", "ana_presence"))
        out += _findings(record, ("raynaud",))
    return out


def sard_ild_screening(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    present = ctd_groups(record)
    groups = [g for g in SCREENED_GROUPS if g in present]
    if not groups or has_ild(record):
        return
    factors: list[tuple[str, Fact | None]] = []
    for g in groups:
        for item in risk_factors(record, g):
            if item not in factors:
                factors.append(item)
    if not factors:
        return
    hrct, pft = last_hrct(record), last_pft(record)
    missing = [name for name, study in (("HRCT chest", hrct), ("PFTs", pft)) if study is None]
    if not missing:
        return
    diseases = ", ".join(CTD_NAMES[g] for g in groups)
    lines = [f"Diagnosis: {diseases}"]
    lines += [f"Risk factor: {text}" for text, _ in factors]
    lines.append(f"HRCT: {hrct.isoformat() if hrct else 'none on record'}")
    lines.append(f"PFT: {pft.isoformat() if pft else 'none on record'}")
    yield finding(
        topic=TOPIC,
        indicator=Indicator.INFO,
        summary=(
            f"{diseases.capitalize()} with ILD risk factors and no {' or '.join(missing)} "
            "on record: consider ILD screening."
        ),
        why=lines,
        body=(
            "ACR/CHEST 2023 (conditional): screen with pulmonary function tests (PFTs) and "
            "HRCT chest, not chest radiography or a 6-minute walk; no risk factor does not "
            "exclude ILD.",
        ),
        rules=(B01,),
        facts=[
            *(
                condition_fact(c)
                for g in groups
                if (c := record.condition(*CTD_CONCEPTS[g])) is not None
            ),
            *(f for _, f in factors if f is not None),
        ],
        priority=60,
    )
