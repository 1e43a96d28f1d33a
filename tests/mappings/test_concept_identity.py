"""The service's own CodeSystem (``urn:ctd-ild-cds:concept``) maps to itself (identity).

An integrator with no standard code for a concept (an HRCT finding, KL-6, fibrosis extent)
can code the resource directly with the concept id.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fhir_mappings.builder import build_record
from fhir_mappings.tables import CONCEPT_SYSTEM, concept_rows
from fhir_mappings.terminology import default_terminology, load_site_conceptmap

from .conftest import FIXTURES, LOINC, PATIENT, SUBJECT, cc, observation, quantity

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize("concept", sorted(concept_rows()))
def test_every_concept_id_maps_to_itself(concept: str) -> None:
    assert default_terminology().concepts_for(CONCEPT_SYSTEM, concept) == {concept}


@pytest.mark.parametrize(
    ("system", "code"),
    [
        (CONCEPT_SYSTEM, "not_a_concept"),
        (CONCEPT_SYSTEM, "CT_GROUND_GLASS"),  # concept ids are case-sensitive
        (CONCEPT_SYSTEM, " "),
        (CONCEPT_SYSTEM, ""),
        ("urn:ctd-ild-cds:other", "ct_ground_glass"),  # another system: not ours
        (LOINC, "ct_ground_glass"),
    ],
)
def test_unknown_ids_and_other_systems_do_not_match(system: str, code: str) -> None:
    assert default_terminology().concepts_for(system, code) == set()


def test_identity_survives_site_maps() -> None:
    terms = default_terminology().with_site_maps(
        load_site_conceptmap(FIXTURES / "site-conceptmap-kl6-hrct.json")
    )
    assert terms.concepts_for(CONCEPT_SYSTEM, "ct_honeycombing") == {"ct_honeycombing"}
    assert terms.concepts_for(CONCEPT_SYSTEM, "kl6") == {"kl6"}


def _own(concept: str) -> dict[str, Any]:
    return cc(CONCEPT_SYSTEM, concept)


def test_hrct_findings_sent_as_concept_codes_in_a_report() -> None:
    report = {
        "resourceType": "DiagnosticReport",
        "id": "hrct",
        "status": "final",
        "subject": SUBJECT,
        "code": _own("hrct_chest"),
        "effectiveDateTime": "2026-11-12",
        "conclusionCode": [_own("ct_ground_glass"), _own("ct_lower_consolidation")],
    }
    record = build_record([report], TODAY, PATIENT)
    for concept in ("ct_ground_glass", "ct_lower_consolidation", "ct_consolidation"):
        entry = record.condition(concept)
        assert entry is not None and entry.when == date(2026, 11, 12), concept
    assert {s.concept for s in record.studies} == {"hrct_chest", "ct_chest"}


def test_quantity_and_finding_observations_sent_as_concept_codes() -> None:
    extent = observation(
        "ext",
        "hrct_fibrosis_extent",
        system=CONCEPT_SYSTEM,
        valueQuantity=quantity(25, "%", "%"),
    )
    kl6 = observation(
        "kl6", "kl6", system=CONCEPT_SYSTEM, valueQuantity=quantity(1200, "U/mL", "U/mL")
    )
    absent = observation("mh", "mechanics_hands", system=CONCEPT_SYSTEM, valueBoolean=False)
    record = build_record([extent, kl6, absent], TODAY, PATIENT)
    m = record.latest("hrct_fibrosis_extent")
    assert m is not None and (m.value, m.unit) == (25, "%")
    k = record.latest("kl6")
    assert k is not None and (k.value, k.unit) == (1200, "U/mL")
    assert [e.active for e in record.condition_entries("mechanics_hands")] == [False]


def test_concept_code_with_a_wrong_unit_is_still_refused() -> None:
    obs = observation(
        "kl6", "kl6", system=CONCEPT_SYSTEM, valueQuantity=quantity(1.2, "ng/mL", "ng/mL")
    )
    record = build_record([obs], TODAY, PATIENT)
    assert record.latest("kl6") is None and len(record.uninterpretable("kl6")) == 1
