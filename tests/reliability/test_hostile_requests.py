"""Hostile request bodies against the real server: a clear 4xx (or valid cards), never a 500,
a stack trace or a memory blow-up.

A server of its own (2 gunicorn workers, default 5 MB body cap) so the peak RSS of its
workers (``VmHWM`` in ``/proc/<pid>/status``) measures these requests only; the last test
asserts it and prints the figure for docs/reliability.md.
"""

from __future__ import annotations

import copy
import json
import socket
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from tests.support import (
    assert_valid_response,
    load_json,
    post_hook,
    post_hook_chunked,
    request_for,
)

from .conftest import status_kib, worker_pids

pytestmark = pytest.mark.e2e

PV = "ctd-ild-patient-view"
SIGN = "ctd-ild-order-sign"
CAP = 5 * 1024 * 1024
PATIENT = "patients/dmpm_as1_anti_mda5_adm_poor_risk.json"
#: peak RSS a worker may reach over this whole module
MAX_WORKER_PEAK_KIB = 400 * 1024


@pytest.fixture(scope="module")
def server(start_server: Callable[..., Any]) -> Any:
    return start_server({"CDS_MAX_BODY_BYTES": str(CAP), "CDS_RELIABILITY_SUITE": "hostile"})


def outcome(r: requests.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, f"{r.status_code}: {r.text[:300]}"
    assert r.headers["Content-Type"].startswith("application/json")
    assert "Traceback" not in r.text and 'File "' not in r.text
    body = r.json()
    assert body["resourceType"] == "OperationOutcome" and body["issue"]
    return body


def padded_request(size: int) -> bytes:
    """A valid patient-view request of exactly ``size`` bytes (padding in an extension)."""
    req = request_for(PV, load_json(PATIENT))
    req["extension"] = {"padding": ""}
    base = len(json.dumps(req, separators=(",", ":")).encode())
    req["extension"]["padding"] = "x" * (size - base)
    raw = json.dumps(req, separators=(",", ":")).encode()
    assert len(raw) == size
    return raw


def test_body_at_the_cap_is_evaluated(server: Any) -> None:
    assert_valid_response(post_hook(server, PV, padded_request(CAP)))


def test_body_one_byte_over_the_cap_is_413(server: Any) -> None:
    outcome(post_hook(server, PV, padded_request(CAP + 1)), 413)


def test_chunked_body_over_the_cap_is_413(server: Any) -> None:
    outcome(post_hook_chunked(server, PV, padded_request(CAP + 100_000), 65536), 413)


def test_a_content_length_far_over_the_cap_is_refused_before_reading(server: Any) -> None:
    """Content-Length of 10 GB, no body sent: 413 at once (the server does not wait)."""
    url = urlsplit(server.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        s.sendall(
            f"POST /cds-services/{PV} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {10 * 1024**3}\r\nConnection: close\r\n\r\n".encode()
        )
        head = s.recv(65536).decode("latin-1")
    assert head.startswith("HTTP/1.1 413"), head[:200]


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"[" * 100_000, id="100k-arrays"),
        pytest.param(b'{"a":' * 100_000, id="100k-objects"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="100k-arrays-closed"),
        pytest.param(b"\xff\xfe{}", id="invalid-utf8"),
        pytest.param(b'{"hook": "patient-view", "x": "\xc3\x28"}', id="invalid-utf8-in-string"),
        pytest.param(b'{"hook":"patient-view","hook":"order-sign"}', id="duplicate-keys"),
        pytest.param(b'{"a": NaN}', id="nan-literal"),
        pytest.param(b'{"a": Infinity}', id="infinity-literal"),
        pytest.param(b'{"a": 1e400}', id="float-overflow"),
        pytest.param(b'{"a": 123456789012345678901234567890}', id="huge-integer"),
        pytest.param(b"", id="empty"),
        pytest.param(b"   ", id="whitespace"),
        pytest.param(b"null", id="null"),
        pytest.param(b"[]", id="array"),
        pytest.param(b'"text"', id="string"),
        pytest.param(b"\x00" * 1000, id="nul-bytes"),
        pytest.param(b'{"hook": "patient-view"', id="truncated"),
        pytest.param("\ufeff{}".encode(), id="bom"),
    ],
)
def test_malformed_bodies_are_400(server: Any, raw: bytes) -> None:
    for service in (PV, SIGN):
        outcome(post_hook(server, service, raw), 400)
    r = requests.post(
        f"{server.base_url}/cds-services/{PV}/feedback",
        data=raw,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    outcome(r, 400)


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "application/jsonx",
        "image/png",
    ],
)
def test_wrong_content_types_are_415(server: Any, content_type: str | None) -> None:
    raw = json.dumps(request_for(PV, load_json(PATIENT))).encode()
    headers = {"Content-Type": content_type} if content_type else {}
    for path in (f"/cds-services/{PV}", f"/cds-services/{PV}/feedback"):
        r = requests.post(f"{server.base_url}{path}", data=raw, headers=headers, timeout=30)
        outcome(r, 415)


