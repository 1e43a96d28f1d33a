"""Each error status over HTTP, with its OperationOutcome (401: empty body)."""

from __future__ import annotations

import pytest
import requests

from tests.support import post_hook, post_hook_chunked, request_for

pytestmark = pytest.mark.e2e

PV = "ctd-ild-patient-view"
CAP = 2000


def outcome(r: requests.Response) -> dict:
    assert r.headers["Content-Type"].startswith("application/json"), r.headers
    body = r.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"] and all(i["severity"] == "error" for i in body["issue"])
    assert "Traceback" not in r.text
    return body


def expressions(body: dict) -> list[str]:
    return sorted(e for i in body["issue"] for e in i.get("expression", []))


@pytest.mark.parametrize(
    ("name", "body", "paths"),
    [
        ("missing hook/hookInstance/context", {}, ["$.context", "$.hook", "$.hookInstance"]),
        ("wrong hook for the service", {**request_for(PV, None), "hook": "order-sign"}, ["$.hook"]),
        (
            "userId not Type/id",
            {**request_for(PV, None), "context": {"userId": "bob", "patientId": "p"}},
            ["$.context.userId"],
        ),
        (
            "fhirAuthorization without fhirServer",
            {
                **request_for(PV, None),
                "fhirAuthorization": {
                    "access_token": "t",
                    "token_type": "Bearer",
                    "expires_in": 1,
                    "scope": "s",
                    "subject": "c",
                },
            },
            ["$.fhirServer"],
        ),
    ],
)
def test_400_names_each_problem_with_its_json_path(live_server, name, body, paths) -> None:
    r = post_hook(live_server.base_url, PV, body)
    assert r.status_code == 400, name
    assert expressions(outcome(r)) == paths


@pytest.mark.parametrize(
    ("name", "raw", "fragment"),
    [
        ("invalid JSON", b'{"hook": ', "not valid JSON"),
        ("duplicate key", b'{"hook": "patient-view", "hook": "x"}', "duplicate"),
        ("invalid UTF-8", b'{"hook": "\xff\xfe"}', "UTF-8"),
        ("empty body", b"", "empty"),
        ("NaN", b'{"hook": NaN}', "not valid JSON"),
    ],
)
def test_400_on_unparseable_bodies(live_server, name, raw, fragment) -> None:
    r = post_hook(live_server.base_url, PV, raw)
    assert r.status_code == 400, name
    assert fragment in outcome(r)["issue"][0]["diagnostics"]


def test_400_on_bad_feedback(live_server) -> None:
    r = requests.post(
        f"{live_server.base_url}/cds-services/{PV}/feedback",
        json={
            "feedback": [
                {"card": "c", "outcome": "accepted", "outcomeTimestamp": "2026-11-21T00:00:00Z"}
            ]
        },
        timeout=10,
    )
    assert r.status_code == 400
    assert expressions(outcome(r)) == ["$.feedback[0].acceptedSuggestions"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/cds-services/no-such-service"),
        ("POST", "/cds-services/no-such-service/feedback"),
        ("GET", "/no/such/path"),
    ],
)
def test_404(live_server, method, path) -> None:
    r = requests.request(method, f"{live_server.base_url}{path}", json={}, timeout=10)
    assert r.status_code == 404
    assert outcome(r)["issue"][0]["code"] == "not-found"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", f"/cds-services/{PV}", "POST"),
        ("PUT", "/cds-services", "GET"),
        ("DELETE", f"/cds-services/{PV}/feedback", "POST"),
        ("POST", "/healthz", "GET"),
    ],
)
def test_405(live_server, method, path, allowed) -> None:
    r = requests.request(method, f"{live_server.base_url}{path}", timeout=10)
    assert r.status_code == 405
    outcome(r)
    assert allowed in r.headers["Allow"]


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None]
)
def test_415_when_not_json(live_server, content_type) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    r = requests.post(
        f"{live_server.base_url}/cds-services/{PV}", data=b"{}", headers=headers, timeout=10
    )
    assert r.status_code == 415
    assert outcome(r)["issue"][0]["code"] == "not-supported"


def test_fhir_json_content_type_is_accepted(live_server) -> None:
    r = post_hook(
        live_server.base_url,
        PV,
        request_for(PV, None),
        headers={"Content-Type": "application/fhir+json; charset=utf-8"},
    )
    assert r.status_code == 200


def _padded(size: int) -> bytes:
    """A valid request body of exactly ``size`` bytes (padding in an extension)."""
    import json

    body = request_for(PV, None)
    body["extension"] = {"org.example.pad": ""}
    base = len(json.dumps(body).encode())
    body["extension"]["org.example.pad"] = "x" * (size - base)
    raw = json.dumps(body).encode()
    assert len(raw) == size
    return raw


@pytest.fixture(scope="module")
def capped_server(start_server):
    return start_server({"CDS_MAX_BODY_BYTES": str(CAP)})


def test_413_body_at_cap_is_accepted(capped_server) -> None:
    r = post_hook(capped_server.base_url, PV, _padded(CAP))
    assert r.status_code == 200, r.text


def test_413_body_over_cap(capped_server) -> None:
    r = post_hook(capped_server.base_url, PV, _padded(CAP + 1))
    assert r.status_code == 413
    assert outcome(r)["issue"][0]["code"] == "too-costly"


def test_413_chunked_body_over_cap_without_content_length(capped_server) -> None:
    r = post_hook_chunked(capped_server, PV, _padded(CAP + 500), 256)
    assert r.status_code == 413
    outcome(r)


def test_413_on_feedback_too(capped_server) -> None:
    r = requests.post(
        f"{capped_server.base_url}/cds-services/{PV}/feedback",
        data=b'{"feedback": [' + b" " * CAP + b"]}",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 413


@pytest.fixture(scope="module")
def secured_server(start_server):
    return start_server({"CDS_DEV": "0", "CDS_CORS_ORIGINS": "https://sandbox.cds-hooks.org"})


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/cds-services"),
        ("POST", f"/cds-services/{PV}"),
        ("POST", f"/cds-services/{PV}/feedback"),
    ],
)
def test_401_with_empty_body_without_dev(secured_server, method, path) -> None:
    token = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0."
    r = requests.request(
        method,
        f"{secured_server.base_url}{path}",
        json={},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert r.status_code == 401
    assert r.content == b""
    assert token not in secured_server.log_after(r)


def test_health_is_open_without_dev(secured_server) -> None:
    assert requests.get(f"{secured_server.base_url}/healthz", timeout=10).status_code == 200
    assert requests.get(f"{secured_server.base_url}/readyz", timeout=10).status_code == 200
