"""Lung transplant referral when CTD-ILD worsens despite drug therapy (KR §Treatment 2, R037),
in every card about such worsening: RA-ILD progression, SSc-ILD decline, progressive pulmonary
fibrosis in a treated CTD-ILD, DM/PM-ILD salvage."""

from __future__ import annotations

from .chart import (
    active_med,
    condition,
    finding_present,
    fvc_litres,
    of_topic,
    patient_view,
)
from .fixture_findings import fixture_findings

TOPICS = ("ra-ild-management", "ssc-ild-decline", "dmpm-ild-salvage")


def test_every_worsening_card_of_the_fixtures_names_the_referral() -> None:
    seen = set()
    for findings in fixture_findings().values():
        for f in findings:
            if f.topic in TOPICS and f.indicator.value == "warning":
                seen.add(f.topic)
                assert "R037" in f.rules, f.topic
                assert "transplant" in f.detail.lower(), f.topic
    assert "ra-ild-management" in seen


def test_treated_sjogren_ild_meeting_ppf_names_the_referral() -> None:
    """Sjögren's ILD on mycophenolate: worse dyspnoea, HRCT progression, reticulation."""
    resources = (
        condition("sjogren", 2000),
        condition("ild", 900),
        active_med("mmf", "68149", "mycophenolate mofetil", 1000, days_ago=300, frequency=2),
        finding_present("CT-RETIC", 60),
        finding_present("CT-PROG", 120),
        finding_present("DYSP-WORSE", 150),
        *fvc_litres(2.0, 3.0, 200),
        *fvc_litres(1.95, 3.0, 10),
    )
    (card,) = of_topic(patient_view(*resources), "progressive-pulmonary-fibrosis")
    assert "R037" in card.rules
    assert "refer for lung-transplant assessment" in card.detail


def test_ra_ild_progression_card_names_the_referral() -> None:
    resources = (
        condition("rheumatoid_arthritis", 3000),
        condition("ild", 700),
        *fvc_litres(1.64, 4.00, 200),
        *fvc_litres(1.46, 4.00, 10),
    )
    (card,) = of_topic(patient_view(*resources), "ra-ild-management")
    assert "R037" in card.rules and "lung-transplant assessment" in card.detail
