"""DM/PM-ILD thresholds at, just below and just above their cut-offs (records built directly)."""

from __future__ import annotations

import pytest

from cds_service.guideline import evaluate_patient_view
from cds_service.guideline.dmpm.course import classify_course
from cds_service.guideline.dmpm.gc_resistance import gc_resistance
from cds_service.guideline.dmpm.kl6_rising import kl6_rising
from cds_service.guideline.dmpm.poor_prognosis import poor_prognosis
from cds_service.guideline.findings import Indicator

from .records import ONSET, TODAY, cond, day, dm_as_ild, meas, med, record


def topics(rec) -> dict[str, Indicator]:  # type: ignore[no-untyped-def]
    return {f.topic: f.indicator for f in evaluate_patient_view(rec)}


@pytest.mark.parametrize(
    ("ferritin", "poor"),
    [(999.9, False), (1000.0, False), (1000.1, True), (1500.1, True)],
)
def test_ferritin_cutoff_is_strictly_above_1000(ferritin: float, poor: bool) -> None:
    found = list(poor_prognosis(dm_as_ild(ferritin=ferritin)))
    assert bool(found) is poor
    if poor:
        assert found[0].indicator is Indicator.CRITICAL
        assert "ferritin >1,000 ng/mL" in found[0].detail


@pytest.mark.parametrize(("ferritin", "gono"), [(1500.0, False), (1500.1, True)])
def test_ferritin_above_1500_is_annotated_gono(ferritin: float, gono: bool) -> None:
    detail = next(iter(poor_prognosis(dm_as_ild(ferritin=ferritin)))).detail
    assert ("very high (Gono)" in detail and "29%" in detail) is gono


@pytest.mark.parametrize(("pao2", "poor"), [(60.1, False), (60.0, False), (59.9, True)])
def test_pao2_cutoff_is_strictly_below_60(pao2: float, poor: bool) -> None:
    assert bool(list(poor_prognosis(dm_as_ild(pao2=pao2)))) is poor


def test_pao2_of_8_kpa_is_not_below_60_mmhg() -> None:
    # 8.00 kPa x 7.50062 = 60.005 mmHg; 7.99 kPa = 59.93 mmHg
    assert not list(poor_prognosis(dm_as_ild(pao2=8.00 * 7.50062)))
    assert list(poor_prognosis(dm_as_ild(pao2=7.99 * 7.50062)))


@pytest.mark.parametrize(("ck", "poor"), [(501.0, False), (500.0, False), (499.0, True)])
def test_ck_cutoff_is_strictly_below_500(ck: float, poor: bool) -> None:
    found = list(poor_prognosis(dm_as_ild(ck=ck)))
    assert bool(found) is poor
    if poor:
        assert "CK <500 U/L" in found[0].detail


@pytest.mark.parametrize(
    ("later_vc", "kind"),
    [(2.703, "chronic"), (2.70, "acute_subacute"), (2.60, "acute_subacute")],
)
def test_vc_decrease_of_10_percent_is_acute(later_vc: float, kind: str) -> None:
    rec = dm_as_ild(
        dyspnea_day=None,
        extra_measurements=[
            meas("vital_capacity", 3.0, day(5)),
            meas("vital_capacity", later_vc, day(60)),
        ],
    )
    assert classify_course(rec).kind == kind


@pytest.mark.parametrize(("later", "kind"), [(70.1, "chronic"), (70.0, "acute_subacute")])
def test_pao2_decrease_of_10_mmhg_is_acute(later: float, kind: str) -> None:
    rec = dm_as_ild(
        dyspnea_day=None,
        pao2=None,
        extra_measurements=[meas("pao2", 80.0, day(2)), meas("pao2", later, day(40))],
    )
    assert classify_course(rec).kind == kind


def test_pao2_decrease_of_1_33_kpa_counts_as_10_mmhg() -> None:
    rec = dm_as_ild(
        dyspnea_day=None,
        pao2=None,
        extra_measurements=[
            meas("pao2", 10.66 * 7.50062, day(2)),
            meas("pao2", 9.33 * 7.50062, day(40)),
        ],
    )
    assert classify_course(rec).kind == "acute_subacute"


@pytest.mark.parametrize(
    ("n", "kind"), [(0, "acute_subacute"), (90, "acute_subacute"), (91, "chronic")]
)
def test_three_month_window_ends_on_day_90(n: int, kind: str) -> None:
    """Day 91 is outside the window; with dyspnea recorded absent on day 30 the course is
    chronic (without that evidence it is undetermined: test_dmpm_course_undetermined)."""
    rec = dm_as_ild(
        dyspnea_day=n, extra_conditions=[cond("dyspnea_worsening", day(30), active=False)]
    )
    assert classify_course(rec).kind == kind


