"""Client authentication through the real server (gunicorn, 2 workers, no --dev)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support import load_json

from .keyring import Signer

pytestmark = pytest.mark.e2e

PV = "ctd-ild-patient-view"
SIGNER = Signer.ec("ES384")
RSA_SIGNER = Signer.rsa("RS384")


@pytest.fixture(scope="module")
def server(start_server: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    clients = tmp_path_factory.mktemp("auth-e2e") / "trusted-clients.json"
    clients.write_text(
        json.dumps(
            [
                {
                    "iss": "https://ehr.example.org",
                    "jwks": {"keys": [SIGNER.public_jwk(), RSA_SIGNER.public_jwk()]},
                }
            ]
        )
    )
    return start_server({"CDS_DEV": "0", "CDS_TRUSTED_CLIENTS": str(clients)}, workers=2)


def call(
    server: Any, endpoint: str, token: str | None, rid: str | None = None
) -> requests.Response:
    """GET discovery, or POST a valid service/feedback body, with an optional bearer token."""
    headers = {"X-Request-ID": rid or uuid.uuid4().hex}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    url = server.base_url + endpoint
    if endpoint == "/cds-services":
        return requests.get(url, headers=headers, timeout=30)
    body = (
        load_json("requests/spec-feedback-overridden.json")
        if endpoint.endswith("/feedback")
        else load_json("requests/patient-view-example.json")
    )
    return requests.post(url, json=body, headers=headers, timeout=30)


ENDPOINTS = ["/cds-services", f"/cds-services/{PV}", f"/cds-services/{PV}/feedback"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("signer", [SIGNER, RSA_SIGNER], ids=["ES384", "RS384"])
def test_valid_token_is_let_through(server: Any, endpoint: str, signer: Signer) -> None:
    r = call(server, endpoint, signer.token(aud=server.base_url + endpoint))
    assert r.status_code == 200, r.text


BAD_TOKENS: dict[str, Callable[[str, str], str | None]] = {
    "no token": lambda base, ep: None,
    "malformed": lambda base, ep: "not-a-jwt",
    "aud of another endpoint": lambda base, ep: SIGNER.token(
        aud=base + ("/cds-services" if ep != "/cds-services" else f"/cds-services/{PV}")
    ),
    "expired": lambda base, ep: SIGNER.token(aud=base + ep, exp=1_000_000_000, iat=999_999_000),
    "wrong issuer": lambda base, ep: SIGNER.token(aud=base + ep, iss="https://evil.example.org"),
    "unknown key": lambda base, ep: Signer.ec("ES384").token(aud=base + ep),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
def test_bad_or_missing_token_is_a_bare_401(server: Any, endpoint: str, case: str) -> None:
    token = BAD_TOKENS[case](server.base_url, endpoint)
    r = call(server, endpoint, token)
    assert r.status_code == 401
    assert r.content == b""
    if token and len(token) > 20:
        log = server.log_after(r)
        assert token not in log
        assert token.split(".")[1] not in log


def test_health_and_preflight_need_no_token(server: Any) -> None:
    assert requests.get(server.base_url + "/healthz", timeout=10).status_code == 200
    r = requests.options(server.base_url + "/cds-services", timeout=10)
    assert r.status_code != 401


def _pid_by_request(log: str) -> dict[str, tuple[int, str]]:
    """request id -> (worker pid, status) from the server's per-request log line."""
    found: dict[str, tuple[int, str]] = {}
    for m in re.finditer(r"\[(\d+)\] \S+ \S+ -> (\d{3}) in [\d.]+ ms \(request ([\w.:-]+)\)", log):
        found[m.group(3)] = (int(m.group(1)), m.group(2))
    return found


def test_replay_is_refused_across_two_workers(server: Any) -> None:
    """Each token is sent several times at once; exactly one copy gets through, and some token
    was accepted by one worker process and refused by the other."""
    endpoint = f"/cds-services/{PV}"
    tokens = [SIGNER.token(aud=server.base_url + endpoint) for _ in range(12)]
    copies = 4
    jobs = [
        (t, f"replay-{i}-{c}-{uuid.uuid4().hex[:8]}")
        for i, t in enumerate(tokens)
        for c in range(copies)
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda job: call(server, endpoint, *job).status_code, jobs))
    by_token: dict[str, list[tuple[str, int]]] = {}
    for (token, rid), status in zip(jobs, statuses, strict=True):
        by_token.setdefault(token, []).append((rid, status))
    for results in by_token.values():
        assert sorted(s for _, s in results) == [200] + [401] * (copies - 1)

    pids = _pid_by_request(server.log_once_it_has(*(rid for _, rid in jobs)))
    assert len({pids[rid][0] for _, rid in jobs}) == 2, "both workers should have served"
    crossed = [
        results for results in by_token.values() if len({pids[rid][0] for rid, _ in results}) == 2
    ]
    assert crossed, "no token was tried on both workers"


def test_discovery_token_cannot_be_reused_for_a_service(server: Any) -> None:
    token = SIGNER.token(aud=server.base_url + "/cds-services")
    assert call(server, "/cds-services", token).status_code == 200
    assert call(server, f"/cds-services/{PV}", token).status_code == 401


def test_reasons_are_logged_without_the_token(server: Any, tmp_path: Path) -> None:
    rid = f"reason-{uuid.uuid4().hex[:8]}"
    token = SIGNER.token(aud="https://elsewhere.example.org/cds-services")
    assert call(server, "/cds-services", token, rid).status_code == 401
    log = server.log_once_it_has(rid)
    line = next(ln for ln in log.splitlines() if rid in ln and "401" in ln)
    assert "aud" in line and token not in line


def test_bad_trusted_clients_file_stops_start_up(tmp_path: Path) -> None:
    from tests.conftest import launch_server

    bad = tmp_path / "trusted-clients.json"
    bad.write_text(json.dumps([{"iss": "https://ehr.example.org", "tenant": ["typo"]}]))
    with pytest.raises(RuntimeError, match="unknown field") as info:
        launch_server({"CDS_DEV": "0", "CDS_TRUSTED_CLIENTS": str(bad)}, tmp_path)
    assert "server exited" in str(info.value)


def test_sandbox_issuer_without_dev_stops_start_up(tmp_path: Path) -> None:
    from tests.conftest import launch_server

    with pytest.raises(RuntimeError, match="only be trusted in dev mode"):
        launch_server({"CDS_DEV": "0", "CDS_ALLOW_SANDBOX_ISSUER": "1"}, tmp_path)
