"""order-as-ild-monotherapy: GC-only plan for A/S-ILD with poor-risk factors (R109, R113),
an incomplete risk assessment (R140) and medication data unavailable."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from cds_service.guideline.data_gaps import dataset_name
from cds_service.guideline.findings import Indicator
from fhir_mappings.record import ConditionEntry, PatientRecord

from .builders import TODAY, active, findings_for, med_request, record

TOPIC = "order-as-ild-monotherapy"
AS_DM = ("dermatomyositis", "ild", "rp_ild_or_aip")

#: every poor-risk factor assessed and absent (ferritin ≤1,000, PaO2 ≥60, CK ≥500, anti-MDA5
#: negative, DM not ADM, ground-glass recorded absent)
BASE_LABS: dict[str, list[tuple[float, int]]] = {
    "ferritin": [(500, 5)],
    "pao2": [(80, 1)],
    "creatine_kinase": [(800, 3)],
}


def as_dm(
    labs: dict[str, list[tuple[float, int]]] | None = None,
    antibodies: dict[str, str] | None = None,
    drop: tuple[str, ...] = (),
    conditions: tuple[str, ...] = AS_DM,
    **kw: Any,
) -> PatientRecord:
    """A/S DM-ILD; ``labs``/``antibodies`` override the all-absent base, ``drop`` removes
    inputs (a lab concept, ``anti_mda5`` or ``hrct``) so that factor cannot be assessed."""
    measurements = {**BASE_LABS, **(labs or {})}
    abs_ = {"anti_mda5": "negative", **(antibodies or {})}
    for d in drop:
        measurements.pop(d, None)
        abs_.pop(d, None)
    rec = record(conditions, measurements=measurements, antibodies=abs_, **kw)
    if "hrct" not in drop:
        rec.conditions.append(ConditionEntry("ct_ground_glass", False, TODAY - timedelta(days=4)))
    return rec


GC = med_request("g", "prednisolone", 60)


@pytest.mark.parametrize(
    ("labs", "antibodies", "expected"),
    [
        ({}, None, None),  # every factor assessed absent: no card
        ({"ferritin": [(1001, 5)]}, None, Indicator.CRITICAL),
        ({"ferritin": [(1000, 5)]}, None, None),  # strict >1,000
        ({"pao2": [(59.9, 1)]}, None, Indicator.CRITICAL),
        ({"pao2": [(60, 1)]}, None, None),  # strict <60
        ({"creatine_kinase": [(499, 3)]}, None, Indicator.CRITICAL),
        ({"creatine_kinase": [(500, 3)]}, None, None),
        ({}, {"anti_mda5": "positive"}, Indicator.CRITICAL),
        # stale ferritin (>30 days before onset): the factor is missing, not absent → info
        ({"ferritin": [(2000, 200)]}, None, Indicator.INFO),
    ],
)
def test_poor_risk_factor_table(
    labs: dict[str, list[tuple[float, int]]],
    antibodies: dict[str, str] | None,
    expected: Indicator | None,
) -> None:
    got = findings_for(TOPIC, as_dm(labs, antibodies), GC)
    assert [f.indicator for f in got] == ([expected] if expected else [])


def test_combination_drafted_or_active_no_card() -> None:
    rec = as_dm(antibodies={"anti_mda5": "positive"})
    assert findings_for(TOPIC, rec, GC, med_request("c", "cyclosporine", 200)) == []
    rec2 = as_dm(antibodies={"anti_mda5": "positive"}, meds=(active("tacrolimus", 2.0),))
    assert findings_for(TOPIC, rec2, GC) == []


def test_not_acute_subacute_cannot_decide_no_card() -> None:
    rec = record(("dermatomyositis", "ild"), antibodies={"anti_mda5": "positive"})
    assert findings_for(TOPIC, rec, GC) == []


def test_amyopathic_dm_is_a_factor() -> None:
    # no CK charted: amyopathic DM has normal muscle enzymes (a raised CK contradicts it)
    rec = as_dm(conditions=("amyopathic_dm", "ild", "rp_ild_or_aip"), drop=("creatine_kinase",))
    (f,) = findings_for(TOPIC, rec, GC)
    assert f.indicator == Indicator.CRITICAL
    assert "ADM" in f.detail


def test_amyopathic_dm_with_raised_ck_is_not_critical() -> None:
    """ADM with CK 800 U/L contradicts itself: named unresolved, never critical."""
    rec = as_dm(conditions=("amyopathic_dm", "ild", "rp_ild_or_aip"))
    (f,) = findings_for(TOPIC, rec, GC)
    assert f.indicator == Indicator.INFO


def test_critical_card_explains_ck_factor() -> None:
    """A CK-only card is explained (R108, JP text), not only Figure 3's five."""
    (f,) = findings_for(TOPIC, as_dm({"creatine_kinase": [(300, 3)]}), GC)
    assert "CK <500 U/L" in f.detail and "R108" in f.rules  # the JP text, beside Figure 3


