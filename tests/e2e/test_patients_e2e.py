"""``fixtures/patients`` end to end: FHIR Bundle -> record -> findings (-> HTTP cards).

One fixture per clinical situation in ``fixtures/patients/`` (five JP Table 1 subtype groups,
missing risk inputs, anti-Jo-1-positive ILD without CTD, nothing to say), evaluated on the
pinned date 2026-11-21. The pipeline variant runs ``build_record`` + ``evaluate_patient_view``;
the HTTP variant posts the bundle as prefetch to the running service (``live_server``,
``request_for``, ``post_hook``, ``assert_valid_response`` of ``tests/support.py``).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cds_service.guideline import evaluate_patient_view
from cds_service.guideline.topics import PATIENT_VIEW_TOPICS
from fhir_mappings.builder import build_record
from tests import support

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "patients"
TODAY = date(2026, 11, 21)
SERVICE = "ctd-ild-patient-view"

DMPM = {t for t in PATIENT_VIEW_TOPICS if t.startswith("dmpm-ild-")}
DIAGNOSIS_DMPM_TOPICS = {"ild-ctd-workup", "ild-autoantibody-positive", "ipaf-criteria"}
DIAGNOSIS_DMPM_TOPICS |= {*DMPM, "kl6-rising"}
AS = "dmpm-ild-acute-subacute"
CHRONIC = "dmpm-ild-chronic"

# fixture -> {topic: (indicator, [texts the card must contain])}; None = no cards at all
EXPECTED: dict[str, dict[str, tuple[str, list[str]]] | None] = {
    "dmpm_as1_anti_mda5_adm_poor_risk": {
        "dmpm-ild-poor-prognosis": (
            "critical",
            [
                "ferritin 1,800 ng/mL",
                "PaO2 57",
                "CK 150 U/L",
                "anti-MDA5 positive",
                "200 mg/day",
                "200–250 ng/mL",
                "very high (Gono)",
                "A/S 1",
                "Figure 3",
            ],
        ),
        AS: ("warning", ["A/S 1", "worsening dyspnea"]),
    },
    "dmpm_as2_dm_no_poor_risk": {
        AS: ("warning", ["A/S 2", "GC + CsA or IVCY", "14.29 %", "VC 2.4 L"])
    },
    "dmpm_as3_pm_gc": {AS: ("warning", ["A/S 3", "GC alone", "increase of parenchymal"])},
    "dmpm_chronic1_anti_jo1_stable": {
        CHRONIC: ("info", ["Chronic 1", "observation", "40%", "3.05 L (2026-10-01)"])
    },
    "dmpm_chronic2_dm_declining": {CHRONIC: ("warning", ["Chronic 2", "start GC", "FVC 2.2 L"])},
    "dmpm_as_missing_risk_inputs": {
        "dmpm-ild-risk-incomplete": (
            "warning",
            [
                "anti-MDA5 not tested",
                "could not be interpreted",
                "no PaO2 result",
                "lower-zone consolidation",
            ],
        ),
        AS: ("warning", ["cannot be chosen"]),
    },
    "ild_anti_jo1_no_ctd": {
        "ild-autoantibody-positive": (
            "warning",
            ["anti-synthetase syndrome", "anti-Jo-1 positive"],
        ),
        "ild-ctd-workup": ("info", ["MDA-5", "Table 2"]),
        "ipaf-criteria": ("info", ["Serologic", "Morphologic"]),
    },
    "ild_complete_negative_workup_nothing_to_say": None,
}


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def resources(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"]]


def check(name: str, cards: list[tuple[str, str, str, str]]) -> None:
    """cards: (topic, indicator, summary, detail)."""
    expected = EXPECTED[name]
    if expected is None:
        assert cards == []
        return
    mine = {t: (ind, summ, det) for t, ind, summ, det in cards if t in DIAGNOSIS_DMPM_TOPICS}
    assert {t: v[0] for t, v in mine.items()} == {t: ind for t, (ind, _) in expected.items()}
    for topic, (_, wanted) in expected.items():
        _, summary, detail = mine[topic]
        assert len(summary) <= 139
        assert "**Sources**" in detail
        for text in wanted:
            assert text in detail, (topic, text)


def test_every_fixture_has_an_expectation() -> None:
    assert {p.stem for p in FIXTURES.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_through_pipeline(name: str) -> None:
    bundle = load(name)
    patient_id = bundle["entry"][0]["resource"]["id"]
    record = build_record(resources(bundle), today=TODAY, patient_id=patient_id)
    findings = evaluate_patient_view(record)
    check(name, [(f.topic, f.indicator.value, f.summary, f.detail) for f in findings])


@pytest.mark.e2e
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_through_http(name: str, live_server: Any) -> None:
    server = live_server
    bundle = load(name)
    body = support.request_for(SERVICE, bundle)
    response = support.post_hook(server, SERVICE, body)
    support.assert_valid_response(response)
    payload = response.json() if hasattr(response, "json") else response
    cards = [
        (c["source"]["topic"]["code"], c["indicator"], c["summary"], c["detail"])
        for c in payload["cards"]
    ]
    check(name, cards)
