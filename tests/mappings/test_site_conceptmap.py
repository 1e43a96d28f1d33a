"""Site ConceptMaps: local codes drive the same record as standard codes; bad maps stop."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cds_service.settings import Settings
from fhir_mappings.builder import build_record
from fhir_mappings.terminology import (
    SiteMapError,
    Terminology,
    build_terminology,
    load_site_conceptmap,
)

from .conftest import FIXTURES, bundle_resources

SITE_MAP = FIXTURES / "site-conceptmap-kl6-hrct.json"
TODAY = date(2026, 11, 20)
LAB = "https://hospital.example.org/lab-codes"
RAD = "https://hospital.example.org/radiology-findings"


def test_map_loads_accepted_equivalences_only() -> None:
    mapped = load_site_conceptmap(SITE_MAP)
    assert mapped[(LAB, "KL6")] == {"kl6"}
    assert mapped[(LAB, "SPD")] == {"surfactant_protein_d"}  # "equal"
    assert mapped[(RAD, "HONEY")] == {"ct_honeycombing"}  # "wider"
    assert (LAB, "MYO-BLOT") not in mapped  # unmatched ignored
    assert (RAD, "EMPH") not in mapped  # disjoint ignored


def test_site_codes_add_to_standard_codes() -> None:
    terms = build_terminology(SITE_MAP)
    assert terms.concepts_for(LAB, "KL6") == {"kl6"}
    assert terms.concepts_for("http://loinc.org", "2276-4") == {"ferritin"}
    assert terms.concepts_for("http://hl7.org/fhir/sid/icd-10-cm", "M33.11") == {"dermatomyositis"}


def test_folder_of_maps(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(SITE_MAP.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_site_conceptmap(tmp_path)[(LAB, "KL6")] == {"kl6"}


def _summary(record):
    conditions = sorted((c.concept, c.active, c.when) for c in record.conditions)
    studies = sorted((s.concept, s.when) for s in record.studies)
    return conditions, studies


def test_site_local_codes_drive_the_same_record_as_standard_codes() -> None:
    terms = build_terminology(SITE_MAP)
    standard = build_record(
        bundle_resources("dm-ild-standard-codes.json"), TODAY, "pt-dm-ild", terms
    )
    site = build_record(bundle_resources("dm-ild-site-local-codes.json"), TODAY, "pt-dm-ild", terms)
    assert _summary(site) == _summary(standard)
    for concept in ("ct_ground_glass", "ct_lower_consolidation"):
        assert site.has_condition(concept) and standard.has_condition(concept)
    assert [s.concept for s in site.studies_of("hrct_chest")] == ["hrct_chest"]
    kl6 = site.latest("kl6")
    assert kl6 is not None and (kl6.value, kl6.unit, kl6.when) == (
        1450.0,
        "U/mL",
        date(2026, 11, 16),
    )
    assert standard.latest("kl6") is None  # KL-6 has no standard code


def test_without_the_map_local_codes_are_not_read() -> None:
    record = build_record(bundle_resources("dm-ild-site-local-codes.json"), TODAY, "pt-dm-ild")
    assert record.latest("kl6") is None
    assert not record.has_condition("ct_ground_glass")
    assert record.has_condition("dermatomyositis")  # standard codes still work


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("not-json.json", "not valid JSON"),
        ("wrong-resource-type.json", "not a FHIR ConceptMap"),
        ("unknown-concept.json", "unknown concept id 'kl_6'"),
        ("wrong-target-system.json", "target must be 'urn:ctd-ild-cds:concept'"),
        ("bad-equivalence.json", "invalid equivalence 'same-ish'"),
        ("element-without-code.json", "has no 'code'"),
        ("no-group.json", "has no 'group'"),
    ],
)
def test_malformed_map_is_rejected_with_file_and_problem(name: str, problem: str) -> None:
    path = FIXTURES / "site-maps-malformed" / name
    with pytest.raises(SiteMapError) as err:
        load_site_conceptmap(path)
    assert name in str(err.value) and problem in str(err.value)


def test_folder_with_one_bad_map_is_rejected() -> None:
    with pytest.raises(SiteMapError, match="CDS_SITE_CONCEPTMAP"):
        load_site_conceptmap(FIXTURES / "site-maps-malformed")


@pytest.mark.parametrize("path", ["does-not-exist.json", ""])
def test_missing_path(tmp_path: Path, path: str) -> None:
    if path:
        with pytest.raises(SiteMapError, match="no such file"):
            load_site_conceptmap(tmp_path / path)
    else:
        with pytest.raises(SiteMapError, match="no \\*.json"):
            load_site_conceptmap(tmp_path)


def _terminology_of(environ: dict[str, str]) -> Terminology:
    """The Terminology the service builds at start-up from its environment."""
    return build_terminology(Settings.from_env(environ).site_conceptmap)


def test_the_site_map_is_read_from_the_environment() -> None:
    terms = _terminology_of({"CDS_SITE_CONCEPTMAP": str(SITE_MAP)})
    assert terms.concepts_for(LAB, "KL6") == {"kl6"}
    assert _terminology_of({}).concepts_for(LAB, "KL6") == set()
    with pytest.raises(SiteMapError):
        _terminology_of(
            {"CDS_SITE_CONCEPTMAP": str(FIXTURES / "site-maps-malformed" / "no-group.json")}
        )
