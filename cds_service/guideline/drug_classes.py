"""Drug classes the guideline reasons about, as ingredient concept ids (no codes).

One place for class membership, shared by the patient-view rule packages and the order checks
(``guideline/orders``). Every member is a concept id of ``fhir_mappings/data/codes.csv`` (column
``concept_id``); the builder maps RxNorm products to these ingredient concepts.

Where a grouping is a clinical choice rather than pharmacology it says so and names its source.
"""

from __future__ import annotations

#: systemic glucocorticoids (the builder converts their doses to prednisolone equivalents)
GLUCOCORTICOIDS: frozenset[str] = frozenset(
    {
        "prednisone",
        "prednisolone",
        "methylprednisolone",
        "dexamethasone",
        "hydrocortisone",
        # beyond the seeds (equivalents from the BNF, fhir_mappings/data/drugs.csv)
        "betamethasone",
        "triamcinolone",
        "deflazacort",
        "cortisone",
    }
)

#: calcineurin inhibitors (JP: CsA / TAC in A/S-ILD regimens, R093-R098)
CALCINEURIN_INHIBITORS: frozenset[str] = frozenset({"cyclosporine", "tacrolimus"})

CYCLOPHOSPHAMIDE: frozenset[str] = frozenset({"cyclophosphamide"})

#: antimetabolites (mycophenolate as mofetil or mycophenolic acid; azathioprine)
ANTIMETABOLITES: frozenset[str] = frozenset(
    {"mycophenolate_mofetil", "mycophenolic_acid", "azathioprine"}
)

#: biologics used in CTD-ILD (KR R045, R054, R061; TC; ACR/CHEST 2023)
BIOLOGICS: frozenset[str] = frozenset({"rituximab", "tocilizumab", "abatacept", "infliximab"})

#: Janus kinase inhibitors (ACR/CHEST 2023: IIM-ILD option)
JAK_INHIBITORS: frozenset[str] = frozenset({"tofacitinib", "baricitinib"})

#: antifibrotics (ATS/ERS 2022; never the TC list, Z17)
ANTIFIBROTICS: frozenset[str] = frozenset({"nintedanib", "pirfenidone"})

#: agents that count as Pneumocystis prophylaxis (EULAR 2022, B15): TMP-SMX (as the
#: combination or as its two ingredients), atovaquone, dapsone, pentamidine
PJP_PROPHYLAXIS: frozenset[str] = frozenset(
    {"tmp_smx", "trimethoprim", "sulfamethoxazole", "atovaquone", "dapsone", "pentamidine"}
)

#: drugs with a caution for ILD (JP R115: leflunomide, gefitinib, bleomycin; Z6). The ids
#: ``gefitinib`` and ``bleomycin`` have no row in codes.csv yet; sites can map them.
DRUG_INDUCED_ILD_CAUTION: frozenset[str] = frozenset({"leflunomide", "gefitinib", "bleomycin"})

#: immunosuppressants that make a glucocorticoid regimen "combined" for PJP risk
#: (B15 service rule: CYC, CsA, TAC, MMF, RTX, JAKi; azathioprine added as an antimetabolite)
SECOND_IMMUNOSUPPRESSANTS: frozenset[str] = (
    CALCINEURIN_INHIBITORS | CYCLOPHOSPHAMIDE | ANTIMETABOLITES | {"rituximab"} | JAK_INHIBITORS
)

#: any agent that counts as "treated" for an ILD (used by "untreated" checks)
ILD_TREATMENTS: frozenset[str] = (
    GLUCOCORTICOIDS
    | CALCINEURIN_INHIBITORS
    | CYCLOPHOSPHAMIDE
    | ANTIMETABOLITES
    | BIOLOGICS
    | JAK_INHIBITORS
    | ANTIFIBROTICS
    | {"ivig"}
)

#: SSc-ILD disease-directed treatments (KR Table 5, ATS 2023 B05); glucocorticoids are NOT
#: among them (Z13)
SSC_ILD_TREATMENTS: frozenset[str] = (
    CYCLOPHOSPHAMIDE
    | {"mycophenolate_mofetil", "mycophenolic_acid", "azathioprine"}
    | {"rituximab", "tocilizumab"}
    | {"nintedanib"}
)
