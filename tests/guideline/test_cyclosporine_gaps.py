"""Cyclosporine: an oral trough above every trough target, creatinine rising on a calcineurin
inhibitor, an untimed level <150 ng/mL, and an IV order per m² beyond the seed range, from
realistic records (site-coded levels through a ConceptMap, creatinine in mg/dL or umol/L,
orders as the CDS Hooks sandbox's Rx View drafts them)."""

from __future__ import annotations

import re

import pytest

from cds_service.guideline.findings import Indicator
from tests.orders.builders import med_request, service_request

from .chart import (
    LOINC,
    SITE,
    SNOMED,
    active_med,
    condition,
    lab,
    observation,
    of_topic,
    order_sign,
    patient_view,
)

LEVEL = "cyclosporine-level"
ORDER = "order-cyclosporine-monitoring"
DM_ILD = (condition("dermatomyositis", 900), condition("ild", 800))
IDS = re.compile(r"\b[RBZ]\d{2,3}\b|[a-z]+_[a-z_]+|MedicationRequest/")


def negative(code: str, days_ago: int, system: str) -> dict:
    obs = observation(code, 0, "1", days_ago, system=system)
    del obs["valueQuantity"]
    obs["valueCodeableConcept"] = {"coding": [{"system": SNOMED, "code": "260385009"}]}
    return obs


def oral_csa(days_ago: int = 60) -> dict:
    return active_med("csa", "3008", "cyclosporine", 100, days_ago=days_ago, frequency=2)


def creatinine(value: float, days_ago: int, unit: str = "mg/dL", high: float | None = None):
    obs = lab("2160-0", value, unit, days_ago, display="Creatinine")
    if high is not None:
        obs["referenceRange"] = [{"high": {"value": high, "unit": unit}}]
    return obs


def on_target_oral(days_ago: int = 2) -> list[dict]:
    return [
        observation("CSA-C0", 200, "ng/mL", days_ago),
        observation("CSA-C2", 1100, "ng/mL", days_ago),
    ]


def _level_cards(*resources):
    return of_topic(patient_view(*DM_ILD, oral_csa(), *resources), LEVEL)


def test_oral_trough_450_with_creatinine_1_9_gives_the_card() -> None:
    """The review's case: oral cyclosporine, trough 450 ng/mL, creatinine 1.9 mg/dL (1.0
    before treatment)."""
    (card,) = _level_cards(
        observation("CSA-C0", 450, "ng/mL", 2),
        creatinine(1.0, 70),
        creatinine(1.9, 2),
    )
    assert card.indicator == Indicator.WARNING
    assert "trough >250 ng/mL, above every trough target" in card.summary
    assert "before treatment 1 mg/dL (2026-09-11): up 90% (flag at ≥30%" in card.detail
    assert {"R096", "R110", "R111"} <= set(card.rules)
    assert {f.concept for f in card.facts} >= {"cyclosporine_trough", "creatinine"}
    assert not IDS.search(card.summary) and not IDS.search(card.detail)
    assert len(card.detail) <= 1200


@pytest.mark.parametrize("unit", ["ng/mL", "ug/L"])
@pytest.mark.parametrize(("trough", "fires"), [(249.9, False), (250.0, False), (250.1, True)])
def test_oral_trough_ceiling_boundary(unit: str, trough: float, fires: bool) -> None:
    cards = _level_cards(
        observation("CSA-C0", trough, unit, 2), observation("CSA-C2", 1100, "ng/mL", 2)
    )
    assert bool(cards) is fires


def test_oral_trough_in_nmol_per_litre_is_converted() -> None:
    """250 nmol/L = 300.65 ng/mL: above the ceiling; 200 nmol/L = 240.5 ng/mL: not."""
    high = _level_cards(
        observation("CSA-C0", 250, "nmol/L", 2), observation("CSA-C2", 1100, "ng/mL", 2)
    )
    ok = _level_cards(
        observation("CSA-C0", 200, "nmol/L", 2), observation("CSA-C2", 1100, "ng/mL", 2)
    )
    assert high and not ok


@pytest.mark.parametrize(
    ("baseline", "current", "unit", "fires"),
    [
        (1.00, 1.29, "mg/dL", False),  # +29%
        (1.00, 1.30, "mg/dL", True),  # +30%
        (1.00, 1.31, "mg/dL", True),  # +31%
        (88.4, 114.0, "umol/L", False),  # +28.96%
        (88.4, 114.92, "umol/L", True),  # +30%
        (88.4, 115.8, "umol/L", True),  # +31%
    ],
)
def test_creatinine_rise_from_pre_treatment_baseline(
    baseline: float, current: float, unit: str, fires: bool
) -> None:
    cards = _level_cards(
        *on_target_oral(), creatinine(baseline, 70, unit), creatinine(current, 2, unit)
    )
    assert bool(cards) is fires
    if fires:
        assert "creatinine up 3" in cards[0].summary and "from before treatment" in cards[0].summary


