"""The SMART app against real parts: sekmet-fhir holding the fixture patients, the test EHR
(Authlib authorization server + FHIR gateway, ``ehr.py``) and the real service process with
the app configured (``smart_service``). ``launch(...)`` runs a launch without a browser."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.conftest import REPO, Server, free_port, launch_server
from tests.data.conftest import FhirServer, _load, fhir_server  # noqa: F401 - fixture
from tests.protocol.test_feedback_store import storage  # noqa: F401 - fixture (SQLite, PostgreSQL)

from .ehr import Client, RunningEhr, TestEhr
from .patients import course_bundle, sparse_bundle

CLIENT_ID = "ctd-ild-timeline"
SITE_MAP = REPO / "fixtures" / "mappings" / "site-conceptmap-kl6-hrct.json"
ARTIFACTS = REPO / "test-artifacts"


@dataclass
class SmartService:
    server: Server
    app_url: str
    ehr: TestEhr


@pytest.fixture(scope="session")
def test_ehr(fhir_server: FhirServer) -> Iterator[TestEhr]:  # noqa: F811
    _load(fhir_server, course_bundle())
    _load(fhir_server, sparse_bundle())
    ehr = TestEhr(upstream=fhir_server.base_url, upstream_token=fhir_server.token)
    running = RunningEhr(ehr)
    yield ehr
    running.stop()


@pytest.fixture(scope="session")
def smart_service(test_ehr: TestEhr) -> Iterator[SmartService]:
    port = free_port()
    app_url = f"http://127.0.0.1:{port}/app"
    test_ehr.clients[CLIENT_ID] = Client(CLIENT_ID, f"{app_url}/callback")
    env = {
        "CDS_SMART_CLIENT_ID": CLIENT_ID,
        "CDS_SMART_APP_URL": app_url,
        "CDS_SMART_FHIR_SERVERS": test_ehr.fhir_base,
        "CDS_SMART_SESSION_SECRET": secrets.token_urlsafe(32),
        "CDS_SITE_CONCEPTMAP": str(SITE_MAP),
    }
    with tempfile.TemporaryDirectory(prefix="cds-smart-") as d:
        server = launch_server(env, Path(d), workers=2, port=port)
        try:
            yield SmartService(server, app_url, test_ehr)
        finally:
            server.stop()


def follow_to_callback(
    http: requests.Session, service: SmartService, start: requests.Response
) -> requests.Response:
    """From the app's redirect to the authorization server, to the redirect back to the
    app's callback (not followed)."""
    assert start.status_code == 302, start.text[:300]
    authorize = start.headers["Location"]
    assert authorize.startswith(service.ehr.base_url + "/auth/authorize")
    back = http.get(authorize, allow_redirects=False, timeout=30)
    assert back.status_code == 302, back.text[:300]
    assert back.headers["Location"].startswith(service.app_url + "/callback")
    return back


def launch(
    service: SmartService,
    patient: str,
    app_context: str | None = None,
    standalone: bool = False,
) -> requests.Session:
    """A browser-less launch; returns the HTTP session holding the app's cookie."""
    http = requests.Session()
    if standalone:
        service.ehr.standalone_patient = patient
        start = http.get(f"{service.app_url}/launch", allow_redirects=False, timeout=30)
    else:
        code = service.ehr.new_launch(patient, app_context)
        params = {"iss": service.ehr.fhir_base, "launch": code}
        start = http.get(
            f"{service.app_url}/launch", params=params, allow_redirects=False, timeout=30
        )
    back = follow_to_callback(http, service, start)
    done = http.get(back.headers["Location"], allow_redirects=False, timeout=30)
    assert done.status_code == 303, done.text[:300]
    return http


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)
