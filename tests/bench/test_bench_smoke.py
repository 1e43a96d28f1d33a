"""Keeps the benchmark (``python -m bench.run``) from rotting, without timing anything.

Runs the workload generators, one tiny in-process hook call per workload kind through the
real Flask app, the delaying proxy against a loopback server, and the target arithmetic on
made-up figures. Speed itself is measured by the benchmark, never asserted here.
"""

from __future__ import annotations

import json
from collections import Counter
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest
from flask.testing import FlaskClient

from bench import workloads as wl
from bench.fhir_proxy import DelayProxy
from bench.run import Load, median_load, targets, write_results
from cds_service.api import create_app
from cds_service.protocol import validate_request
from cds_service.services import REGISTRY
from cds_service.settings import Settings
from tests.support import Loopback, send_json


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    settings = Settings(
        dev=True,
        database_url=f"sqlite:///{tmp_path}/bench.sqlite3",
        evaluation_date=wl.TODAY,
        max_body_bytes=64 * 1024 * 1024,
    )
    return create_app(settings).test_client()


def _post(client: FlaskClient, service: str, body: dict[str, Any]) -> Any:
    resp = client.post(f"/cds-services/{service}", data=json.dumps(body).encode(),
                       content_type="application/json")  # fmt: skip
    assert resp.status_code == 200, resp.data[:300]
    return json.loads(resp.data)


# ------------------------------------------------------------------ generators
def test_typical_patient_is_about_300_resources_of_the_expected_kinds() -> None:
    resources = wl.typical_patient()
    kinds = Counter(r["resourceType"] for r in resources)
    assert 250 <= len(resources) <= 350
    assert kinds["Patient"] == 1
    assert kinds["Condition"] >= 2 and kinds["MedicationRequest"] >= 3
    assert kinds["Observation"] >= 200
    ids = [(r["resourceType"], r["id"]) for r in resources]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("n", [100, 1000])
def test_scaled_patient_has_exactly_n_observations(n: int) -> None:
    resources = wl.scaled_patient(n)
    assert sum(r["resourceType"] == "Observation" for r in resources) == n


def test_generation_is_deterministic() -> None:
    assert json.dumps(wl.typical_patient()).encode() == json.dumps(wl.typical_patient()).encode()


@pytest.mark.parametrize(
    ("service", "hook"),
    [("ctd-ild-patient-view", "patient-view"), ("ctd-ild-order-sign", "order-sign")],
)
def test_requests_are_valid_cds_hooks_requests(service: str, hook: str) -> None:
    body = wl.hook_request(wl.typical_patient(), hook=hook)
    assert validate_request(REGISTRY[service], body) == []
    assert set(body["prefetch"]) == set(REGISTRY[service].prefetch_templates())


def test_fallback_request_has_no_prefetch_and_names_the_server() -> None:
    body = wl.hook_request(None, fhir_server="http://127.0.0.1:1/fhir")
    assert "prefetch" not in body and body["fhirServer"] == "http://127.0.0.1:1/fhir"
    assert validate_request(REGISTRY["ctd-ild-patient-view"], body) == []


def test_draft_orders_bundle_has_five_medication_requests() -> None:
    bundle = wl.draft_orders(5)
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["MedicationRequest"] * 5


# ------------------------------------------------------------------ tiny in-process run
def test_typical_patient_gets_real_cards(client: FlaskClient) -> None:
    answer = _post(client, "ctd-ild-patient-view", wl.hook_request(wl.typical_patient()))
    assert answer["cards"], "the benchmark patient must exercise the rules"
    assert all(c["source"]["topic"]["code"] for c in answer["cards"])


def test_order_sign_with_five_drafts_answers(client: FlaskClient) -> None:
    body = wl.hook_request(wl.typical_patient(), hook="order-sign", draft=wl.draft_orders(5))
    assert isinstance(_post(client, "ctd-ild-order-sign", body)["cards"], list)


def test_scaled_prefetch_answers(client: FlaskClient) -> None:
    assert isinstance(
        _post(client, "ctd-ild-patient-view", wl.hook_request(wl.scaled_patient(100)))["cards"],
        list,
    )


# ------------------------------------------------------------------ delaying proxy
@pytest.fixture
def upstream(loopback: Any) -> str:
    def echo(handler: BaseHTTPRequestHandler) -> None:
        send_json(
            handler, 200, json.dumps({"resourceType": "Bundle", "path": handler.path}).encode()
        )

    server: Loopback = loopback(echo)
    return server.base_url


