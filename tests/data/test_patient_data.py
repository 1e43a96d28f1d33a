"""resolve(): the four prefetch states, template tokens, required vs optional, the deadline."""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from cds_service.errors import DataUnavailable
from cds_service.patient_data import TemplateError, render_template, resolve
from cds_service.services import REGISTRY, Service
from cds_service.settings import Settings

BASE = "http://ehr.test/fhir"
SERVICE = REGISTRY["ctd-ild-patient-view"]
KEYS = [p.key for p in SERVICE.prefetch]
REQUIRED = {p.key for p in SERVICE.prefetch if p.required}
OPTIONAL = [k for k in KEYS if k not in REQUIRED]
CONTEXT = {"patientId": "p1", "userId": "Practitioner/doc-9"}
SETTINGS = Settings(fhir_deadline_ms=2000)


def obs_bundle(*ids: str, next_url: str | None = None) -> dict[str, Any]:
    b: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": {"resourceType": "Observation", "id": i}} for i in ids],
    }
    if next_url:
        b["link"] = [{"relation": "next", "url": next_url}]
    return b


def patient(pid: str = "p1") -> dict[str, Any]:
    return {"resourceType": "Patient", "id": pid}


def full_prefetch() -> dict[str, Any]:
    """Every key present: one resource per key, named for the key."""
    out: dict[str, Any] = {"patient": patient()}
    for key in KEYS:
        if key != "patient":
            out[key] = obs_bundle(f"{key}-1")
    return out


def body(prefetch: dict[str, Any] | None = None, server: bool = True, **extra: Any) -> dict:
    b: dict[str, Any] = {"hook": "patient-view", "hookInstance": "x", "context": dict(CONTEXT)}
    if prefetch is not None:
        b["prefetch"] = prefetch
    if server:
        b["fhirServer"] = BASE
        b["fhirAuthorization"] = {"access_token": "tok", "token_type": "Bearer"}
    b.update(extra)
    return b


def mock_server(rsps: responses.RequestsMock, delay: float = 0.0) -> None:
    """A FHIR server answering every template: Patient/p1 and one resource per query."""

    def search(request: Any) -> tuple[int, dict[str, str], str]:
        if delay:
            time.sleep(delay)
        key = _key_for(request.url)
        return 200, {}, json.dumps(obs_bundle(f"{key}-srv")).encode().decode()

    rsps.add(responses.GET, f"{BASE}/Patient/p1", json=patient())
    rsps.add_callback(responses.GET, re.compile(rf"{re.escape(BASE)}/\w+\?.*"), callback=search)


def _key_for(url: str) -> str:
    """The prefetch key whose rendered template this request URL is."""
    got = urlsplit(url.split("/fhir/", 1)[1])
    for pk in SERVICE.prefetch:
        want = urlsplit(render_template(pk.query, CONTEXT))
        if got.path == want.path and sorted(parse_qsl(got.query)) == sorted(parse_qsl(want.query)):
            return pk.key
    return "unknown"


def reasons(exc: DataUnavailable) -> list[str]:
    """The 'why' of each issue (after "<key> (<what for>): ")."""
    return [issue[1].split("): ", 1)[1] for issue in exc.issues]


def ids(data: Any) -> set[str]:
    return {r["id"] for r in data.resources}


# ------------------------------------------------------------------ templates
def test_templates_use_only_valid_tokens_and_the_recommended_subset() -> None:
    allowed_params = {"patient", "category", "code", "status", "_sort", "_count"}
    for service in REGISTRY.values():
        for pk in service.prefetch:
            tokens = re.findall(r"\{\{([^}]*)\}\}", pk.query)
            assert tokens == ["context.patientId"], pk.key
            path, _, query = pk.query.partition("?")
            if not query:
                assert re.fullmatch(r"[A-Z][A-Za-z]+/\{\{context\.patientId\}\}", path)
                continue
            params = [p.split("=")[0] for p in query.split("&")]
            assert set(params) <= allowed_params, pk.key
            assert "_count" in params, pk.key  # bounded by a page size
            assert "today" not in pk.query


