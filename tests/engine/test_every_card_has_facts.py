"""Every card carries the patient facts it used (contract): a card without facts fails, for
every fixture and every service, including cards that only say what could not be assessed."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cds_service import engine
from cds_service.services import REGISTRY
from fhir_mappings.terminology import build_terminology
from tests.support import fixture_patient_bundles

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SITE_MAPS = {
    "site-coded-patients": FIXTURES / "site-coded-patients" / "site-conceptmap.json",
    "mappings": FIXTURES / "mappings" / "site-conceptmap-kl6-hrct.json",
    "charted-record": FIXTURES / "charted-record" / "site-conceptmap.json",
}
TODAY = date(2026, 11, 21)
GAPS = ({}, {"medications": "timeout", "medication_statements": "timeout", "labs": "HTTP 503"})


def _cases() -> list[tuple[str, str, list[dict[str, Any]], dict[str, Any]]]:
    out = []
    for name, bundle, data in fixture_patient_bundles():
        resources = [e["resource"] for e in bundle.get("entry", []) if "resource" in e]
        pid = next((r["id"] for r in resources if r.get("resourceType") == "Patient"), None)
        out.append((name, "ctd-ild-patient-view", resources, {"patientId": pid}))
        if "draftOrders" in data:
            context = {"patientId": pid, "draftOrders": data["draftOrders"]}
            out.append((name, "ctd-ild-order-sign", resources, context))
    return out


CASES = _cases()


@pytest.mark.parametrize("gaps", GAPS, ids=["all data", "medications and labs unavailable"])
@pytest.mark.parametrize(
    ("name", "service", "resources", "context"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_every_card_has_facts(
    name: str,
    service: str,
    resources: list[dict[str, Any]],
    context: dict[str, Any],
    gaps: dict[str, str],
) -> None:
    site = SITE_MAPS.get(name.split("/", 1)[0])
    terms = build_terminology(site)
    evaluation = engine.evaluate_resources(
        REGISTRY[service], resources, context, TODAY, dict(gaps), terms
    )
    for finding in evaluation.findings:
        assert finding.facts, f"{finding.topic}: {finding.summary}"
