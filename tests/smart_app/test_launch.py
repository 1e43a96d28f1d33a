"""EHR and standalone launches without a browser: discovery, PKCE, scopes, the token's
patient, the session cookie, and what the page and the log never hold."""

from __future__ import annotations

import pytest
import requests

from .conftest import CLIENT_ID, SmartService, follow_to_callback, launch, query_of
from .patients import COURSE, COURSE_NAME, SPARSE

pytestmark = [pytest.mark.e2e, pytest.mark.fhirserver]


def test_ehr_launch_sends_pkce_s256_aud_launch_and_v2_scopes(smart_service: SmartService) -> None:
    ehr = smart_service.ehr
    code = ehr.new_launch(COURSE)
    http = requests.Session()
    start = http.get(
        f"{smart_service.app_url}/launch",
        params={"iss": ehr.fhir_base, "launch": code},
        allow_redirects=False,
        timeout=30,
    )
    q = query_of(start.headers["Location"])
    assert q["client_id"] == [CLIENT_ID]
    assert q["response_type"] == ["code"]
    assert q["code_challenge_method"] == ["S256"]
    assert len(q["code_challenge"][0]) == 43  # base64url of a SHA-256
    assert q["aud"] == [ehr.fhir_base]
    assert q["launch"] == [code]
    assert q["scope"] == ["launch openid fhirUser patient/*.rs"]
    assert q["redirect_uri"] == [f"{smart_service.app_url}/callback"]
    cookie = start.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/app" in cookie
    assert "Secure" not in cookie  # dev mode on loopback http


def test_ehr_launch_shows_the_token_patient(smart_service: SmartService) -> None:
    http = launch(smart_service, COURSE, "kl6-rising")
    page = http.get(f"{smart_service.app_url}/", timeout=60)
    assert page.status_code == 200
    assert COURSE_NAME in page.text
    assert 'id="plot-kl6"' in page.text
    assert "plot focus" in page.text


def test_standalone_launch_asks_for_launch_patient(smart_service: SmartService) -> None:
    smart_service.ehr.standalone_patient = SPARSE
    http = requests.Session()
    start = http.get(f"{smart_service.app_url}/launch", allow_redirects=False, timeout=30)
    q = query_of(start.headers["Location"])
    assert q["scope"] == ["launch/patient openid fhirUser patient/*.rs"]
    assert "launch" not in q
    back = follow_to_callback(http, smart_service, start)
    done = http.get(back.headers["Location"], allow_redirects=False, timeout=30)
    assert done.status_code == 303
    page = http.get(f"{smart_service.app_url}/", timeout=60)
    assert page.status_code == 200
    assert "No DLCO on record." in page.text


def test_data_the_fhir_server_fails_to_give_is_named(smart_service: SmartService) -> None:
    http = launch(smart_service, COURSE)
    smart_service.ehr.failing_types.add("MedicationRequest")
    try:
        page = http.get(f"{smart_service.app_url}/", timeout=60)
    finally:
        smart_service.ehr.failing_types.clear()
    assert page.status_code == 200
    gaps = page.text[page.text.index('id="data-gaps"') :]
    assert "<strong>medications</strong>" in gaps[: gaps.index("</ul>")]
    assert COURSE_NAME in page.text  # the rest of the record is still shown
    assert 'id="treatment-gap"' in page.text  # never "no treatment" on a partial read
    assert "No treatment of interest on record" not in page.text
