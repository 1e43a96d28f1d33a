"""Route of administration: SNOMED codes, text, abbreviations and the product's dose form.

Non-systemic routes (topical, cutaneous, inhalation, nasal, ophthalmic, otic, intra-articular)
must be recognised so a glucocorticoid eye drop or inhaler is never counted as a systemic dose.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cds_service.guideline.safety.regimen import NON_SYSTEMIC_ROUTES
from fhir_mappings.builder import build_record
from fhir_mappings.dosage import _ROUTE_SNOMED, route_from_form, route_of

from .conftest import PATIENT, RXNORM, SNOMED, cc, med_request

TODAY = date(2026, 11, 20)
SYSTEMIC = {"oral", "intravenous", "subcutaneous", "intramuscular"}


def _route(**route: Any) -> dict[str, Any]:
    return {"route": route}


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("26643006", "oral"),
        ("47625008", "intravenous"),
        ("34206005", "subcutaneous"),
        ("78421000", "intramuscular"),
        ("6064005", "topical"),
        ("448598008", "cutaneous"),
        ("10547007", "otic"),
        ("12130007", "intra-articular"),
    ],
)
def test_snomed_route_codes(code: str, name: str) -> None:
    assert route_of(_route(coding=[{"system": SNOMED, "code": code}])) == name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Oral", "oral"),
        ("by mouth", "oral"),
        ("PO", "oral"),
        ("IV", "intravenous"),
        ("Intravenous infusion", "intravenous"),
        ("Subcutaneous", "subcutaneous"),  # contains "cutaneous": still systemic
        ("SC", "subcutaneous"),
        ("IM", "intramuscular"),
        ("Topical", "topical"),
        ("TOP", "topical"),
        ("Cutaneous use", "cutaneous"),
        ("apply to skin", "cutaneous"),
        ("Inhalation", "inhalation"),
        ("Oral inhalation", "inhalation"),  # an inhaler is not an oral dose
        ("INH", "inhalation"),
        ("via nebuliser", "inhalation"),
        ("Respiratory tract route", "inhalation"),
        ("Nasal route", "nasal"),
        ("Intranasal", "nasal"),
        ("Ophthalmic route", "ophthalmic"),
        ("left eye", "ophthalmic"),
        ("both eyes", "ophthalmic"),
        ("OPH", "ophthalmic"),
        ("Otic route", "otic"),
        ("right ear", "otic"),
        ("Intra-articular", "intra-articular"),
        ("intraarticular injection", "intra-articular"),
    ],
)
def test_route_text_and_display(text: str, name: str) -> None:
    assert route_of(_route(text=text)) == name
    assert route_of(_route(coding=[{"system": "urn:local", "code": "x", "display": text}])) == name


@pytest.mark.parametrize("text", ["parenteral", "as directed", "", "Rectal", "transdermal"])
def test_unknown_route_text_is_none_not_a_guess(text: str) -> None:
    assert route_of(_route(text=text)) is None


def test_every_route_name_is_one_the_guideline_knows() -> None:
    names = set(_ROUTE_SNOMED.values())
    for text in ("topical", "skin", "inhaled", "nasal", "eye", "ear", "intra-articular"):
        names.add(str(route_of(_route(text=text))))
    assert names - SYSTEMIC == set(NON_SYSTEMIC_ROUTES)


@pytest.mark.parametrize(
    ("display", "name"),
    [
        ("prednisolone acetate 10 MG/ML Ophthalmic Suspension", "ophthalmic"),
        ("fluticasone 0.05 MG/ACTUAT Nasal Spray", "nasal"),
        ("budesonide 0.2 MG/ACTUAT Dry Powder Inhaler", "inhalation"),
        ("hydrocortisone 10 MG/ML Topical Cream", "topical"),
        ("ciprofloxacin / dexamethasone Otic Suspension", "otic"),
        ("tocilizumab 162 MG/0.9ML Prefilled Syringe", "subcutaneous"),
        ("Prednisone 5 MG Oral Tablet", "oral"),
        ("prednisone", None),
    ],
)
def test_route_from_dose_form(display: str, name: str | None) -> None:
    assert route_from_form([display.lower()]) == name


# ------------------------------------------------------------------- patient-view
def _pred(route: dict[str, Any] | None, display: str | None = None) -> dict[str, Any]:
    dosage: dict[str, Any] = {
        "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "mg"}}],
        "timing": {"repeat": {"frequency": 4, "period": 1, "periodUnit": "d"}},
    }
    if route is not None:
        dosage["route"] = route
    res = med_request("p", "8638", [dosage])
    res["medicationCodeableConcept"] = cc(RXNORM, "8638", display=display)
    return res


@pytest.mark.parametrize(
    ("route", "display", "expected"),
    [
        (cc(SNOMED, "6064005"), None, "topical"),
        ({"text": "both eyes"}, None, "ophthalmic"),
        (None, "prednisolone acetate 10 MG/ML Ophthalmic Suspension", "ophthalmic"),
        (
            cc(SNOMED, "26643006"),
            "prednisolone 10 MG/ML Ophthalmic Solution",
            "oral",
        ),  # dosage wins
        (None, "prednisolone", None),
    ],
)
def test_record_route_of_a_glucocorticoid(
    route: dict[str, Any] | None, display: str | None, expected: str | None
) -> None:
    (m,) = build_record([_pred(route, display)], TODAY, PATIENT).medications
    assert m.route == expected


def test_contained_medication_form_gives_the_route() -> None:
    res = _pred(None)
    del res["medicationCodeableConcept"]
    res["medicationReference"] = {"reference": "#m"}
    res["contained"] = [
        {
            "resourceType": "Medication",
            "id": "m",
            "code": cc(RXNORM, "8638"),
            "form": {"text": "Ophthalmic suspension"},
        }
    ]
    (m,) = build_record([res], TODAY, PATIENT).medications
    assert m.concept == "prednisolone" and m.route == "ophthalmic"