DEEP_MARK = "__deep_value__"


def with_deep_value(req: dict[str, Any], depth: int) -> bytes:
    """The request as JSON text with ``DEEP_MARK`` replaced by ``depth`` levels of
    ``{"a": [...]}`` (built as text: Python's encoders stop far earlier)."""
    deep = '{"a":[' * depth + '"deep"' + "]}" * depth
    return json.dumps(req).replace(f'"{DEEP_MARK}"', deep).encode()


@pytest.mark.parametrize("depth", [200, 500])
@pytest.mark.parametrize("where", ["extension", "context", "prefetch-value", "draft-resource"])
def test_deep_nesting_inside_a_valid_request(server: Any, where: str, depth: int) -> None:
    """``depth`` levels of ``{"a": [...]}`` (2 x depth JSON containers, near the parser's
    recursion limit) where the schema lets anything in: evaluated or refused with 400, never
    500."""
    req = request_for(SIGN, load_json(PATIENT))
    deep = DEEP_MARK
    if where == "extension":
        req["extension"] = deep
    elif where == "context":
        req["context"]["deep"] = deep
    elif where == "prefetch-value":
        req["prefetch"]["labs"]["entry"][0]["resource"]["valueQuantity"] = deep
    else:
        req["context"]["draftOrders"]["entry"] = [
            {
                "resource": {
                    "resourceType": "MedicationRequest",
                    "id": "d1",
                    "status": "draft",
                    "intent": "order",
                    "subject": {"reference": "Patient/as1-adm"},
                    "dosageInstruction": [deep],
                }
            }
        ]
    r = post_hook(server, SIGN, with_deep_value(req, depth))
    assert r.status_code in (200, 400), r.text[:300]
    if r.status_code == 200:
        assert_valid_response(r)
    else:
        outcome(r, 400)


def draft(i: int, text: str = "pred") -> dict[str, Any]:
    return {
        "resource": {
            "resourceType": "MedicationRequest",
            "id": f"draft-{i}",
            "status": "draft",
            "intent": "order",
            "subject": {"reference": "Patient/as1-adm"},
            "medicationCodeableConcept": {
                "coding": [
                    {
                        "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                        "code": "8638",
                        "display": "prednisolone",
                    }
                ],
                "text": text,
            },
            "dosageInstruction": [
                {
                    "text": text,
                    "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
                    "doseAndRate": [
                        {
                            "doseQuantity": {
                                "value": 60,
                                "unit": "mg",
                                "system": "http://unitsofmeasure.org",
                                "code": "mg",
                            }
                        }
                    ],
                }
            ],
        }
    }


def test_ten_thousand_draft_orders(server: Any) -> None:
    drafts = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [draft(i) for i in range(10_000)],
    }
    req = request_for(SIGN, load_json(PATIENT), draft_orders=drafts)
    raw = json.dumps(req, separators=(",", ":")).encode()
    assert len(raw) < CAP
    r = post_hook(server, SIGN, raw)
    assert_valid_response(r)
    assert len(r.content) < 1024 * 1024, "one card per topic, not one per order"


HUGE = "Ω" * 30_000  # 60 kB of UTF-8 in one string (copied into 4 prefetch keys)


def test_huge_strings_in_summary_bearing_fields(server: Any) -> None:
    """Displays and texts that end up in card text: the summary stays one sentence
    (<= 139 characters) and the response stays small."""
    bundle = copy.deepcopy(load_json(PATIENT))
    for e in bundle["entry"]:
        res = e["resource"]
        code = res.get("code")
        if isinstance(code, dict):
            code["text"] = HUGE
            for c in code.get("coding", [])[:1]:
                c["display"] = HUGE[:1000]
        if "valueString" in res:
            res["valueString"] = HUGE
    drafts = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [draft(1, HUGE), draft(2, "cyclophosphamide " + HUGE)],
    }
    for service in (PV, SIGN):
        req = request_for(service, bundle, draft_orders=drafts)
        req["context"]["userId"] = "Practitioner/" + "a" * 64
        raw = json.dumps(req, ensure_ascii=False).encode()
        assert len(raw) < CAP
        r = post_hook(server, service, raw)
        assert_valid_response(r)
        assert len(r.content) < 256 * 1024, len(r.content)
        assert HUGE[:1000] not in r.text


