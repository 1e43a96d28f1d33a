"""SSc-ILD at diagnosis: treatment indicated (KR §Classification 2, R024; Goh 2008, B11).

Recommendation (KR, SSc-ILD): "Treatment should be considered if ILD involvement exceeds 20%
on chest HRCT or FVC is less than 70% predicted at the initial ILD diagnosis."

When: SSc-ILD (``ssc_lung``, or SSc and an ILD) with no SSc-ILD treatment active (the
"at diagnosis" state: no CYC, mycophenolate, azathioprine, rituximab, tocilizumab or
nintedanib), and within the last 12 months HRCT extent >20% or FVC <70% predicted.
Then: card (warning) with the Goh stage as context and the SSc-ILD options (ACR/CHEST 2023,
ATS 2023, KR); never glucocorticoids (Z13).

Decisions left open by the source
- "At diagnosis" is read as "untreated": once a disease-directed drug is active, the decline
  card (``ssc-ild-decline``) takes over.
- The values used are the latest of the last 365 days; older values are stale and not used.
- Either trigger alone suffices (KR, Z12); a missing other value is named in the card.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from fhir_mappings.record import Measurement, PatientRecord

from .. import drug_classes
from ..compose import finding
from ..diseases import has_ctd_ild
from ..evidence import Threshold, rule
from ..facts import measurement_fact
from ..findings import Finding, Indicator
from ..text import measurement_text
from .goh import B11, goh_stage
from .options import NO_GLUCOCORTICOID_NOTE, OPTION_RULES, OPTIONS

TOPIC = "ssc-ild-treatment-indicated"

R024 = rule(
    "R024",
    "KR",
    "§Classification 2",
    "SSc-ILD treatment should be considered at the initial ILD diagnosis if ILD involvement "
    "exceeds 20% on chest HRCT or FVC is less than 70% predicted; or on a follow-up PFT with "
    "a decline of DLCO over 15% or FVC over 10%",
    "HRCT >20%; FVC <70% predicted; DLCO decline >15%; FVC decline >10%",
    (TOPIC, "ssc-ild-decline"),
)

HRCT_EXTENT = Threshold("hrct_fibrosis_extent", ">", 20.0, "%", R024)
FVC_LOW = Threshold("fvc_pct_pred", "<", 70.0, "%", R024)

RECENT = timedelta(days=365)


def is_untreated_ssc_ild(record: PatientRecord) -> bool:
    return not record.active_medications(drug_classes.SSC_ILD_TREATMENTS, include_drafts=False)


def extent_exceeds(m: Measurement | None) -> bool | None:
    return None if m is None or m.value is None else HRCT_EXTENT.holds(m.value)


def fvc_below(m: Measurement | None) -> bool | None:
    return None if m is None or m.value is None else FVC_LOW.holds(m.value)


def ssc_ild_treatment_indicated(record: PatientRecord) -> Iterator[Finding]:
    if not has_ctd_ild(record, "ssc") or not is_untreated_ssc_ild(record):
        return
    extent = record.latest("hrct_fibrosis_extent", within=RECENT)
    fvc = record.latest("fvc_pct_pred", within=RECENT)
    by_extent, by_fvc = extent_exceeds(extent), fvc_below(fvc)
    if not (by_extent or by_fvc):
        return
    stage = goh_stage(extent.value if extent else None, fvc.value if fvc else None)
    triggers = []
    if by_extent and extent is not None:
        triggers.append(f"HRCT extent {HRCT_EXTENT.text}")
    if by_fvc and fvc is not None:
        triggers.append(f"FVC {FVC_LOW.text} predicted")
    facts_text = []
    facts = []
    for m, label in ((extent, "HRCT extent"), (fvc, "FVC % predicted")):
        if m is None:
            facts_text.append(f"{label}: none in the last 12 months (not assessed)")
        else:
            facts_text.append(measurement_text(m))
            facts.append(measurement_fact(m))
    facts_text.append(
        f"Goh stage: {stage}" if stage else "Goh stage: needs an HRCT extent (not staged)"
    )
    summary = (
        f"SSc-ILD with {' and '.join(triggers)}: consider treatment (mycophenolate first line)."
    )
    rules = (R024, B11, *OPTION_RULES)
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=summary,
        patient_data=facts_text,
        body=(
            "KR (R024): treat SSc-ILD at diagnosis when HRCT extent "
            f"{HRCT_EXTENT.text} or FVC {FVC_LOW.text} predicted. The Goh stage (extent "
            "20%, FVC 70% in the 10-30% band) is shown as context only.",
            "No SSc-ILD treatment is active in the record.",
        ),
        options_title="Options (discuss with an expert; ACR/CHEST 2023, ATS 2023, KR)",
        options=OPTIONS,
        notes=(NO_GLUCOCORTICOID_NOTE,),
        rules=rules,
        facts=tuple(facts),
        priority=20,
    )
