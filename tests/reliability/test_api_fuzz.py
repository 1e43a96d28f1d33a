"""Property-based fuzzing of the HTTP API from its OpenAPI document (schemathesis).

Schemathesis generates requests from ``cds_service/openapi.json`` (valid and invalid ones:
positive and negative generation modes) and sends them to the real server (``live_server``,
dev mode). Every response must be a documented status with the documented content type and
schema, carry no stack trace, and never be a 5xx; a 401/204 alone may have an empty body.

The default run is bounded and derandomized (a fixed number of examples per operation, same
cases every run); ``pytest --long`` runs many more examples with random generation. After
either run the server's log must hold no traceback (``test_no_traceback_was_logged``).
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import ignored_auth

from tests.conftest import REPO

from .fake_fhir import FakeFhir

pytestmark = pytest.mark.e2e

schema = schemathesis.openapi.from_path(REPO / "cds_service" / "openapi.json")
# dev mode switches JWT verification off: do not generate or drop the Authorization header
# (authentication is tested with verification on in tests/auth)
schema.config.generation.update(modes=list(GenerationMode), with_security_parameters=False)
# a valid hook call without usable prefetch and without a reachable fhirServer is a
# documented 412 (the Patient and Conditions cannot be had), not a rejection of valid data
schema.config.checks.positive_data_acceptance.expected_statuses = ["2xx", "412"]

FHIR_URL = re.compile(r"^https?://[^\s]+$")
REFERENCE = re.compile(r"^[A-Z][A-Za-z]+/[A-Za-z0-9\-\.]{1,64}$")
#: examples per operation; the default run stays well under 60 s. The long run sends ~11,000
#: cases, nearly all to the four POST operations (hypothesis stops early on operations with
#: few distinct inputs, e.g. GET /healthz: 6 cases)
FAST_EXAMPLES = 10
LONG_EXAMPLES = 2200
_SUPPRESS = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]


#: (operation, status) -> cases sent in this session; printed at the end (-s)
SEEN: Counter[tuple[str, int]] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    if SEEN:
        print(f"\nAPI fuzz: {sum(SEEN.values())} cases")
        for (op, status), n in sorted(SEEN.items()):
            print(f"  {op} -> {status}: {n}")


FAULTS = ["ok", "503", "slow", "truncated", "wrong-patient", "loop-forever"]


def hermetic(case: Any, fake: FakeFhir) -> None:
    """Point a generated fhirServer URL at the fake FHIR server (one of a few faults, chosen
    by the URL), so the fuzz never leaves loopback; the body stays as valid as it was."""
    body = case.body
    server = body.get("fhirServer") if isinstance(body, dict) else None
    if isinstance(server, str) and FHIR_URL.match(server):
        fault = FAULTS[zlib.crc32(server.encode()) % len(FAULTS)]
        body["fhirServer"] = fake.url(fault)
    # order-select: selections must name draftOrders entries, a rule JSON Schema cannot
    # state; add an entry for each well-formed selection (the body's validity is unchanged)
    context = body.get("context") if isinstance(body, dict) else None
    if isinstance(context, dict) and isinstance(context.get("selections"), list):
        drafts = context.get("draftOrders")
        if isinstance(drafts, dict) and isinstance(drafts.get("entry", []), list):
            refs = [x for x in context["selections"] if isinstance(x, str) and REFERENCE.match(x)]
            extra = [
                {"resource": dict(zip(("resourceType", "id"), r.split("/"), strict=True))}
                for r in refs
            ]
            drafts["entry"] = drafts.get("entry", []) + extra


def check_response(case: Any, base_url: str, fake: FakeFhir) -> None:
    hermetic(case, fake)
    # dev mode switches JWT verification off, so the "ignored auth" check cannot hold here
    response = case.call_and_validate(base_url=base_url, excluded_checks=[ignored_auth])
    SEEN[(f"{case.method.upper()} {case.path}", response.status_code)] += 1
    assert response.status_code < 500, response.text[:500]
    text = response.text
    assert "Traceback" not in text and 'File "' not in text
    if response.status_code in (401, 204):
        return
    if case.method.upper() in ("OPTIONS", "HEAD"):
        return  # CORS preflight / HEAD: no body by definition
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.startswith(("application/json", "text/html")), content_type
    if content_type.startswith("application/json"):
        response.json()


@schema.parametrize()
@settings(
    max_examples=FAST_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=_SUPPRESS
)
def test_api_fuzz_fast(
    case: Any, live_server: Any, fake_fhir_server: FakeFhir, log_start: int
) -> None:
    check_response(case, live_server.base_url, fake_fhir_server)


@pytest.mark.long
@schema.parametrize()
@settings(max_examples=LONG_EXAMPLES, deadline=None, suppress_health_check=_SUPPRESS)
def test_api_fuzz_long(case: Any, live_server: Any, fake_fhir_server: FakeFhir) -> None:
    check_response(case, live_server.base_url, fake_fhir_server)


@pytest.fixture(scope="module")
def log_start(live_server: Any) -> int:
    """Where the shared server's log stood before this module's first test."""
    return len(live_server.log())


def test_no_traceback_was_logged(live_server: Any, log_start: int) -> None:
    """Runs after the fuzz tests of this module (file order): whatever they sent, the server
    logged no traceback and no unhandled error."""
    log = live_server.log()[log_start:]
    assert SEEN, "run with the fuzz tests of this module"
    assert "Traceback" not in log and "unhandled error" not in log, log[-3000:]
