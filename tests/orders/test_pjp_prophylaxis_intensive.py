"""Intensive A/S-ILD regimens name Pneumocystis prophylaxis from the start (JP §Importance of
monitoring): the order card that calls for initial combination, and the patient-view
poor-prognosis card of every fixture patient that gets one."""

from __future__ import annotations

from cds_service.guideline.findings import Indicator
from tests.guideline.fixture_findings import fixture_findings

from .builders import findings_for
from .test_as_ild_monotherapy import GC, TOPIC, as_dm


def test_order_card_names_pneumocystis_prophylaxis_with_the_combination() -> None:
    (f,) = findings_for(TOPIC, as_dm({"ferritin": [(1800, 5)]}), GC)
    assert f.indicator == Indicator.CRITICAL
    assert "co-trimoxazole (trimethoprim-sulfamethoxazole) Pneumocystis prophylaxis" in f.detail
    assert "R111" in f.rules
    assert "R116" in f.rules  # the JP conclusion: initial combination with poor-risk factors


def test_incomplete_assessment_card_names_it_too() -> None:
    (f,) = findings_for(TOPIC, as_dm(drop=("ferritin",)), GC)
    assert f.indicator == Indicator.INFO
    assert "Pneumocystis prophylaxis" in f.detail


def test_every_poor_prognosis_card_of_the_fixtures_names_it() -> None:
    cards = [
        f
        for findings in fixture_findings().values()
        for f in findings
        if f.topic == "dmpm-ild-poor-prognosis"
    ]
    assert cards
    for f in cards:
        assert "co-trimoxazole Pneumocystis prophylaxis" in f.detail
        assert "R111" in f.rules
