"""order-leflunomide-ild (R115, Z6) and order-tocilizumab-regimen (Z15, B16)."""

from __future__ import annotations

import pytest

from cds_service.guideline.findings import Indicator

from .builders import findings_for, med_request, record

LEF = "order-leflunomide-ild"
TCZ = "order-tocilizumab-regimen"


@pytest.mark.parametrize("shape", ["r4", "sandbox"])
def test_leflunomide_in_ild_is_a_caution_with_optional_delete(shape: str) -> None:
    (f,) = findings_for(
        LEF, record(("ra_lung",)), med_request("l", "leflunomide", 20, shape=shape), shape=shape
    )
    assert f.indicator == Indicator.WARNING
    # a share of patients who developed fatal A/S-ILD, not a case-fatality rate
    assert "fatal acute/subacute ILD in 1.2% of Japanese patients" in f.summary
    assert len(f.summary) <= 139
    (s,) = f.suggestions
    assert not s.is_recommended
    (a,) = s.actions
    assert a.type == "delete" and a.resource_id == "MedicationRequest/l" and a.resource is None


@pytest.mark.parametrize("conditions", [("rheumatoid_arthritis",), ()])
def test_leflunomide_without_ild_no_card(conditions: tuple[str, ...]) -> None:
    assert findings_for(LEF, record(conditions), med_request("l", "leflunomide", 20)) == []


CTD_ILD = ("systemic_sclerosis", "ild")


@pytest.mark.parametrize("shape", ["r4", "sandbox"])
@pytest.mark.parametrize(
    ("dose", "unit", "period", "route", "expected"),
    [
        (162, "mg", 1, "subcutaneous", None),  # label: no card (negative control)
        (162, "mg", 2, "subcutaneous", "every 14 days"),
        (8, "mg/kg", 4, "intravenous", "route intravenous"),
        (81, "mg", 1, "subcutaneous", "dose 81 mg"),
        (162, "mg", 1, None, "route not given"),
    ],
)
def test_tocilizumab_regimen(
    shape: str, dose: float, unit: str, period: int, route: str | None, expected: str | None
) -> None:
    res = med_request(
        "t", "tocilizumab", dose, unit, period=period, period_unit="wk", route=route, shape=shape
    )
    got = findings_for(TCZ, record(CTD_ILD), res, shape=shape)
    if expected is None:
        assert got == []
    else:
        (f,) = got
        assert f.indicator == Indicator.INFO
        assert expected in f.detail


def test_tocilizumab_without_ctd_ild_no_card() -> None:
    res = med_request(
        "t", "tocilizumab", 8, "mg/kg", period=4, period_unit="wk", route="intravenous"
    )
    assert findings_for(TCZ, record(("rheumatoid_arthritis",)), res) == []
    assert findings_for(TCZ, record(("ssc_lung",)), res) != []
