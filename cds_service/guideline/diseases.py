"""Which connective tissue disease, whether there is ILD, which autoantibodies, and when lung
function was last measured: the clinical vocabulary every guideline package shares (one
definition for DM/PM-ILD, SSc, RA, other CTD-ILD, diagnosis, safety and the order checks).

Concept ids only (``fhir_mappings/data/codes.csv``); no codes. Each question answers from the
record's active conditions; an entry the record does not hold is "not known", never "absent"
in a clinical sense, which is why callers stay silent rather than conclude "no disease".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from fhir_mappings.record import ConditionEntry, PatientRecord

#: CTD groups (ACR/CHEST 2023 disease names, B01) -> the concepts that establish them
CTD_CONCEPTS: dict[str, frozenset[str]] = {
    "ssc": frozenset({"systemic_sclerosis", "ssc_diffuse", "ssc_limited", "ssc_lung"}),
    "ra": frozenset({"rheumatoid_arthritis", "ra_lung"}),
    "iim": frozenset(
        {
            "dermatomyositis",
            "polymyositis",
            "amyopathic_dm",
            "antisynthetase_syndrome",
            "imnm",
            "juvenile_dermatomyositis",
            "pm_dm_lung",
        }
    ),
    "sjd": frozenset({"sjogren", "sjogren_lung"}),
    "mctd": frozenset({"mctd"}),
    "sle": frozenset({"sle", "lupus_pneumonitis"}),
}

#: myositis types of JP §DM, PM, and amyopathic DM (R063-R065): the DM/PM-ILD algorithm's
#: population is a subset of the IIM group above (not IMNM)
ADM_CONCEPTS: tuple[str, ...] = ("amyopathic_dm",)
DM_CONCEPTS: tuple[str, ...] = ("dermatomyositis", "juvenile_dermatomyositis")
PM_CONCEPTS: tuple[str, ...] = ("polymyositis",)
OTHER_DMPM_CONCEPTS: tuple[str, ...] = ("antisynthetase_syndrome", "pm_dm_lung")
DMPM_CONCEPTS: tuple[str, ...] = ADM_CONCEPTS + DM_CONCEPTS + PM_CONCEPTS + OTHER_DMPM_CONCEPTS

#: anti-aminoacyl-tRNA synthetase (anti-ARS) antibodies (JP §Anti-ARS; ACR/CHEST Table 2;
#: ERS/ATS 2015 IPAF serologic domain)
ANTI_SYNTHETASE: tuple[str, ...] = (
    "anti_jo1",
    "anti_pl7",
    "anti_pl12",
    "anti_ej",
    "anti_oj",
    "anti_ks",
    "anti_zo",
    "anti_ha",
)

CTD_NAMES: dict[str, str] = {
    "ssc": "systemic sclerosis",
    "ra": "rheumatoid arthritis",
    "iim": "idiopathic inflammatory myopathy",
    "sjd": "Sjögren's disease",
    "mctd": "mixed connective tissue disease",
    "sle": "systemic lupus erythematosus",
}

#: concepts that establish ILD (disease-specific lung codes included)
ILD_CONCEPTS: frozenset[str] = frozenset(
    {
        "ild",
        "ild_ctd",
        "interstitial_pneumonia",
        "idiopathic_interstitial_pneumonia",
        "ipf",
        "nsip",
        "uip",
        "lip",
        "organizing_pneumonia",
        "pulmonary_fibrosis",
        "rp_ild_or_aip",
        "progressive_pulmonary_fibrosis",
        "ild_other_fibrosis_elsewhere",
        "ssc_lung",
        "ra_lung",
        "sjogren_lung",
        "pm_dm_lung",
        "lupus_pneumonitis",
        "ipaf",
    }
)

#: disease-specific lung codes name both the CTD and the ILD
CTD_LUNG_CONCEPTS: dict[str, str] = {
    "ssc": "ssc_lung",
    "ra": "ra_lung",
    "iim": "pm_dm_lung",
    "sjd": "sjogren_lung",
    "sle": "lupus_pneumonitis",
}

#: a PFT is any of these results, or a StudyEntry "pft"
PFT_CONCEPTS: tuple[str, ...] = ("fvc_pct_pred", "dlco_pct_pred", "fvc", "dlco")


def ctd_groups(record: PatientRecord) -> set[str]:
    """The CTD groups with an active diagnosis in the record."""
    return {g for g, concepts in CTD_CONCEPTS.items() if record.has_condition(*concepts)}


def has_ctd(record: PatientRecord, group: str) -> bool:
    return record.has_condition(*CTD_CONCEPTS[group])


def ild_entry(record: PatientRecord) -> ConditionEntry | None:
    """The most recent active ILD entry, or None."""
    return record.condition(*ILD_CONCEPTS)


def first_ild_entry(record: PatientRecord) -> ConditionEntry | None:
    """The earliest dated active ILD entry (its onset is the ILD symptom onset), else any
    active ILD entry, else None."""
    entries = [c for c in record.condition_entries(*ILD_CONCEPTS) if c.active]
    dated = [c for c in entries if c.when is not None]
    if dated:
        return min(dated, key=lambda c: c.when or date.max)
    return entries[0] if entries else None


def has_ild(record: PatientRecord) -> bool:
    return ild_entry(record) is not None


def _onset(record: PatientRecord, concepts: Iterable[str]) -> date | None:
    """The earliest date (onset, else recorded) of an active entry of ``concepts``, or None."""
    dates = [c.when or c.recorded for c in record.condition_entries(*concepts) if c.active]
    return min((d for d in dates if d is not None), default=None)


def ild_onset(record: PatientRecord) -> date | None:
    """The earliest dated active ILD entry (the ILD diagnosis date), or None."""
    return _onset(record, ILD_CONCEPTS)


def ctd_onset(record: PatientRecord, group: str) -> date | None:
    return _onset(record, CTD_CONCEPTS[group])


def has_ipf(record: PatientRecord) -> bool:
    return record.has_condition("ipf")


def last_pft(record: PatientRecord) -> date | None:
    """The date of the latest PFT: a PFT study or any spirometry/DLCO result, up to today."""
    dates = [s.when for s in record.studies_of("pft") if s.when <= record.today]
    dates += [m.when for c in PFT_CONCEPTS if (m := record.latest(c)) is not None]
    return max(dates) if dates else None


def last_hrct(record: PatientRecord) -> date | None:
    """The date of the latest chest (HR)CT on record: a study, or an HRCT extent result."""
    dates = [s.when for s in record.studies_of("hrct_chest", "ct_chest") if s.when <= record.today]
    extent = record.latest("hrct_fibrosis_extent")
    if extent is not None:
        dates.append(extent.when)
    return max(dates) if dates else None


def has_ctd_ild(record: PatientRecord, group: str) -> bool:
    """The CTD's own lung code, or the CTD and an ILD both recorded."""
    lung = CTD_LUNG_CONCEPTS.get(group)
    if lung is not None and record.has_condition(lung):
        return True
    return has_ctd(record, group) and has_ild(record)
