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
        assert "outside the usual ranges" in got[0].summary


def iv_cyc(dose: float, unit: str = "mg", rid: str = "c") -> dict:  # type: ignore[type-arg]
    return med_request(
        rid,
        "cyclophosphamide",
        dose,
        unit,
        period=4,
        period_unit="wk",
        route="intravenous",
        end=END,
    )


@pytest.mark.parametrize(
    ("dose", "unit", "flagged"),
    [
        (800, "mg/m2", False),
        (800.1, "mg/m2", True),
        (30, "mg/kg", False),
        (30.1, "mg/kg", True),
    ],
)
def test_iv_dose_boundaries_ordered_per_m2_or_kg(dose: float, unit: str, flagged: bool) -> None:
    got = findings_for(TOPIC, record(CTD), iv_cyc(dose, unit), *full_bundle())
    assert [f.indicator for f in got] == ([Indicator.WARNING] if flagged else [])


@pytest.mark.parametrize(
    ("weight", "height", "dose", "flagged"),
    [
        # 100 kg, 144 cm: BSA exactly 2.0 m²; per kg far below 30
        (100, 144, 1600, False),  # 800 mg/m², 16 mg/kg
        (100, 144, 1600.2, True),  # 800.1 mg/m²: above 800 alone is enough
        # 40 kg, 210 cm: BSA 1.53 m²; per m² below 800
        (40, 210, 1200, False),  # 30 mg/kg, 785.6 mg/m²
        (40, 210, 1204, True),  # 30.1 mg/kg: above 30 alone is enough
    ],
)
def test_iv_mg_order_flagged_when_either_bound_is_exceeded(
    weight: float, height: float, dose: float, flagged: bool
) -> None:
    rec = record(CTD, weight=weight, height=height)
    got = findings_for(TOPIC, rec, iv_cyc(dose), *full_bundle())
    assert [f.indicator for f in got] == ([Indicator.WARNING] if flagged else [])
    if flagged:
        # both values shown, each with its source regimen
        assert "mg/m²" in got[0].detail and "mg/kg" in got[0].detail
        assert "(Yamasaki)" in got[0].detail and "(Kameda)" in got[0].detail


def test_2000_mg_at_70_kg_1_82_m2_is_above_800_mg_m2() -> None:
    """2,000 mg = 1,100 mg/m² (>800) and 28.6 mg/kg (<30): a warning."""
    (f,) = findings_for(TOPIC, record(CTD, weight=70, height=170), iv_cyc(2000), *full_bundle())
    assert f.indicator == Indicator.WARNING
    assert "1,100 mg/m² (**>800 mg/m²**)" in f.detail
    assert "28.6 mg/kg (within range)" in f.detail


@pytest.mark.parametrize(
    ("weight", "height", "dose", "expected", "named"),
    [
        # no height: per m² not computable; per kg checked, the gap named (info)
        (70, None, 2100, Indicator.INFO, "IV dose in mg/m² not computable"),
        (70, None, 2107, Indicator.WARNING, "IV dose in mg/m² not computable"),
        # no weight: neither computable
        (None, 170, 1000, Indicator.INFO, "checks were not done"),
        (None, None, 1000, Indicator.INFO, "checks were not done"),
    ],
)
def test_iv_mg_order_partial_check_is_named(
    weight: float | None, height: float | None, dose: float, expected: Indicator, named: str
) -> None:
    rec = record(CTD, weight=weight, height=height)
    (f,) = findings_for(TOPIC, rec, iv_cyc(dose), *full_bundle())
    assert f.indicator == expected
    assert named in f.detail


def test_iv_pulse_displayed_as_given_not_as_daily_average() -> None:
    """900 mg/m² every 28 days at 1.82 m² is "1,636 mg (900 mg/m²) IV every 28
    days", never "58.44 mg/day"."""
    (f,) = findings_for(TOPIC, record(CTD, weight=70, height=170), iv_cyc(900, "mg/m2"))
    assert "1,636 mg (900 mg/m²) IV every 28 days" in f.detail
    assert "mg/day" not in f.detail.split("**Sources**")[0]


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
    """An IV pulse without mesna or a blood count (mesna belongs to the IV regimen)."""
    (f,) = findings_for(TOPIC, record(CTD), iv_cyc(1000))
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


def test_medications_unavailable_mesna_line_names_the_gap() -> None:
    """An active mesna order may be unseen; the card does not say "no mesna active"."""
    rec = record(CTD)
    rec.unavailable["medications"] = "timeout"
    (f,) = findings_for(TOPIC, rec, iv_cyc(1000))
    assert "active orders could not be checked: medication orders unavailable (timeout)" in f.detail
    assert "without mesna" in f.summary