def test_inside_first_90_days_without_criterion_is_undecided() -> None:
    rec = dm_as_ild(dyspnea_day=None)
    rec.today = day(60)
    assert classify_course(rec).kind is None
    assert not {t for t in topics(rec) if t.startswith("dmpm")}


def _kl6_record(ratio_value: float, days_after: int):  # type: ignore[no-untyped-def]
    start = day(20)
    return dm_as_ild(
        extra_measurements=[
            meas("kl6", 1000.0, start),
            meas("kl6", ratio_value, day(days_after, start)),
        ],
        medications=[med("prednisolone", 60.0, start=start)],
    )


@pytest.mark.parametrize(("later", "fires"), [(1700.0, False), (1710.0, True), (2500.0, True)])
def test_kl6_ratio_strictly_above_1_70(later: float, fires: bool) -> None:
    found = list(kl6_rising(_kl6_record(later, 14)))
    assert bool(found) is fires
    if fires:
        assert "1.7" in found[0].detail and "KL-6" in found[0].summary


@pytest.mark.parametrize(("days_after", "fires"), [(28, True), (29, False)])
def test_kl6_window_is_28_days(days_after: int, fires: bool) -> None:
    assert bool(list(kl6_rising(_kl6_record(2000.0, days_after)))) is fires


def _gc_record(event_day: int, weight: float | None = None, pred: float = 60.0):  # type: ignore[no-untyped-def]
    start = day(20)
    extra = [meas("body_weight", weight, day(19))] if weight else []
    return dm_as_ild(
        extra_conditions=[cond("ct_ild_progression", day(event_day, start))],
        extra_measurements=extra,
        medications=[med("prednisolone", pred, start=start)],
    )


# day 14: worse within 2 weeks; day 28: not improved within 4 weeks (today is past day 28);
# day 29: the first HRCT from day 28 still codes progression, so not improved either
@pytest.mark.parametrize(("event_day", "fires"), [(14, True), (28, True), (29, True)])
def test_gc_resistance_window(event_day: int, fires: bool) -> None:
    found = list(gc_resistance(_gc_record(event_day)))
    assert bool(found) is fires
    if fires:
        assert "cyclosporine" in found[0].detail.lower()


@pytest.mark.parametrize(
    ("pred", "weight", "fires"),
    [
        (30.0, None, True),
        (29.9, None, False),
        (30.0, 60.0, True),
        (29.9, 60.0, False),
        (35.0, 80.0, False),
    ],
)
def test_high_dose_gc_threshold(pred: float, weight: float | None, fires: bool) -> None:
    assert bool(list(gc_resistance(_gc_record(7, weight, pred)))) is fires


def test_gc_resistance_not_improved_by_pao2_at_day_28() -> None:
    start = day(20)
    rec = dm_as_ild(
        pao2=None,
        extra_measurements=[meas("pao2", 70.0, start), meas("pao2", 70.0, day(28, start))],
        medications=[med("prednisolone", 60.0, start=start)],
    )
    assert list(gc_resistance(rec))
    improved = dm_as_ild(
        pao2=None,
        extra_measurements=[meas("pao2", 70.0, start), meas("pao2", 78.0, day(28, start))],
        medications=[med("prednisolone", 60.0, start=start)],
    )
    assert not list(gc_resistance(improved))


def test_gc_resistance_silent_when_already_on_cyclosporine() -> None:
    rec = _gc_record(7)
    rec.medications.append(med("cyclosporine", start=day(21), daily=200.0))
    assert not list(gc_resistance(rec))


def test_today_is_fixed() -> None:
    assert TODAY.isoformat() == "2026-11-21" and ONSET < TODAY
    assert record().today == TODAY


def test_course_and_gc_resistance_read_the_same_entry_criteria() -> None:
    """R068 criteria 1) and 2), one tuple for the course and the GC-resistance judgement."""
    from cds_service.guideline.dmpm.course import ENTRY_CRITERIA
    from cds_service.guideline.dmpm.gc_resistance import ENTRY_CRITERIA as gc_criteria

    assert ENTRY_CRITERIA == ("dyspnea_worsening", "ct_ild_progression")
    assert gc_criteria is ENTRY_CRITERIA
