"""Code tables: every coded concept resolves; displays match the source table; ICD children."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from fhir_mappings import codesystem
from fhir_mappings.tables import code_rows, concept_rows, drug_rows
from fhir_mappings.terminology import default_terminology

SOURCE = Path(__file__).parent / "data" / "source_codes.csv"  # copy of reference codes.csv
SOURCE_ROWS = list(csv.DictReader(SOURCE.read_text(encoding="utf-8").splitlines()))
USABLE = [r for r in code_rows() if r.code and r.confidence in ("verified", "probable")]
DATA = Path(codesystem.__file__).parent / "data"


def _data_rows(name: str) -> list[dict[str, str]]:
    """The rows of a product data file with every column (provenance included)."""
    return list(csv.DictReader((DATA / name).read_text(encoding="utf-8").splitlines()))


CODE_FILE_ROWS = _data_rows("codes.csv")

CONTRACT_SITE_CONCEPTS = [
    "kl6",
    "surfactant_protein_d",
    "anti_ks",
    "anti_zo",
    "anti_ha",
    "cmv_pp65",
    "cyclosporine_trough",
    "cyclosporine_c2",
    "hrct_fibrosis_extent",
    "ct_ground_glass",
    "ct_lower_consolidation",
    "ct_reticular",
    "ct_honeycombing",
    "ct_uip_pattern",
    "ct_nsip_pattern",
    "ct_op_pattern",
    "ct_ild_progression",
    "dyspnea_worsening",
    "mechanics_hands",
    "gottron_papules",
    "heliotrope_rash",
    "digital_ulcer",
    "fever",
    "anti_rnap3",
    "cbc_panel",
    "urinalysis_panel",
    "liver_panel",
]


@pytest.mark.parametrize("row", USABLE, ids=lambda r: f"{r.concept_id}:{r.code}")
def test_every_coded_row_resolves_to_its_concept(row) -> None:
    assert row.concept_id in default_terminology().concepts_for(row.system, row.code)


def test_every_source_concept_is_a_concept() -> None:
    concepts = concept_rows()
    missing = {r["concept_id"] for r in SOURCE_ROWS} - set(concepts)
    assert missing == set()


@pytest.mark.parametrize("concept", CONTRACT_SITE_CONCEPTS)
def test_contract_concepts_exist(concept: str) -> None:
    assert concept in concept_rows()


def test_source_rows_are_copied_with_code_display_confidence_and_source() -> None:
    ours = {
        (r["concept_id"], r["system"], r["code"].strip()): r
        for r in CODE_FILE_ROWS
        if r["origin"] == "codes.csv"
    }
    assert len(ours) == len({(r["concept_id"], r["system"], r["code"]) for r in SOURCE_ROWS})
    for src in SOURCE_ROWS:
        row = ours[(src["concept_id"], src["system"], src["code"])]
        assert (row["display"], row["confidence"], row["source"]) == (
            src["display"],
            src["confidence"],
            src["source"],
        )


@pytest.mark.parametrize(
    ("system", "code", "display"),
    [
        ("http://loinc.org", "2276-4", "Ferritin [Mass/volume] in Serum or Plasma"),
        ("http://loinc.org", "82424-3", "MDA5 Ab [Presence] in Serum by Line blot"),
        ("http://loinc.org", "6969-0", "Myeloperoxidase Ab [Units/volume] in Serum"),
        ("http://loinc.org", "19911-7", "Diffusion capacity.carbon monoxide"),
        ("http://snomed.info/sct", "700250006", "idiopathic pulmonary fibrosis (disorder)"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "M34.81", "Systemic sclerosis with lung involvement"),
        ("http://www.nlm.nih.gov/research/umls/rxnorm", "1592737", "nintedanib"),
    ],
)
def test_display_sample_matches_source(system: str, code: str, display: str) -> None:
    src = [r for r in SOURCE_ROWS if r["system"] == system and r["code"] == code]
    ours = [r for r in CODE_FILE_ROWS if r["system"] == system and r["code"].strip() == code]
    assert src and ours
    assert {r["display"] for r in src} == {r["display"] for r in ours} == {display}


@pytest.mark.parametrize(
    ("code", "concept"),
    [
        ("6969-0", "anca_mpo"),
        ("6968-2", "anca_pr3"),  # easy to swap (terminology.md traps)
        ("2713-6", "sao2_calc"),
        ("2708-6", "spo2"),
        ("19911-7", "dlco"),
        ("19872-1", "fvc_pct_pred"),
        ("19862-2", "tlc"),
    ],
)
def test_traps_map_to_the_right_concept(code: str, concept: str) -> None:
    assert default_terminology().concepts_for("http://loinc.org", code) == {concept}


def test_unknown_rows_have_no_code_and_never_match() -> None:
    unknown = [r for r in code_rows() if r.confidence == "unknown"]
    assert unknown and all(r.code == "" for r in unknown)
    assert default_terminology().concepts_for("http://loinc.org", "") == set()


# --------------------------------------------------------------- ICD-10-CM children
# child codes listed by simple-icd-10-cm 1.5.0 (CDC April 2026 tabular)
@pytest.mark.parametrize(
    ("code", "concept"),
    [
        ("M33.11", "dermatomyositis"),
        ("M33.19", "dermatomyositis"),
        ("M33.01", "juvenile_dermatomyositis"),
        ("M33.22", "polymyositis"),
        ("M34.83", "systemic_sclerosis"),
        ("M34.9", "systemic_sclerosis"),
        ("M05.111", "ra_lung"),
        ("M05.111", "rheumatoid_arthritis"),
        ("M05.79", "rheumatoid_arthritis"),
        ("M06.011", "rheumatoid_arthritis"),
        ("M32.15", "sle"),
        ("M35.03", "sjogren"),
        ("J84.115", "ild"),
        ("J84.170", "ild"),
        ("J84.170", "progressive_pulmonary_fibrosis"),
        ("I73.01", "raynaud"),
        ("Z79.623", "long_term_immunosuppression"),
        ("m3311", "dermatomyositis"),  # lower case, no dot
    ],
)
def test_icd10cm_child_codes_resolve(code: str, concept: str) -> None:
    assert concept in default_terminology().concepts_for("http://hl7.org/fhir/sid/icd-10-cm", code)


@pytest.mark.parametrize(
    ("code", "concept"),
    [
        ("M06.1", "rheumatoid_arthritis"),  # adult-onset Still's disease: not under M06.0
        ("M32.0", "sle"),  # drug-induced SLE: M32.1 children only
        ("J84.01", "ild"),  # alveolar proteinosis: J84.0 not a listed parent
        ("M33", "dermatomyositis"),  # a parent never matches through its children
    ],
)
def test_codes_outside_a_listed_parent_do_not_resolve(code: str, concept: str) -> None:
    assert concept not in default_terminology().concepts_for(
        "http://hl7.org/fhir/sid/icd-10-cm", code
    )


def test_icd_children_flag_only_on_icd_rows() -> None:
    flagged = [r for r in code_rows() if r.icd_children]
    assert flagged and all(r.system == "http://hl7.org/fhir/sid/icd-10-cm" for r in flagged)


def test_added_rows_state_a_source() -> None:
    added = [r for r in CODE_FILE_ROWS if r["origin"] == "added"]
    assert added and all(r["source"].strip() for r in added)


@pytest.mark.parametrize(
    ("code", "concept"),
    [
        ("29463-7", "body_weight"),
        ("8302-2", "body_height"),
        ("58410-2", "cbc_panel"),
        ("24356-8", "urinalysis_panel"),
        ("24325-3", "liver_panel"),
    ],
)
def test_added_loinc_codes_resolve(code: str, concept: str) -> None:
    assert default_terminology().concepts_for("http://loinc.org", code) == {concept}


def test_every_drug_concept_is_a_concept_and_glucocorticoids_have_factors() -> None:
    drugs = drug_rows()
    assert set(drugs) <= set(concept_rows())
    gc = {c for c, d in drugs.items() if "glucocorticoid" in d.classes}
    seed = {"prednisone", "prednisolone", "methylprednisolone", "dexamethasone", "hydrocortisone"}
    assert seed <= gc
    assert all(drugs[c].pred_eq_factor for c in gc)
    # glucocorticoids beyond the seed-rules Units table carry an external source, said so
    sources = {r["concept_id"]: r["source"] for r in _data_rows("drugs.csv")}
    assert all(sources[c].startswith("external") for c in gc - seed)


# ------------------------------------------------------------------- CodeSystem
def test_codesystem_json_is_in_sync_with_the_tables() -> None:
    committed = json.loads(codesystem.CODESYSTEM_PATH.read_text(encoding="utf-8"))
    assert committed == codesystem.build_codesystem()


def test_codesystem_lists_every_concept_once() -> None:
    cs = codesystem.build_codesystem()
    codes = [c["code"] for c in cs["concept"]]
    assert len(codes) == len(set(codes)) == cs["count"]
    assert set(codes) == set(concept_rows())
    assert cs["url"] == "urn:ctd-ild-cds:concept"


def test_codesystem_is_valid_r4() -> None:
    from fhir.resources.R4B.codesystem import CodeSystem

    CodeSystem.model_validate(codesystem.build_codesystem())


def test_data_requirements_doc_lists_every_concept() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "data-requirements.md").read_text(
        encoding="utf-8"
    )
    missing = [
        c for c, row in concept_rows().items() if row.kind != "unit" and f"| `{c}` |" not in doc
    ]
    assert missing == []
