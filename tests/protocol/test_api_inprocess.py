"""App behaviour best driven in-process: 500 without internals, 412, auth wiring, readiness,
OpenAPI document (validated, routes match the app)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from sqlalchemy import text

from cds_service import api, engine
from cds_service.auth import AuthResult
from cds_service.settings import Settings
from tests.support import load_json, request_for

PV = "ctd-ild-patient-view"


def make_app(tmp_path: Path, **changes: Any) -> Flask:
    settings = Settings(dev=True, database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}", **changes)
    return api.create_app(settings)


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    return make_app(tmp_path).test_client()


def test_unexpected_error_is_500_without_internals(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("secret internal detail /srv/x.py")

    monkeypatch.setattr(engine, "evaluate_resources", boom)
    with caplog.at_level(logging.ERROR):
        r = client.post(f"/cds-services/{PV}", json=request_for(PV, None))
    assert r.status_code == 500
    body = r.get_json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "exception"
    assert "secret" not in r.get_data(as_text=True)
    assert "Traceback" not in r.get_data(as_text=True)
    assert r.headers["X-Request-ID"] in body["issue"][0]["diagnostics"]
    assert "secret internal detail" in caplog.text  # the log has it, the client does not


def test_missing_required_prefetch_without_fhir_server_is_412(client: FlaskClient) -> None:
    body = load_json("requests/spec-order-sign-r4.json")
    r = client.post("/cds-services/ctd-ild-order-sign", json=body)
    assert r.status_code == 412
    issues = r.get_json()["issue"]
    assert [i["expression"] for i in issues] == [["$.prefetch.patient"], ["$.prefetch.conditions"]]


def test_issued_cards_are_recorded(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = [
        {
            "uuid": "11111111-1111-4111-8111-111111111111",
            "summary": "s",
            "indicator": "info",
            "source": {"label": "l", "topic": {"system": "s", "code": "kl6-rising"}},
        }
    ]
    monkeypatch.setattr(engine, "cards_for", lambda *_a: fake)
    r = client.post(f"/cds-services/{PV}", json=request_for(PV, None))
    assert r.status_code == 200
    storage = client.application.extensions["cds"]["storage"]
    with storage.engine.connect() as conn:  # recorded after the response is sent, not before
        assert conn.execute(text("SELECT count(*) FROM issued_card")).scalar() == 0
    r.close()  # what the WSGI server does once the body is sent: writes the rows
    with storage.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM issued_card")).scalar() == 1
    fb = {
        "feedback": [
            {
                "card": fake[0]["uuid"],
                "outcome": "overridden",
                "outcomeTimestamp": "2026-11-21T10:00:00Z",
            }
        ]
    }
    assert client.post(f"/cds-services/{PV}/feedback", json=fb).get_json() == {
        "stored": 1,
        "duplicates": 0,
        "refused": 0,
    }
    from cds_service.feedback import feedback_report

    [report] = feedback_report(storage)
    assert (report.topic, report.issued, report.overridden) == ("kl6-rising", 1, 1)


class _Recorder:
    def __init__(self, ok: bool) -> None:
        self.ok = ok
        self.calls: list[tuple[str, dict[str, str]]] = []

    def authenticate(self, url: str, headers: Mapping[str, str]) -> AuthResult:
        self.calls.append((url, dict(headers)))
        return AuthResult(ok=self.ok, reason="bad signature" if not self.ok else "")


@pytest.mark.parametrize(
    ("method", "path", "checked"),
    [
        ("GET", "/cds-services", True),
        ("POST", f"/cds-services/{PV}", True),
        ("POST", f"/cds-services/{PV}/feedback", True),
        ("GET", "/healthz", False),
        ("GET", "/readyz", False),
        ("GET", "/openapi.json", False),
        ("GET", "/rules", False),
        ("OPTIONS", "/cds-services", False),
    ],
)
def test_auth_is_asked_on_cds_endpoints_only(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    method: str,
    path: str,
    checked: bool,
) -> None:
    rec = _Recorder(ok=False)
    monkeypatch.setattr(api, "build_authenticator", lambda settings, storage: rec)
    client = make_app(tmp_path).test_client()
    token = "eyJhbGciOiJFUzM4NCJ9.secret-token-value.sig"
    with caplog.at_level(logging.INFO, logger="cds_service.api"):
        r = client.open(path, method=method, headers={"Authorization": f"Bearer {token}"})
    if checked:
        assert r.status_code == 401
        assert r.get_data() == b""
        assert rec.calls[0][0] == f"http://localhost{path}"
        assert rec.calls[0][1]["Authorization"] == f"Bearer {token}"
        assert "bad signature" in caplog.text
    else:
        assert r.status_code != 401 and rec.calls == []
    assert token not in caplog.text


def test_auth_success_lets_the_call_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api, "build_authenticator", lambda settings, storage: _Recorder(ok=True))
    client = make_app(tmp_path).test_client()
    assert client.get("/cds-services").status_code == 200


def test_readyz_reports_unreachable_storage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tmp_path)
    monkeypatch.setattr(app.extensions["cds"]["storage"], "ping", lambda: False)
    r = app.test_client().get("/readyz")
    assert r.status_code == 503 and r.get_json()["resourceType"] == "OperationOutcome"


def test_openapi_document_is_valid_openapi_31() -> None:
    doc = json.loads(api.openapi_document())
    validate(doc)
    assert doc["openapi"].startswith("3.1")


def test_openapi_paths_match_the_app(tmp_path: Path) -> None:
    doc = json.loads(api.openapi_document())
    app = make_app(tmp_path)
    from cds_service.services import REGISTRY

    routes: set[tuple[str, str]] = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        methods = {m.lower() for m in rule.methods or () if m not in ("HEAD", "OPTIONS")}
        if rule.rule == "/cds-services/<service_id>":
            # one path per service: each has its own hook and context schema
            paths = [f"/cds-services/{sid}" for sid in REGISTRY]
        else:
            paths = [rule.rule.replace("<service_id>", "{serviceId}")]
        routes |= {(p, m) for p in paths for m in methods}
    documented = {(p, m) for p, ops in doc["paths"].items() for m in ops}
    assert routes == documented


def test_openapi_request_schemas_are_the_validators_schemas() -> None:
    """The OpenAPI request bodies say what the service checks, so fuzzing from them holds."""
    from cds_service.services import REGISTRY

    doc = json.loads(api.openapi_document())
    schemas = doc["components"]["schemas"]
    for sid, service in REGISTRY.items():
        op = doc["paths"][f"/cds-services/{sid}"]["post"]
        ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        body = schemas[ref.rsplit("/", 1)[1]]
        assert body["properties"]["hook"] == {"const": service.hook}
        assert body["required"] == ["hook", "hookInstance", "context"]
        assert body["properties"]["hookInstance"]["maxLength"] == 200
    assert schemas["FeedbackRequest"]["properties"]["feedback"]["maxItems"] == 1000
    assert schemas["FeedbackItem"]["properties"]["card"]["maxLength"] == 100


def test_openapi_service_ids_match_registry() -> None:
    from cds_service.services import REGISTRY

    doc = json.loads(api.openapi_document())
    assert doc["components"]["parameters"]["serviceId"]["schema"]["enum"] == list(REGISTRY)


def test_cors_closed_without_dev_and_without_origins(tmp_path: Path) -> None:
    settings = Settings(dev=False, database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    client = api.create_app(settings).test_client()
    r = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in r.headers


def test_rules_page_is_html(client: FlaskClient) -> None:
    r = client.get("/rules")
    assert r.status_code == 200 and r.mimetype == "text/html"


def test_unavailable_data_is_named_in_a_response_extension(client: FlaskClient) -> None:
    from tests.support import assert_valid_response

    body = request_for(PV, load_json("patients/dmpm_as1_anti_mda5_adm_poor_risk.json"))
    # the EHR satisfied Patient and Conditions only; the FHIR server to fetch the rest is
    # unreachable (port 9, discard: nothing listens)
    body["prefetch"] = {k: v for k, v in body["prefetch"].items() if k in ("patient", "conditions")}
    body["fhirServer"] = "http://127.0.0.1:9/fhir"
    r = client.post(f"/cds-services/{PV}", json=body)
    assert r.status_code == 200
    out = r.get_json()
    assert_valid_response(out)
    gaps = out["extension"]["ctd-ild-cds"]["unavailable"]
    assert {g["data"] for g in gaps} >= {"labs", "medications", "respiratory"}
    assert all(g["reason"] for g in gaps)


def test_no_response_extension_when_all_data_was_had(client: FlaskClient) -> None:
    body = request_for(PV, load_json("patients/dmpm_as1_anti_mda5_adm_poor_risk.json"))
    r = client.post(f"/cds-services/{PV}", json=body)
    assert r.status_code == 200
    assert "extension" not in r.get_json()


@pytest.mark.parametrize(
    ("public_urls", "expected_base"),
    [
        (("https://cds.example.org/ctd",), "https://cds.example.org/ctd/rules#"),
        ((), "http://evil.example/rules#"),
    ],
)
def test_card_source_url_is_under_the_public_url_not_the_host_header(
    tmp_path: Path, public_urls: tuple[str, ...], expected_base: str
) -> None:
    """With CDS_PUBLIC_URL set, links to the rules page never follow the request's Host."""
    client = make_app(tmp_path, public_urls=public_urls).test_client()
    body = load_json("requests/patient-view-example.json")
    r = client.post(f"/cds-services/{PV}", json=body, headers={"Host": "evil.example"})
    assert r.status_code == 200
    cards = r.get_json()["cards"]
    assert cards
    assert all(c["source"]["url"].startswith(expected_base) for c in cards)


def test_discovery_document_is_built_once_and_served_unchanged(client: FlaskClient) -> None:
    from cds_service.services import SERVICES

    first, second = client.get("/cds-services"), client.get("/cds-services")
    assert first.status_code == second.status_code == 200
    assert first.content_type == "application/json"
    assert first.data == second.data
    assert first.get_json() == {"services": [s.discovery_json() for s in SERVICES]}
    # each response has its own headers (the request id is not carried over)
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
