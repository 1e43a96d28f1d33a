"""Loopback servers for the patient-data tests.

- ``fhir_server`` (session): a real FHIR R4 server (sekmet-fhir, scripts/fhir-server.sh) on a
  free 127.0.0.1 port, requiring a bearer token, loaded with ``fixtures/data/*.json`` and a
  long-history patient through its REST API (transactions). Tests using it are marked
  ``fhirserver``; they skip when the server cannot be installed here, and FAIL when CI=true.
- ``loopback``: tiny HTTP servers written in the test (slow, truncating, proxying) to show the
  deadline and error handling against real sockets.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "fhir-server.sh"
FIXTURES = REPO / "fixtures" / "data"
LONG_PATIENT = "long-1"
LONG_LABS = 150


@dataclass(frozen=True)
class FhirServer:
    base_url: str
    token: str
    db_path: Path

    def session(self) -> requests.Session:
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {self.token}"
        return s


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _unavailable(message: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"loopback FHIR server required in CI: {message}")
    pytest.skip(f"loopback FHIR server not available: {message}")


def long_history_bundle() -> dict[str, Any]:
    """A patient with LONG_LABS monthly ferritin results: enough for several pages."""
    entries: list[dict[str, Any]] = [
        {
            "resource": {"resourceType": "Patient", "id": LONG_PATIENT, "gender": "male"},
            "request": {"method": "PUT", "url": f"Patient/{LONG_PATIENT}"},
        }
    ]
    for i in range(LONG_LABS):
        year, month = 2014 + i // 12, i % 12 + 1
        oid = f"{LONG_PATIENT}-ferritin-{i:03d}"
        entries.append(
            {
                "resource": {
                    "resourceType": "Observation",
                    "id": oid,
                    "status": "final",
                    "category": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/"
                                    "observation-category",
                                    "code": "laboratory",
                                }
                            ]
                        }
                    ],
                    "code": {"coding": [{"system": "http://loinc.org", "code": "2276-4"}]},
                    "subject": {"reference": f"Patient/{LONG_PATIENT}"},
                    "effectiveDateTime": f"{year}-{month:02d}-15",
                    "valueQuantity": {"value": 100 + i, "unit": "ng/mL"},
                },
                "request": {"method": "PUT", "url": f"Observation/{oid}"},
            }
        )
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def _load(server: FhirServer, bundle: dict[str, Any]) -> None:
    with server.session() as s:
        resp = s.post(
            server.base_url,
            data=json.dumps(bundle).encode(),
            headers={"Content-Type": "application/fhir+json"},
            timeout=60,
        )
    assert resp.status_code == 200, resp.text[:500]
    statuses = [e["response"]["status"] for e in resp.json()["entry"]]
    assert all(st.startswith("20") for st in statuses), statuses


@pytest.fixture(scope="session")
def fhir_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FhirServer]:
    try:
        subprocess.run(  # noqa: S603
            [str(SCRIPT), "--install-only"], check=True, timeout=900, capture_output=True
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        _unavailable(f"install failed ({type(exc).__name__})")
    data_dir = tmp_path_factory.mktemp("fhir-server")
    port = free_port()
    server = FhirServer(
        f"http://127.0.0.1:{port}/fhir", secrets.token_urlsafe(24), data_dir / "fhir.db"
    )
    with open(data_dir / "server.log", "wb") as log:
        proc = subprocess.Popen(  # noqa: S603
            [str(SCRIPT), str(port), str(data_dir)],
            env={**os.environ, "FHIR_TOKENS": server.token},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(server, proc)
            for path in sorted(FIXTURES.glob("*.json")):
                _load(server, json.loads(path.read_bytes()))
            _load(server, long_history_bundle())
            with sqlite3.connect(server.db_path) as db:  # plan _sort=-date searches well
                db.execute("ANALYZE")
            db.close()
            yield server
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def _wait_until_up(server: FhirServer, proc: subprocess.Popen[bytes]) -> None:
    until = time.monotonic() + 60
    while time.monotonic() < until:
        if proc.poll() is not None:
            _unavailable(f"server exited with {proc.returncode}")
        try:
            with requests.get(f"{server.base_url}/metadata", timeout=1) as r:
                if r.status_code == 200:
                    return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    _unavailable("server did not start within 60 s")