def test_required_keys_are_patient_and_conditions() -> None:
    assert {"patient", "conditions"} == REQUIRED


@pytest.mark.parametrize(
    ("template", "context", "expected"),
    [
        ("Patient/{{context.patientId}}", {"patientId": "p1"}, "Patient/p1"),
        ("X?patient={{ context.patientId }}", {"patientId": "a-b.9"}, "X?patient=a-b.9"),
        ("X?enc={{context.encounterId}}", {"encounterId": 77}, "X?enc=77"),
        ("X?p={{userPractitionerId}}", {"userId": "Practitioner/doc-9"}, "X?p=doc-9"),
        ("X?p={{userPatientId}}", {"userId": "Patient/p1"}, "X?p=p1"),
    ],
)
def test_render_template(template: str, context: dict[str, Any], expected: str) -> None:
    assert render_template(template, context) == expected


@pytest.mark.parametrize(
    ("template", "context"),
    [
        ("Patient/{{context.patientId}}", {}),
        ("Patient/{{context.patientId}}", {"patientId": None}),
        ("Patient/{{context.patientId}}", {"patientId": True}),
        ("Patient/{{context.patientId}}", {"patientId": {"id": "p1"}}),
        ("Patient/{{context.patientId}}", {"patientId": "p1&_count=100000"}),
        ("Patient/{{context.patientId}}", {"patientId": "../Observation"}),
        ("Patient/{{context.patientId}}", {"patientId": "x" * 65}),
        ("X?p={{userPractitionerId}}", {"userId": "Patient/p1"}),
        ("X?d={{today}}", {"patientId": "p1"}),
        ("X?d={{context.draftOrders.entry}}", {"draftOrders": {}}),
    ],
)
def test_render_template_refuses(template: str, context: dict[str, Any]) -> None:
    with pytest.raises(TemplateError):
        render_template(template, context)


# ------------------------------------------------------------------ the four states
def test_all_present_uses_prefetch_and_makes_no_request() -> None:
    with responses.RequestsMock() as rsps:  # any request would fail the test
        data = resolve(SERVICE, body(full_prefetch()), SETTINGS)
        assert len(rsps.calls) == 0
    assert ids(data) == {"p1"} | {f"{k}-1" for k in KEYS if k != "patient"}
    assert data.unavailable == {}


def test_present_prefetch_is_passed_by_reference_not_copied() -> None:
    pre = full_prefetch()
    data = resolve(SERVICE, body(pre, server=False), SETTINGS)
    assert any(r is pre["labs"]["entry"][0]["resource"] for r in data.resources)


def test_all_absent_fetches_every_key_with_the_token() -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_server(rsps)
        data = resolve(SERVICE, body(None), SETTINGS)
        assert len(rsps.calls) == len(KEYS)
        assert all(c.request.headers["Authorization"] == "Bearer tok" for c in rsps.calls)
    assert ids(data) == {"p1"} | {f"{k}-srv" for k in KEYS if k != "patient"}
    assert data.unavailable == {}


def test_mixed_fetches_only_the_absent_keys() -> None:
    pre = {k: v for k, v in full_prefetch().items() if k in ("patient", "conditions", "labs")}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_server(rsps)
        data = resolve(SERVICE, body(pre), SETTINGS)
        fetched = {_key_for(c.request.url) for c in rsps.calls}
    assert fetched == set(KEYS) - {"patient", "conditions", "labs"}
    assert {"conditions-1", "labs-1", "respiratory-srv", "medications-srv"} <= ids(data)


def test_null_means_no_data_and_is_not_refetched() -> None:
    pre = full_prefetch()
    pre["labs"] = None
    pre["conditions"] = None  # required, but null is an answer: the patient has none
    with responses.RequestsMock() as rsps:
        data = resolve(SERVICE, body(pre), SETTINGS)
        assert len(rsps.calls) == 0
    assert "labs-1" not in ids(data) and "conditions-1" not in ids(data)
    assert data.unavailable == {}


