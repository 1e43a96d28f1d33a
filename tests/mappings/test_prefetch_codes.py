"""Prefetch LOINC lists come from the code table; every Observation concept the rules use is
fetched by some prefetch query (by code or by category)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from cds_service.patient_data import TemplateError, render_template
from cds_service.services import (
    AUTOANTIBODY_LOINC,
    BODY_SIZE_LOINC,
    PATIENT_PREFETCH,
    RESPIRATORY_LOINC,
    SERVICES,
)
from fhir_mappings.builder import build_record
from fhir_mappings.prefetch_codes import (
    AUTOANTIBODY_CONCEPTS,
    BODY_SIZE_CONCEPTS,
    RESPIRATORY_CONCEPTS,
    loinc_codes,
)
from fhir_mappings.tables import LOINC, USABLE_CONFIDENCE, code_rows, concept_rows
from fhir_mappings.terminology import default_terminology

GUIDELINE = Path(__file__).resolve().parents[2] / "cds_service" / "guideline"
LISTS = [
    (AUTOANTIBODY_LOINC, AUTOANTIBODY_CONCEPTS),
    (RESPIRATORY_LOINC, RESPIRATORY_CONCEPTS),
    (BODY_SIZE_LOINC, BODY_SIZE_CONCEPTS),
]
#: kinds only an Observation / DiagnosticReport carries (conditions and findings also arrive
#: as Conditions, which the unfiltered "conditions" query returns)
OBSERVATION_KINDS = ("quantity", "qualitative", "study")

#: Observation / DiagnosticReport concepts fetched by a category query (the key is the
#: category token as it appears in the prefetch query); site-coded concepts (KL-6, anti-KS...)
#: have no standard code and can only be found this way
FETCHED_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "laboratory": (
        "ferritin",
        "creatine_kinase",
        "aldolase",
        "kl6",
        "surfactant_protein_d",
        "crp",
        "ldh",
        "esr",
        "alt",
        "ast",
        "creatinine",
        "egfr",
        "wbc",
        "neutrophils_abs",
        "neutrophils_pct",
        "lymphocytes_abs",
        "lymphocytes_pct",
        "platelets",
        "hemoglobin",
        "urine_blood",
        "il6",
        "beta_d_glucan",
        "cmv_dna",
        "cmv_pp65",
        "cyclosporine",
        "cyclosporine_trough",
        "cyclosporine_c2",
        "cyclosporine_post_dose",
        "tacrolimus",
        "tacrolimus_trough",
        "anti_ks",
        "anti_zo",
        "anti_ha",
        "anti_rnap3",
        "cbc_panel",
        "urinalysis_panel",
        "liver_panel",
    ),
    "imaging": (
        "ct_chest",
        "hrct_chest",
        "hrct_fibrosis_extent",
        "ct_consolidation",
        "ct_lower_consolidation",
        "ct_traction_bronchiectasis",
        "ct_ground_glass",
        "ct_honeycombing",
        "ct_reticular",
        "ct_uip_pattern",
        "ct_nsip_pattern",
        "ct_op_pattern",
        "ct_ild_progression",
    ),
    # DiagnosticReport category PF (HL7 v2-0074): a PFT report marks the study done
    "PF": ("pft", "six_min_walk_distance"),
}


def _key(code: str) -> tuple[int, ...]:
    return tuple(int(p) for p in code.split("-"))


def _params(query: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(query).query)


def _queried_codes() -> set[str]:
    out: set[str] = set()
    for p in PATIENT_PREFETCH:
        for value in _params(p.query).get("code", []):
            out |= {c.split("|")[-1] for c in value.split(",")}
    return out


def _queried_categories() -> set[str]:
    out: set[str] = set()
    for p in PATIENT_PREFETCH:
        for value in _params(p.query).get("category", []):
            out |= {c.split("|")[-1] for c in value.split(",")}
    return out


@pytest.mark.parametrize(("codes", "concepts"), LISTS, ids=["antibodies", "respiratory", "size"])
def test_lists_are_sorted_unique_and_exactly_the_table_codes(codes, concepts) -> None:
    assert codes and list(codes) == sorted(set(codes), key=_key)
    expected = {
        r.code
        for r in code_rows()
        if r.concept_id in concepts
        and r.system == LOINC
        and r.code
        and r.confidence in USABLE_CONFIDENCE
    }
    assert set(codes) == expected
    terms = default_terminology()
    for code in codes:
        assert terms.concepts_for(LOINC, code) & set(concepts), code


def test_every_listed_concept_has_a_loinc_code() -> None:
    for _, concepts in LISTS:
        for concept in concepts:
            assert loinc_codes([concept]), concept


def test_unknown_concept_id_is_an_error_not_a_silently_shorter_query() -> None:
    with pytest.raises(KeyError, match="anti_jo_1"):
        loinc_codes(["anti_jo1", "anti_jo_1"])


def test_discovery_output_is_stable() -> None:
    first = [s.discovery_json() for s in SERVICES]
    second = [s.discovery_json() for s in SERVICES]
    assert first == second
    query = dict((p.key, p.query) for p in PATIENT_PREFETCH)["antibodies"]
    codes = [c.split("|")[-1] for c in _params(query)["code"][0].split(",")]
    assert codes == list(AUTOANTIBODY_LOINC)


def test_category_concepts_exist_and_are_not_also_fetched_by_code() -> None:
    by_code = set(AUTOANTIBODY_CONCEPTS) | set(RESPIRATORY_CONCEPTS) | set(BODY_SIZE_CONCEPTS)
    for category, concepts in FETCHED_BY_CATEGORY.items():
        assert category in _queried_categories(), category
        assert set(concepts) <= set(concept_rows())
        assert not set(concepts) & by_code


def _concepts_used_by_rules() -> set[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in GUIDELINE.rglob("*.py"))
    return {c for c in concept_rows() if re.search(rf"[\"']{re.escape(c)}[\"']", text)}


def test_the_scan_finds_rule_concepts() -> None:
    used = _concepts_used_by_rules()
    assert {"ferritin", "anti_mda5", "fvc_pct_pred", "kl6"} <= used


def test_every_observation_concept_the_rules_use_is_fetched() -> None:
    rows = concept_rows()
    queried = _queried_codes()
    by_category = {c for concepts in FETCHED_BY_CATEGORY.values() for c in concepts}
    missing = []
    for concept in sorted(_concepts_used_by_rules()):
        row = rows[concept]
        imaging_finding = row.kind == "finding" and concept.startswith("ct_")
        if row.kind not in OBSERVATION_KINDS and not imaging_finding:
            continue
        codes = set(loinc_codes([concept]))
        if not (codes & queried) and concept not in by_category:
            missing.append(concept)
    assert missing == []


def test_conditions_query_is_unfiltered() -> None:
    (conditions,) = [p for p in PATIENT_PREFETCH if p.key == "conditions"]
    assert set(_params(conditions.query)) == {"patient", "_count"}


#: the longest id FHIR allows (R4 id: 1-64 characters)
LONGEST_ID = "x" * 64
#: IIS's default maxQueryString; a longer query string is refused with 404.15
IIS_QUERY_STRING_LIMIT = 2048


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.id)
def test_every_query_string_fits_the_common_server_limit(service) -> None:
    context = {"patientId": LONGEST_ID, "userId": f"Practitioner/{LONGEST_ID}"}
    for key in service.prefetch:
        try:
            query = render_template(key.query, context)
        except TemplateError:  # a template needing another context field: not longer
            query = key.query
        query_string = urlsplit(quote(query, safe="/?&=,-_.:")).query  # "|" sent as %7C
        assert len(query_string) <= IIS_QUERY_STRING_LIMIT, (key.key, len(query_string))


@pytest.mark.parametrize("key", ["antibodies", "respiratory", "body_size"])
def test_code_queries_list_bare_loinc_codes(key) -> None:
    query = dict((p.key, p.query) for p in PATIENT_PREFETCH)[key]
    (value,) = _params(query)["code"]
    assert "|" not in value
    assert set(value.split(",")) <= {r.code for r in code_rows() if r.system == LOINC}


def _antibody_observation(system: str) -> dict[str, object]:
    return {
        "resourceType": "Observation",
        "id": "ab-1",
        "status": "final",
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2026-01-05",
        "code": {"coding": [{"system": system, "code": ANTI_MDA5_LOINC}]},
        "valueCodeableConcept": {
            "coding": [{"system": "http://snomed.info/sct", "code": "10828004"}]
        },
    }


ANTI_MDA5_LOINC = next(
    r.code for r in code_rows() if r.concept_id == "anti_mda5" and r.system == LOINC and r.code
)


@pytest.mark.parametrize(
    ("system", "mapped"), [(LOINC, True), ("http://example.org/local-lab-codes", False)]
)
def test_a_same_code_in_another_system_returned_by_a_bare_code_search_is_ignored(
    system, mapped
) -> None:
    # a bare-code search may return it; only the LOINC coding is the autoantibody
    assert ANTI_MDA5_LOINC in AUTOANTIBODY_LOINC
    record = build_record(
        [_antibody_observation(system)],
        today=date(2026, 2, 1),
        patient_id="p1",
        terminology=default_terminology(),
    )
    assert ("anti_mda5" in record.antibodies) is mapped
