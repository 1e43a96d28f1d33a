"""draftOrders -> OrderSet: strict R4 and sandbox shapes, doses, units, focus, bad input."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fhir_mappings.orders import map_draft_orders

from .builders import TODAY, bundle, med_request, orders, record, service_request

SHAPES = ["r4", "sandbox"]


def only_med(o: Any) -> Any:
    assert len(o.medications) == 1, (o.medications, o.unreadable)
    return o.medications[0]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    ("drug", "dose", "unit", "freq", "period", "period_unit", "daily", "pred_eq"),
    [
        ("prednisolone", 10, "mg", 1, 1, "d", 10.0, 10.0),
        ("prednisone", 5, "mg", 2, 1, "d", 10.0, 10.0),
        ("methylprednisolone", 8, "mg", 1, 1, "d", 8.0, 10.0),
        ("dexamethasone", 1.5, "mg", 1, 1, "d", 1.5, 10.0),
        ("mycophenolate_mofetil", 1, "g", 2, 1, "d", 2000.0, None),
        ("tacrolimus", 500, "ug", 2, 1, "d", 1.0, None),
        ("tacrolimus", 1000, "mcg", 1, 1, "d", 1.0, None),
        ("tocilizumab", 162, "mg", 1, 1, "wk", 162 / 7, None),
        ("cyclophosphamide", 100, "mg", 1, 24, "h", 100.0, None),
    ],
)
def test_dose_read_in_both_shapes(
    shape: str,
    drug: str,
    dose: float,
    unit: str,
    freq: int,
    period: float,
    period_unit: str,
    daily: float,
    pred_eq: float | None,
) -> None:
    rec = record()
    res = med_request("m1", drug, dose, unit, freq, period, period_unit, shape=shape)
    m = only_med(orders(rec, res, shape=shape))
    assert m.concept == drug
    assert m.is_draft and m.source_id == "MedicationRequest/m1"
    assert m.daily_dose_mg == pytest.approx(daily)
    if pred_eq is None:
        assert m.pred_eq_mg_per_day is None
    else:  # dexamethasone x 6.67 (seed Units table) is 10.005, not 10
        assert m.pred_eq_mg_per_day == pytest.approx(pred_eq, rel=1e-3)
    assert m.dose_problem is None


def test_weekly_regimen_has_period_days() -> None:
    m = only_med(
        orders(
            record(),
            med_request("t", "tocilizumab", 162, period=1, period_unit="wk", route="subcutaneous"),
        )
    )
    assert m.period_days == pytest.approx(7.0)
    assert m.route == "subcutaneous"
    assert m.dose_mg == 162


@pytest.mark.parametrize(
    ("unit", "weight", "height", "dose_mg", "problem"),
    [
        ("mg/kg", 70.0, 170.0, 140.0, None),
        ("mg/kg", None, 170.0, None, "no recent body weight"),
        ("mg/m2", 72.0, 180.0, 2 * (180 * 72 / 3600) ** 0.5, None),
        ("mg/m2", 72.0, None, None, "no recent weight and height"),
        ("mL", 70.0, 170.0, None, "is not a mass"),
        ("tablet", 70.0, 170.0, None, "strength is unknown"),
    ],
)
def test_weight_and_bsa_based_doses(
    unit: str,
    weight: float | None,
    height: float | None,
    dose_mg: float | None,
    problem: str | None,
) -> None:
    rec = record(weight=weight, height=height)
    m = only_med(orders(rec, med_request("c", "cyclophosphamide", 2, unit, route="intravenous")))
    if problem is None:
        assert m.dose_problem is None
    else:
        assert m.dose_problem is not None and problem in m.dose_problem
    if dose_mg is None:
        assert m.dose_mg is None and m.daily_dose_mg is None
    else:
        assert m.dose_mg == pytest.approx(dose_mg)


def test_tablet_dose_uses_strength_of_rxnorm_display() -> None:
    res = med_request("p", "prednisolone", 3, "tablet")
    res["medicationCodeableConcept"] = {
        "coding": [
            {
                "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                "code": "198142",  # RxNorm SCD prednisolone 5 MG Oral Tablet
                "display": "prednisoLONE 5 MG Oral Tablet",
            }
        ]
    }
    m = only_med(orders(record(), res))
    assert m.concept == "prednisolone"  # product table; strength from the RxNorm display
    assert m.daily_dose_mg == pytest.approx(15.0)


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda d: d.pop("timing"), "no timing"),
        (lambda d: d.update(asNeededBoolean=True), "PRN"),
        (
            lambda d: d["doseAndRate"][0].update(doseQuantity={"value": "ten", "unit": "mg"}),
            "no numeric value",
        ),
        (
            lambda d: d["doseAndRate"][0].update(doseQuantity={"value": -5, "unit": "mg"}),
            "not positive",
        ),
        (
            lambda d: d["doseAndRate"][0].update(doseQuantity={"value": 0, "unit": "mg"}),
            "not positive",
        ),
        (
            lambda d: d.update(doseAndRate=[{"doseRange": {"low": {"value": 5}}}]),
            "range",
        ),
        (lambda d: d.pop("doseAndRate"), "no dose quantity"),
    ],
)
def test_unreadable_doses_are_kept_with_a_reason(mutate: Any, problem: str) -> None:
    res = med_request("x", "azathioprine", 100)
    mutate(res["dosageInstruction"][0])
    m = only_med(orders(record(), res))
    assert m.concept == "azathioprine"
    assert m.daily_dose_mg is None
    assert m.dose_problem is not None and problem in m.dose_problem


def test_concurrent_dosages_are_summed_and_a_taper_uses_its_first_step() -> None:
    """The record's dosage reader (fhir_mappings.dosage): 20 mg morning + 20 mg evening is
    40 mg/day; a taper (sequence 1, 2) is read as its first step."""
    res = med_request("x", "prednisolone", 20)
    res["dosageInstruction"].append(copy.deepcopy(res["dosageInstruction"][0]))
    assert only_med(orders(record(), res)).daily_dose_mg == pytest.approx(40.0)
    taper = med_request("t", "prednisolone", 30)
    second = copy.deepcopy(taper["dosageInstruction"][0])
    second["doseAndRate"][0]["doseQuantity"]["value"] = 20
    taper["dosageInstruction"][0]["sequence"] = 1
    second["sequence"] = 2
    taper["dosageInstruction"].append(second)
    assert only_med(orders(record(), taper)).daily_dose_mg == pytest.approx(30.0)


@pytest.mark.parametrize(("code", "per_day"), [("BID", 2.0), ("TID", 3.0), ("QD", 1.0)])
def test_timing_code(code: str, per_day: float) -> None:
    res = med_request("x", "mycophenolate_mofetil", 1000, timing=False)
    res["dosageInstruction"][0]["timing"] = {"code": {"coding": [{"code": code}]}}
    m = only_med(orders(record(), res))
    assert m.daily_dose_mg == pytest.approx(1000 * per_day)


@pytest.mark.parametrize(
    ("text", "route"), [("IV", "intravenous"), ("Oral", "oral"), ("SC", "subcutaneous")]
)
def test_route_from_text(text: str, route: str) -> None:
    res = med_request("x", "tocilizumab", 162, route=None)
    res["dosageInstruction"][0]["route"] = {"text": text}
    assert only_med(orders(record(), res)).route == route


def test_sandbox_medication_not_chosen_is_unreadable_with_reason() -> None:
    res = med_request("empty", None, shape="sandbox")
    o = orders(record(), res, shape="sandbox")
    assert o.medications == []
    assert o.unreadable == [("MedicationRequest/empty", "no medication chosen or coded")]


def test_drug_no_check_is_about_is_ignored_not_unreadable() -> None:
    o = orders(record(), med_request("l", "lisinopril", 10))
    assert o.medications == [] and o.unreadable == []


def test_other_request_types_are_ignored_and_bad_entries_reported() -> None:
    draft = bundle(med_request("a", "prednisolone", 5))
    draft["entry"].append({"resource": {"resourceType": "NutritionOrder", "id": "n"}})
    draft["entry"].append("garbage")
    o = map_draft_orders(draft, None, record())
    assert [m.source_id for m in o.medications] == ["MedicationRequest/a"]
    assert o.unreadable == [("entry/#2", "entry without a resource object")]


@pytest.mark.parametrize("draft", [None, "text", 42, {"resourceType": "Bundle"}, {"entry": "x"}])
def test_malformed_draft_orders_give_an_empty_set(draft: Any) -> None:
    o = map_draft_orders(draft, None, record())
    assert o.medications == [] and o.services == [] and o.focus == set()


def test_service_requests_by_code_and_by_text() -> None:
    text_only = {
        "resourceType": "ServiceRequest",
        "id": "t",
        "status": "draft",
        "code": {"text": "Complete blood count"},
    }
    o = orders(record(), service_request("s", "urinalysis_panel"), text_only)
    assert o.service_concepts() == {"urinalysis_panel", "cbc_panel"}


def test_selections_limit_focus_and_accept_absolute_references() -> None:
    rec = record()
    draft = bundle(
        med_request("a", "prednisolone", 5),
        med_request("b", "azathioprine", 100),
        service_request("s", "cbc_panel"),
    )
    sign = map_draft_orders(draft, None, rec)
    assert sign.focus == {"MedicationRequest/a", "MedicationRequest/b", "ServiceRequest/s"}
    select = map_draft_orders(draft, ["https://ehr.example/fhir/MedicationRequest/b"], rec)
    assert select.focus == {"MedicationRequest/b"}
    assert [m.concept for m in select.focused_medications()] == ["azathioprine"]
    unknown = map_draft_orders(draft, ["MedicationRequest/zzz", 7], rec)  # type: ignore[list-item]
    assert unknown.focus == set()


def test_draft_resources_kept_for_updates_as_copies() -> None:
    res = med_request("a", "prednisolone", 5)
    o = orders(record(), res)
    copy_ = o.resource("MedicationRequest/a")
    assert copy_ == res and copy_ is not res
    assert o.resource("MedicationRequest/none") is None


def test_bounds_period_end_is_read() -> None:
    m = only_med(orders(record(), med_request("c", "cyclophosphamide", 100, end="2027-11-20")))
    assert m.end is not None and m.end.isoformat() == "2027-11-20"
    assert m.start == TODAY


@pytest.mark.parametrize(
    ("unit", "per_kg", "per_m2"),
    [("mg/kg", True, False), ("mg/m2", False, True), ("mg", True, True)],
)
def test_only_the_ordered_basis_is_kept(unit: str, per_kg: bool, per_m2: bool) -> None:
    """An order per kg is not also judged per m² (and vice versa); an mg order has both."""
    res = med_request(
        "c", "cyclophosphamide", 10 if unit != "mg" else 700, unit, route="intravenous"
    )
    m = only_med(orders(record(), res))
    assert (m.dose_per_kg is not None) is per_kg
    assert (m.dose_per_m2 is not None) is per_m2


def test_site_conceptmap_codes_reach_drafts() -> None:
    """A site drug code mapped by the site's ConceptMap is read in drafts too."""
    from fhir_mappings.terminology import Terminology

    site = Terminology.standard().with_site_maps(
        {("http://hospital.example/drugs", "PRED-5"): {"prednisolone"}}
    )
    res = med_request("p", "prednisolone", 20)
    res["medicationCodeableConcept"] = {
        "coding": [{"system": "http://hospital.example/drugs", "code": "PRED-5"}]
    }
    rec = record()
    assert (
        map_draft_orders(bundle(res), None, rec).unreadable
        == [("MedicationRequest/p", "no medication chosen or coded")]
        or map_draft_orders(bundle(res), None, rec).medications == []
    )
    (m,) = map_draft_orders(bundle(res), None, rec, terminology=site).medications
    assert m.concept == "prednisolone" and m.daily_dose_mg == 20
