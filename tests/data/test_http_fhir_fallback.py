"""Through HTTP: the running service fetches from the loopback FHIR server with the EHR's token.

Uses the protocol area's ``start_server`` fixture (tests/conftest.py); skipped where it is not
available yet.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import fallback_request

from .conftest import FhirServer, free_port

pytestmark = [pytest.mark.fhirserver, pytest.mark.e2e]

PV = "ctd-ild-patient-view"


@pytest.fixture
def service(request: pytest.FixtureRequest) -> Any:
    try:
        start = request.getfixturevalue("start_server")
    except pytest.FixtureLookupError:
        pytest.skip("the HTTP server fixture (start_server) is not on this branch yet")
    # a generous deadline: these tests are about the wiring, test_loopback_http the deadline
    return start({"CDS_FHIR_DEADLINE_MS": "5000"}, workers=1)


def hook(fhir_server_url: str, token: str | None) -> dict[str, Any]:
    return fallback_request(
        fhir_server_url, "dm-ild-1", token, "5d8f3c0e-2a51-4c8e-9d0b-6f3a1b2c4d5e"
    )


def test_no_prefetch_service_fetches_with_the_token(service: Any, fhir_server: FhirServer) -> None:
    from tests.support import post_hook

    r = post_hook(service.base_url, PV, hook(fhir_server.base_url, fhir_server.token))
    assert r.status_code == 200, r.text
    assert isinstance(r.json()["cards"], list)
    assert fhir_server.token not in service.log_after(r)  # never logged


def test_wrong_token_is_412_naming_the_data(service: Any, fhir_server: FhirServer) -> None:
    from tests.support import post_hook

    r = post_hook(service.base_url, PV, hook(fhir_server.base_url, "not-the-token"))
    assert r.status_code == 412
    outcome = r.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert [i["expression"] for i in outcome["issue"]] == [
        ["$.prefetch.patient"],
        ["$.prefetch.conditions"],
    ]
    assert all("refused access (HTTP 401)" in i["diagnostics"] for i in outcome["issue"])
    assert "not-the-token" not in r.text and "not-the-token" not in service.log_after(r)


def test_fhir_server_down_is_412(service: Any) -> None:
    from tests.support import post_hook

    r = post_hook(service.base_url, PV, hook(f"http://127.0.0.1:{free_port()}/fhir", None))
    assert r.status_code == 412
    assert all("unreachable" in i["diagnostics"] for i in r.json()["issue"])
