"""FhirClient against mocked HTTP (responses): paging, caps, retries, errors, auth header."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
import requests
import responses

from cds_service.fhir_client import (
    Deadline,
    FhirClient,
    FhirError,
    Limits,
    check_base_url,
    retry_after_seconds,
)

BASE = "http://ehr.test/fhir"


def bundle(ids: list[str], next_url: str | None = None, extra: list[Any] | None = None) -> dict:
    b: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": {"resourceType": "Observation", "id": i}} for i in ids]
        + (extra or []),
    }
    if next_url:
        b["link"] = [{"relation": "self", "url": "x"}, {"relation": "next", "url": next_url}]
    return b


def client(token: str | None = "tok", seconds: float = 2.0, **limits: Any) -> FhirClient:
    return FhirClient(BASE, token, Deadline(seconds), Limits(**limits))


def ids(result: Any) -> list[str]:
    return [r["id"] for r in result.resources]


# ------------------------------------------------------------------ reads and auth header
@responses.activate
def test_read_sends_bearer_token_only_when_given() -> None:
    responses.get(f"{BASE}/Patient/p1", json={"resourceType": "Patient", "id": "p1"})
    assert ids(client("tok").fetch("Patient/p1")) == ["p1"]
    assert ids(client(None).fetch("Patient/p1")) == ["p1"]
    with_token, without = responses.calls[0].request, responses.calls[1].request
    assert with_token.headers["Authorization"] == "Bearer tok"
    assert "Authorization" not in without.headers
    assert with_token.headers["Accept"] == "application/fhir+json"


@responses.activate
@pytest.mark.parametrize(
    "next_url", ["http://elsewhere.test/fhir/page2", "https://ehr.test/fhir/page2",
                 "http://ehr.test/other/page2", "http://ehr.test:8080/fhir/page2"],
)  # fmt: skip
def test_next_link_outside_the_fhir_server_is_not_followed(next_url: str) -> None:
    responses.get(f"{BASE}/Observation", json=bundle(["a"], next_url))
    result = client("tok").fetch("Observation")
    assert ids(result) == ["a"]
    assert result.incomplete == "a next link outside fhirServer was not followed"
    assert len(responses.calls) == 1


@responses.activate
def test_token_is_sent_on_every_page_under_the_base() -> None:
    responses.get(f"{BASE}/Observation", json=bundle(["a"], f"{BASE}/page2"))
    responses.get(f"{BASE}/page2", json=bundle(["b"]))
    assert ids(client("tok").fetch("Observation")) == ["a", "b"]
    assert [c.request.headers["Authorization"] for c in responses.calls] == ["Bearer tok"] * 2


def test_repr_hides_token() -> None:
    assert "tok-secret" not in repr(FhirClient(BASE, "tok-secret", Deadline(1)))


@pytest.mark.parametrize(
    "url",
    ["ftp://ehr.test/fhir", "file:///etc/passwd", "ehr.test/fhir", "", None, 42,
     "https://user:pw@ehr.test/fhir"],
)  # fmt: skip
def test_non_http_fhir_server_is_refused(url: object) -> None:
    with pytest.raises(ValueError):
        check_base_url(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/fhir/", "https://ehr.test/r4"])
def test_http_and_https_fhir_servers_are_accepted(url: str) -> None:
    assert check_base_url(url) == url.rstrip("/")


# ------------------------------------------------------------------ paging
@responses.activate
def test_follows_next_links_until_the_last_page() -> None:
    responses.get(f"{BASE}/Observation", json=bundle(["a", "b"], f"{BASE}/p?page=2"))
    responses.get(f"{BASE}/p?page=2", json=bundle(["c"], f"{BASE}/p?page=3"))
    responses.get(f"{BASE}/p?page=3", json=bundle(["d"]))
    result = client().fetch("Observation")
    assert ids(result) == ["a", "b", "c", "d"]
    assert result.incomplete is None


@responses.activate
def test_relative_next_link_is_resolved_against_the_base() -> None:
    responses.get(f"{BASE}/Observation", json=bundle(["a"], "Observation?page=2"))
    responses.get(f"{BASE}/Observation?page=2", json=bundle(["b"]))
    assert ids(client().fetch("Observation")) == ["a", "b"]


@responses.activate
def test_next_link_loop_stops_and_marks_incomplete() -> None:
    responses.get(f"{BASE}/Observation", json=bundle(["a"], f"{BASE}/p?page=2"))
    responses.get(f"{BASE}/p?page=2", json=bundle(["b"], f"{BASE}/p?page=2"))
    result = client().fetch("Observation")
    assert ids(result) == ["a", "b"]
    assert result.incomplete is not None and "loop" in result.incomplete
    assert len(responses.calls) == 2


@responses.activate
@pytest.mark.parametrize(("max_pages", "expected_calls", "complete"), [(2, 2, False), (3, 3, True)])
def test_page_cap(max_pages: int, expected_calls: int, complete: bool) -> None:
    responses.get(f"{BASE}/Observation", json=bundle(["a"], f"{BASE}/p?page=2"))
    responses.get(f"{BASE}/p?page=2", json=bundle(["b"], f"{BASE}/p?page=3"))
    responses.get(f"{BASE}/p?page=3", json=bundle(["c"]))
    result = client(max_pages=max_pages).fetch("Observation")
    assert len(responses.calls) == expected_calls
    assert (result.incomplete is None) is complete
    if not complete:
        assert f"cap of {max_pages} pages" in (result.incomplete or "")


@responses.activate
@pytest.mark.parametrize(
    ("max_resources", "kept", "complete"),
    [(2, ["a", "b"], False), (3, ["a", "b", "c"], False), (4, ["a", "b", "c", "d"], True)],
)
def test_resource_cap(max_resources: int, kept: list[str], complete: bool) -> None:
    responses.get(f"{BASE}/Observation", json=bundle(["a", "b", "c"], f"{BASE}/p?page=2"))
    responses.get(f"{BASE}/p?page=2", json=bundle(["d"]))
    result = client(max_resources=max_resources).fetch("Observation")
    assert ids(result) == kept
    assert (result.incomplete is None) is complete


@responses.activate
def test_failing_later_page_keeps_earlier_pages_and_says_incomplete() -> None:
    responses.get(f"{BASE}/Observation", json=bundle(["a"], f"{BASE}/p?page=2"))
    responses.get(f"{BASE}/p?page=2", status=500)
    result = client().fetch("Observation")
    assert ids(result) == ["a"]
    assert result.incomplete == "a later page failed: FHIR server error (HTTP 500)"


@responses.activate
def test_later_page_that_is_not_a_bundle_is_incomplete() -> None:
    responses.get(f"{BASE}/Observation", json=bundle(["a"], f"{BASE}/p?page=2"))
    responses.get(f"{BASE}/p?page=2", json={"resourceType": "Patient", "id": "x"})
    result = client().fetch("Observation")
    assert ids(result) == ["a"] and result.incomplete == "a later page was not a Bundle"


# ------------------------------------------------------------------ OperationOutcome entries
@responses.activate
@pytest.mark.parametrize(
    ("severity", "incomplete"), [("warning", False), ("information", False), ("error", True),
                                 ("fatal", True)],
)  # fmt: skip
def test_bundle_with_operation_outcome_entry(severity: str, incomplete: bool) -> None:
    oo = {
        "resource": {"resourceType": "OperationOutcome", "issue": [{"severity": severity}]},
        "search": {"mode": "outcome"},
    }
    responses.get(f"{BASE}/Observation", json=bundle(["a"], extra=[oo]))
    result = client().fetch("Observation")
    assert ids(result) == ["a"]  # the outcome is never passed on as data
    assert (result.incomplete is not None) is incomplete


@responses.activate
def test_bundle_entries_without_resource_objects_are_skipped() -> None:
    responses.get(
        f"{BASE}/Observation",
        json=bundle(["a"], extra=[{}, {"resource": "x"}, "junk", {"resource": None}]),
    )
    assert ids(client().fetch("Observation")) == ["a"]


@responses.activate
def test_top_level_operation_outcome_is_an_error() -> None:
    responses.get(f"{BASE}/Observation", json={"resourceType": "OperationOutcome", "issue": []})
    with pytest.raises(FhirError, match="OperationOutcome"):
        client().fetch("Observation")


# ------------------------------------------------------------------ HTTP errors
@responses.activate
@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (401, "FHIR server refused access (HTTP 401)"),
        (403, "FHIR server refused access (HTTP 403)"),
        (404, "not found on the FHIR server (HTTP 404)"),
        (500, "FHIR server error (HTTP 500)"),
        (400, "FHIR server error (HTTP 400)"),
        (302, "FHIR server redirected (HTTP 302); not followed"),
    ],
)
def test_http_errors_are_fhir_errors(status: int, reason: str) -> None:
    responses.get(
        f"{BASE}/Patient/p1",
        status=status,
        json={"resourceType": "OperationOutcome"},
        headers={"Location": "http://evil.test/"},
    )
    with pytest.raises(FhirError) as err:
        client().fetch("Patient/p1")
    assert err.value.reason == reason
    assert err.value.status == status
    assert len(responses.calls) == 1  # never retried, never redirected


@responses.activate
@pytest.mark.parametrize(
    "body",
    [b'{"resourceType": "Bundle", "entry": [', b"<html>oops</html>", b"", b"[1, 2]",
     b'{"no": "type"}', b'{"resourceType": "Bundle"'],
)  # fmt: skip
def test_malformed_or_truncated_json_is_an_error(body: bytes) -> None:
    responses.get(f"{BASE}/Observation", body=body, content_type="application/fhir+json")
    with pytest.raises(FhirError, match="not valid JSON|not a FHIR resource"):
        client().fetch("Observation")


@responses.activate
@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (requests.ReadTimeout("slow"), "FHIR server timed out"),
        (requests.ConnectTimeout("slow"), "FHIR server unreachable (connect timed out)"),
        (requests.exceptions.ChunkedEncodingError("cut"), "FHIR response truncated or corrupt"),
        (requests.ConnectionError("refused"), "FHIR server unreachable"),
    ],
)
def test_transport_failures_are_fhir_errors(exc: Exception, reason: str) -> None:
    responses.get(f"{BASE}/Observation", body=exc)
    with pytest.raises(FhirError) as err:
        client(max_retries=0).fetch("Observation")
    assert err.value.reason == reason


# ------------------------------------------------------------------ retries
@responses.activate
@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_retries_on_transient_statuses_then_succeeds(status: int) -> None:
    responses.get(f"{BASE}/Observation", status=status)
    responses.get(f"{BASE}/Observation", json=bundle(["a"]))
    assert ids(client(max_retries=2).fetch("Observation")) == ["a"]
    assert len(responses.calls) == 2


@responses.activate
def test_retries_are_bounded() -> None:
    responses.get(f"{BASE}/Observation", status=503)
    with pytest.raises(FhirError, match=r"busy or unavailable \(HTTP 503\)"):
        client(max_retries=2).fetch("Observation")
    assert len(responses.calls) == 3  # the first try + 2 retries


@responses.activate
def test_connection_failure_is_retried() -> None:
    responses.get(f"{BASE}/Observation", body=requests.ConnectionError("refused"))
    responses.get(f"{BASE}/Observation", json=bundle(["a"]))
    assert ids(client(max_retries=1).fetch("Observation")) == ["a"]


@responses.activate
def test_retry_after_is_honoured() -> None:
    responses.get(f"{BASE}/Observation", status=429, headers={"Retry-After": "1"})
    responses.get(f"{BASE}/Observation", json=bundle(["a"]))
    started = time.monotonic()
    assert ids(client(seconds=3.0).fetch("Observation")) == ["a"]
    assert time.monotonic() - started >= 0.95


@responses.activate
def test_retry_after_beyond_the_deadline_fails_at_once() -> None:
    responses.get(f"{BASE}/Observation", status=503, headers={"Retry-After": "30"})
    started = time.monotonic()
    with pytest.raises(FhirError, match="HTTP 503"):
        client(seconds=0.5).fetch("Observation")
    assert time.monotonic() - started < 0.2
    assert len(responses.calls) == 1


@responses.activate
def test_nothing_is_sent_after_the_deadline() -> None:
    responses.get(f"{BASE}/Observation", json=bundle(["a"]))
    with pytest.raises(FhirError, match="deadline passed"):
        client(seconds=0.0).fetch("Observation")
    assert len(responses.calls) == 0


@pytest.mark.parametrize(("header", "low", "high"), [("5", 5.0, 5.0), ("0", 0.0, 0.0)])
def test_retry_after_parsing_seconds(header: str, low: float, high: float) -> None:
    value = retry_after_seconds(header)
    assert value is not None and low <= value <= high


@pytest.mark.parametrize(("offset", "low", "high"), [(20, 15.0, 21.0), (-20, 0.0, 0.0)])
def test_retry_after_parsing_http_date(offset: int, low: float, high: float) -> None:
    # the date is made when the test runs, not at collection (which may be seconds earlier)
    header = format_datetime(datetime.now(UTC) + timedelta(seconds=offset), usegmt=True)
    value = retry_after_seconds(header)
    assert value is not None and low <= value <= high


@pytest.mark.parametrize("header", [None, "", "soon", "-3", "1.5x"])
def test_unreadable_retry_after_is_none(header: str | None) -> None:
    assert retry_after_seconds(header) is None


@responses.activate
def test_large_page_parses() -> None:
    big = bundle([f"o{i}" for i in range(300)])
    responses.get(f"{BASE}/Observation", body=json.dumps(big).encode())
    assert len(client().fetch("Observation").resources) == 300
