"""Request bodies through the real server: chunked and sized bodies give the same cards,
and pipelined requests on one connection are each answered."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from tests.support import load_json, post_hook, post_hook_chunked, request_for

pytestmark = pytest.mark.e2e

PV = "ctd-ild-patient-view"
PATIENT = "patients/dmpm_as1_anti_mda5_adm_poor_risk.json"


def _summaries(answer: Any) -> list[str]:
    return sorted(c["summary"] for c in answer["cards"])


def _body() -> bytes:
    body = request_for(PV, load_json(PATIENT))
    # pad the body past several recv and read steps (an unread extension is allowed)
    body["extension"] = {"padding": "x" * 300_000}
    return json.dumps(body).encode()


def test_a_chunked_body_gives_the_same_cards_as_a_sized_one(live_server: Any) -> None:
    raw = _body()
    sized = post_hook(live_server, PV, raw)
    assert sized.status_code == 200, sized.text

    chunked = post_hook_chunked(live_server, PV, raw, 7_919)  # odd-sized chunks
    assert chunked.status_code == 200, chunked.text
    assert _summaries(chunked.json()) == _summaries(sized.json())
    assert sized.json()["cards"], "the patient has cards: the comparison is not of nothing"


def _read_response(f: Any) -> tuple[int, bytes]:
    status = int(f.readline().split()[1])
    length = 0
    while (line := f.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return status, f.read(length)


def test_pipelined_requests_on_one_connection_are_each_answered(live_server: Any) -> None:
    raw = _body()
    host, port = live_server.base_url.split("//")[1].split(":")
    one = (
        f"POST /cds-services/{PV} HTTP/1.1\r\nHost: {host}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(raw)}\r\n\r\n"
    ).encode() + raw
    healthz = f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(one + healthz + one)  # three requests back to back, in one write
        f = sock.makefile("rb")
        first, second, third = (_read_response(f) for _ in range(3))
    assert first[0] == 200 and third[0] == 200
    assert second == (200, second[1]) and json.loads(second[1])["status"] == "ok"
    assert _summaries(json.loads(first[1])) == _summaries(json.loads(third[1]))
