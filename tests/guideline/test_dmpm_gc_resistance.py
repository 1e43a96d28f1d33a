"""Glucocorticoid resistance (JP Table 1 footnote): worse within 2 weeks = a worsening dated
day 0–14 of high-dose GC; not improved within 4 weeks = judged only from day 28, on a
comparison value dated day 28 or later. Charts as hospitals keep them (symptoms as
Observations under local codes, HRCT as reports, labs in UCUM)."""

from __future__ import annotations

from datetime import date

import pytest

from cds_service.guideline.dmpm.gc_resistance import JUDGED_FROM, WORSE_WITHIN

from .chart import Chart, cards, days

ONSET = date(2026, 9, 1)
GC_START = date(2026, 10, 1)
TOPIC = "dmpm-ild-gc-resistance"


def on_prednisolone(**labs: float) -> Chart:
    """DM-ILD with an acute onset, prednisolone 1 mg/kg/day (60 mg, 60 kg) from GC_START."""
    chart = (
        Chart()
        .diagnosis("dermatomyositis", days(-60, ONSET))
        .diagnosis("ild", ONSET)
        .sign("SX-DYSP-EXERT", days(20, ONSET))
        .lab("weight", 60, days(-2, GC_START))
        .lab("pao2", labs.get("pao2", 70.0), days(-1, GC_START))
        .lab("ferritin", 400, days(-1, GC_START))
        .lab("ck", 3200, days(-1, GC_START), ref_high=170)
        .antibody("anti_mda5", "negative", days(-1, GC_START))
        .hrct(days(-3, GC_START), "CT-GGO", "CT-RETIC")
        .medication("prednisolone", 60, GC_START)
    )
    return chart


def test_unchanged_pao2_on_day_20_is_not_gc_resistance() -> None:
    """Defect 1: 20 days into prednisolone 1 mg/kg, PaO2 unchanged: neither criterion."""
    chart = on_prednisolone().lab("pao2", 70, days(18, GC_START))
    assert TOPIC not in cards(chart, days(20, GC_START))


@pytest.mark.parametrize(("event_day", "fires"), [(0, True), (13, True), (14, True), (15, False)])
def test_worse_within_2_weeks_is_a_worsening_dated_day_0_to_14(event_day: int, fires: bool) -> None:
    chart = on_prednisolone().sign("SX-DYSP-EXERT", days(event_day, GC_START))
    found = cards(chart, days(20, GC_START))
    assert (TOPIC in found) is fires
    if fires:
        card = found[TOPIC]
        assert "worse within 2 weeks" in card.summary
        assert f"day {event_day}" in card.detail and "observation" in card.detail
        assert any(f.concept == "dyspnea_worsening" for f in card.facts)


@pytest.mark.parametrize(("today", "fires"), [(27, False), (28, True), (29, True)])
def test_worsening_in_weeks_3_and_4_is_judged_from_day_28(today: int, fires: bool) -> None:
    chart = on_prednisolone().sign("SX-DYSP-EXERT", days(15, GC_START))
    assert (TOPIC in cards(chart, days(today, GC_START))) is fires


@pytest.mark.parametrize(("value_day", "fires"), [(27, False), (28, True), (29, True)])
def test_not_improved_needs_a_comparison_value_dated_day_28_or_later(
    value_day: int, fires: bool
) -> None:
    chart = on_prednisolone().lab("pao2", 70, days(value_day, GC_START))
    found = cards(chart, days(value_day, GC_START))
    assert (TOPIC in found) is fires
    if fires:
        card = found[TOPIC]
        assert f"not improved after {value_day} days" in card.summary
        assert "PaO2 70 mmHg" in card.detail
        assert len(card.summary) <= 139


def test_improved_pao2_at_day_28_is_no_resistance() -> None:
    chart = on_prednisolone().lab("pao2", 78, days(28, GC_START))
    assert TOPIC not in cards(chart, days(30, GC_START))


def test_before_day_28_a_low_value_is_not_judged() -> None:
    chart = on_prednisolone().lab("pao2", 66, days(27, GC_START))  # fell 4 mmHg: not a worsening
    assert TOPIC not in cards(chart, days(27, GC_START))


@pytest.mark.parametrize(("value_day", "fires"), [(14, True), (15, False)])
def test_pao2_fall_counts_as_worse_only_within_day_14(value_day: int, fires: bool) -> None:
    chart = on_prednisolone().lab("pao2", 60, days(value_day, GC_START))  # fell 10 mmHg
    assert (TOPIC in cards(chart, days(20, GC_START))) is fires


def test_first_hrct_from_day_28_coding_progression_is_not_improved() -> None:
    chart = on_prednisolone().hrct(days(30, GC_START), "CT-GGO", "CT-PROG")
    card = cards(chart, days(31, GC_START))[TOPIC]
    assert "HRCT" in card.detail and "day 30" in card.detail


def test_window_numbers_come_from_their_thresholds() -> None:
    assert (WORSE_WITHIN.value, JUDGED_FROM.value) == (14.0, 28.0)
    chart = on_prednisolone().sign("SX-DYSP-EXERT", days(3, GC_START))
    card = cards(chart, days(20, GC_START))[TOPIC]
    assert "day 0–14" in card.detail
    assert "R090" not in card.summary + card.detail.split("**Sources**")[0]
