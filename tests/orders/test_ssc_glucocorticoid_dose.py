"""order-ssc-glucocorticoid-dose: >10 mg/day warning, ≥15 critical (R051, R143, Z2)."""

from __future__ import annotations

from typing import Any

import pytest

from cds_service.guideline.findings import Indicator
from cds_service.guideline.orders.ssc_glucocorticoid_dose import deliverable_dose
from cds_service.guideline.shared_rules import B12
from cds_service.guideline.ssc.glucocorticoid_risk import GC_CRITICAL
from cds_service.guideline.text import steen_1998
from fhir_mappings.tables import drug_rows

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


# ------------------------------------------------------- deliverable dose, checked ≤10
def _update_dose(f: Any) -> float | None:
    for s in f.suggestions:
        for a in s.actions:
            if a.type == "update":
                value: float = a.resource["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"][
                    "value"
                ]
                return value
    return None


@pytest.mark.parametrize(
    ("drug", "dose", "meds", "new_dose", "factor"),
    [
        ("prednisolone", 12, (), 10.0, 1.0),
        ("prednisone", 20, (), 10.0, 1.0),
        ("methylprednisolone", 16, (), 8.0, 1.25),
        # 10 / 6.67 = 1.4993: rounded DOWN to the 0.5 mg step (1.5 mg would be 10.005 > 10)
        ("dexamethasone", 2, (), 1.0, 6.67),
        ("hydrocortisone", 60, (), 40.0, 0.25),  # 15 pred-eq -> 40 mg = 10 pred-eq
        # another GC active: room 7.5 -> prednisolone 7 mg (1 mg step), never 7.5 or 7.33
        ("prednisolone", 12, (("prednisone", 2.5),), 7.0, 1.0),
        # room 10 - 2.5*1.25 = 6.875 pred-eq -> prednisolone 6 mg
        ("prednisolone", 12, (("methylprednisolone", 2.5),), 6.0, 1.0),
        # room 10 - 9.5 = 0.5 pred-eq -> methylprednisolone step 2 mg (2.5 pred-eq) does not fit
        ("methylprednisolone", 12, (("prednisone", 9.5),), None, 1.25),
    ],
)
def test_update_rounds_down_to_a_deliverable_step_and_stays_at_or_below_10(
    drug: str,
    dose: float,
    meds: tuple[tuple[str, float], ...],
    new_dose: float | None,
    factor: float,
) -> None:
    rec = record(SSC, meds=tuple(active(c, d) for c, d in meds))
    (f,) = findings_for(TOPIC, rec, med_request("g", drug, dose))
    assert _update_dose(f) == new_dose
    if new_dose is not None:
        others = sum(d * (1.25 if c == "methylprednisolone" else 1.0) for c, d in meds)
        assert others + new_dose * factor <= 10.0


@pytest.mark.parametrize(
    ("drug", "room", "expected"),
    [
        ("prednisolone", 10.0, 10.0),
        ("prednisolone", 9.99, 9.0),
        ("dexamethasone", 10.0, 1.0),
        ("dexamethasone", 10.005, 1.5),  # 1.5 × 6.67 = 10.005: fits exactly
        ("methylprednisolone", 10.0, 8.0),
        ("methylprednisolone", 9.99, 6.0),
        ("hydrocortisone", 10.0, 40.0),
        ("hydrocortisone", 1.0, None),  # 5 mg = 1.25 pred-eq does not fit
        ("betamethasone", 10.0, None),  # no deliverable step known: no update
        ("prednisolone", 0.0, None),
    ],
)
def test_deliverable_dose(drug: str, room: float, expected: float | None) -> None:
    assert deliverable_dose(drug, room, drug_rows()[drug].pred_eq_factor) == expected


# ------------------------------------------------------- Steen 1998 is an odds ratio
def test_critical_card_states_steen_as_an_odds_ratio() -> None:
    (f,) = findings_for(TOPIC, record(SSC), med_request("g", "prednisolone", 15))
    assert f.indicator == Indicator.CRITICAL
    assert steen_1998(B12, GC_CRITICAL.text) in f.detail
    assert "case-control" in f.detail and "OR 4.37 (95% CI 2.03-9.43)" in f.detail
    assert "times as likely" not in f.detail


# ------------------------------------------------------- SSc-ILD, GC is not a treatment
SSC_ILD = ("systemic_sclerosis", "ssc_lung")


@pytest.mark.parametrize("conditions", [SSC_ILD, ("ssc_diffuse", "ild")])
def test_ssc_ild_card_says_gc_is_not_a_treatment_and_does_not_recommend_a_gc(
    conditions: tuple[str, ...],
) -> None:
    (f,) = findings_for(TOPIC, record(conditions), med_request("g", "prednisolone", 12))
    assert "Glucocorticoids are not an SSc-ILD treatment" in f.detail
    assert "strong recommendation against" in f.detail and "reconsider the indication" in f.detail
    assert "B02" in f.rules
    update, delete = f.suggestions
    assert update.is_recommended is False and delete.is_recommended is False
    assert update.label.startswith(
        "If a glucocorticoid is required for another indication: reduce to ≤10 mg/day"
    )
    assert update.actions[0].type == "update" and _update_dose(f) == 10.0
    assert delete.actions[0].type == "delete"
    assert delete.actions[0].resource_id == "MedicationRequest/g"
    assert f.selection_behavior == "at-most-one"
    assert not any(s.is_recommended for s in f.suggestions)


def test_ssc_ild_no_room_for_update_still_offers_delete() -> None:
    rec = record(SSC_ILD, meds=(active("prednisone", 12.0),))
    (f,) = findings_for(TOPIC, rec, med_request("g", "methylprednisolone", 4))
    (delete,) = f.suggestions
    assert delete.actions[0].type == "delete" and delete.is_recommended is False


def test_ssc_without_ild_update_stays_recommended_no_ild_line() -> None:
    (f,) = findings_for(TOPIC, record(SSC), med_request("g", "prednisolone", 12))
    (s,) = f.suggestions
    assert s.is_recommended is True and s.actions[0].type == "update"
    assert "not an SSc-ILD treatment" not in f.detail


# ------------------------------------------------------- medication data unavailable
@pytest.mark.parametrize(
    ("dose", "expected"),
    [
        (7.5, Indicator.INFO),  # within the limit with what is seen: an unseen GC may add up
        (10, Indicator.INFO),
        (10.5, Indicator.WARNING),  # over the limit already: the card fires as usual
        (15, Indicator.CRITICAL),
    ],
)
def test_medications_unavailable(dose: float, expected: Indicator) -> None:
    rec = record(SSC)
    rec.unavailable["medication_statements"] = "timeout"
    (f,) = findings_for(TOPIC, rec, med_request("g", "prednisolone", dose))
    assert f.indicator == expected
    if expected == Indicator.INFO:
        assert "could not be checked" in f.summary and len(f.summary) <= 139
        assert "medication statements unavailable (timeout)" in f.detail
        assert not f.suggestions
