"""Every search value the service sends is percent-encoded (':' '/' '|' included), so a proxy
that collapses '//' (the SMART launcher's does) cannot turn ``http://loinc.org|...`` into
``http:/loinc.org``; the FHIR servers of the tests still answer (test_fhir_server_e2e)."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from cds_service.fhir_client import Deadline, FhirClient, encode_search
from cds_service.patient_data import render_template
from cds_service.services import PATIENT_PREFETCH
from tests.support import Loopback, send_json


@pytest.mark.parametrize(
    ("path", "sent"),
    [
        (
            "DiagnosticReport?patient=p1&category=http://loinc.org|LP29684-5,"
            "http://terminology.hl7.org/CodeSystem/v2-0074|RAD",
            "DiagnosticReport?patient=p1&category=http%3A%2F%2Floinc.org%7CLP29684-5,"
            "http%3A%2F%2Fterminology.hl7.org%2FCodeSystem%2Fv2-0074%7CRAD",
        ),
        ("Patient/p1", "Patient/p1"),
        ("Observation?code:text=a b&_count=5", "Observation?code:text=a%20b&_count=5"),
        (
            "Observation?code=http%3A%2F%2Floinc.org%7C1",
            "Observation?code=http%3A%2F%2Floinc.org%7C1",
        ),
    ],
)
def test_values_are_percent_encoded_once(path: str, sent: str) -> None:
    assert encode_search(path) == sent


@pytest.mark.parametrize("key", PATIENT_PREFETCH, ids=lambda k: k.key)
def test_every_template_goes_out_without_raw_reserved_characters(key: object) -> None:
    rendered = render_template(key.query, {"patientId": "pt-1"})  # type: ignore[attr-defined]
    sent = encode_search(rendered)
    query = sent.partition("?")[2]
    assert "|" not in query and "//" not in query and "://" not in query
    # decoding gives back exactly the template's values
    assert parse_qsl(query) == parse_qsl(rendered.partition("?")[2])


def _collapsing(handler: BaseHTTPRequestHandler) -> None:
    """A proxy-like server that collapses '//' in the request target, as the SMART launcher's
    proxy does: it finds the category only when the target survives that."""
    params = dict(parse_qsl(urlsplit(handler.path.replace("//", "/")).query))
    ok = params.get("category", "").startswith("http://loinc.org|")
    body = (
        b'{"resourceType":"Bundle","type":"searchset","entry":[{"resource":'
        b'{"resourceType":"DiagnosticReport","id":"r1","status":"final"}}]}'
        if ok
        else b'{"resourceType":"Bundle","type":"searchset"}'
    )
    send_json(handler, 200, body)


def test_a_proxy_collapsing_double_slashes_still_gets_the_category(loopback: Any) -> None:
    server: Loopback = loopback(_collapsing)
    key = next(k for k in PATIENT_PREFETCH if k.key == "imaging_reports")
    client = FhirClient(server.base_url, None, Deadline(5.0))
    result = client.fetch(render_template(key.query, {"patientId": "pt-1"}))
    assert [r["id"] for r in result.resources] == ["r1"]
    assert "http:/loinc" not in server.requests_seen[-1].replace("//", "/")