def test_huge_strings_in_identifiers_are_400(server: Any) -> None:
    req = request_for(PV, load_json(PATIENT))
    req["hookInstance"] = "h" * 1_000_000
    r = post_hook(server, PV, req)
    assert r.status_code in (200, 400), r.text[:300]
    req = request_for(PV, load_json(PATIENT))
    req["context"]["patientId"] = "p" * 1_000_000
    r = post_hook(server, PV, req)
    assert r.status_code in (400, 412), r.text[:300]
    assert len(r.content) < 64 * 1024, "an error does not echo a huge value"


def test_feedback_with_a_huge_comment_and_many_items(server: Any) -> None:
    item = {
        "card": str(uuid.uuid4()),
        "outcome": "overridden",
        "outcomeTimestamp": "2026-11-21T10:00:00Z",
        "overrideReason": {
            "reason": {"code": "not-applicable", "system": "urn:ctd-ild-cds:override-reason"},
            "userComment": HUGE,
        },
    }
    r = requests.post(
        f"{server.base_url}/cds-services/{PV}/feedback", json={"feedback": [item]}, timeout=30
    )
    assert r.status_code in (200, 400), r.text[:300]
    many = [
        dict(
            item,
            card=str(uuid.uuid4()),
            overrideReason={"reason": item["overrideReason"]["reason"]},
        )
        for _ in range(5000)
    ]
    r = requests.post(
        f"{server.base_url}/cds-services/{PV}/feedback", json={"feedback": many}, timeout=60
    )
    assert r.status_code in (200, 400), r.text[:300]


def test_worker_memory_stayed_bounded(server: Any) -> None:
    peaks = {p: status_kib(p, "VmHWM") for p in worker_pids(server.process.pid)}
    figures = ", ".join(f"{k / 1024:.0f} MiB" for k in peaks.values())
    print(f"\nhostile requests: worker peak RSS {figures}")
    assert peaks and max(peaks.values()) < MAX_WORKER_PEAK_KIB, peaks
    r = requests.get(f"{server.base_url}/healthz", timeout=5)
    assert r.status_code == 200
    assert "Traceback" not in server.log_after(r)


WRONG_TYPED_RESOURCES = {
    "resourceType-array": {"resourceType": ["Observation"], "id": "x1"},
    "resourceType-object": {"resourceType": {"a": 1}, "id": "x2"},
    "interpretation-object": {
        "resourceType": "Observation",
        "id": "x3",
        "status": "final",
        "subject": {"reference": "Patient/as1-adm"},
        "code": {"coding": [{"system": "http://loinc.org", "code": "8061-4"}]},
        "effectiveDateTime": "2026-11-01",
        "interpretation": {"coding": True},
        "valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct", "code": []}]},
    },
    "dosage-wrong-types": {
        "resourceType": "MedicationRequest",
        "id": "x4",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/as1-adm"},
        "medicationCodeableConcept": {
            "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "8638"}]
        },
        "dosageInstruction": [
            {
                "sequence": [1],
                "route": {"coding": [{"code": {}}]},
                "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": ["d"]}},
                "doseAndRate": [{"doseQuantity": {"value": -60, "unit": "mg"}}],
            },
            {"sequence": 2, "doseAndRate": [{"doseQuantity": {"value": 1.7e308, "unit": "g"}}]},
        ],
    },
    "quantity-overflow": {
        "resourceType": "Observation",
        "id": "x5",
        "status": "final",
        "subject": {"reference": "Patient/as1-adm"},
        "code": {"coding": [{"system": "http://loinc.org", "code": "2276-4"}]},
        "effectiveDateTime": "2026-11-01",
        "valueQuantity": {"value": 1.7e308, "unit": "pmol/L", "code": "pmol/L"},
    },
}


@pytest.mark.parametrize("name", list(WRONG_TYPED_RESOURCES))
def test_wrong_typed_prefetch_resources_are_read_or_ignored(server: Any, name: str) -> None:
    """Each of these is read or ignored, never an error inside the record builder (a 500)."""
    for service in (PV, SIGN):
        req = request_for(service, load_json(PATIENT))
        req["prefetch"]["labs"]["entry"].append({"resource": WRONG_TYPED_RESOURCES[name]})
        req["prefetch"]["medications"] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"resource": WRONG_TYPED_RESOURCES[name]}],
        }
        assert_valid_response(post_hook(server, service, req))
