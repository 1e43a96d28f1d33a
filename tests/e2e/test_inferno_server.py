"""The Inferno Da Vinci CRD server suite's discovery and card checks, ported (CRD-only checks
skipped: source.topic is not required there, systemActions for order-sign)."""

from __future__ import annotations

import pytest
import requests

from cds_service.services import REGISTRY
from tests.support import assert_valid_response, load_json, post_hook, request_for

pytestmark = pytest.mark.e2e

PATIENT = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [{"resource": {"resourceType": "Patient", "id": "inferno-1", "gender": "male"}}],
}


def test_discovery_answers_200_json(live_server) -> None:
    r = requests.get(f"{live_server.base_url}/cds-services", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    services = r.json()["services"]
    assert isinstance(services, list) and services
    for s in services:
        for field in ("hook", "description", "id"):
            assert isinstance(s.get(field), str) and s[field], (s.get("id"), field)


def test_discovery_lists_the_contract_services(live_server) -> None:
    services = requests.get(f"{live_server.base_url}/cds-services", timeout=10).json()["services"]
    assert [(s["id"], s["hook"]) for s in services] == [
        ("ctd-ild-patient-view", "patient-view"),
        ("ctd-ild-order-select", "order-select"),
        ("ctd-ild-order-sign", "order-sign"),
    ]
    for s in services:
        assert s["title"] and s["usageRequirements"]
        for query in s["prefetch"].values():
            assert "{{context.patientId}}" in query and "{{today" not in query


@pytest.mark.parametrize("service_id", list(REGISTRY))
def test_each_service_answers_200_with_valid_cards(live_server, service_id: str) -> None:
    drafts = load_json("requests/spec-order-sign-r4.json")["context"]["draftOrders"]
    body = request_for(service_id, PATIENT, draft_orders=drafts)
    r = post_hook(live_server.base_url, service_id, body)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    assert_valid_response(r.json())
