"""Smoke: the live server answers discovery and an empty patient-view."""

from __future__ import annotations

import requests

from tests.support import assert_valid_response, post_hook, request_for


def test_discovery_and_patient_view(live_server):
    r = requests.get(f"{live_server.base_url}/cds-services", timeout=10)
    assert r.status_code == 200
    ids = [s["id"] for s in r.json()["services"]]
    assert ids == ["ctd-ild-patient-view", "ctd-ild-order-select", "ctd-ild-order-sign"]
    body = request_for(
        "ctd-ild-patient-view",
        {
            "resourceType": "Bundle",
            "entry": [{"resource": {"resourceType": "Patient", "id": "p1"}}],
        },
    )
    r = post_hook(live_server.base_url, "ctd-ild-patient-view", body)
    assert r.status_code == 200, r.text
    assert_valid_response(r.json())
