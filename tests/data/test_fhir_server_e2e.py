"""resolve() against a real FHIR R4 server on loopback (sekmet-fhir), loaded with fixtures.

The EHR side is played by fetching each prefetch template from the same server, so "present"
prefetch is exactly what the service would get by its own queries (CDS Hooks 2.0 §Prefetch).
"""

from __future__ import annotations

import re
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
import requests

from cds_service.errors import DataUnavailable
from cds_service.fhir_client import Deadline, FhirClient
from cds_service.patient_data import render_template, resolve
from cds_service.services import REGISTRY
from cds_service.settings import Settings
from tests.support import Loopback, fhir_authorization, send_json

from .conftest import LONG_LABS, LONG_PATIENT, FhirServer

pytestmark = pytest.mark.fhirserver

SERVICE = REGISTRY["ctd-ild-patient-view"]
PATIENT = "dm-ild-1"
CONTEXT = {"patientId": PATIENT, "userId": "Practitioner/doc-9"}
# generous: these tests are about which data arrives; the deadline tests set their own
SETTINGS = Settings(fhir_deadline_ms=10_000)

#: every resource of fixtures/data/dm-ild-anti-mda5-on-prednisolone.json the queries ask for
#: (the entered-in-error order is excluded by the MedicationRequest status filter)
EXPECTED = {
    "dm-ild-1",
    "dm-ild-1-dm",
    "dm-ild-1-ild",
    "dm-ild-1-ferritin",
    "dm-ild-1-ck",
    "dm-ild-1-mda5",
    "dm-ild-1-pao2",
    "dm-ild-1-spo2",
    "dm-ild-1-fvc",
    "dm-ild-1-ct-ggo",
    "dm-ild-1-hrct",
    "dm-ild-1-psl",
    "dm-ild-1-home",
}
ONLY_VIA = {"labs": {"dm-ild-1-ferritin", "dm-ild-1-ck"}, "imaging": {"dm-ild-1-ct-ggo"}}


def ehr_prefetch(server: FhirServer, keys: list[str]) -> dict[str, Any]:
    """What an EHR would send for ``keys``: the first page of each template's answer."""
    client = FhirClient(server.base_url, server.token, Deadline(30))
    out = {}
    for pk in SERVICE.prefetch:
        if pk.key in keys:
            out[pk.key] = client.get_json(client.absolute(render_template(pk.query, CONTEXT)))
    return out


def body(server: FhirServer | None, prefetch: dict | None = None, token: str | None = "") -> dict:
    b: dict[str, Any] = {"hook": "patient-view", "hookInstance": "h", "context": dict(CONTEXT)}
    if prefetch is not None:
        b["prefetch"] = prefetch
    if server is not None:
        b["fhirServer"] = server.base_url
        tok = server.token if token == "" else token
        if tok is not None:
            b["fhirAuthorization"] = fhir_authorization(tok)
    return b


def reasons(exc: DataUnavailable) -> list[str]:
    """The 'why' of each issue (after "<key> (<what for>): ")."""
    return [issue[1].split("): ", 1)[1] for issue in exc.issues]


def ids(data: Any) -> set[str]:
    return {r["id"] for r in data.resources}


def test_all_prefetch_present_needs_no_server(fhir_server: FhirServer) -> None:
    pre = ehr_prefetch(fhir_server, [p.key for p in SERVICE.prefetch])
    data = resolve(SERVICE, body(None, pre), SETTINGS)
    assert ids(data) == EXPECTED
    assert data.unavailable == {}


def test_all_absent_service_fetches_everything_with_the_token(fhir_server: FhirServer) -> None:
    data = resolve(SERVICE, body(fhir_server), SETTINGS)
    assert ids(data) == EXPECTED
    assert not any(i.startswith("other-1") for i in ids(data))
    assert data.unavailable == {}


@pytest.mark.parametrize("token", ["wrong-token", None])
def test_server_refusing_the_token_is_412(fhir_server: FhirServer, token: str | None) -> None:
    with pytest.raises(DataUnavailable) as err:
        resolve(SERVICE, body(fhir_server, token=token), SETTINGS)
    assert [i[0] for i in err.value.issues] == ["$.prefetch.patient", "$.prefetch.conditions"]
    assert set(reasons(err.value)) == {"FHIR server refused access (HTTP 401)"}
    assert {i[2] for i in err.value.issues} == {"security"}


