"""order-cyclophosphamide-bundle: dose ranges (Z5) and mesna/blood count/urinalysis/liver/course."""

from __future__ import annotations

import pytest

from cds_service.guideline.findings import Indicator

from .builders import active, findings_for, med_request, record, service_request

TOPIC = "order-cyclophosphamide-bundle"
CTD = ("systemic_sclerosis", "ssc_lung")
END = "2027-05-20"


def full_bundle() -> list[dict]:  # type: ignore[type-arg]
    return [
        med_request("mesna", "mesna", 400, route="intravenous"),
        service_request("cbc", "cbc_panel"),
        service_request("ua", "urinalysis_panel"),
        service_request("lft", "liver_panel"),
    ]


@pytest.mark.parametrize(
    ("dose", "flagged"), [(140, False), (210, False), (211, True), (280, True)]
)  # 70 kg: 3 mg/kg/day = 210 mg
def test_oral_dose_boundary(dose: float, flagged: bool) -> None:
    got = findings_for(
        TOPIC, record(CTD), med_request("c", "cyclophosphamide", dose, end=END), *full_bundle()
    )
    assert bool(got) is flagged
    if flagged:
        assert got[0].indicator == Indicator.WARNING
        assert "outside the seed ranges" in got[0].summary


@pytest.mark.parametrize(
    ("dose", "unit", "flagged"),
    [
        (800, "mg/m2", False),
        (801, "mg/m2", True),
        (30, "mg/kg", False),
        (31, "mg/kg", True),
        # mg orders at 70 kg / 170 cm (BSA 1.82 m²): outside only when outside both ranges
        (1500, "mg", False),  # 825 mg/m² but 21.4 mg/kg
        (2100, "mg", False),  # 30 mg/kg exactly
        (2110, "mg", True),
    ],  # 1,160 mg/m² and 30.1 mg/kg
)
def test_iv_dose_boundaries(dose: float, unit: str, flagged: bool) -> None:
    res = med_request(
        "c",
        "cyclophosphamide",
        dose,
        unit,
        period=4,
        period_unit="wk",
        route="intravenous",
        end=END,
    )
    got = findings_for(TOPIC, record(CTD), res, *full_bundle())
    assert bool(got) is flagged


def test_full_bundle_no_card_negative_control() -> None:
    got = findings_for(
        TOPIC, record(CTD), med_request("c", "cyclophosphamide", 140, end=END), *full_bundle()
    )
    assert got == []


def test_mesna_and_blood_count_drafted_gives_reduced_info_card() -> None:
    (f,) = findings_for(
        TOPIC,
        record(CTD),
        med_request("c", "cyclophosphamide", 140),
        med_request("mesna", "mesna", 400, route="intravenous"),
        service_request("cbc", "cbc_panel"),
    )
    assert f.indicator == Indicator.INFO
    assert "urinalysis" in f.summary and "mesna" not in f.summary
    concepts = [a.resource["code"]["coding"][0]["code"] for s in f.suggestions for a in s.actions]
    assert concepts == ["24356-8", "24325-3"]
    assert f.selection_behavior == "any"


def test_missing_mesna_and_blood_count_is_a_warning_with_cbc_recommended() -> None:
    (f,) = findings_for(TOPIC, record(CTD), med_request("c", "cyclophosphamide", 140, end=END))
    assert f.indicator == Indicator.WARNING
    assert "mesna" in f.summary
    assert f.suggestions[0].is_recommended
    assert f.suggestions[0].actions[0].resource["code"]["coding"][0]["code"] == "58410-2"


def test_recent_results_and_active_mesna_count() -> None:
    rec = record(
        CTD,
        meds=(active("mesna", 400.0),),
        measurements={"wbc": [(6.0, 3)], "urine_blood": [(0, 5)], "alt": [(20, 5)]},
    )
    assert findings_for(TOPIC, rec, med_request("c", "cyclophosphamide", 140, end=END)) == []
    stale = record(
        CTD,
        meds=(active("mesna", 400.0),),
        measurements={"wbc": [(6.0, 15)], "urine_blood": [(0, 5)], "alt": [(20, 5)]},
    )
    (f,) = findings_for(TOPIC, stale, med_request("c", "cyclophosphamide", 140, end=END))
    assert "blood count" in f.detail


@pytest.mark.parametrize(
    ("kw", "text"),
    [({"weight": None}, "no body weight"), ({"height": None}, "not computable")],
)
def test_dose_not_checkable_is_said(kw: dict, text: str) -> None:  # type: ignore[type-arg]
    route = "oral" if "weight" in kw else "intravenous"
    res = med_request("c", "cyclophosphamide", 140, route=route, end=END)
    if route == "intravenous":
        res["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["unit"] = "mg"
        kw = {"weight": None, "height": None}
    (f,) = findings_for(TOPIC, record(CTD, **kw), res, *full_bundle())
    assert f.indicator == Indicator.INFO
    assert text in f.detail


def test_route_missing_is_said() -> None:
    (f,) = findings_for(
        TOPIC,
        record(CTD),
        med_request("c", "cyclophosphamide", 140, route=None, end=END),
        *full_bundle(),
    )
    assert "route not given" in f.detail


def test_outside_ctd_or_ild_scope_no_card() -> None:
    assert findings_for(TOPIC, record(()), med_request("c", "cyclophosphamide", 5000)) == []
