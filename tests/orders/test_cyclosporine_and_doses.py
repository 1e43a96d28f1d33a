"""order-cyclosporine-monitoring (Z3, R094-R096) and order-immunosuppressant-dose (R040-R043)."""

from __future__ import annotations

import pytest

from cds_service.guideline.findings import Indicator

from .builders import findings_for, med_request, record, service_request

CSA = "order-cyclosporine-monitoring"
DOSE = "order-immunosuppressant-dose"
DM_ILD = ("dermatomyositis", "ild")
LABS = [service_request("lvl", "cyclosporine_level"), service_request("cr", "creatinine")]


@pytest.mark.parametrize(
    ("dose", "unit", "implausible"),
    [
        (499, "mg/m2", False),
        (500, "mg/m2", True),
        (750, "mg/m2", True),
        (200, "mg", False),
        (910, "mg", True),
    ],  # 70 kg/170 cm: 910 mg = 500.5 mg/m²
)
def test_cyclosporine_z3_range(dose: float, unit: str, implausible: bool) -> None:
    res = med_request("c", "cyclosporine", dose, unit, route="intravenous")
    got = findings_for(CSA, record(DM_ILD), res, *LABS)
    assert bool(got) is implausible
    if implausible:  # per m² computed: beyond the seed range is critical
        assert got[0].indicator == Indicator.CRITICAL
        assert "implausible" in got[0].summary


@pytest.mark.parametrize(
    ("weight", "height", "dose", "expected"),
    [
        (70, None, 200, Indicator.INFO),  # per m² not computable: said, never silence
        (70, None, 749, Indicator.INFO),
        (70, None, 750, Indicator.WARNING),  # fallback: 500 mg/m² at 1.5 m²
        (None, 170, 750, Indicator.WARNING),
        (None, None, 1000, Indicator.WARNING),
    ],
)
def test_cyclosporine_per_m2_not_computable(
    weight: float | None, height: float | None, dose: float, expected: Indicator
) -> None:
    res = med_request("c", "cyclosporine", dose, route="intravenous")
    (f,) = findings_for(CSA, record(DM_ILD, weight=weight, height=height), res, *LABS)
    assert f.indicator == expected
    assert "dose per m² not computable" in f.detail
    assert "≥500 mg/m² implausible-dose check was not done" in f.detail
    if expected == Indicator.WARNING:
        assert "check the order" in f.summary and "≥750 mg" in f.detail


def test_1000_mg_iv_no_height_not_silent() -> None:
    """CsA 1,000 mg IV once daily, no height recorded, level and creatinine drafted."""
    rec = record(DM_ILD, height=None)
    res = med_request("c", "cyclosporine", 1000, route="intravenous")
    (f,) = findings_for(CSA, rec, res, *LABS)
    assert f.indicator == Indicator.WARNING
    assert len(f.summary) <= 139


def test_cyclosporine_without_level_and_creatinine_suggests_both() -> None:
    (f,) = findings_for(CSA, record(DM_ILD), med_request("c", "cyclosporine", 200))
    assert f.indicator == Indicator.INFO
    codes = [a.resource["code"]["coding"][0]["code"] for s in f.suggestions for a in s.actions]
    assert codes == ["3520-4", "2160-0"]
    assert [s.is_recommended for s in f.suggestions] == [True, False]


def test_cyclosporine_recent_results_count() -> None:
    rec = record(DM_ILD, measurements={"cyclosporine_trough": [(180, 2)], "creatinine": [(0.8, 2)]})
    assert findings_for(CSA, rec, med_request("c", "cyclosporine", 200)) == []


def test_cyclosporine_unreadable_dose_is_said() -> None:
    (f,) = findings_for(CSA, record(DM_ILD), med_request("c", "cyclosporine", 2, "mL"), *LABS)
    assert "could not be checked" in f.detail


@pytest.mark.parametrize(
    ("drug", "dose", "freq", "expected"),
    [
        ("azathioprine", 70, 1, None),  # 1.0 mg/kg/day at 70 kg
        ("azathioprine", 140, 1, None),  # 2.0
        ("azathioprine", 150, 1, Indicator.WARNING),  # 2.14
        ("azathioprine", 50, 1, Indicator.INFO),  # 0.71
        ("mycophenolate_mofetil", 1000, 2, None),
        ("mycophenolate_mofetil", 1500, 2, None),
        ("mycophenolate_mofetil", 2000, 2, Indicator.WARNING),
        ("mycophenolate_mofetil", 500, 2, Indicator.INFO),
        ("tacrolimus", 1, 1, None),
        ("tacrolimus", 3, 1, None),
        ("tacrolimus", 2, 2, Indicator.INFO),  # 4 mg/day: info only (Z16)
        ("tacrolimus", 0.5, 1, Indicator.INFO),
    ],
)
def test_immunosuppressant_dose_table(
    drug: str, dose: float, freq: int, expected: Indicator | None
) -> None:
    got = findings_for(DOSE, record(DM_ILD), med_request("d", drug, dose, frequency=freq))
    assert [f.indicator for f in got] == ([expected] if expected else [])


def test_azathioprine_without_weight_cannot_be_checked() -> None:
    (f,) = findings_for(DOSE, record(DM_ILD, weight=None), med_request("d", "azathioprine", 100))
    assert f.indicator == Indicator.INFO and "could not be checked" in f.summary


@pytest.mark.parametrize("shape", ["r4", "sandbox"])
def test_unparseable_dose_is_never_silent(shape: str) -> None:
    res = med_request("d", "mycophenolate_mofetil", 2, "tablet", shape=shape)
    (f,) = findings_for(DOSE, record(DM_ILD), res, shape=shape)
    assert f.indicator == Indicator.INFO
    assert "could not be checked" in f.summary


def test_immunosuppressant_outside_scope_no_card() -> None:
    assert findings_for(DOSE, record(()), med_request("d", "tacrolimus", 10)) == []