def test_a_value_after_the_start_is_not_the_baseline() -> None:
    """1.0 on day 10 of treatment, 1.4 now: no pre-treatment value, so no rise is claimed;
    the current value has no reference range: not judged."""
    cards = _level_cards(*on_target_oral(), creatinine(1.0, 50), creatinine(1.4, 2))
    assert not cards


def test_without_a_baseline_a_value_above_the_range_is_named() -> None:
    (card,) = _level_cards(*on_target_oral(), creatinine(1.9, 2, high=1.1))
    assert "creatinine 1.9 mg/dL above the reference range" in card.summary
    assert "rise from baseline not assessable (no creatinine before the start)" in card.detail


@pytest.mark.parametrize(
    ("value", "unit", "fires"),
    [(60, "ng/mL", True), (149.9, "ng/mL", True), (150, "ng/mL", False), (151, "ug/L", False)],
)
def test_untimed_level_below_150_is_sub_therapeutic(value: float, unit: str, fires: bool) -> None:
    """The untimed LOINC code 3520-4: at least the trough, so <150 is low at any timing."""
    level = lab("3520-4", value, unit, 2, display="Cyclosporine")
    cards = _level_cards(level)
    assert bool(cards) is fires
    if fires:
        assert "timing not recorded" in cards[0].summary and "sub-therapeutic" in cards[0].summary


LABS = [service_request("lvl", "cyclosporine_level"), service_request("cr", "creatinine")]


@pytest.mark.parametrize(
    ("per_m2", "critical"), [(499, False), (500, True), (600, True), (750, True)]
)
def test_iv_dose_per_m2_beyond_the_seed_range_is_critical(per_m2: float, critical: bool) -> None:
    """An IV order drafted per m² in the sandbox's Rx View shape; level and creatinine drafted."""
    draft = med_request("csa-iv", "cyclosporine", per_m2, "mg/m2", route="intravenous")
    draft.pop("intent")  # the sandbox sends no intent
    size = [
        lab("29463-7", 70, "kg", 10),
        lab("8302-2", 170, "cm", 400),
    ]
    cards = of_topic(order_sign([*DM_ILD, *size], [draft, *LABS]), ORDER)
    if not critical:
        assert not cards
        return
    (card,) = cards
    assert card.indicator == Indicator.CRITICAL
    assert f"{per_m2} mg/m²" in card.summary and "implausible" in card.summary
    assert not IDS.search(card.summary) and not IDS.search(card.detail)


@pytest.mark.parametrize(("current", "fires"), [(1.29, False), (1.30, True), (1.31, True)])
def test_creatinine_rise_on_tacrolimus_in_an_intensive_regimen(current: float, fires: bool) -> None:
    """Prednisolone 40 mg/day + tacrolimus 3 mg/day (intensive), monitoring up to date
    except that creatinine rose from 1.00 mg/dL before tacrolimus."""
    tac = active_med("tac", "42316", "tacrolimus", 1.5, days_ago=60, frequency=2)
    pred = active_med("pred", "8638", "prednisolone", 40, days_ago=60)
    monitoring = [
        lab("2160-0", 1.0, "mg/dL", 70),
        lab("2160-0", current, "mg/dL", 3),
        lab("1742-6", 20, "U/L", 3),  # ALT
        negative("42176-8", 3, LOINC),  # beta-D-glucan
        negative("CMV-PP65", 3, SITE),  # CMV pp65 antigenemia, site-coded
    ]
    cards = of_topic(patient_view(*DM_ILD, tac, pred, *monitoring), "immunosuppression-monitoring")
    assert bool(cards) is fires
    if fires:
        assert "on tacrolimus, creatinine up 3" in cards[0].detail


def test_tacrolimus_creatinine_above_range_without_baseline_is_no_rise() -> None:
    """No creatinine before tacrolimus: a value above the range is an abnormal result, never
    a rise from before treatment (``RenalCheck.risen``)."""
    tac = active_med("tac", "42316", "tacrolimus", 1.5, days_ago=60, frequency=2)
    pred = active_med("pred", "8638", "prednisolone", 40, days_ago=60)
    monitoring = [
        creatinine(1.9, 3, high=1.1),
        lab("1742-6", 20, "U/L", 3),  # ALT
        negative("42176-8", 3, LOINC),  # beta-D-glucan
        negative("CMV-PP65", 3, SITE),  # CMV pp65 antigenemia, site-coded
    ]
    (card,) = of_topic(
        patient_view(*DM_ILD, tac, pred, *monitoring), "immunosuppression-monitoring"
    )
    assert "on tacrolimus" not in card.detail
    assert "rise from baseline not assessable" not in card.detail