@pytest.mark.parametrize(
    "bad",
    [
        {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "timeout"}]},
        "not a resource",
        [1, 2],
        {"no": "resourceType"},
    ],
)
def test_error_prefetch_is_refetched(bad: Any) -> None:
    pre = full_prefetch()
    pre["labs"] = bad
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_server(rsps)
        data = resolve(SERVICE, body(pre), SETTINGS)
        assert [_key_for(c.request.url) for c in rsps.calls] == ["labs"]
    assert "labs-srv" in ids(data)
    assert data.unavailable == {}


def test_error_prefetch_without_server_optional_is_unavailable() -> None:
    pre = full_prefetch()
    pre["labs"] = {"resourceType": "OperationOutcome", "issue": [{"severity": "error"}]}
    data = resolve(SERVICE, body(pre, server=False), SETTINGS)
    assert data.unavailable == {
        "labs": "the CDS client reported an error for this prefetch; no fhirServer in the request"
    }
    assert "respiratory-1" in ids(data)


def test_error_prefetch_without_server_required_is_412() -> None:
    pre = full_prefetch()
    pre["conditions"] = {"resourceType": "OperationOutcome", "issue": [{"severity": "fatal"}]}
    with pytest.raises(DataUnavailable) as err:
        resolve(SERVICE, body(pre, server=False), SETTINGS)
    [(what, why)] = err.value.issues
    assert what == "$.prefetch.conditions"
    assert "reported an error" in why and "no fhirServer" in why


def test_nothing_and_no_server_is_412_naming_the_required_keys() -> None:
    with pytest.raises(DataUnavailable) as err:
        resolve(SERVICE, body(None, server=False), SETTINGS)
    assert [w for w, _ in err.value.issues] == ["$.prefetch.patient", "$.prefetch.conditions"]
    assert set(reasons(err.value)) == {"not prefetched; no fhirServer in the request"}


def test_bundle_with_error_outcome_entry_is_refetched_else_kept_as_incomplete() -> None:
    pre = full_prefetch()
    pre["labs"]["entry"].append(
        {"resource": {"resourceType": "OperationOutcome", "issue": [{"severity": "error"}]}}
    )
    data = resolve(SERVICE, body(pre, server=False), SETTINGS)
    assert "labs-1" in ids(data)
    assert data.unavailable["labs"].startswith("incomplete: the CDS client reported an error")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_server(rsps)
        data = resolve(SERVICE, body(pre), SETTINGS)
    assert "labs-srv" in ids(data) and "labs-1" not in ids(data)
    assert data.unavailable == {}


def test_paginated_prefetch_follows_next_on_the_fhir_server() -> None:
    pre = full_prefetch()
    pre["labs"] = obs_bundle("l1", "l2", next_url=f"{BASE}/Observation?page=2")
    with responses.RequestsMock() as rsps:
        rsps.get(f"{BASE}/Observation?page=2", json=obs_bundle("l3"))
        data = resolve(SERVICE, body(pre), SETTINGS)
        assert rsps.calls[0].request.headers["Authorization"] == "Bearer tok"
    assert {"l1", "l2", "l3"} <= ids(data)
    assert data.unavailable == {}


def test_paginated_prefetch_without_server_keeps_first_page_as_incomplete() -> None:
    pre = full_prefetch()
    pre["labs"] = obs_bundle("l1", next_url=f"{BASE}/Observation?page=2")
    data = resolve(SERVICE, body(pre, server=False), SETTINGS)
    assert "l1" in ids(data)
    assert data.unavailable["labs"].startswith("incomplete: paginated prefetch")


