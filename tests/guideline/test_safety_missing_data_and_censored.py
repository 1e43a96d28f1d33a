"""Safety rules: monitoring when the regimen's intensity cannot be decided, PJP with
medications unavailable, cyclosporine levels: censored values, present-but-unreadable levels,
route not recorded."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cds_service.guideline.findings import Indicator
from cds_service.guideline.safety.cyclosporine_level import cyclosporine_level
from cds_service.guideline.safety.monitoring import immunosuppression_monitoring
from cds_service.guideline.safety.pjp_prophylaxis import pjp_prophylaxis

from .records import cond, meas, med, record

DM_ILD = [cond("dermatomyositis", 200), cond("ild", 100)]
SJD_ILD = [cond("sjogren", 900), cond("ild", 300)]
UNREADABLE_GC = med("prednisolone", None, dose_problem="unparseable dose")
CSA_IV = med("cyclosporine", route="intravenous")


# ------------------------------------------------------------------ monitoring (7)
def test_monitoring_info_card_when_intensity_cannot_be_decided() -> None:
    r = record(conditions=DM_ILD, medications=[UNREADABLE_GC, CSA_IV, med("cyclophosphamide")])
    (f,) = immunosuppression_monitoring(r)
    assert f.indicator is Indicator.INFO
    assert "intensity cannot be decided" in f.summary and len(f.summary) <= 139
    assert "Whether the regimen is intensive cannot be decided" in f.detail
    assert "beta-D-glucan: none on record (due now)" in f.detail
    assert len(f.suggestions) == 4


@pytest.mark.parametrize(("days", "fires"), [(14, False), (15, True)])
def test_monitoring_undecided_regimen_uses_the_same_interval(days: int, fires: bool) -> None:
    labs = [
        meas(c, v, days)
        for c, v in (("beta_d_glucan", 5.0), ("cmv_dna", 0.0), ("creatinine", 0.8), ("alt", 20.0))
    ]
    r = record(conditions=DM_ILD, medications=[UNREADABLE_GC, CSA_IV], measurements=labs)
    assert bool(list(immunosuppression_monitoring(r))) is fires


def test_monitoring_labs_unavailable_are_not_called_missing() -> None:
    r = record(conditions=DM_ILD, medications=[med("prednisolone", 60.0), CSA_IV])
    r.unavailable["labs"] = "timeout"
    assert list(immunosuppression_monitoring(r)) == []  # nothing due that is known
    r2 = record(
        conditions=DM_ILD,
        medications=[med("prednisolone", 60.0), CSA_IV],
        measurements=[meas("creatinine", 0.8, 20)],
    )
    r2.unavailable["labs"] = "timeout"
    (f,) = immunosuppression_monitoring(r2)
    assert "beta-D-glucan: not assessed (laboratory results unavailable (timeout))" in f.detail
    assert "none on record" not in f.detail


# --------------------------------------------------------------------------- PJP (1)
@pytest.mark.parametrize(
    ("conditions", "meds", "fires"),
    [
        (SJD_ILD, [], True),  # CTD-ILD, regimen unknown
        (DM_ILD, [med("prednisolone", 60.0), CSA_IV], True),  # intensive seen
        ([cond("sjogren", 900)], [], False),  # CTD without ILD, nothing seen
        (SJD_ILD, [med("tmp_smx")], False),  # prophylaxis seen: nothing to say
    ],
)
def test_pjp_when_medications_unavailable(conditions, meds, fires) -> None:  # type: ignore[no-untyped-def]
    r = record(conditions=conditions, medications=meds)
    r.unavailable["medications"] = "HTTP 500"
    found = list(pjp_prophylaxis(r))
    assert bool(found) is fires
    if fires:
        (f,) = found
        assert f.indicator is Indicator.INFO and "could not be checked" in f.summary
        assert "medication orders unavailable (HTTP 500)" in f.detail
        assert "none active" not in f.detail  # never "no prophylaxis"
        assert f.suggestions == ()


def test_pjp_without_gaps_unchanged() -> None:
    assert list(pjp_prophylaxis(record(conditions=SJD_ILD))) == []


# -------------------------------------------------------- cyclosporine: censored (4)
@pytest.mark.parametrize(
    ("route", "concept", "value", "comparator", "problem"),
    [
        ("oral", "cyclosporine_c2", 1000.0, ">", None),  # ">1000" is above 1,000: on target
        ("oral", "cyclosporine_c2", 1000.0, ">=", "cannot be compared"),
        ("oral", "cyclosporine_c2", 1000.0, "<", "C2 not >1,000"),
        ("intravenous", "cyclosporine_trough", 250.0, ">", "above the IV target"),
        ("intravenous", "cyclosporine_trough", 250.0, ">=", "cannot be compared"),
        ("intravenous", "cyclosporine_trough", 200.0, "<", "below the IV target"),
        ("intravenous", "cyclosporine_trough", 150.0, "<", "sub-therapeutic"),
        ("oral", "cyclosporine_trough", 150.0, "<=", "cannot be compared"),
        ("oral", "cyclosporine_trough", 150.0, ">", None),
    ],
)
def test_cyclosporine_censored_levels(route, concept, value, comparator, problem) -> None:  # type: ignore[no-untyped-def]
    r = record(
        medications=[med("cyclosporine", route=route, start=20)],
        measurements=[meas(concept, value, 2, comparator=comparator)],
    )
    found = list(cyclosporine_level(r))
    if problem is None:
        assert found == []
        return
    (f,) = found
    assert problem in f.summary
    shown = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}[comparator]
    assert shown + f"{value:,.0f} ng/mL" in f.detail


# ------------------------------------------------ cyclosporine: unreadable level (13)
def test_recent_unreadable_level_is_not_no_level() -> None:
    unreadable = replace(
        meas("cyclosporine_trough", 0.0, 3),
        value=None,
        unit=None,
        interpretable=False,
        original_value=180.0,
        original_unit="nmol/L",
        reason="unit not convertible",
    )
    r = record(
        medications=[med("cyclosporine", route="oral", start=20)],
        measurements=[unreadable],
    )
    (f,) = cyclosporine_level(r)
    assert "level present but unreadable (nmol/L" in f.summary
    assert "no cyclosporine level" not in f.summary
    assert "180.0 nmol/L" in f.detail and "could not be interpreted" in f.detail


def test_old_unreadable_level_is_no_recent_level() -> None:
    old = replace(
        meas("cyclosporine_trough", 0.0, 20),
        value=None,
        interpretable=False,
        original_unit="nmol/L",
    )
    r = record(medications=[med("cyclosporine", route="oral", start=30)], measurements=[old])
    (f,) = cyclosporine_level(r)
    assert "no cyclosporine level in the last 14 days" in f.summary


@pytest.mark.parametrize(("days_ago", "fires"), [(13, False), (14, False), (15, True)])
def test_cyclosporine_level_recent_window(days_ago: int, fires: bool) -> None:
    """On-target oral levels: recent up to 14 days (``RECENT``), then no recent level."""
    r = record(
        medications=[med("cyclosporine", route="oral", start=60)],
        measurements=[
            meas("cyclosporine_trough", 200.0, days_ago),
            meas("cyclosporine_c2", 1100.0, days_ago),
        ],
    )
    found = list(cyclosporine_level(r))
    assert bool(found) is fires
    if fires:
        assert "no cyclosporine level in the last 14 days" in found[0].summary


def test_labs_unavailable_is_not_no_level() -> None:
    r = record(medications=[med("cyclosporine", route="oral", start=30)])
    r.unavailable["labs"] = "timeout"
    (f,) = cyclosporine_level(r)
    assert "not checked (laboratory data unavailable)" in f.summary
    assert "no cyclosporine level" not in f.summary


# ------------------------------------------------- cyclosporine: route unknown (26)
@pytest.mark.parametrize(
    ("concept", "value", "problem"),
    [
        ("cyclosporine_trough", 180.0, "if IV, trough below the IV target"),
        ("cyclosporine_trough", 200.0, None),
        ("cyclosporine_trough", 250.0, None),
        ("cyclosporine_trough", 250.1, "above every trough target"),  # any route
        ("cyclosporine_trough", 149.9, "sub-therapeutic"),  # every context
        ("cyclosporine_c2", 1000.0, "if oral, C2 not >1,000"),
        ("cyclosporine_c2", 1000.1, None),
    ],
)
def test_cyclosporine_route_unknown_judged_against_both(concept, value, problem) -> None:  # type: ignore[no-untyped-def]
    r = record(
        medications=[med("cyclosporine", route=None, start=20)],
        measurements=[meas(concept, value, 2)],
    )
    found = list(cyclosporine_level(r))
    if problem is None:
        assert found == []
        return
    (f,) = found
    assert problem in f.detail
    assert "IV trough 200-250 ng/mL; oral C2 >1,000" in f.detail
    orders = {a.resource["code"]["text"] for a in f.suggestions[0].actions}
    assert len(orders) == 3  # trough, C2 and creatinine
