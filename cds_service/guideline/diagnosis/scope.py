"""Who the diagnosis rules are for: ILD without a defined connective tissue disease.

KR Abstract; §Introduction (R001): CTD-ILD is diagnosed when ILD is present on HRCT and the
criteria of a CTD are met; either can come first. KR §Diagnosis 1 (R002): every patient newly
diagnosed with ILD should be examined for co-existing CTD, even without a prior CTD
diagnosis.

Decisions left open, taken here: undifferentiated CTD (UCTD) and IPAF are not "defined" CTDs,
so the work-up rules still apply to them; a CTD-ILD diagnosis code counts as a defined CTD.
"""

from __future__ import annotations

from fhir_mappings.record import ConditionEntry, PatientRecord

from ..diseases import first_ild_entry

DEFINED_CTD_CONCEPTS = (
    "rheumatoid_arthritis",
    "systemic_sclerosis",
    "ssc_diffuse",
    "ssc_limited",
    "sle",
    "sjogren",
    "mctd",
    "dermatomyositis",
    "juvenile_dermatomyositis",
    "polymyositis",
    "amyopathic_dm",
    "antisynthetase_syndrome",
    "overlap_syndrome",
    "imnm",
    "inclusion_body_myositis",
    "ild_ctd",
    "pm_dm_lung",
    "ra_lung",
    "ssc_lung",
    "sjogren_lung",
    "lupus_pneumonitis",
    "pah_ctd",
)


def ild_without_ctd(record: PatientRecord) -> ConditionEntry | None:
    """The ILD entry when the patient has ILD and no defined CTD is recorded; else None."""
    ild = first_ild_entry(record)
    if ild is None or record.has_condition(*DEFINED_CTD_CONCEPTS):
        return None
    return ild