# ---------------------------------------------------------------------------- incomplete
@pytest.mark.parametrize(
    ("drop", "named"),
    [
        (("anti_mda5",), "anti-MDA5"),
        (("ferritin",), "ferritin"),
        (("pao2",), "PaO2"),
        (("creatine_kinase",), "CK"),
        (("hrct",), "HRCT"),
        (("anti_mda5", "ferritin"), "anti-MDA5"),
    ],
)
def test_incomplete_assessment_is_info_naming_what_is_missing(
    drop: tuple[str, ...], named: str
) -> None:
    (f,) = findings_for(TOPIC, as_dm(drop=drop), GC)
    assert f.indicator == Indicator.INFO
    assert "incomplete" in f.summary and len(f.summary) <= 139
    assert named in f.detail and "never read as absent" in f.detail
    assert not f.override_reasons  # info: nothing to override


def test_anti_mda5_untested_gc_only() -> None:
    """GC-only draft for A/S DM-ILD with anti-MDA5 untested (and nothing else on record):
    an info card, never critical, never silence."""
    rec = record(AS_DM)
    (f,) = findings_for(TOPIC, rec, GC)
    assert f.indicator == Indicator.INFO and "anti-MDA5" in f.detail


def test_incomplete_with_combination_no_card() -> None:
    rec = as_dm(drop=("anti_mda5",))
    assert findings_for(TOPIC, rec, GC, med_request("c", "cyclosporine", 200)) == []


def test_factor_present_and_another_missing_is_critical() -> None:
    """One factor present is enough (Z20); the missing one does not soften the card."""
    rec = as_dm({"ferritin": [(1500, 5)]}, drop=("anti_mda5",))
    (f,) = findings_for(TOPIC, rec, GC)
    assert f.indicator == Indicator.CRITICAL


# ------------------------------------------------------- medication data unavailable
@pytest.mark.parametrize("key", ["medications", "medication_statements"])
def test_medications_unavailable_never_critical(key: str) -> None:
    rec = as_dm(antibodies={"anti_mda5": "positive"})
    rec.unavailable[key] = "timeout"
    (f,) = findings_for(TOPIC, rec, GC)
    assert f.indicator == Indicator.INFO
    assert "could not be checked" in f.summary and len(f.summary) <= 139
    assert f"{dataset_name(key)} unavailable (timeout)" in f.detail
    assert "No cyclosporine, tacrolimus or cyclophosphamide is active" not in f.detail


def test_other_data_unavailable_keeps_critical() -> None:
    rec = as_dm(antibodies={"anti_mda5": "positive"})
    rec.unavailable["imaging"] = "timeout"
    (f,) = findings_for(TOPIC, rec, GC)
    assert f.indicator == Indicator.CRITICAL


def test_medications_unavailable_drafted_combination_no_card() -> None:
    rec = as_dm(antibodies={"anti_mda5": "positive"})
    rec.unavailable["medications"] = "timeout"
    assert findings_for(TOPIC, rec, GC, med_request("c", "cyclosporine", 200)) == []
