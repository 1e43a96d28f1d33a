"""Which Observation concepts the prefetch queries fetch by code, and which by category.

One source of truth: the LOINC codes of the code-based prefetch queries are derived from the
code table (``data/codes.csv``, verified/probable rows), so a LOINC code added to a concept is
fetched without editing the service registry. The output is sorted by LOINC number (stable
discovery document). Everything else the rules read from Observations is fetched by a
category query; a test checks that every concept the rules use is covered.
"""

from __future__ import annotations

from collections.abc import Iterable

from .tables import LOINC, USABLE_CONFIDENCE, code_rows, concept_rows

#: the CTD autoantibody panel (KR Table 2, myositis panel, RF/CCP, ANCA): fetched by code so
#: results years old are never cut off by a cap on recent laboratory results
AUTOANTIBODY_CONCEPTS: tuple[str, ...] = (
    "ana_presence",
    "ana_titer",
    "ana_units",
    "ana_pattern",
    "anti_dsdna",
    "anti_u1rnp",
    "anti_ssa_ro60",
    "anti_ro52",
    "anti_ssb_la",
    "anti_scl70",
    "anti_centromere",
    "anti_jo1",
    "anti_pl7",
    "anti_pl12",
    "anti_ej",
    "anti_oj",
    "anti_mda5",
    "anti_tif1g",
    "anti_nxp2",
    "anti_sae",
    "anti_mi2",
    "anti_hmgcr",
    "anti_srp",
    "anti_pmscl",
    "anti_ccp",
    "rheumatoid_factor",
    "anca",
    "anca_c",
    "anca_p",
    "anca_mpo",
    "anca_pr3",
)

#: pulmonary function tests, arterial blood gases and oxygen saturation: fetched by code
#: whatever category the EHR files them under (PFTs have no standard category)
RESPIRATORY_CONCEPTS: tuple[str, ...] = (
    "fvc",
    "fvc_pct_pred",
    "fvc_predicted",
    "vital_capacity",
    "vital_capacity_pct_pred",
    "dlco",
    "dlco_predicted",
    "dlco_pct_pred",
    "kco",
    "tlc",
    "tlc_predicted",
    "tlc_pct_pred",
    "fev1",
    "fev1_pct_pred",
    "fev1_fvc",
    "pao2",
    "spo2",
    "spo2_exercise",
    "sao2_calc",
    "aa_gradient",
)

#: body weight and height (mg/kg and mg/m² doses): US Core files them as vital signs, which
#: the laboratory query does not return; fetched by code
BODY_SIZE_CONCEPTS: tuple[str, ...] = ("body_weight", "body_height")


def _loinc_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else -1 for part in code.split("-"))


def loinc_codes(concepts: Iterable[str]) -> tuple[str, ...]:
    """The usable LOINC codes of ``concepts`` from the code table, each once, sorted by LOINC
    number. Raises ``KeyError`` for an unknown concept id (a typo must not drop a query)."""
    wanted = set(concepts)
    unknown = wanted - set(concept_rows())
    if unknown:
        raise KeyError(f"unknown concept ids: {sorted(unknown)}")
    codes = {
        row.code
        for row in code_rows()
        if row.concept_id in wanted
        and row.system == LOINC
        and row.code
        and row.confidence in USABLE_CONFIDENCE
    }
    return tuple(sorted(codes, key=_loinc_key))
