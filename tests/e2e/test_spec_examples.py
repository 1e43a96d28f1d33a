"""The CDS Hooks 2.0.1 specification's examples and a sandbox-shaped body, over HTTP."""

from __future__ import annotations

import copy

import pytest
import requests

from tests.conftest import free_port
from tests.support import assert_valid_response, load_json, post_hook

pytestmark = pytest.mark.e2e

PV, SIGN = "ctd-ild-patient-view", "ctd-ild-order-sign"
NULL_PREFETCH = {"patient": None, "conditions": None, "labs": None, "medications": None}


def test_spec_patient_view_with_our_prefetch_keys(live_server) -> None:
    body = load_json("requests/spec-patient-view.json")
    body["prefetch"] = dict(NULL_PREFETCH)
    r = post_hook(live_server.base_url, PV, body)
    assert r.status_code == 200, r.text
    assert_valid_response(r.json())


def test_spec_patient_view_as_published(live_server) -> None:
    """Its prefetch key (the example service's ``patientToGreet``) is not one of ours: one
    400 issue naming it, whatever the prefetch holds."""
    body = load_json("requests/spec-patient-view.json")
    body["fhirServer"] = f"http://127.0.0.1:{free_port()}/fhir"
    r = post_hook(live_server.base_url, PV, body)
    assert r.status_code == 400, r.text
    [issue] = r.json()["issue"]
    assert issue["expression"] == ["$.prefetch"] and "patientToGreet" in issue["diagnostics"]


def test_spec_order_sign_r4_without_prefetch_is_412(live_server) -> None:
    r = post_hook(live_server.base_url, SIGN, load_json("requests/spec-order-sign-r4.json"))
    assert r.status_code == 412
    outcome = r.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert {i["expression"][0] for i in outcome["issue"]} == {
        "$.prefetch.patient",
        "$.prefetch.conditions",
    }


def test_spec_order_sign_r4_with_prefetch(live_server) -> None:
    body = load_json("requests/spec-order-sign-r4.json")
    body["prefetch"] = dict(NULL_PREFETCH)
    r = post_hook(live_server.base_url, SIGN, body)
    assert r.status_code == 200, r.text
    assert_valid_response(r.json())


def test_sandbox_shaped_order_sign(live_server) -> None:
    r = post_hook(live_server.base_url, SIGN, load_json("requests/sandbox-order-sign.json"))
    assert r.status_code == 200, r.text
    assert_valid_response(r.json())


def test_order_select_with_selections(live_server) -> None:
    body = load_json("requests/spec-order-sign-r4.json")
    body["hook"] = "order-select"
    body["context"]["selections"] = ["MedicationRequest/smart-MedicationRequest-103"]
    body["prefetch"] = dict(NULL_PREFETCH)
    r = post_hook(live_server.base_url, "ctd-ild-order-select", body)
    assert r.status_code == 200, r.text
    assert_valid_response(r.json())


@pytest.mark.parametrize(
    "name",
    [
        "spec-feedback-accepted.json",
        "spec-feedback-overridden.json",
        "spec-feedback-override-reason.json",
        "sandbox-feedback-legacy-flat-override.json",
    ],
)
def test_feedback_bodies_are_stored_once(live_server, name: str) -> None:
    url = f"{live_server.base_url}/cds-services/{PV}/feedback"
    body = load_json(f"requests/{name}")
    n = len(body["feedback"])
    # feedback counts only for cards this service issued (here: to the dev-mode client)
    first = requests.post(url, json=body, timeout=10)
    assert first.json()["refused"] + first.json()["duplicates"] == n
    issue_cards(live_server, PV, [item["card"] for item in body["feedback"]])
    first = requests.post(url, json=body, timeout=10)
    assert first.status_code == 200, first.text
    again = requests.post(url, json=copy.deepcopy(body), timeout=10)
    assert again.status_code == 200
    assert again.json() == {"stored": 0, "duplicates": n, "refused": 0}
    assert first.json()["stored"] + first.json()["duplicates"] == n


def issue_cards(server, service_id: str, cards: list[str]) -> None:
    """Record ``cards`` as issued to the dev-mode client, in the server's database."""
    from cds_service.feedback import record_issued
    from cds_service.storage import Storage

    storage = Storage(f"sqlite:///{server.log_path.parent / 'cds.sqlite3'}")
    record_issued(storage, service_id, [{"uuid": c} for c in cards])
    storage.engine.dispose()
