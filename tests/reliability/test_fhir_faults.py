"""Fault injection: the service fetches patient data from a misbehaving FHIR server.

Every call goes through the real HTTP server (gunicorn, 2 workers), omits prefetch and points
``fhirServer`` at the fake server (``fake_fhir.py``), whose path picks the fault. Each fault
must give, in bounded time, either 412 naming the required data it could not get, or 200
cards with the data gap stated in ``unavailable`` terms; never a hang, a 500 or a stack trace.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from cds_service.services import REGISTRY
from tests.support import assert_valid_response, fallback_request, post_hook

from .conftest import status_kib, worker_pids
from .fake_fhir import OTHER_PATIENT_ID, PATIENT_ID, FakeFhir

pytestmark = pytest.mark.e2e

PV = "ctd-ild-patient-view"
QUERIES = len(REGISTRY[PV].prefetch)  # one FHIR query per prefetch key
#: deadline 400 ms + evaluation + a loaded 2-core machine
BOUND_S = 2.5

#: faults that leave no usable Patient/Condition data: always 412
NO_DATA_FAULTS = [
    "slow",
    "drip",
    "reset",
    "500",
    "502",
    "503",
    "502-retry-after",
    "503-retry-after-date",
    "503-retry-after-0",
    "401",
    "truncated",
    "non-json",
    "json-not-fhir",
    "operation-outcome",
    "wrong-patient",
]
#: faults that still deliver the data (partial): 200, the key reported incomplete
PARTIAL_FAULTS = ["loop-self", "loop-forever"]


def hook(fhir_server: str, token: str | None = None) -> dict[str, Any]:
    return fallback_request(fhir_server, PATIENT_ID, token or None)


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    out = call()
    return out, time.monotonic() - started


def assert_clean_412(r: Any) -> list[str]:
    assert r.status_code == 412, r.text[:500]
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["resourceType"] == "OperationOutcome"
    where = [i["expression"][0] for i in body["issue"]]
    assert set(where) <= {"$.prefetch.patient", "$.prefetch.conditions"} and where
    assert "Traceback" not in r.text
    return [i["diagnostics"] for i in body["issue"]]


def test_the_fake_server_answers_normally(live_server: Any, fake_fhir_server: FakeFhir) -> None:
    r, elapsed = timed(lambda: post_hook(live_server, PV, hook(fake_fhir_server.url("ok"))))
    assert_valid_response(r)
    assert r.json()["cards"], "the reference patient gets cards when the server behaves"
    assert elapsed < BOUND_S


@pytest.mark.parametrize("fault", NO_DATA_FAULTS)
def test_fault_on_every_query_is_a_prompt_412(
    live_server: Any, fake_fhir_server: FakeFhir, fault: str
) -> None:
    r, elapsed = timed(lambda: post_hook(live_server, PV, hook(fake_fhir_server.url(fault))))
    assert elapsed < BOUND_S, f"{fault}: {elapsed:.2f} s"
    reasons = assert_clean_412(r)
    assert all(OTHER_PATIENT_ID not in x and "127.0.0.1" not in x for x in reasons)


@pytest.mark.parametrize("fault", NO_DATA_FAULTS)
def test_fault_on_optional_queries_gives_cards_naming_the_gap(
    live_server: Any, fake_fhir_server: FakeFhir, fault: str
) -> None:
    r, elapsed = timed(
        lambda: post_hook(live_server, PV, hook(fake_fhir_server.url(fault, "optional")))
    )
    assert elapsed < BOUND_S, f"{fault}: {elapsed:.2f} s"
    assert_valid_response(r)
    cards = r.json()["cards"]
    if fault == "wrong-patient":
        # the other patient's results are dropped by the record builder, never used
        assert OTHER_PATIENT_ID not in r.text
        return
    for card in cards:
        assert "unavailable for this call" in card.get("detail", ""), card["summary"]


@pytest.mark.parametrize("fault", PARTIAL_FAULTS)
def test_paging_loops_end_within_the_caps(
    live_server: Any, fake_fhir_server: FakeFhir, fault: str
) -> None:
    before = fake_fhir_server.requests[fault]
    r, elapsed = timed(lambda: post_hook(live_server, PV, hook(fake_fhir_server.url(fault))))
    assert elapsed < BOUND_S
    if r.status_code == 412:  # the deadline passed while paging the required data
        assert_clean_412(r)
    else:
        assert_valid_response(r)
    made = fake_fhir_server.requests[fault] - before
    # at most CDS_FHIR_MAX_PAGES (10) pages per query
    assert made <= QUERIES * 10, made


def test_retries_are_bounded(live_server: Any, fake_fhir_server: FakeFhir) -> None:
    before = fake_fhir_server.requests["503"]
    post_hook(live_server, PV, hook(fake_fhir_server.url("503")))
    made = fake_fhir_server.requests["503"] - before
    assert QUERIES <= made <= QUERIES * 3, made  # CDS_FHIR_MAX_RETRIES = 2 per GET


def test_server_down_is_a_prompt_412(live_server: Any) -> None:
    from tests.conftest import free_port

    down = f"http://127.0.0.1:{free_port()}/fhir"
    r, elapsed = timed(lambda: post_hook(live_server, PV, hook(down)))
    assert elapsed < BOUND_S
    assert_clean_412(r)


def test_a_50_mb_bundle_is_refused_promptly(live_server: Any, fake_fhir_server: FakeFhir) -> None:
    r, elapsed = timed(lambda: post_hook(live_server, PV, hook(fake_fhir_server.url("big"))))
    assert elapsed < BOUND_S + 1
    assert_clean_412(r)


def test_50_mb_bundles_with_a_long_deadline_keep_memory_bounded(
    start_server: Callable[..., Any], fake_fhir_server: FakeFhir
) -> None:
    """With a 20 s deadline every search answers a 50 MB Bundle (8 at once): each is refused
    at 16 MB (and the call at 32 MB in all), so the worker's peak memory stays bounded; the
    optional keys are named as unreadable on the cards."""
    server = start_server({"CDS_FHIR_DEADLINE_MS": "20000"}, workers=1)
    fake_fhir_server.big_bundle()  # build it before timing
    url = fake_fhir_server.url("big", "optional")
    r, elapsed = timed(lambda: post_hook(server, PV, hook(url)))
    assert elapsed < 10
    assert_valid_response(r)
    assert all("too large" in c["detail"] for c in r.json()["cards"])
    r, _ = timed(lambda: post_hook(server, PV, hook(fake_fhir_server.url("big"))))
    assert_clean_412(r)
    peak = max(status_kib(p, "VmHWM") for p in worker_pids(server.process.pid))
    print(f"\n50 MB Bundles: {elapsed:.2f} s, worker peak RSS {peak / 1024:.0f} MiB")
    assert peak < 400 * 1024, f"worker peak RSS {peak} KiB"
