"""Hostile callers against the real server process (``cds-service serve``, loopback only):
slow clients, amplification, fhirServer policy, dripping FHIR servers, audience, feedback
integrity, logs. docs/security.md lists what each test stands for. Slow-client and dripping
tests are bounded by their clients' timeouts, never by timed assertions on the service."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.auth.keyring import Signer
from tests.reliability.fake_fhir import PATIENT_ID, FakeFhir, fake_fhir
from tests.support import fallback_request, fhir_authorization, load_json, post_hook, request_for

pytestmark = pytest.mark.e2e

PV, SIGN, SELECT = "ctd-ild-patient-view", "ctd-ild-order-sign", "ctd-ild-order-select"
ISS_A, ISS_B = "https://ehr-a.example.org", "https://ehr-b.example.org"
A, B = Signer.ec("ES384"), Signer.ec("ES384")
PATIENT = "patients/dmpm_as1_anti_mda5_adm_poor_risk.json"


@pytest.fixture(scope="module")
def fhir() -> Iterator[FakeFhir]:
    with fake_fhir() as server:
        yield server


@pytest.fixture(scope="module")
def prod(
    start_server: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory, fhir: FakeFhir
) -> Any:
    """Production mode: client A may name the fake server's ``ok`` and ``drip`` bases, client B
    names none (no FHIR fallback at all)."""
    folder = tmp_path_factory.mktemp("security")
    clients = folder / "trusted-clients.json"
    clients.write_text(
        json.dumps(
            [
                {
                    "iss": ISS_A,
                    "jwks": A.jwks(),
                    "fhirServers": [fhir.url("ok"), fhir.url("drip"), fhir.url("401")],
                },
                {"iss": ISS_B, "jwks": B.jwks()},
            ]
        )
    )
    return start_server(
        {"CDS_DEV": "0", "CDS_TRUSTED_CLIENTS": str(clients), "CDS_BODY_READ_SECONDS": "2"}
    )


def auth(server: Any, endpoint: str, signer: Signer = A, iss: str = ISS_A) -> dict[str, str]:
    token = signer.token(aud=f"{server.base_url}{endpoint}", iss=iss)
    return {"Authorization": f"Bearer {token}"}


def hook(server: Any, body: Any, service: str = PV, signer: Signer = A, iss: str = ISS_A) -> Any:
    return post_hook(server, service, body, auth(server, f"/cds-services/{service}", signer, iss))


def fallback(fhir_server: str, patient: str = PATIENT_ID) -> dict[str, Any]:
    return fallback_request(fhir_server, patient, token="fhir-token-123")


# ------------------------------------------------------------------------ 1 slow clients
def test_healthz_answers_with_64_slow_header_connections_open(prod: Any) -> None:
    """64 connections each send one header line per second for 8 s; /healthz answers
    meanwhile (a threaded worker would hold all its threads: 8 were enough before)."""
    port = int(prod.base_url.rsplit(":", 1)[1])
    slow = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(64)]
    stop = threading.Event()

    def drip() -> None:
        for s in slow:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        while not stop.wait(1.0):
            for s in slow:
                with contextlib.suppress(OSError):
                    s.sendall(b"X-Slow: 1\r\n")

    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    try:
        time.sleep(2)  # every slow connection has started its headers
        for _ in range(3):
            r = requests.get(f"{prod.base_url}/healthz", timeout=2)
            assert r.status_code == 200
    finally:
        stop.set()
        dripper.join(5)
        for s in slow:
            s.close()


def test_a_silent_client_is_disconnected_at_the_read_deadline(prod: Any) -> None:
    port = int(prod.base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=15) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\n")  # and then nothing
        data = s.recv(1000)  # the server closes (after its 5 s read deadline), not the client
        assert data == b"" or data.startswith(b"HTTP/1.1 4")


def test_a_body_dripped_past_its_deadline_is_408(prod: Any) -> None:
    """One byte every 0.5 s (each read is quick: only the body's own deadline, 2 s, ends it)."""
    port = int(prod.base_url.rsplit(":", 1)[1])
    head = (
        f"POST /cds-services/{PV} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 100000\r\n"
    )
    token = auth(prod, f"/cds-services/{PV}")["Authorization"]
    with socket.create_connection(("127.0.0.1", port), timeout=15) as s:
        s.sendall(f"{head}Authorization: {token}\r\n\r\n{{".encode())
        s.settimeout(0.5)
        answer = b""
        for _ in range(20):
            try:
                answer = s.recv(2000)
                break
            except TimeoutError:
                s.sendall(b" ")
        assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
        s.settimeout(10)
        while b'"timeout"' not in answer and (more := s.recv(2000)):
            answer += more  # the body may come in a second packet
        assert b'"code":"timeout"' in answer


# ------------------------------------------------------------------------ 2 bounded answers
def test_unknown_prefetch_keys_are_one_issue(prod: Any) -> None:
    body = request_for(PV, load_json(PATIENT))
    body["prefetch"].update({f"k{i}": "not an object" for i in range(50_000)})
    r = hook(prod, body)
    assert r.status_code == 400
    [issue] = r.json()["issue"]
    assert issue["expression"] == ["$.prefetch"] and "50000 prefetch key(s)" in issue["diagnostics"]
    assert len(r.content) < 2_000


def test_an_outcome_holds_at_most_50_issues_and_says_how_many_more(prod: Any) -> None:
    body = request_for(SELECT, load_json(PATIENT))
    body["context"]["selections"] = ["not a reference"] * 5_000
    r = hook(prod, body, SELECT)
    assert r.status_code == 400
    issues = r.json()["issue"]
    assert len(issues) == 51
    assert issues[-1]["diagnostics"].endswith("more issues")
    assert len(r.content) < 20_000


# ------------------------------------------------------------------------ 3 fhirServer policy
def test_a_listed_fhir_server_is_used(prod: Any, fhir: FakeFhir) -> None:
    before = fhir.requests["ok"]
    r = hook(prod, fallback(fhir.url("ok")))
    assert r.status_code == 200, r.text
    assert fhir.requests["ok"] > before


@pytest.mark.parametrize(
    "where",
    [
        "unlisted path",  # same host and port, another base
        "http below an http base",  # http is allowed only for the exact listed URL
        "dot segments",  # /ok/all/fhir/../../../slow/all/fhir
        "encoded dot segments",
    ],
)
def test_an_unlisted_fhir_server_is_never_contacted(prod: Any, fhir: FakeFhir, where: str) -> None:
    url = {
        "unlisted path": fhir.url("slow"),
        "http below an http base": fhir.url("ok") + "/sub",
        "dot segments": fhir.url("ok") + "/../../../slow/all/fhir",
        "encoded dot segments": fhir.url("ok") + "/%2e%2e/%2E%2E/%2e%2e/slow/all/fhir",
    }[where]
    before = sum(fhir.requests.values())
    r = hook(prod, fallback(url))
    assert r.status_code == 412, r.text
    assert sum(fhir.requests.values()) == before  # nothing was sent anywhere
    for issue in r.json()["issue"]:  # generic: nothing about what answered or why
        assert issue["diagnostics"].endswith("no FHIR server may be contacted for this client")
    assert "not among the caller's fhirServers" in prod.log_after(r)


def test_a_client_without_fhir_servers_gets_no_fallback(prod: Any, fhir: FakeFhir) -> None:
    before = sum(fhir.requests.values())
    r = hook(prod, fallback(fhir.url("ok")), signer=B, iss=ISS_B)
    assert r.status_code == 412
    assert sum(fhir.requests.values()) == before


def test_a_dot_dot_patient_id_is_not_read_as_the_base(prod: Any, fhir: FakeFhir) -> None:
    before = fhir.requests["ok"]
    body = fallback(fhir.url("ok"), patient="..")
    r = hook(prod, body)
    assert r.status_code in (400, 412), r.text
    assert fhir.requests["ok"] == before or "Patient/.." not in prod.log_after(r)


def test_fhir_errors_are_generic_to_the_caller_and_401_is_security(
    prod: Any, fhir: FakeFhir
) -> None:
    r = hook(prod, fallback(fhir.url("401")))
    assert r.status_code == 412
    issues = r.json()["issue"]
    assert {i["code"] for i in issues} == {"security"}
    assert all(i["diagnostics"].endswith("not available from the FHIR server") for i in issues)
    assert "refused access (HTTP 401)" in prod.log_after(r)  # the detail is in the log


# ------------------------------------------------------------------------ 4 dripping servers
def test_a_dripping_fhir_server_is_cut_at_the_deadline_and_spares_other_clients(
    prod: Any, fhir: FakeFhir
) -> None:
    """Client A's FHIR server drips one byte every 20 ms; A's calls end at the deadline and
    client B's calls (prefetch only) are answered meanwhile."""
    with ThreadPoolExecutor(6) as pool:
        dripping = [pool.submit(hook, prod, fallback(fhir.url("drip"))) for _ in range(4)]
        time.sleep(0.3)
        other = [
            pool.submit(hook, prod, request_for(PV, load_json(PATIENT)), PV, B, ISS_B)
            for _ in range(2)
        ]
        for f in other:
            assert f.result(timeout=20).status_code == 200
        for f in dripping:
            r = f.result(timeout=20)  # bounded: a held thread would run for the 3 s drip
            assert r.status_code == 412
    assert "deadline passed" in prod.log()


# ------------------------------------------------------------------------ 5 audience
def test_the_host_header_does_not_decide_the_audience(prod: Any) -> None:
    """A token for another service (evil.example.org, same path) sent with that Host."""
    evil = f"http://evil.example.org/cds-services/{PV}"
    token = A.token(aud=evil, iss=ISS_A)
    body = request_for(PV, load_json(PATIENT))
    r = post_hook(prod, PV, body, {"Authorization": f"Bearer {token}", "Host": "evil.example.org"})
    assert r.status_code == 401
    assert hook(prod, body).status_code == 200  # aud = CDS_PUBLIC_URL + path: accepted


# ------------------------------------------------------------------------ 6 feedback integrity
def _feedback(server: Any, service: str, card: str, signer: Signer, iss: str) -> Any:
    body = {
        "feedback": [
            {"card": card, "outcome": "overridden", "outcomeTimestamp": "2026-11-21T10:00:00Z"}
        ]
    }
    endpoint = f"/cds-services/{service}/feedback"
    return requests.post(
        server.base_url + endpoint,
        json=body,
        headers=auth(server, endpoint, signer, iss),
        timeout=30,
    )


def test_feedback_only_from_the_issuer_of_the_card_and_once(prod: Any) -> None:
    r = hook(prod, request_for(PV, load_json(PATIENT)))
    cards = r.json()["cards"]
    assert cards
    card = cards[0]["uuid"]
    prod.log_after(r)  # the issued-card row is written once the response is sent
    time.sleep(0.5)
    assert _feedback(prod, PV, card, B, ISS_B).json()["refused"] == 1  # another issuer
    assert _feedback(prod, SIGN, card, A, ISS_A).json()["refused"] == 1  # another service
    assert _feedback(prod, PV, card, A, ISS_A).json()["stored"] == 1
    assert _feedback(prod, PV, card, A, ISS_A).json()["duplicates"] == 1


# ------------------------------------------------------------------------ 7, 9 logs and files
def test_control_characters_in_a_path_are_escaped_in_the_log(prod: Any) -> None:
    r = requests.get(f"{prod.base_url}/cds-services%0aFORGED%20line%1b[31m", timeout=10)
    log = prod.log_after(r)
    assert "\nFORGED" not in log and "\x1b[31m" not in log
    assert "\\nFORGED" in log


def test_the_sqlite_file_is_readable_by_its_owner_only(prod: Any) -> None:
    path = Path(prod.log_path).parent / "cds.sqlite3"  # tests/conftest.py's database
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_oversized_headers_get_a_json_outcome(prod: Any) -> None:
    r = requests.get(f"{prod.base_url}/healthz", headers={"X-Big": "a" * 12_000}, timeout=10)
    assert r.status_code == 431
    assert r.json()["issue"][0]["code"] == "too-costly"


def test_html_pages_carry_security_headers(prod: Any) -> None:
    r = requests.get(f"{prod.base_url}/rules", timeout=10)
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]


@pytest.mark.parametrize("token", ["tøken-ñ", "a b", "x" * 10 + "\u2028"])
def test_an_invalid_bearer_token_is_400_and_no_request_is_sent(
    prod: Any, fhir: FakeFhir, token: str
) -> None:
    body = fallback(fhir.url("ok"))
    body["fhirAuthorization"] = fhir_authorization(token)
    before = sum(fhir.requests.values())
    r = hook(prod, body)
    assert r.status_code == 400
    assert ["$.fhirAuthorization.access_token"] in [i.get("expression") for i in r.json()["issue"]]
    assert sum(fhir.requests.values()) == before
    log = prod.log_after(r)
    assert "Traceback" not in log, log[log.find("Traceback") - 300 : log.find("Traceback") + 2500]
