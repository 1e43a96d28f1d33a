"""RxNorm product (SCD/SBD) codes -> ingredient concept, on patient-view and on draft orders."""

from __future__ import annotations

import csv
from datetime import date
from importlib import resources
from typing import Any

import pytest

from fhir_mappings.builder import build_record
from fhir_mappings.draft_medication import map_medication_request
from fhir_mappings.tables import (
    RXNORM,
    USABLE_CONFIDENCE,
    code_rows,
    drug_rows,
    rxnorm_products,
)

from .conftest import PATIENT, cc, med_request

TODAY = date(2026, 11, 20)
ROWS = list(
    csv.DictReader(
        resources.files("fhir_mappings.data")
        .joinpath("rxnorm_products.csv")
        .read_text(encoding="utf-8")
        .splitlines()
    )
)
NON_SYSTEMIC_FORMS = ("ophthalmic", "otic", "topical", "nasal", "inhal", "rectal", "enema", "cream")


def _daily(value: float, unit: str = "mg", per_day: int = 1) -> list[dict[str, Any]]:
    return [
        {
            "doseAndRate": [{"doseQuantity": {"value": value, "unit": unit}}],
            "timing": {"repeat": {"frequency": per_day, "period": 1, "periodUnit": "d"}},
        }
    ]


# ------------------------------------------------------------------------ the table
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["product_rxcui"])
def test_every_row_names_a_drug_concept_with_confidence_and_source(row: dict[str, str]) -> None:
    assert row["ingredient_concept"] in drug_rows()
    assert row["confidence"] in {"verified", "probable", "unknown"}
    assert row["source"].strip() and row["display"].strip()
    assert row["product_rxcui"].isdigit()


def test_product_codes_are_unique_and_never_an_ingredient_code() -> None:
    codes = [r["product_rxcui"] for r in ROWS]
    assert len(codes) == len(set(codes))
    ingredient_codes = {r.code for r in code_rows() if r.system == RXNORM}
    assert ingredient_codes.isdisjoint(codes)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["product_rxcui"])
def test_only_systemic_dose_forms_are_listed(row: dict[str, str]) -> None:
    # an eye drop or a cream coded by its product must never count as a systemic dose
    assert not any(form in row["display"].lower() for form in NON_SYSTEMIC_FORMS)


def test_display_names_the_ingredient() -> None:
    names = {"tmp_smx": "sulfamethoxazole", "mycophenolate_mofetil": "mycophenolate mofetil"}
    for row in ROWS:
        expected = names.get(row["ingredient_concept"], row["ingredient_concept"])
        assert expected in row["display"].lower(), row


def test_only_usable_rows_are_loaded() -> None:
    usable = {r["product_rxcui"] for r in ROWS if r["confidence"] in USABLE_CONFIDENCE}
    assert set(rxnorm_products()) == usable


@pytest.mark.parametrize(
    ("rxcui", "concept"),
    [
        ("312617", "prednisone"),  # 5 mg tablet (one public file calls it 10 mg)
        ("312615", "prednisone"),
        ("198145", "prednisone"),
        ("198142", "prednisolone"),
        ("259966", "methylprednisolone"),
        ("1743726", "methylprednisolone"),  # 1000 mg injection (pulse)
        ("197388", "azathioprine"),
        ("311881", "mycophenolate_mofetil"),
        ("198334", "tmp_smx"),
        ("198335", "tmp_smx"),
    ],
)
def test_known_products(rxcui: str, concept: str) -> None:
    assert rxnorm_products()[rxcui] == concept


# ------------------------------------------------------------------- patient-view
@pytest.mark.parametrize(
    "system", [RXNORM, "urn:oid:2.16.840.1.113883.6.88", RXNORM + "/"], ids=["url", "oid", "slash"]
)
def test_active_tmp_smx_coded_only_by_its_tablet_is_prophylaxis(system: str) -> None:
    req = med_request("t", "x", _daily(1, "tablet"))
    req["medicationCodeableConcept"] = cc(system, "198335")
    record = build_record([req], TODAY, PATIENT)
    (m,) = record.medications
    assert m.concept == "tmp_smx" and "pjp_prophylaxis" in m.classes
    assert [e.concept for e in record.active_medications() if "pjp_prophylaxis" in e.classes] == [
        "tmp_smx"
    ]


def test_product_code_in_another_system_is_not_read_as_rxnorm() -> None:
    req = med_request("t", "x", _daily(1, "tablet"))
    req["medicationCodeableConcept"] = cc("http://hl7.org/fhir/sid/ndc", "198335")
    assert build_record([req], TODAY, PATIENT).medications == []


def test_methylprednisolone_pulse_by_product_code_gets_prednisolone_equivalent() -> None:
    req = med_request("mp", "1743726", _daily(1000))
    (m,) = build_record([req], TODAY, PATIENT).medications
    assert (m.concept, m.daily_dose_mg, m.pred_eq_mg_per_day) == (
        "methylprednisolone",
        1000,
        1250,
    )


# --------------------------------------------------------------------- draft orders
def test_draft_tmp_smx_by_product_code_maps_through_the_shared_reader() -> None:
    draft = med_request("d", "198334", _daily(1, "tablet"), status="draft")
    entries, problem = map_medication_request(draft, "MedicationRequest/d", None)
    assert problem is None
    (m,) = entries
    assert m.concept == "tmp_smx" and m.is_draft and "pjp_prophylaxis" in m.classes
    # strength read from the RxNorm display is not available without a display: unknown, not 0
    assert m.daily_dose_mg is None and m.dose_problem is not None
