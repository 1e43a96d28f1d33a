"""CORS preflight, request ids, health, OpenAPI and rules pages, start-up time."""

from __future__ import annotations

import time

import pytest
import requests

from tests.conftest import launch_server
from tests.support import post_hook, request_for

pytestmark = pytest.mark.e2e

PV = "ctd-ild-patient-view"
SANDBOX = "https://sandbox.cds-hooks.org"


@pytest.mark.parametrize(
    "path", ["/cds-services", f"/cds-services/{PV}", f"/cds-services/{PV}/feedback"]
)
def test_cors_preflight_in_dev_allows_any_origin(live_server, path) -> None:
    r = requests.options(
        f"{live_server.base_url}{path}",
        headers={
            "Origin": "https://any.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
        timeout=10,
    )
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] in ("*", "https://any.example")
    allowed = r.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "POST" in r.headers["Access-Control-Allow-Methods"]


def test_cors_on_actual_response(live_server) -> None:
    r = requests.get(
        f"{live_server.base_url}/cds-services", headers={"Origin": SANDBOX}, timeout=10
    )
    assert r.headers["Access-Control-Allow-Origin"] in ("*", SANDBOX)
    assert "X-Request-ID" in r.headers["Access-Control-Expose-Headers"]


@pytest.fixture(scope="module")
def configured(start_server):
    return start_server({"CDS_DEV": "0", "CDS_CORS_ORIGINS": SANDBOX})


@pytest.mark.parametrize(("origin", "allowed"), [(SANDBOX, True), ("https://evil.example", False)])
def test_cors_origins_from_configuration(configured, origin, allowed) -> None:
    r = requests.options(
        f"{configured.base_url}/cds-services/{PV}",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
        timeout=10,
    )
    assert (r.headers.get("Access-Control-Allow-Origin") == origin) is allowed


def test_request_id_header_unique_and_logged(live_server) -> None:
    ids = [
        requests.get(f"{live_server.base_url}/cds-services", timeout=10).headers["X-Request-ID"]
        for _ in range(3)
    ]
    assert len(set(ids)) == 3 and all(ids)
    log = live_server.log_once_it_has(*ids)
    assert all(i in log for i in ids)


def test_request_id_echoed_when_safe(live_server) -> None:
    r = post_hook(
        live_server.base_url, PV, request_for(PV, None), headers={"X-Request-ID": "ehr-call-42"}
    )
    assert r.headers["X-Request-ID"] == "ehr-call-42"
    r = requests.get(
        f"{live_server.base_url}/healthz",
        headers={"X-Request-ID": "bad id\twith spaces"},
        timeout=10,
    )
    assert r.headers["X-Request-ID"] != "bad id\twith spaces" and r.headers["X-Request-ID"]


def test_error_responses_carry_request_id(live_server) -> None:
    r = post_hook(live_server.base_url, PV, {})
    assert r.status_code == 400 and r.headers["X-Request-ID"]


def test_patient_ids_are_not_logged(live_server) -> None:
    body = request_for(PV, None)
    body["context"]["patientId"] = "patient-secret-4711"
    r = post_hook(live_server.base_url, PV, body)
    assert r.status_code == 200
    assert "patient-secret-4711" not in live_server.log_after(r)


def test_health_openapi_rules(live_server) -> None:
    base = live_server.base_url
    assert requests.get(f"{base}/healthz", timeout=10).json() == {"status": "ok"}
    assert requests.get(f"{base}/readyz", timeout=10).json() == {"status": "ready"}
    doc = requests.get(f"{base}/openapi.json", timeout=10).json()
    assert doc["openapi"] == "3.1.0" and "/cds-services" in doc["paths"]
    r = requests.get(f"{base}/rules", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")


def test_dev_server_answers_discovery_within_seconds(tmp_path) -> None:
    started = time.monotonic()
    server = launch_server({}, tmp_path, workers=2)
    try:
        r = requests.get(f"{server.base_url}/cds-services", timeout=10)
        elapsed = time.monotonic() - started
        assert r.status_code == 200
        assert elapsed < 10, elapsed
        assert "DEVELOPMENT MODE" in server.log()
    finally:
        server.stop()