def test_paginated_prefetch_next_page_fails_keeps_first_page() -> None:
    pre = full_prefetch()
    pre["labs"] = obs_bundle("l1", next_url=f"{BASE}/Observation?page=2")
    with responses.RequestsMock() as rsps:
        rsps.get(f"{BASE}/Observation?page=2", status=500)
        data = resolve(SERVICE, body(pre), SETTINGS)
    assert "l1" in ids(data)
    reason = "incomplete: a later page failed: FHIR server error (HTTP 500)"
    assert data.unavailable["labs"] == reason


@pytest.mark.parametrize(
    "pre_patient",
    [patient("someone-else"), {"resourceType": "Practitioner", "id": "p1"},
     {"resourceType": "Bundle", "entry": []}],
)  # fmt: skip
def test_prefetched_patient_not_matching_its_template_is_refetched(pre_patient: Any) -> None:
    pre = full_prefetch()
    pre["patient"] = pre_patient
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_server(rsps)
        data = resolve(SERVICE, body(pre), SETTINGS)
        assert [c.request.url for c in rsps.calls] == [f"{BASE}/Patient/p1"]
    assert "someone-else" not in ids(data) and "p1" in ids(data)


def test_patient_prefetched_as_a_searchset_is_accepted() -> None:
    pre = full_prefetch()
    pre["patient"] = {"resourceType": "Bundle", "entry": [{"resource": patient()}]}
    data = resolve(SERVICE, body(pre, server=False), SETTINGS)
    assert "p1" in ids(data)


def test_search_key_answered_with_a_single_resource_is_refetched() -> None:
    pre = full_prefetch()
    pre["labs"] = {"resourceType": "Observation", "id": "lonely"}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_server(rsps)
        data = resolve(SERVICE, body(pre), SETTINGS)
    assert "labs-srv" in ids(data) and "lonely" not in ids(data)


def test_a_resource_answering_two_queries_appears_once() -> None:
    pre = full_prefetch()
    pre["labs"] = obs_bundle("pao2", "ferritin")
    pre["respiratory"] = obs_bundle("pao2", "fvc")
    data = resolve(SERVICE, body(pre, server=False), SETTINGS)
    assert [r["id"] for r in data.resources].count("pao2") == 1


def test_prefetch_not_an_object_counts_as_absent() -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_server(rsps)
        b = body(None)
        b["prefetch"] = ["x"]
        data = resolve(SERVICE, b, SETTINGS)
    assert "p1" in ids(data)


def test_missing_patient_id_cannot_fetch() -> None:
    b = body(None)
    b["context"] = {}
    with pytest.raises(DataUnavailable) as err:
        resolve(SERVICE, b, SETTINGS)
    assert all("cannot fetch" in why for _, why in err.value.issues)


# ------------------------------------------------------------------ FHIR server failures
@pytest.mark.parametrize("status", [401, 403])
def test_auth_refused_is_412_for_required_data(status: int) -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, re.compile(rf"{re.escape(BASE)}/.*"), status=status)
        with pytest.raises(DataUnavailable) as err:
            resolve(SERVICE, body(None), SETTINGS)
    assert {i[0] for i in err.value.issues} == {f"$.prefetch.{k}" for k in REQUIRED}
    assert set(reasons(err.value)) == {f"FHIR server refused access (HTTP {status})"}
    # the OperationOutcome issue code says which refusal it was
    assert {i[2] for i in err.value.issues} == {"security" if status == 401 else "forbidden"}


def test_optional_failures_are_named_and_evaluation_goes_on() -> None:
    pre = {k: v for k, v in full_prefetch().items() if k in REQUIRED}
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, re.compile(rf"{re.escape(BASE)}/Observation.*"), status=403)
        rsps.add(responses.GET, re.compile(rf"{re.escape(BASE)}/Diag.*"), body=b"{trunc")
        rsps.add(responses.GET, re.compile(rf"{re.escape(BASE)}/Medication.*"), status=404)
        data = resolve(SERVICE, body(pre), SETTINGS)
    assert ids(data) == {"p1", "conditions-1"}
    assert set(data.unavailable) == set(OPTIONAL)
    assert data.unavailable["labs"] == "FHIR server refused access (HTTP 403)"
    assert "not valid JSON" in data.unavailable["imaging_reports"]
    assert data.unavailable["medications"] == "not found on the FHIR server (HTTP 404)"


