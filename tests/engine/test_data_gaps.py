"""Data the service could not get is named inside every card of the call (contract)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from cds_service.engine import evaluate_resources
from cds_service.services import REGISTRY

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "patients"


def _resources(name: str) -> list[dict]:
    bundle = json.loads((FIXTURE / name).read_text(encoding="utf-8"))
    return [e["resource"] for e in bundle["entry"]]


def test_every_card_names_the_unavailable_data() -> None:
    service = REGISTRY["ctd-ild-patient-view"]
    resources = _resources("dmpm_as1_anti_mda5_adm_poor_risk.json")
    ev = evaluate_resources(
        service,
        resources,
        {"patientId": resources[0]["id"]},
        date(2026, 11, 21),
        unavailable={"medications": "FHIR server timed out (deadline 400 ms)"},
    )
    assert ev.findings
    for f in ev.findings:
        assert "**Not assessed**" in f.detail and "unavailable for this call" in f.detail
        assert "current and past medication orders with doses: unavailable" in f.detail
        assert "timed out" in f.detail
    assert ev.record.missing_data("medications") == {
        "medications": "FHIR server timed out (deadline 400 ms)"
    }
    assert ev.record.missing_data("labs") == {}


def test_no_note_when_all_data_was_had() -> None:
    service = REGISTRY["ctd-ild-patient-view"]
    resources = _resources("dmpm_as1_anti_mda5_adm_poor_risk.json")
    ev = evaluate_resources(
        service, resources, {"patientId": resources[0]["id"]}, date(2026, 11, 21)
    )
    assert ev.findings
    assert all("unavailable for this call" not in f.detail for f in ev.findings)
