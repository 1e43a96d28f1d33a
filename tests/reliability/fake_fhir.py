"""A controllable fake FHIR R4 server on loopback, for fault injection.

One threaded ``http.server`` serves every fault at once: the fault is chosen by the first two
segments of the request path, so a test picks it through the ``fhirServer`` URL it sends in
the hook call and tests need no shared state::

    http://127.0.0.1:PORT/<fault>/<scope>/fhir/Condition?patient=...

``scope`` is ``all`` (every query misbehaves: the required Patient/Condition too) or
``optional`` (Patient and Condition are answered normally, the other queries misbehave).
Normal answers come from ``fixtures/patients/dmpm_as1_anti_mda5_adm_poor_risk.json``: the
Patient read returns the Patient, a search returns a searchset Bundle of the resources of that
type. ``requests`` counts the requests per fault (to show retries and the paging cap).
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
PATIENT_BUNDLE = REPO / "fixtures" / "patients" / "dmpm_as1_anti_mda5_adm_poor_risk.json"
PATIENT_ID = "as1-adm"
OTHER_PATIENT_ID = "someone-else-7"
BIG_BUNDLE_BYTES = 50 * 1024 * 1024
_SAFE_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")

FAULTS = (
    "ok",
    "slow",  # answers after 3 s (the service's deadline is 400 ms)
    "drip",  # 200 with a large Content-Length, then one byte every 20 ms for 3 s
    "reset",  # TCP RST before any answer
    "500",
    "502",
    "503",
    "502-retry-after",  # Retry-After: 1 (seconds; longer than the deadline)
    "503-retry-after-date",  # Retry-After as an HTTP date 2 s ahead
    "503-retry-after-0",  # Retry-After: 0 (retried at once; still 503)
    "401",
    "truncated",  # Content-Length 4000, 100 bytes sent, connection closed
    "non-json",  # 200 text/html
    "json-not-fhir",  # 200 JSON array
    "operation-outcome",  # 200 OperationOutcome with an error issue
    "loop-self",  # searchset whose next link is itself
    "loop-forever",  # searchset whose next link is always a new page
    "big",  # a 50 MB searchset Bundle
    "wrong-patient",  # the resources (and the Patient read) are another patient's
)


def _resources() -> list[dict[str, Any]]:
    bundle = json.loads(PATIENT_BUNDLE.read_bytes())
    return [e["resource"] for e in bundle["entry"]]


def _searchset(resources: list[dict[str, Any]], next_url: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [{"resource": r, "search": {"mode": "match"}} for r in resources],
    }
    if next_url:
        out["link"] = [{"relation": "next", "url": next_url}]
    return out


def _as_patient(resource: dict[str, Any], patient: str) -> dict[str, Any]:
    moved = json.loads(json.dumps(resource).encode().replace(PATIENT_ID.encode(), patient.encode()))
    assert isinstance(moved, dict)
    return moved


class _State:
    def __init__(self) -> None:
        self.resources = _resources()
        self.requests: Counter[str] = Counter()
        self.authorizations: set[str] = set()  # Authorization headers received
        self.lock = threading.Lock()
        self._big: bytes | None = None

    def big(self) -> bytes:
        """A searchset of Conditions just over 50 MB (built once)."""
        with self.lock:
            if self._big is None:
                template = next(r for r in self.resources if r["resourceType"] == "Condition")
                pad = "x" * 400
                entries = []
                size = 0
                i = 0
                while size < BIG_BUNDLE_BYTES:
                    r = dict(template, id=f"big-{i}", note=[{"text": pad}])
                    entries.append({"resource": r})
                    size += len(json.dumps(r).encode()) + 16
                    i += 1
                self._big = json.dumps(
                    {"resourceType": "Bundle", "type": "searchset", "entry": entries}
                ).encode()
            return self._big


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence
        return

    # ------------------------------------------------------------ answers
    def _send(
        self, status: int, body: bytes, ctype: str = "application/fhir+json", **hdrs: str
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in hdrs.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def _json(self, data: Any, status: int = 200, **hdrs: str) -> None:
        self._send(status, json.dumps(data).encode(), **hdrs)

    def _normal(self, rtype: str, rid: str | None, patient: str) -> None:
        resources = self.server.state.resources
        if patient != PATIENT_ID:
            resources = [_as_patient(r, patient) for r in resources]
        if rid is not None:
            match = [r for r in resources if r["resourceType"] == rtype]
            if rtype == "Patient" and match:
                self._json(match[0])
            else:
                self._json(
                    {
                        "resourceType": "OperationOutcome",
                        "issue": [{"severity": "error", "code": "not-found"}],
                    },
                    404,
                )
            return
        self._json(_searchset([r for r in resources if r["resourceType"] == rtype]))

    def _close_with_reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        parts = urlsplit(self.path)
        segs = [s for s in parts.path.split("/") if s]
        if len(segs) < 4 or segs[2] != "fhir":
            self._json({"resourceType": "OperationOutcome", "issue": []}, 404)
            return
        fault, scope, rest = segs[0], segs[1], segs[3:]
        with self.server.state.lock:
            self.server.state.requests[fault] += 1
            auth = self.headers.get("Authorization")
            if auth:
                self.server.state.authorizations.add(auth)
        rtype = rest[0]
        rid = rest[1] if len(rest) > 1 else None
        if fault == "ok" or (scope == "optional" and rtype in ("Patient", "Condition")):
            # the reference patient's data under the id asked for (fuzzed ids get data too)
            query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
            asked = rid if rtype == "Patient" else query.get("patient")
            self._normal(rtype, rid, asked if asked and _SAFE_ID.match(asked) else PATIENT_ID)
            return
        self._fault(fault, rtype, rid, parts)

    def _fault(self, fault: str, rtype: str, rid: str | None, parts: Any) -> None:
        base = f"http://{self.headers.get('Host')}"
        if fault == "slow":
            time.sleep(3)
            self._normal(rtype, rid, PATIENT_ID)
        elif fault == "drip":
            self.send_response(200)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            end = time.monotonic() + 3
            with contextlib.suppress(OSError):
                self.wfile.write(b"{")
                while time.monotonic() < end:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.02)
            self.close_connection = True
        elif fault == "reset":
            self._close_with_reset()
        elif fault in ("500", "502", "503", "401"):
            outcome = {
                "resourceType": "OperationOutcome",
                "issue": [{"severity": "error", "code": "exception"}],
            }
            self._json(outcome, int(fault))
        elif fault == "502-retry-after":
            self._json({"resourceType": "OperationOutcome", "issue": []}, 502, Retry_After="1")
        elif fault == "503-retry-after-date":
            self._json(
                {"resourceType": "OperationOutcome", "issue": []},
                503,
                Retry_After=formatdate(time.time() + 2, usegmt=True),
            )
        elif fault == "503-retry-after-0":
            self._json({"resourceType": "OperationOutcome", "issue": []}, 503, Retry_After="0")
        elif fault == "truncated":
            self.send_response(200)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", "4000")
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(json.dumps(_searchset(self.server.state.resources)).encode()[:100])
            self.close_connection = True
        elif fault == "non-json":
            self._send(200, b"<html><body>Service Unavailable</body></html>", "text/html")
        elif fault == "json-not-fhir":
            self._json([1, 2, 3])
        elif fault == "operation-outcome":
            self._json(
                {
                    "resourceType": "OperationOutcome",
                    "issue": [{"severity": "error", "code": "processing"}],
                }
            )
        elif fault == "loop-self":
            self._json(
                _searchset(
                    [r for r in self.server.state.resources if r["resourceType"] == rtype],
                    base + self.path,
                )
            )
        elif fault == "loop-forever":
            n = int(
                dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p).get("page", "0")
            )
            nxt = f"{base}{parts.path}?page={n + 1}"
            self._json(
                _searchset(
                    [r for r in self.server.state.resources if r["resourceType"] == rtype], nxt
                )
            )
        elif fault == "big":
            if rid is not None:
                self._normal(rtype, rid, PATIENT_ID)
            else:
                self._send(200, self.server.state.big())
        elif fault == "wrong-patient":
            self._normal(rtype, rid, OTHER_PATIENT_ID)
        else:
            self._json({"resourceType": "OperationOutcome", "issue": []}, 404)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # parallel connects of several hook calls
    state: _State

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # clients that give up (the service's deadline) reset connections: expected


class FakeFhir:
    """The running fake server: ``url(fault, scope)`` is the fhirServer to send."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = _State()
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, fault: str, scope: str = "all") -> str:
        return f"http://127.0.0.1:{self.port}/{fault}/{scope}/fhir"

    @property
    def requests(self) -> Counter[str]:
        return self._server.state.requests

    @property
    def authorizations(self) -> set[str]:
        return self._server.state.authorizations

    def big_bundle(self) -> bytes:
        return self._server.state.big()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextlib.contextmanager
def fake_fhir() -> Iterator[FakeFhir]:
    server = FakeFhir()
    try:
        yield server
    finally:
        server.close()
