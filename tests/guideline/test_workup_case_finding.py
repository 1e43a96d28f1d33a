"""Case-finding in ILD without a CTD diagnosis (KR R005, R006, R009): a rapid course with DM
skin signs, mechanic's hands, raised CK/aldolase or ferritin >1,000 ng/mL is `warning`, and
`critical` with PaO2 <60 mmHg or ferritin >1,000 with DM skin signs; anti-MDA5, ferritin and
CK come first among the suggested orders, with an urgent rheumatology referral. Charts with
skin signs and symptoms as Observations under local codes and HRCT reports."""

from __future__ import annotations

from datetime import date

import pytest

from cds_service.guideline.dmpm.risk import FERRITIN_HIGH, PAO2_LOW
from cds_service.guideline.findings import Finding, Indicator

from .chart import Chart, cards, days

TODAY = date(2026, 11, 20)
ONSET = days(-42, TODAY)
TOPIC = "ild-ctd-workup"
MDA5_LOINC = "82424-3"


def rapid_ild() -> Chart:
    """ILD over weeks: exertional dyspnoea worse at week 3, HRCT progression at week 5; no
    myositis or other CTD on the problem list."""
    return (
        Chart()
        .diagnosis("ild", ONSET)
        .hrct(days(2, ONSET), "CT-GGO")
        .sign("SX-DYSP-EXERT", days(21, ONSET))
        .hrct(days(35, ONSET), "CT-GGO", "CT-LOWCONS", "CT-PROG")
    )


def first_orders(card: Finding) -> list[str]:
    urgent = card.suggestions[0]
    return [a.resource["code"]["coding"][0]["code"] for a in urgent.actions if a.resource]


def test_amyopathic_anti_mda5_picture_is_critical_with_anti_mda5_first() -> None:
    """Defect 6: acute ILD, Gottron papules, ferritin 2,400, PaO2 55, CK 180, no myositis."""
    when = days(36, ONSET)
    chart = (
        rapid_ild()
        .sign("SKIN-GOTTRON", days(30, ONSET))
        .lab("ferritin", 2400, when)
        .lab("pao2", 55, when)
        .lab("ck", 180, when, ref_high=200)
    )
    card = cards(chart, TODAY)[TOPIC]
    assert card.indicator is Indicator.CRITICAL
    assert "Gottron" in card.summary and "urgent rheumatology" in card.summary
    assert "ferritin 2,400 ng/mL" in card.summary and "PaO2 55 mmHg" in card.summary
    assert len(card.summary) <= 139
    urgent = card.suggestions[0]
    assert urgent.is_recommended and urgent.label.startswith("Urgent: MDA-5")
    assert first_orders(card)[0] == MDA5_LOINC
    referral = urgent.actions[-1].resource
    assert referral is not None and referral["priority"] == "urgent"
    assert referral["code"]["coding"][0]["code"] == "415279002"
    assert {"R005", "R006", "R009"} <= set(card.rules)
    assert any(f.concept == "gottron_papules" for f in card.facts)


def test_missing_ferritin_and_ck_are_ordered_right_after_anti_mda5() -> None:
    chart = rapid_ild().sign("SKIN-MECH", days(30, ONSET))
    card = cards(chart, TODAY)[TOPIC]
    assert card.indicator is Indicator.WARNING
    assert first_orders(card)[:3] == [MDA5_LOINC, "2276-4", "2157-6"]
    assert card.suggestions[0].actions[0].resource["priority"] == "urgent"  # type: ignore[index]


@pytest.mark.parametrize(
    ("ferritin", "indicator"),
    [(FERRITIN_HIGH.value, Indicator.WARNING), (FERRITIN_HIGH.value + 0.1, Indicator.CRITICAL)],
)
def test_ferritin_above_1000_with_gottron_is_critical(
    ferritin: float, indicator: Indicator
) -> None:
    when = days(36, ONSET)
    chart = rapid_ild().sign("SKIN-GOTTRON", days(30, ONSET)).lab("ferritin", ferritin, when)
    chart.lab("pao2", 75, when)
    assert cards(chart, TODAY)[TOPIC].indicator is indicator


@pytest.mark.parametrize(
    ("pao2", "indicator"),
    [(PAO2_LOW.value, Indicator.WARNING), (PAO2_LOW.value - 0.1, Indicator.CRITICAL)],
)
def test_pao2_below_60_with_a_feature_is_critical(pao2: float, indicator: Indicator) -> None:
    when = days(36, ONSET)
    chart = rapid_ild().sign("SKIN-MECH", days(30, ONSET)).lab("pao2", pao2, when)
    chart.lab("ferritin", 400, when)
    assert cards(chart, TODAY)[TOPIC].indicator is indicator


def test_ferritin_above_1000_alone_is_a_feature_but_not_critical() -> None:
    when = days(36, ONSET)
    chart = rapid_ild().lab("ferritin", 1800, when).lab("pao2", 72, when)
    assert cards(chart, TODAY)[TOPIC].indicator is Indicator.WARNING


@pytest.mark.parametrize(
    ("ck", "range_high", "urgent"),
    [(250, 200, True), (190, 200, False), (499, None, False), (500, None, True)],
)
def test_raised_ck_is_a_feature(ck: float, range_high: float | None, urgent: bool) -> None:
    chart = rapid_ild().lab("ck", ck, days(36, ONSET), ref_high=range_high)
    card = cards(chart, TODAY)[TOPIC]
    assert (card.indicator is Indicator.WARNING) is urgent
    if not urgent:
        assert card.indicator is Indicator.INFO


def test_rapid_course_without_a_feature_stays_info() -> None:
    card = cards(rapid_ild(), TODAY)[TOPIC]
    assert card.indicator is Indicator.INFO
    assert "18 of 18" in card.summary


def test_gottron_without_a_rapid_course_stays_info() -> None:
    onset = days(-300, TODAY)
    chart = (
        Chart()
        .diagnosis("ild", onset)
        .fvc(2.9, days(5, onset))
        .fvc(2.85, days(200, onset))
        .sign("SKIN-GOTTRON", days(10, onset))
    )
    card = cards(chart, TODAY)[TOPIC]
    assert card.indicator is Indicator.INFO
    assert "Gottron" in card.detail  # recorded KR Table 1 feature named


def test_case_finding_text_has_no_internal_ids() -> None:
    import re

    chart = rapid_ild().sign("SKIN-GOTTRON", days(30, ONSET)).lab("ferritin", 2400, ONSET)
    card = cards(chart, TODAY)[TOPIC]
    text = card.summary + card.detail
    assert not re.search(r"\b[RBZ]\d{2,3}\b", text)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text)
    assert len(card.detail) <= 1200
