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
- A censored value (FVC "<65") counts only when its bound settles the threshold.
- Data not had for this call: with medications unavailable the treatment status is unknown,
  so a met trigger gives an ``info`` card that says so (never "no treatment active"); with
  no trigger met but the value of a trigger missing because its data set (``respiratory``,
  ``imaging``) was unavailable, or undecidable (censored), an ``info`` card says the
  triggers could not be assessed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from fhir_mappings.record import Measurement, PatientRecord

from .. import drug_classes
from ..compose import finding
from ..data_gaps import IMAGING, LUNG_FUNCTION, MEDICATIONS, gap_text
from ..derived import Derived
from ..diseases import has_ctd_ild
from ..evidence import Threshold, rule
from ..facts import measurement_fact
from ..findings import Finding, Indicator
from ..text import measurement_text, threshold_text
from .goh import B11, goh_stage
from .options import NO_GLUCOCORTICOID, OPTION_RULES, OPTIONS

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


def _meets(threshold: Threshold, m: Measurement | None) -> bool | None:
    return None if m is None or m.value is None else threshold.decide(m.value, m.comparator)


def _value_lines(
    extent: Measurement | None, fvc: Measurement | None, record: PatientRecord
) -> list[str]:
    lines = []
    for m, label, datasets in (
        (extent, "HRCT extent", IMAGING),
        (fvc, "FVC % predicted", LUNG_FUNCTION),
    ):
        if m is None:
            gaps = record.missing_data(*datasets)
            why = gap_text(gaps) if gaps else "not assessed"
            lines.append(f"{label}: none in the last 12 months ({why})")
        else:
            lines.append(measurement_text(m))
    return lines


def ssc_ild_treatment_indicated(
    record: PatientRecord, derived: Derived | None = None
) -> Iterator[Finding]:
    if not has_ctd_ild(record, "ssc") or record.active_medications(
        drug_classes.SSC_ILD_TREATMENTS, include_drafts=False
    ):
        return
    med_gaps = record.missing_data(*MEDICATIONS)
    extent = record.latest("hrct_fibrosis_extent", within=RECENT)
    fvc = record.latest("fvc_pct_pred", within=RECENT)
    by_extent, by_fvc = _meets(HRCT_EXTENT, extent), _meets(FVC_LOW, fvc)
    facts = [measurement_fact(m) for m in (extent, fvc) if m is not None]
    lines = _value_lines(extent, fvc, record)
    rules = (R024, B11, *OPTION_RULES)
    if not (by_extent or by_fvc):
        undecided = [
            label
            for decided, m, label, datasets in (
                (by_extent, extent, "HRCT extent", IMAGING),
                (by_fvc, fvc, "FVC", LUNG_FUNCTION),
            )
            if decided is None and (m is not None or record.missing_data(*datasets))
        ]
        if undecided:
            yield finding(
                topic=TOPIC,
                indicator=Indicator.INFO,
                summary=(
                    "SSc-ILD: treatment triggers could not be assessed for "
                    f"{' and '.join(undecided)} (data unavailable or censored value)."
                ),
                why=lines,
                body=(_BODY,),
                rules=(R024, B11),
                facts=tuple(facts),
                priority=20,
            )
        return
    stage = goh_stage(
        extent.value if extent and not extent.comparator else None,
        fvc.value if fvc and not fvc.comparator else None,
    )
    triggers = []
    if by_extent and extent is not None:
        triggers.append(f"HRCT extent {threshold_text(HRCT_EXTENT)}")
    if by_fvc and fvc is not None:
        triggers.append(f"FVC {threshold_text(FVC_LOW)} predicted")
    lines.append(f"Goh stage: {stage}" if stage else "Goh stage: needs an HRCT extent (not staged)")
    if med_gaps:
        status = (
            "Whether an SSc-ILD treatment is active could not be checked: "
            f"{gap_text(med_gaps)}; the advice applies if none is."
        )
        summary = (
            f"SSc-ILD with {' and '.join(triggers)}: consider treatment if not already treated "
            "(medications not checked)."
        )
    else:
        status = "No SSc-ILD treatment is active in the record."
        summary = (
            f"SSc-ILD with {' and '.join(triggers)}: consider treatment (mycophenolate first line)."
        )
    yield finding(
        topic=TOPIC,
        indicator=Indicator.INFO if med_gaps else Indicator.WARNING,
        summary=summary,
        why=lines,
        body=(_BODY, status),
        what_to_do=OPTIONS,
        notes=(NO_GLUCOCORTICOID,),
        rules=rules,
        facts=tuple(facts),
        priority=20,
    )


_BODY = (
    "Korean guideline: treatment should be considered at diagnosis when the HRCT extent is "
    f"{threshold_text(HRCT_EXTENT)} or forced vital capacity (FVC) {threshold_text(FVC_LOW)} "
    "predicted."
)
