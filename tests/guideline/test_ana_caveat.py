"""The CTD work-up lists antibodies: a negative ANA is said not to exclude anti-synthetase
syndrome (often ANA-negative), never shown as reassurance on its own. ILD charted in SNOMED
CT, ANA as a LOINC Observation with a coded negative value."""

from __future__ import annotations

import re

from .chart import LOINC, PATIENT, SNOMED, ago, condition, of_topic, patient_view

TOPIC = "ild-ctd-workup"


def ana(value: str, days_ago: int = 20) -> dict:
    code = {"negative": "260385009", "positive": "10828004"}[value]
    return {
        "resourceType": "Observation",
        "id": f"ana-{value}",
        "status": "final",
        "subject": {"reference": f"Patient/{PATIENT}"},
        "code": {"coding": [{"system": LOINC, "code": "8061-4"}]},
        "effectiveDateTime": ago(days_ago),
        "valueCodeableConcept": {"coding": [{"system": SNOMED, "code": code}], "text": value},
    }


def test_negative_ana_is_not_reassurance() -> None:
    (card,) = of_topic(patient_view(condition("ild", 200), ana("negative")), TOPIC)
    assert re.search(r"ANA: .*negative", card.detail)
    assert "ANA negative: this does not exclude anti-synthetase syndrome" in card.detail
    assert "often ANA-negative" in card.detail and "whatever the ANA" in card.detail
    assert "R077" in card.rules


def test_the_caveat_stands_beside_the_antibody_list_before_any_ana() -> None:
    (card,) = of_topic(patient_view(condition("ild", 200)), TOPIC)
    assert "A negative ANA would not exclude anti-synthetase syndrome" in card.detail
