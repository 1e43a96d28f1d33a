"""Methotrexate scheduled more than once in 7 days: critical in order-immunosuppressant-dose,
with a suggestion to change the draft to once weekly (drafts as the sandbox's Rx View sends
them, for a patient with RA-ILD charted in SNOMED CT)."""

from __future__ import annotations

import re

import pytest
from fhir.resources.R4B.medicationrequest import MedicationRequest

from cds_service.guideline.findings import Indicator
from tests.guideline.chart import condition, of_topic, order_sign, sandbox_draft

TOPIC = "order-immunosuppressant-dose"
RA_ILD = [condition("rheumatoid_arthritis", 3000), condition("ild", 700)]
IDS = re.compile(r"\b[RBZ]\d{2,3}\b|[a-z]+_[a-z_]+|MedicationRequest/")


def mtx(dose: float = 5, frequency: int = 1, period: float = 1, unit: str = "d") -> dict:
    return sandbox_draft("mtx", "6851", "methotrexate", dose, "mg", frequency, period, unit)


def test_methotrexate_5_mg_once_a_day_is_critical_with_a_weekly_suggestion() -> None:
    (card,) = of_topic(order_sign(RA_ILD, [mtx()]), TOPIC)
    assert card.indicator == Indicator.CRITICAL
    assert "Methotrexate 5 mg/day scheduled 7 times in 7 days" in card.summary
    assert "once weekly" in card.summary
    (suggestion,) = card.suggestions
    assert suggestion.label == "Change methotrexate to once weekly" and suggestion.is_recommended
    (action,) = suggestion.actions
    assert action.type == "update" and action.resource["id"] == "mtx"
    (dosage,) = action.resource["dosageInstruction"]
    assert dosage["timing"] == {"repeat": {"frequency": 1, "period": 1, "periodUnit": "wk"}}
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 5
    MedicationRequest.model_validate(action.resource)  # a valid R4 resource
    assert {f.concept for f in card.facts} == {"methotrexate"}
    assert not IDS.search(card.summary) and not IDS.search(card.detail)


@pytest.mark.parametrize(
    ("frequency", "period", "unit", "critical"),
    [
        (1, 1, "wk", False),  # once weekly: the intended schedule
        (1, 7, "d", False),  # every 7 days: once in 7 days
        (1, 8, "d", False),  # every 8 days
        (1, 6, "d", True),  # every 6 days: 1.17 times in 7 days
        (2, 1, "wk", True),  # twice weekly
        (1, 24, "h", True),  # every 24 hours
        (1, 168, "h", False),  # every 168 hours = weekly
    ],
)
def test_schedule_boundary(frequency: int, period: float, unit: str, critical: bool) -> None:
    cards = of_topic(order_sign(RA_ILD, [mtx(7.5, frequency, period, unit)]), TOPIC)
    assert any(c.indicator == Indicator.CRITICAL for c in cards) is critical


def test_a_schedule_that_cannot_be_read_is_named_not_assumed_weekly() -> None:
    draft = mtx()
    del draft["dosageInstruction"][0]["timing"]
    (card,) = of_topic(order_sign(RA_ILD, [draft]), TOPIC)
    assert card.indicator == Indicator.INFO
    assert "could not be checked" in card.summary
    assert "schedule could not be read" in card.detail


def test_outside_the_service_population_no_card() -> None:
    """No ILD and no CTD recorded (e.g. an oncology patient): the check stays silent."""
    assert not of_topic(order_sign([], [mtx()]), TOPIC)


def test_days_of_the_week_count_as_given() -> None:
    """ "Once a day, on Mondays" is once weekly; Mondays and Thursdays is twice."""
    monday = mtx(15)
    monday["dosageInstruction"][0]["timing"]["repeat"]["dayOfWeek"] = ["mon"]
    assert not of_topic(order_sign(RA_ILD, [monday]), TOPIC)
    twice = mtx(15)
    twice["dosageInstruction"][0]["timing"]["repeat"]["dayOfWeek"] = ["mon", "thu"]
    (card,) = of_topic(order_sign(RA_ILD, [twice]), TOPIC)
    assert card.indicator == Indicator.CRITICAL and "2 times in 7 days" in card.summary