@pytest.mark.parametrize(
    "server", ["file:///etc/fhir", "ftp://ehr.test/fhir", "javascript:alert(1)", 42]
)
def test_non_http_fhir_server_is_refused_and_never_called(server: object) -> None:
    b = body(None)
    b["fhirServer"] = server
    with responses.RequestsMock() as rsps, pytest.raises(DataUnavailable) as err:
        resolve(SERVICE, b, SETTINGS)
    assert len(rsps.calls) == 0
    assert all("not an http(s) URL" in why for _, why in err.value.issues)


def test_no_token_fetches_without_authorization() -> None:
    b = body(None)
    del b["fhirAuthorization"]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_server(rsps)
        resolve(SERVICE, b, SETTINGS)
        assert all("Authorization" not in c.request.headers for c in rsps.calls)


# ------------------------------------------------------------------ parallelism and deadline
def test_queries_run_in_parallel() -> None:
    delay = 0.15
    active = 0
    peak = 0
    lock = threading.Lock()

    def slow(request: Any) -> tuple[int, dict[str, str], str]:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(delay)
        with lock:
            active -= 1
        return 200, {}, '{"resourceType": "Bundle", "type": "searchset"}'

    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, f"{BASE}/Patient/p1", json=patient())
        rsps.add_callback(responses.GET, re.compile(rf"{re.escape(BASE)}/\w+\?.*"), callback=slow)
        started = time.monotonic()
        resolve(SERVICE, body(None), SETTINGS)
        elapsed = time.monotonic() - started
    searches = len(KEYS) - 1
    assert peak >= 4
    assert elapsed < delay * searches / 2  # near the slowest, far from the sum


def test_deadline_is_honoured_optional_slow_is_unavailable() -> None:
    pre = {k: v for k, v in full_prefetch().items() if k in REQUIRED}
    settings = Settings(fhir_deadline_ms=200)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_server(rsps, delay=0.6)
        started = time.monotonic()
        data = resolve(SERVICE, body(pre), settings)
        elapsed = time.monotonic() - started
    assert elapsed < 0.35
    assert set(data.unavailable) == set(OPTIONAL)
    assert all("deadline passed" in why for why in data.unavailable.values())


def test_deadline_passed_for_required_data_is_412() -> None:
    settings = Settings(fhir_deadline_ms=150)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_server(rsps, delay=0.6)
        started = time.monotonic()
        with pytest.raises(DataUnavailable) as err:
            resolve(SERVICE, body({"patient": patient()}), settings)
        elapsed = time.monotonic() - started
    assert elapsed < 0.3
    [(what, why)] = err.value.issues
    assert what == "$.prefetch.conditions" and "deadline passed" in why


def test_service_without_prefetch_resolves_to_nothing() -> None:
    bare = Service("x", "patient-view", "t", "d", "u")
    assert resolve(bare, body(None, server=False), SETTINGS).resources == []


def test_logs_carry_neither_token_nor_patient_id(caplog: pytest.LogCaptureFixture) -> None:
    b = body(None)
    b["context"]["patientId"] = "pat-4711"
    b["fhirAuthorization"]["access_token"] = "tok-secret-123"
    with responses.RequestsMock() as rsps, caplog.at_level("DEBUG"):
        rsps.add(responses.GET, re.compile(rf"{re.escape(BASE)}/Patient/.*"), status=401)
        rsps.add(responses.GET, re.compile(rf"{re.escape(BASE)}/\w+\?.*"), status=500)
        with pytest.raises(DataUnavailable) as err:
            resolve(SERVICE, b, SETTINGS)
    assert caplog.records  # failures are logged...
    for text in (caplog.text, str(err.value)):  # ...without the secrets
        assert "tok-secret-123" not in text and "pat-4711" not in text