def test_mixed_prefetch_and_fetch(fhir_server: FhirServer) -> None:
    pre = ehr_prefetch(fhir_server, ["patient", "labs", "medications"])
    data = resolve(SERVICE, body(fhir_server, pre), SETTINGS)
    assert ids(data) == EXPECTED
    assert data.unavailable == {}


def test_null_prefetch_is_not_refetched(fhir_server: FhirServer) -> None:
    pre: dict[str, Any] = ehr_prefetch(fhir_server, ["patient", "conditions"])
    pre["labs"] = None
    pre["imaging"] = None
    data = resolve(SERVICE, body(fhir_server, pre), SETTINGS)
    assert ids(data) == EXPECTED - ONLY_VIA["labs"] - ONLY_VIA["imaging"]
    assert data.unavailable == {}


def test_other_patient_sees_only_their_data(fhir_server: FhirServer) -> None:
    b = body(fhir_server)
    b["context"]["patientId"] = "other-1"
    data = resolve(SERVICE, b, SETTINGS)
    assert ids(data) == {"other-1", "other-1-ra", "other-1-ferritin"}


def test_unknown_patient_is_412_not_found(fhir_server: FhirServer) -> None:
    b = body(fhir_server)
    b["context"]["patientId"] = "nobody"
    with pytest.raises(DataUnavailable) as err:
        resolve(SERVICE, b, SETTINGS)
    assert err.value.issues == [
        ("$.prefetch.patient", "patient (age, sex): not found on the FHIR server (HTTP 404)")
    ]


FIRST_LAB_PAGE = f"Observation?patient={LONG_PATIENT}&category=laboratory&_sort=-date&_count=20"


def _long_context() -> dict[str, Any]:
    return {"patientId": LONG_PATIENT}


def test_paginated_prefetch_is_followed_to_the_end(fhir_server: FhirServer) -> None:
    client = FhirClient(fhir_server.base_url, fhir_server.token, Deadline(30))
    first = client.get_json(client.absolute(FIRST_LAB_PAGE))
    assert any(link["relation"] == "next" for link in first["link"])
    b = body(fhir_server, {"labs": first})
    b["context"] = _long_context()
    data = resolve(SERVICE, b, SETTINGS)
    labs = [r for r in data.resources if r["resourceType"] == "Observation"]
    assert len(labs) == LONG_LABS
    dates = [r["effectiveDateTime"] for r in labs]
    assert dates == sorted(dates, reverse=True)  # newest first, as the server sorted
    assert "labs" not in data.unavailable


def test_page_cap_on_a_real_server_keeps_the_newest_and_says_incomplete(
    fhir_server: FhirServer,
) -> None:
    client = FhirClient(fhir_server.base_url, fhir_server.token, Deadline(30))
    first = client.get_json(client.absolute(FIRST_LAB_PAGE))
    b = body(fhir_server, {"labs": first})
    b["context"] = _long_context()
    data = resolve(SERVICE, b, Settings(fhir_deadline_ms=10_000, fhir_max_pages=3))
    labs = [r for r in data.resources if r["resourceType"] == "Observation"]
    assert len(labs) == 60
    assert max(r["effectiveDateTime"] for r in labs) == "2026-06-15"  # the newest is kept
    assert data.unavailable["labs"] == "incomplete: stopped at the cap of 3 pages"


def test_slow_optional_query_through_a_proxy_is_unavailable_and_the_rest_arrives(
    fhir_server: FhirServer, loopback: Any
) -> None:
    """A proxy in front of the real server delays the laboratory search only."""

    def proxy(h: BaseHTTPRequestHandler) -> None:
        if "category=laboratory" in h.path:
            time.sleep(1.5)
        upstream = fhir_server.base_url + h.path[len("/fhir") :]
        headers = {"Authorization": h.headers.get("Authorization", "")}
        with requests.get(upstream, headers=headers, timeout=10) as r:
            send_json(h, r.status_code, r.content)

    server: Loopback = loopback(proxy)
    b = body(fhir_server)
    b["fhirServer"] = server.base_url
    started = time.monotonic()
    data = resolve(SERVICE, b, Settings(fhir_deadline_ms=700))
    assert time.monotonic() - started < 1.0
    assert ids(data) == EXPECTED - ONLY_VIA["labs"]
    assert set(data.unavailable) == {"labs"}
    assert re.search("deadline passed|timed out", data.unavailable["labs"])
