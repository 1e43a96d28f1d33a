"""The guideline's drug classes agree with the mapping's drug table (one clinical meaning)."""

from __future__ import annotations

from cds_service.guideline import drug_classes
from fhir_mappings.tables import drug_rows


def test_every_mapped_glucocorticoid_is_a_guideline_glucocorticoid() -> None:
    mapped = {c for c, row in drug_rows().items() if "glucocorticoid" in row.classes}
    assert mapped == set(drug_classes.GLUCOCORTICOIDS)


def test_every_guideline_glucocorticoid_has_a_prednisolone_factor() -> None:
    rows = drug_rows()
    for concept in drug_classes.GLUCOCORTICOIDS:
        assert rows[concept].pred_eq_factor, concept
