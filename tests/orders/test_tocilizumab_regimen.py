"""Tocilizumab regimens per indication: SSc-ILD against its label (162 mg SC weekly), RA-ILD
against the rheumatoid arthritis regimens (IV 4-8 mg/kg every 4 weeks; 162 mg SC weekly or
every other week), another CTD-ILD ``info`` (no established regimen). Drafts as the sandbox's
Rx View sends them; diagnoses in SNOMED CT; weight in kg for the per-kg dose."""

from __future__ import annotations

import re

import pytest

from cds_service.guideline.findings import Indicator
from tests.guideline.chart import (
    condition,
    lab,
    of_topic,
    order_sign,
    sandbox_draft,
)

TOPIC = "order-tocilizumab-regimen"
WEIGHT = lab("29463-7", 70, "kg", 10)
RA_ILD = [condition("rheumatoid_arthritis", 3000), condition("ild", 700), WEIGHT]
SSC_ILD = [condition("systemic_sclerosis", 3000), condition("ild", 700), WEIGHT]
DM_ILD = [condition("dermatomyositis", 3000), condition("ild", 700), WEIGHT]
IDS = re.compile(r"\b[RBZ]\d{2,3}\b|[a-z]+_[a-z_]+|MedicationRequest/")


def tcz(dose: float, unit: str, route: str, period: float) -> dict:
    return sandbox_draft("tcz", "612865", "tocilizumab", dose, unit, 1, period, "d", route)


def cards(patient: list[dict], draft: dict) -> list:
    return of_topic(order_sign(patient, [draft]), TOPIC)


RA_REGIMENS = "rheumatoid arthritis regimens"
SSC_LABEL = "SSc-ILD label of 162 mg SC once weekly"


@pytest.mark.parametrize(
    ("patient", "dose", "unit", "route", "period", "summary"),
    [
        (RA_ILD, 8, "mg/kg", "intravenous", 28, None),  # RA IV regimen
        (RA_ILD, 4, "mg/kg", "intravenous", 28, None),
        (RA_ILD, 560, "mg", "intravenous", 28, None),  # 8.0 mg/kg at 70 kg
        (RA_ILD, 567, "mg", "intravenous", 28, RA_REGIMENS),  # 8.1 mg/kg
        (RA_ILD, 280, "mg", "intravenous", 28, None),  # 4.0 mg/kg
        (RA_ILD, 273, "mg", "intravenous", 28, RA_REGIMENS),  # 3.9 mg/kg
        (RA_ILD, 8, "mg/kg", "intravenous", 21, RA_REGIMENS),  # every 3 weeks
        (RA_ILD, 162, "mg", "subcutaneous", 7, None),  # SC weekly
        (RA_ILD, 162, "mg", "subcutaneous", 14, None),  # SC every other week
        (RA_ILD, 162, "mg", "subcutaneous", 21, RA_REGIMENS),
        (SSC_ILD, 162, "mg", "subcutaneous", 7, None),
        (SSC_ILD, 161.5, "mg", "subcutaneous", 7, None),  # within the 0.5 mg tolerance
        (SSC_ILD, 161, "mg", "subcutaneous", 7, SSC_LABEL),
        (SSC_ILD, 163, "mg", "subcutaneous", 7, SSC_LABEL),
        (SSC_ILD, 162, "mg", "subcutaneous", 14, SSC_LABEL),  # Kudsi case report: informational
        (SSC_ILD, 8, "mg/kg", "intravenous", 28, SSC_LABEL),  # Mihai case report; IV not approved
    ],
)
def test_regimen_against_the_indication(
    patient: list[dict], dose: float, unit: str, route: str, period: float, summary: str | None
) -> None:
    """RA-ILD against the rheumatoid arthritis regimens, SSc-ILD against its label: an
    ``info`` card naming them when the draft is outside, none when it is inside."""
    got = cards(patient, tcz(dose, unit, route, period))
    assert bool(got) is (summary is not None)
    if summary is not None:
        assert got[0].indicator == Indicator.INFO
        assert summary in got[0].summary
        assert not IDS.search(got[0].summary) and not IDS.search(got[0].detail)


def test_ra_ild_iv_8_mg_per_kg_is_not_compared_with_the_ssc_label() -> None:
    """Before: every CTD-ILD order was held to 162 mg SC weekly."""
    assert not cards(RA_ILD, tcz(8, "mg/kg", "intravenous", 28))


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
