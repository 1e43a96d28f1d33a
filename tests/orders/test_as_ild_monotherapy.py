"""order-as-ild-monotherapy: GC-only plan for A/S-ILD with poor-risk factors (R109, R113)."""

from __future__ import annotations

import pytest

from cds_service.guideline.findings import Indicator

from .builders import active, findings_for, med_request, record

TOPIC = "order-as-ild-monotherapy"
AS_DM = ("dermatomyositis", "ild", "rp_ild_or_aip")


@pytest.mark.parametrize(
    ("measurements", "antibodies", "fires"),
    [
        ({"ferritin": [(1001, 5)]}, None, True),
        ({"ferritin": [(1000, 5)]}, None, False),  # strict >1,000
        ({"pao2": [(59.9, 1)]}, None, True),
        ({"pao2": [(60, 1)]}, None, False),  # strict <60
        ({"creatine_kinase": [(499, 3)]}, None, True),
        ({"creatine_kinase": [(500, 3)]}, None, False),
        ({}, {"anti_mda5": "positive"}, True),
        ({}, {"anti_mda5": "negative"}, False),
        ({"ferritin": [(2000, 200)]}, None, False),  # stale (>3 months)
    ],
)
def test_poor_risk_factor_table(
    measurements: dict,
    antibodies: dict | None,
    fires: bool,  # type: ignore[type-arg]
) -> None:
    rec = record(AS_DM, measurements=measurements, antibodies=antibodies)
    got = findings_for(TOPIC, rec, med_request("g", "prednisolone", 60))
    assert bool(got) is fires
    if fires:
        assert got[0].indicator == Indicator.CRITICAL


def test_combination_drafted_or_active_no_card() -> None:
    rec = record(AS_DM, antibodies={"anti_mda5": "positive"})
    assert (
        findings_for(
            TOPIC, rec, med_request("g", "prednisolone", 60), med_request("c", "cyclosporine", 200)
        )
        == []
    )
    rec2 = record(AS_DM, antibodies={"anti_mda5": "positive"}, meds=(active("tacrolimus", 2.0),))
    assert findings_for(TOPIC, rec2, med_request("g", "prednisolone", 60)) == []


def test_not_acute_subacute_cannot_decide_no_card() -> None:
    rec = record(("dermatomyositis", "ild"), antibodies={"anti_mda5": "positive"})
    assert findings_for(TOPIC, rec, med_request("g", "prednisolone", 60)) == []


def test_amyopathic_dm_is_a_factor() -> None:
    rec = record(("amyopathic_dm", "ild", "rp_ild_or_aip"))
    (f,) = findings_for(TOPIC, rec, med_request("g", "prednisolone", 60))
    assert f.indicator == Indicator.CRITICAL
    assert "ADM" in f.detail