def test_delay_proxy_forwards_path_and_body(upstream: str) -> None:
    with DelayProxy(upstream, delay_s=0.001) as proxy:
        assert proxy.base_url.endswith("/fhir") and proxy.base_url != upstream
        with urlopen(f"{proxy.base_url}/Observation?patient=p1&_count=5", timeout=5) as r:  # noqa: S310
            assert json.loads(r.read()) == {
                "resourceType": "Bundle",
                "path": "/fhir/Observation?patient=p1&_count=5",
            }
        assert proxy.forwarded == 1


# ------------------------------------------------------------------ target arithmetic
def _load(name: str, c: int, rps: float, p50: float) -> Load:
    return Load(name, c, 100, 10.0, rps, p50, p50 * 2, p50 * 3, p50)


def test_median_load_takes_the_median_of_each_figure() -> None:
    runs = [_load("x", 1, r, p) for r, p in ((10, 5), (30, 1), (20, 9))]
    m = median_load(runs)
    assert (m.rps, m.p50_ms, m.requests, m.seconds) == (20, 5, 300, 30.0)


def _result(svc_p50: float, ratio: float, fallback_p50: float, t10k: float) -> tuple[Any, Any]:
    loads = {
        "bare_c1": _load("bare_c1", 1, 300, 2),
        "service_c1": _load("service_c1", 1, 100, svc_p50),
        "bare_c8": _load("bare_c8", 8, 400, 10),
        "service_c8": _load("service_c8", 8, 400 * ratio, 20),
        "obs_1000_c1": _load("obs_1000_c1", 1, 20, 50),
        "obs_10000_c1": _load("obs_10000_c1", 1, 2, t10k),
        "fallback_50ms_c1": _load("fallback_50ms_c1", 1, 5, fallback_p50),
    }
    result = {
        "fhir_round_trips_ms": {"delayed_50ms": {"patient": 55.0, "labs": 80.0}},
        "fhir_parallel_fetch_ms": {"delayed_50ms": 90.0},
        "checks": {"typical_cards": ["a"], "fallback_50ms_cards": ["a"]},
        "in_process": {"10000": {"json_loads_ms": 200.0}},
        "rss": {"workers": [{"vmhwm_mb": 150.0}, {"vmhwm_mb": 90.0}]},
    }
    return result, loads


@pytest.mark.parametrize(
    ("svc_p50", "ratio", "fallback_p50", "t10k", "expected"),
    [
        (10.0, 0.5, 130.0, 600.0, {"a": True, "b": True, "c": True, "e": True}),
        (10.1, 0.5, 130.0, 600.0, {"a": False, "b": True, "c": True, "e": True}),
        # the throughput ratio against bare Flask is information only
        (9.0, 0.1, 129.0, 500.0, {"a": True, "b": True, "c": True, "e": True}),
        # (b): limit = 1.5 x (80 + (a) p50 10) = 135
        (10.0, 0.5, 135.0, 500.0, {"a": True, "b": True, "c": True, "e": True}),
        (10.0, 0.5, 135.1, 500.0, {"a": True, "b": False, "c": True, "e": True}),
        # (c): 3 x json.loads 200 = 600
        (10.0, 0.5, 130.0, 600.1, {"a": True, "b": True, "c": False, "e": True}),
    ],
)
def test_targets_pass_and_fail_at_their_limits(
    svc_p50: float, ratio: float, fallback_p50: float, t10k: float, expected: dict[str, bool]
) -> None:
    result, loads = _result(svc_p50, ratio, fallback_p50, t10k)
    got = targets(result, loads, 8)
    assert {k: v["pass"] for k, v in got.items()} == expected


def test_fallback_with_different_cards_fails_b() -> None:
    result, loads = _result(5.0, 0.6, 60.0, 300.0)
    result["checks"]["fallback_50ms_cards"] = []
    assert targets(result, loads, 8)["b"]["pass"] is False


def test_one_results_file_keeps_each_benchmarks_section(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    write_results(out, {"targets": {"a": 1}})
    write_results(out, {"pass": True}, key="smart_app")
    write_results(out, {"targets": {"a": 2}})  # the service's next run keeps the app's figures
    assert json.loads(out.read_text()) == {"targets": {"a": 2}, "smart_app": {"pass": True}}
    write_results(out, {"pass": False}, key="smart_app")
    assert json.loads(out.read_text())["targets"] == {"a": 2}


def test_stages_time_each_step_of_a_typical_call(monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.stages import stages

    for name in ("CDS_DEV", "CDS_EVALUATION_DATE", "CDS_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)  # restored after the test
    figures = stages(reps=1)
    assert list(figures) == [
        "parse the body",
        "validate the request",
        "resolve the prefetch",
        "build the record",
        "build the record and run the rules",
        "compose the cards",
        "the whole call (Flask test client)",
    ]
    assert all(ms > 0 for ms in figures.values())
    assert figures["the whole call (Flask test client)"] > figures["parse the body"]
