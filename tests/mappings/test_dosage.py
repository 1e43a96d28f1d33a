"""Daily dose from dosageInstruction; prednisolone equivalents; unknown is never zero."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fhir_mappings.builder import build_record
from fhir_mappings.dosage import NOT_POSITIVE, bsa_mosteller, daily_dose
from fhir_mappings.record import PatientRecord

from .conftest import PATIENT, RXNORM, cc, med_request, observation, quantity

GTS = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation"
TODAY = date(2026, 11, 20)


def dose(value: float, unit: str, **timing: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"doseAndRate": [{"doseQuantity": {"value": value, "unit": unit}}]}
    if timing:
        d["timing"] = timing
    return d


def repeat(frequency: float = 1, period: float = 1, unit: str = "d") -> dict[str, Any]:
    return {"repeat": {"frequency": frequency, "period": period, "periodUnit": unit}}


def med(resources: list[dict[str, Any]], concept: str):
    record = build_record(resources, TODAY, PATIENT)
    hits = [m for m in record.medications if m.concept == concept]
    assert len(hits) == 1, record.medications
    return hits[0]


def test_prednisone_20mg_twice_daily_is_40mg_per_day() -> None:
    m = med([med_request("p", "8640", [dose(20, "mg", **repeat(2, 1, "d"))])], "prednisone")
    assert (m.dose_mg, m.doses_per_day, m.daily_dose_mg, m.pred_eq_mg_per_day) == (20, 2, 40, 40)
    assert "glucocorticoid" in m.classes and m.dose_problem is None


def test_prednisone_bid_timing_code() -> None:
    m = med([med_request("p", "8640", [dose(20, "mg", code=cc(GTS, "BID"))])], "prednisone")
    assert m.daily_dose_mg == 40.0


def test_methylprednisolone_1g_iv_daily_is_1250mg_prednisolone_equivalent() -> None:
    d = dose(1, "g", **repeat(1, 1, "d"))
    d["route"] = cc("http://snomed.info/sct", "47625008", "Intravenous route")
    m = med([med_request("mp", "6902", [d])], "methylprednisolone")
    assert m.daily_dose_mg == 1000.0
    assert m.pred_eq_mg_per_day == pytest.approx(1250.0)
    assert m.route == "intravenous"


@pytest.mark.parametrize(
    ("rxcui", "concept", "mg", "pred_eq"),
    [
        ("8638", "prednisolone", 10, 10.0),
        ("3264", "dexamethasone", 1.5, 10.005),
        ("5492", "hydrocortisone", 40, 10.0),
        ("6902", "methylprednisolone", 8, 10.0),
    ],
)
def test_prednisolone_equivalents(rxcui: str, concept: str, mg: float, pred_eq: float) -> None:
    m = med([med_request("g", rxcui, [dose(mg, "mg", **repeat())])], concept)
    assert m.pred_eq_mg_per_day == pytest.approx(pred_eq)


def test_non_glucocorticoid_has_no_pred_eq() -> None:
    m = med([med_request("c", "3008", [dose(100, "mg", **repeat(2))])], "cyclosporine")
    assert m.daily_dose_mg == 200 and m.pred_eq_mg_per_day is None
    assert "calcineurin_inhibitor" in m.classes


def test_mg_per_kg_uses_latest_weight() -> None:
    resources = [
        observation("w-old", "29463-7", "2026-01-01", valueQuantity=quantity(80, "kg", "kg")),
        observation("w-new", "29463-7", "2026-11-01", valueQuantity=quantity(60, "kg", "kg")),
        med_request("aza", "1256", [dose(2, "mg/kg", **repeat())]),
    ]
    m = med(resources, "azathioprine")
    assert (m.dose_per_kg, m.dose_mg, m.daily_dose_mg) == (2, 120, 120)


def test_mg_per_kg_without_weight_is_unknown_not_zero() -> None:
    m = med([med_request("aza", "1256", [dose(2, "mg/kg", **repeat())])], "azathioprine")
    assert m.daily_dose_mg is None and m.dose_per_kg == 2
    assert m.dose_problem and "weight" in m.dose_problem


def test_weight_older_than_a_year_is_not_used() -> None:
    resources = [
        observation("w", "29463-7", "2025-10-01", valueQuantity=quantity(60, "kg", "kg")),
        med_request("aza", "1256", [dose(2, "mg/kg", **repeat())]),
    ]
    assert med(resources, "azathioprine").daily_dose_mg is None


def test_mg_per_m2_uses_mosteller_bsa() -> None:
    resources = [
        observation("w", "29463-7", "2026-11-01", valueQuantity=quantity(64, "kg", "kg")),
        observation("h", "8302-2", "2026-11-01", valueQuantity=quantity(225, "cm", "cm")),
        med_request("cyc", "3002", [dose(500, "mg/m2", **repeat(1, 4, "wk"))]),
    ]
    m = med(resources, "cyclophosphamide")
    assert bsa_mosteller(225, 64) == pytest.approx(2.0)
    assert m.dose_mg == pytest.approx(1000.0) and m.dose_per_m2 == 500
    assert m.period_days == 28 and m.daily_dose_mg == pytest.approx(1000 / 28)


@pytest.mark.parametrize(
    ("dosage", "problem"),
    [
        ({**dose(20, "mg", **repeat()), "asNeededBoolean": True}, "PRN"),
        ({**dose(20, "mg", **repeat()), "asNeededCodeableConcept": {"text": "pain"}}, "PRN"),
        ({"text": "as directed"}, "no dose"),
        (dose(20, "mg"), "timing"),
        (dose(2, "tablet", **repeat()), "strength"),
        (dose(20, "mL", **repeat()), "not a mass"),
        (
            {
                "doseAndRate": [
                    {
                        "doseRange": {
                            "low": {"value": 10, "unit": "mg"},
                            "high": {"value": 20, "unit": "mg"},
                        }
                    }
                ],
                "timing": repeat(),
            },
            "range",
        ),
    ],
)
def test_unreadable_dosage_gives_unknown_dose_not_zero(
    dosage: dict[str, Any], problem: str
) -> None:
    m = med([med_request("p", "8640", [dosage])], "prednisone")
    assert m.daily_dose_mg is None and m.pred_eq_mg_per_day is None
    assert m.dose_problem is not None and problem.lower() in m.dose_problem.lower()


def test_no_dosage_instruction_is_unknown() -> None:
    m = med([med_request("p", "8640", None)], "prednisone")
    assert m.daily_dose_mg is None and m.dose_problem == "no dosage instruction"


def test_dose_range_keeps_both_limits() -> None:
    d = {
        "doseAndRate": [
            {"doseRange": {"low": {"value": 10, "unit": "mg"}, "high": {"value": 20, "unit": "mg"}}}
        ],
        "timing": repeat(),
    }
    assert daily_dose([d]).daily_dose_range_mg == (10.0, 20.0)


def test_concurrent_dosages_are_summed_and_tapers_use_first_step() -> None:
    morning = dose(20, "mg", **repeat())
    evening = dose(10, "mg", **repeat())
    assert daily_dose([morning, evening]).daily_dose_mg == 30.0
    step1 = {**dose(40, "mg", **repeat()), "sequence": 1}
    step2 = {**dose(30, "mg", **repeat()), "sequence": 2}
    assert daily_dose([step2, step1]).daily_dose_mg == 40.0


def test_tablets_with_contained_medication_strength() -> None:
    req = med_request("p", "x", [dose(2, "tablet", **repeat(2))])
    del req["medicationCodeableConcept"]
    req["contained"] = [
        {
            "resourceType": "Medication",
            "id": "m",
            "code": {"text": "prednisone 5 mg tablet"},
            "ingredient": [
                {
                    "itemCodeableConcept": cc(RXNORM, "8640"),
                    "strength": {
                        "numerator": {"value": 5, "unit": "mg"},
                        "denominator": {"value": 1, "unit": "tablet"},
                    },
                }
            ],
        }
    ]
    req["medicationReference"] = {"reference": "#m"}
    m = med([req], "prednisone")
    assert m.daily_dose_mg == 20.0


def test_referenced_medication_and_product_table() -> None:
    medication = {"resourceType": "Medication", "id": "med1", "code": cc(RXNORM, "312617")}
    req = med_request("p", "x", [dose(5, "mg", **repeat())])
    del req["medicationCodeableConcept"]
    req["medicationReference"] = {"reference": "Medication/med1"}
    assert med([req, medication], "prednisone").daily_dose_mg == 5.0


def test_tmp_smx_product_from_its_two_ingredients() -> None:
    req = med_request("t", "x", [dose(1, "tablet", **repeat())])
    req["medicationCodeableConcept"] = {
        "coding": [{"system": RXNORM, "code": "10829"}, {"system": RXNORM, "code": "10180"}]
    }
    m = med([req], "tmp_smx")
    assert "pjp_prophylaxis" in m.classes


def test_pirfenidone_by_text_only() -> None:
    req = med_request("pf", "x", [dose(801, "mg", **repeat(3))])
    req["medicationCodeableConcept"] = {"text": "Pirfenidone 801 mg tablet"}
    m = med([req], "pirfenidone")
    assert m.daily_dose_mg == 2403 and "antifibrotic" in m.classes


def test_unknown_drug_is_not_recorded() -> None:
    record = build_record([med_request("x", "999999", [dose(1, "mg", **repeat())])], TODAY, PATIENT)
    assert record.medications == []


def test_statement_and_request_dates_status() -> None:
    stmt = {
        "resourceType": "MedicationStatement",
        "id": "s",
        "status": "completed",
        "subject": {"reference": f"Patient/{PATIENT}"},
        "medicationCodeableConcept": cc(RXNORM, "3002"),
        "effectivePeriod": {"start": "2025-01-01", "end": "2025-07-01"},
        "dosage": [dose(100, "mg", **repeat())],
    }
    m = med([stmt], "cyclophosphamide")
    assert (m.status, m.start, m.end, m.daily_dose_mg) == (
        "completed",
        date(2025, 1, 1),
        date(2025, 7, 1),
        100,
    )
    not_taken = {**stmt, "id": "s2", "status": "not-taken"}
    assert build_record([not_taken], TODAY, PATIENT).medications == []


def test_draft_order_is_marked() -> None:
    m = med([med_request("d", "8640", [dose(5, "mg", **repeat())], status="draft")], "prednisone")
    assert m.is_draft


def _of_class(record: PatientRecord, drug_class: str) -> list[str]:
    return [m.concept for m in record.active_medications() if drug_class in m.classes]


def test_active_medications_carry_their_drug_classes() -> None:
    resources = [
        med_request("p", "8640", [dose(10, "mg", **repeat())]),
        med_request("c", "3008", [dose(100, "mg", **repeat(2))]),
        med_request("old", "6902", [dose(4, "mg", **repeat())], status="completed"),
    ]
    record = build_record(resources, TODAY, PATIENT)
    assert _of_class(record, "glucocorticoid") == ["prednisone"]
    assert _of_class(record, "calcineurin_inhibitor") == ["cyclosporine"]
    assert _of_class(record, "antifibrotic") == []


# ------------------------------------------------------------- non-positive doses
def _range(low: float, high: float) -> dict[str, Any]:
    return {
        "doseAndRate": [
            {
                "doseRange": {
                    "low": {"value": low, "unit": "mg"},
                    "high": {"value": high, "unit": "mg"},
                }
            }
        ],
        "timing": repeat(),
    }


@pytest.mark.parametrize(
    "dosage",
    [
        dose(0, "mg", **repeat()),
        dose(-5, "mg", **repeat()),
        dose(-0.001, "mg", **repeat()),
        dose(0, "mg/kg", **repeat()),
        dose(0, "tablet", **repeat()),
        _range(0, 10),
        _range(-10, 10),
    ],
    ids=["zero", "negative", "tiny-neg", "zero-per-kg", "zero-tablets", "range-0", "range-neg"],
)
def test_zero_or_negative_dose_is_refused_never_zero_mg(dosage: dict[str, Any]) -> None:
    result = daily_dose([dosage], weight_kg=70.0, strength_mg=5.0)
    assert result.problem == NOT_POSITIVE
    assert result.dose_mg is None and result.daily_dose_mg is None
    assert result.daily_dose_range_mg is None


@pytest.mark.parametrize("value", [0.001, 0.5, 5])
def test_smallest_positive_doses_are_read(value: float) -> None:
    result = daily_dose([dose(value, "mg", **repeat())])
    assert result.problem is None and result.daily_dose_mg == pytest.approx(value)


def test_zero_dose_part_makes_a_concurrent_total_unknown() -> None:
    morning = dose(20, "mg", **repeat())
    evening = dose(0, "mg", **repeat())
    result = daily_dose([morning, evening])
    assert result.daily_dose_mg is None and result.problem == NOT_POSITIVE


def test_zero_dose_on_patient_view_gives_no_prednisolone_equivalent() -> None:
    m = med([med_request("p", "8640", [dose(0, "mg", **repeat())])], "prednisone")
    assert (m.daily_dose_mg, m.pred_eq_mg_per_day, m.dose_problem) == (None, None, NOT_POSITIVE)
