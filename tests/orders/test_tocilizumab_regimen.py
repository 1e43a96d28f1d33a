"""Tocilizumab regimens per indication: SSc-ILD against its label (162 mg SC weekly), RA-ILD
against the rheumatoid arthritis regimens (IV 4-8 mg/kg every 4 weeks; 162 mg SC weekly or
every other week), another CTD-ILD ``info`` (no established regimen). Drafts as the sandbox's
Rx View sends them; diagnoses in SNOMED CT; weight in kg for the per-kg dose."""

from __future__ import annotations

import re

import pytest

from cds_service.guideline.findings import Indicator
from tests.guideline.chart import (
    LOINC,
    condition,
    observation,
    of_topic,
    order_sign,
    sandbox_draft,
)

TOPIC = "order-tocilizumab-regimen"
WEIGHT = observation("29463-7", 70, "kg", 10, system=LOINC)
RA_ILD = [condition("rheumatoid_arthritis", 3000), condition("ild", 700), WEIGHT]
SSC_ILD = [condition("systemic_sclerosis", 3000), condition("ild", 700), WEIGHT]
DM_ILD = [condition("dermatomyositis", 3000), condition("ild", 700), WEIGHT]
IDS = re.compile(r"\b[RBZ]\d{2,3}\b|[a-z]+_[a-z_]+|MedicationRequest/")


def tcz(dose: float, unit: str, route: str, period: float) -> dict:
    return sandbox_draft("tcz", "612865", "tocilizumab", dose, unit, 1, period, "d", route)


def cards(patient: list[dict], draft: dict) -> list:
    return of_topic(order_sign(patient, [draft]), TOPIC)


@pytest.mark.parametrize(
    ("dose", "unit", "route", "period", "fires"),
    [
        (8, "mg/kg", "intravenous", 28, False),  # RA IV regimen
        (4, "mg/kg", "intravenous", 28, False),
        (560, "mg", "intravenous", 28, False),  # 8.0 mg/kg at 70 kg
        (567, "mg", "intravenous", 28, True),  # 8.1 mg/kg
        (280, "mg", "intravenous", 28, False),  # 4.0 mg/kg
        (273, "mg", "intravenous", 28, True),  # 3.9 mg/kg
        (8, "mg/kg", "intravenous", 21, True),  # every 3 weeks
        (162, "mg", "subcutaneous", 7, False),  # SC weekly
        (162, "mg", "subcutaneous", 14, False),  # SC every other week
        (162, "mg", "subcutaneous", 21, True),
    ],
)
def test_ra_ild_regimens(dose: float, unit: str, route: str, period: float, fires: bool) -> None:
    got = cards(RA_ILD, tcz(dose, unit, route, period))
    assert bool(got) is fires
    if fires:
        assert got[0].indicator == Indicator.INFO
        assert "rheumatoid arthritis regimens" in got[0].summary
        assert not IDS.search(got[0].summary) and not IDS.search(got[0].detail)


def test_ra_ild_iv_8_mg_per_kg_is_not_compared_with_the_ssc_label() -> None:
    """Before: every CTD-ILD order was held to 162 mg SC weekly."""
    assert not cards(RA_ILD, tcz(8, "mg/kg", "intravenous", 28))


@pytest.mark.parametrize(
    ("dose", "unit", "route", "period", "fires"),
    [
        (162, "mg", "subcutaneous", 7, False),
        (162, "mg", "subcutaneous", 14, True),  # Kudsi case report: informational
        (8, "mg/kg", "intravenous", 28, True),  # Mihai case report; IV not approved
    ],
)
def test_ssc_ild_label(dose: float, unit: str, route: str, period: float, fires: bool) -> None:
    got = cards(SSC_ILD, tcz(dose, unit, route, period))
    assert bool(got) is fires
    if fires:
        assert got[0].indicator == Indicator.INFO
        assert "SSc-ILD label of 162 mg SC once weekly" in got[0].summary


def test_another_ctd_ild_gets_info_even_for_the_ssc_label_regimen() -> None:
    (card,) = cards(DM_ILD, tcz(162, "mg", "subcutaneous", 7))
    assert card.indicator == Indicator.INFO
    assert "no established regimen" in card.summary
    assert "Indication: CTD-ILD (not SSc or RA)" in card.detail
    assert {"R139", "R134"} <= set(card.rules)


def test_overlap_ssc_and_ra_accepts_either_regimen() -> None:
    overlap = [*SSC_ILD, condition("rheumatoid_arthritis", 3000, rid="c-ra")]
    assert not cards(overlap, tcz(8, "mg/kg", "intravenous", 28))
    assert not cards(overlap, tcz(162, "mg", "subcutaneous", 7))
