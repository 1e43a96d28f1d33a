"""RA-ILD progression on a relative FVC fall >=10% or an absolute fall of >=5 points, and DLCO
>=10 points (ATS/ERS 2022 PPF absolute criteria; INBUILD relative criterion), from realistic
records: FVC in litres or millilitres with its predicted value, site-coded through a
ConceptMap."""

from __future__ import annotations

import re

import pytest

from cds_service.guideline.findings import Indicator

from .chart import condition, finding_present, fvc_litres, observation, of_topic, patient_view

TOPIC = "ra-ild-management"
RA_ILD = (condition("rheumatoid_arthritis", 3000), condition("ild", 700))
IDS = re.compile(r"\b[RBZ]\d{2,3}\b|[a-z]+_[a-z_]+|MedicationRequest/|Observation/")


def _card(*resources):
    return of_topic(patient_view(*RA_ILD, *resources), TOPIC)


def test_relative_fall_at_low_fvc_gives_the_card() -> None:
    """41% -> 36.5% predicted: 4.5 points (below the absolute 5), 11% relative."""
    (card,) = _card(*fvc_litres(1.64, 4.00, 200), *fvc_litres(1.46, 4.00, 10))
    assert card.indicator == Indicator.WARNING
    assert "FVC 41% to 36.5%" in card.summary and "10.98% relative" in card.summary
    assert "FVC 36.5% (2026-11-10) from 41% (2026-05-04): -4.5 points, 10.98% relative" in (
        card.detail
    )
    assert "(counts at ≥5 points or ≥10%)" in card.detail
    assert {"B04", "B03", "R037", "R130"} <= set(card.rules)
    assert {f.concept for f in card.facts} >= {"fvc_pct_pred"}
    assert "lung-transplant assessment" in card.detail
    assert not IDS.search(card.summary) and not IDS.search(card.detail)
    assert len(card.detail) <= 1200 and len(card.summary) <= 140


@pytest.mark.parametrize("unit, scale", [("L", 1.0), ("mL", 1000.0)])
@pytest.mark.parametrize(
    ("latest_litres", "fires"),
    [
        (1.436, True),  # 35.9%: 10.25% relative, 4.1 points
        (1.440, True),  # 36.0%: exactly 10% relative, 4 points
        (1.444, False),  # 36.1%: 9.75% relative, 3.9 points
    ],
)
def test_relative_fvc_boundary_in_litres_and_millilitres(
    unit: str, scale: float, latest_litres: float, fires: bool
) -> None:
    resources = (
        *fvc_litres(1.60 * scale, 4.00 * scale, 150, unit),
        *fvc_litres(latest_litres * scale, 4.00 * scale, 5, unit),
    )
    assert bool(_card(*resources)) is fires


@pytest.mark.parametrize(
    ("latest", "fires"),
    [(75.0, True), (75.1, False), (74.9, True)],  # 5.0 / 4.9 / 5.1 points; <10% relative
)
def test_absolute_fvc_boundary_at_high_fvc(latest: float, fires: bool) -> None:
    resources = (
        observation("19872-1", 80.0, "%", 150, system="http://loinc.org"),
        observation("19872-1", latest, "%", 5, system="http://loinc.org"),
    )
    assert bool(_card(*resources)) is fires


@pytest.mark.parametrize(
    ("unit", "predicted", "peak", "latest", "fires"),
    [
        ("mmol/min/kPa", 8.0, 4.8, 4.0, True),  # 60% -> 50%: 10 points
        ("mmol/min/kPa", 8.0, 4.8, 4.008, False),  # 50.1%: 9.9 points
        ("mmol/min/kPa", 8.0, 4.8, 3.992, True),  # 49.9%: 10.1 points
        ("mL/min/mm[Hg]", 24.0, 14.4, 12.0, True),  # 60% -> 50%
        ("mL/min/mm[Hg]", 24.0, 14.4, 12.024, False),  # 50.1%
    ],
)
def test_dlco_points_boundary_in_si_and_us_units(
    unit: str, predicted: float, peak: float, latest: float, fires: bool
) -> None:
    resources = (
        observation("PFT-DLCO", peak, unit, 150),
        observation("PFT-DLCO-PRED", predicted, unit, 150),
        observation("PFT-DLCO", latest, unit, 5),
        observation("PFT-DLCO-PRED", predicted, unit, 5),
    )
    cards = _card(*resources)
    assert bool(cards) is fires
    if fires:
        assert "DLCO down 10" in cards[0].summary


def test_a_relative_fall_outside_the_past_year_does_not_count() -> None:
    """The earlier value is 400 days old: no pair inside the 12 months."""
    assert not _card(*fvc_litres(1.64, 4.00, 400), *fvc_litres(1.46, 4.00, 10))


def test_a_stale_latest_value_does_not_count() -> None:
    assert not _card(*fvc_litres(1.64, 4.00, 700), *fvc_litres(1.46, 4.00, 380))


@pytest.mark.parametrize("unit, scale", [("L", 1.0), ("mL", 1000.0)])
@pytest.mark.parametrize(
    ("latest_litres", "fires"),
    [(1.475, True), (1.476, True), (1.477, False)],  # 10.06 / 10.0 / 9.94% relative of 1.64 L
)
def test_without_a_predicted_value_the_relative_fall_is_judged_from_volumes(
    unit: str, scale: float, latest_litres: float, fires: bool
) -> None:
    """Litres alone: the relative fall decides (the same fraction as in % predicted); the
    absolute points criterion is named as not assessable, never guessed."""
    resources = (
        observation("PFT-FVC", 1.64 * scale, unit, 200),
        observation("PFT-FVC", latest_litres * scale, unit, 10),
    )
    cards = _card(*resources)
    assert bool(cards) is fires
    if fires:
        (card,) = cards
        assert "% relative" in card.summary and "FVC 1.64 L to" in card.summary
        assert "not assessable (no predicted value charted)" in card.detail
        assert {f.concept for f in card.facts} == {"fvc"}
        assert not IDS.search(card.summary) and not IDS.search(card.detail)


def test_every_criterion_at_once_stays_short() -> None:
    """FVC, DLCO, dyspnoea and HRCT progression all recorded: still one short card."""
    resources = (
        *fvc_litres(1.64, 4.00, 200),
        *fvc_litres(1.30, 4.00, 10),
        observation("19872-1", 41.0, "%", 200, system="http://loinc.org"),
        observation("PFT-DLCO", 4.8, "mmol/min/kPa", 150),
        observation("PFT-DLCO-PRED", 8.0, "mmol/min/kPa", 150),
        observation("PFT-DLCO", 3.6, "mmol/min/kPa", 5),
        observation("PFT-DLCO-PRED", 8.0, "mmol/min/kPa", 5),
        finding_present("DYSP-WORSE", 20),
        finding_present("CT-PROG", 30),
    )
    (card,) = _card(*resources)
    assert len(card.detail) <= 1200 and len(card.summary) <= 140
    assert "FVC 41% to 32.5%" in card.summary and "DLCO down 15 points" in card.summary
