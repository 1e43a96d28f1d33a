"""order-ssc-glucocorticoid-dose: >10 mg/day warning, ≥15 critical (R051, R143, Z2)."""

from __future__ import annotations

import pytest

from cds_service.guideline.findings import Indicator

from .builders import active, findings_for, med_request, record

TOPIC = "order-ssc-glucocorticoid-dose"
SSC = ("systemic_sclerosis",)


@pytest.mark.parametrize("shape", ["r4", "sandbox"])
@pytest.mark.parametrize(
    ("drug", "dose", "expected"),
    [
        ("prednisolone", 7.5, None),
        ("prednisolone", 10, None),
        ("prednisolone", 10.5, Indicator.WARNING),
        ("prednisolone", 14.5, Indicator.WARNING),
        ("prednisolone", 15, Indicator.CRITICAL),
        ("prednisone", 20, Indicator.CRITICAL),
        ("methylprednisolone", 8, None),  # 10 mg pred-eq
        ("methylprednisolone", 12, Indicator.CRITICAL),  # 15 mg pred-eq
        ("dexamethasone", 2, Indicator.WARNING),  # 13.3 mg pred-eq
    ],
)
def test_threshold_table(shape: str, drug: str, dose: float, expected: Indicator | None) -> None:
    got = findings_for(TOPIC, record(SSC), med_request("g", drug, dose, shape=shape), shape=shape)
    assert [f.indicator for f in got] == ([expected] if expected else [])


@pytest.mark.parametrize("conditions", [("ssc_diffuse",), ("ssc_limited",), ("ssc_lung",)])
def test_any_ssc_concept(conditions: tuple[str, ...]) -> None:
    assert findings_for(TOPIC, record(conditions), med_request("g", "prednisolone", 12))


def test_no_ssc_no_card() -> None:
    assert (
        findings_for(TOPIC, record(("rheumatoid_arthritis",)), med_request("g", "prednisolone", 30))
        == []
    )


def test_draft_replaces_active_of_same_drug() -> None:
    rec = record(SSC, meds=(active("prednisolone", 20.0),))
    assert findings_for(TOPIC, rec, med_request("g", "prednisolone", 7.5)) == []


def test_other_active_glucocorticoid_adds_up() -> None:
    rec = record(SSC, meds=(active("prednisone", 5.0),))
    got = findings_for(TOPIC, rec, med_request("g", "prednisolone", 7.5))
    assert [f.indicator for f in got] == [Indicator.WARNING]
    assert any(f.concept == "prednisolone_equivalent" and f.value == 12.5 for f in got[0].facts)
    # the update brings the draft to 5 mg so the regimen totals 10 mg/day
    action = got[0].suggestions[0].actions[0]
    dose = action.resource["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]
    assert dose["value"] == 5.0


def test_update_keeps_id_and_sets_10mg_prednisolone_equivalent() -> None:
    got = findings_for(TOPIC, record(SSC), med_request("g", "methylprednisolone", 16))
    (f,) = got
    assert f.selection_behavior == "at-most-one"
    (s,) = f.suggestions
    assert s.is_recommended
    (a,) = s.actions
    assert a.type == "update" and a.resource["id"] == "g"
    assert a.resource["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 8.0


def test_no_update_when_other_glucocorticoids_already_exceed_limit() -> None:
    rec = record(SSC, meds=(active("prednisone", 12.0),))
    (f,) = findings_for(TOPIC, rec, med_request("g", "methylprednisolone", 4))
    assert f.suggestions == () and f.selection_behavior is None


def test_unreadable_dose_says_so() -> None:
    (f,) = findings_for(TOPIC, record(SSC), med_request("g", "prednisolone", 20, timing=False))
    assert f.indicator == Indicator.INFO
    assert "could not be checked" in f.summary
    assert "no timing" in f.detail


def test_not_in_focus_no_card() -> None:
    got = findings_for(
        TOPIC,
        record(SSC),
        med_request("g", "prednisolone", 20),
        med_request("a", "azathioprine", 100),
        selections=["MedicationRequest/a"],
    )
    assert got == []


@pytest.mark.parametrize(
    ("route_text", "display"),
    [
        ("Topical", "hydrocortisone"),
        (None, "hydrocortisone 1 % Topical Cream"),
        ("Inhalation", "dexamethasone"),
    ],
)
def test_non_systemic_glucocorticoid_is_not_counted(route_text: str | None, display: str) -> None:
    res = med_request(
        "h", "hydrocortisone" if "hydro" in display else "dexamethasone", 200, route=None
    )
    res["medicationCodeableConcept"]["coding"][0]["display"] = display
    res["medicationCodeableConcept"]["text"] = display
    if route_text:
        res["dosageInstruction"][0]["route"] = {"text": route_text}
    assert findings_for(TOPIC, record(SSC), res) == []
