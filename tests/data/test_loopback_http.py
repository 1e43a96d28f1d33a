"""resolve() against tiny loopback HTTP servers: down, slow, truncating, busy (no FHIR server
needed, so these always run)."""

from __future__ import annotations

import re
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from cds_service.errors import DataUnavailable
from cds_service.fhir_client import Deadline, FhirClient
from cds_service.patient_data import resolve
from cds_service.services import REGISTRY
from cds_service.settings import Settings
from tests.support import Loopback, send_json

from .conftest import free_port

SERVICE = REGISTRY["ctd-ild-patient-view"]


def body(base_url: str) -> dict[str, Any]:
    return {
        "hook": "patient-view",
        "hookInstance": "h",
        "context": {"patientId": "dm-ild-1"},
        "fhirServer": base_url,
    }


def reasons(exc: DataUnavailable) -> list[str]:
    """The 'why' of each issue (after "<key> (<what for>): ")."""
    return [issue[1].split("): ", 1)[1] for issue in exc.issues]


def ids(data: Any) -> set[str]:
    return {r["id"] for r in data.resources}


def test_server_down_is_412_quickly() -> None:
    down = f"http://127.0.0.1:{free_port()}/fhir"
    b = body(down)
    started = time.monotonic()
    with pytest.raises(DataUnavailable) as err:
        resolve(SERVICE, b, Settings())
    assert time.monotonic() - started < 0.6
    assert set(reasons(err.value)) == {"FHIR server unreachable"}


def test_slow_server_deadline_is_honoured(loopback: Any) -> None:
    def slow(h: BaseHTTPRequestHandler) -> None:
        time.sleep(1.5)
        send_json(h, 200, b'{"resourceType": "Bundle", "type": "searchset"}')

    server: Loopback = loopback(slow)
    b = body(server.base_url)
    started = time.monotonic()
    with pytest.raises(DataUnavailable) as err:
        resolve(SERVICE, b, Settings(fhir_deadline_ms=400))
    elapsed = time.monotonic() - started
    assert elapsed < 0.6
    assert all(re.search("deadline passed|timed out", why) for _, why in err.value.issues), (
        err.value.issues
    )


def test_truncated_body_on_a_real_socket_is_handled(loopback: Any) -> None:
    def truncating(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/fhir+json")
        h.send_header("Content-Length", "5000")
        h.end_headers()
        h.wfile.write(b'{"resourceType": "Bundle", "entry": [')
        h.wfile.flush()
        h.close_connection = True

    server: Loopback = loopback(truncating)
    b = body(server.base_url)
    with pytest.raises(DataUnavailable) as err:
        resolve(SERVICE, b, Settings(fhir_deadline_ms=2000, fhir_max_retries=0))
    assert set(reasons(err.value)) <= {
        "FHIR response truncated or corrupt",
        "FHIR response is not valid JSON (malformed or truncated)",
        "FHIR server unreachable",
    }


def test_retry_after_on_a_real_socket(loopback: Any) -> None:
    calls: list[int] = []

    def busy_once(h: BaseHTTPRequestHandler) -> None:
        calls.append(1)
        if len(calls) == 1:
            send_json(h, 503, b"{}", Retry_After="0")
        elif h.path.startswith("/fhir/Patient/"):
            send_json(h, 200, b'{"resourceType": "Patient", "id": "dm-ild-1"}')
        else:
            send_json(h, 200, b'{"resourceType": "Bundle", "type": "searchset"}')

    server: Loopback = loopback(busy_once)
    b = body(server.base_url)
    data = resolve(SERVICE, b, Settings(fhir_deadline_ms=2000))
    assert ids(data) == {"dm-ild-1"}
    assert len(calls) == len(SERVICE.prefetch) + 1


def test_the_shared_session_keeps_no_cookies(loopback: Any) -> None:
    cookies_seen: list[str | None] = []

    def sets_cookie(h: BaseHTTPRequestHandler) -> None:
        cookies_seen.append(h.headers.get("Cookie"))
        if h.path.startswith("/fhir/Patient/"):
            send_json(h, 200, b'{"resourceType": "Patient", "id": "dm-ild-1"}', Set_Cookie="s=1")
        else:
            send_json(h, 200, b'{"resourceType": "Bundle", "type": "searchset"}', Set_Cookie="s=1")

    server: Loopback = loopback(sets_cookie)
    for _ in range(2):
        resolve(SERVICE, body(server.base_url), Settings(fhir_deadline_ms=2000))
    assert len(cookies_seen) == 2 * len(SERVICE.prefetch)
    assert cookies_seen == [None] * len(cookies_seen)


def test_requests_carry_the_fhir_headers_and_ignore_proxy_settings_of_the_environment(
    loopback: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, str]] = []

    def record(h: BaseHTTPRequestHandler) -> None:
        seen.append({k.lower(): v for k, v in h.headers.items()})
        send_json(h, 200, b'{"resourceType": "Patient", "id": "dm-ild-1"}')

    server: Loopback = loopback(record)
    unreachable = f"http://127.0.0.1:{free_port()}"
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, unreachable)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = FhirClient(server.base_url, "tok", Deadline(2.0))
    assert [r["id"] for r in client.fetch("Patient/dm-ild-1").resources] == ["dm-ild-1"]
    (headers,) = seen
    assert headers["accept"] == "application/fhir+json"
    assert headers["authorization"] == "Bearer tok"
    assert headers["user-agent"].startswith("python-requests/")
    assert "gzip" in headers["accept-encoding"]
    assert "cookie" not in headers
