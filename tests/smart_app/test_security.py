"""Security of the SMART app: state, PKCE, the token's patient, session expiry, escaping,
cookie and headers, servers outside the configuration, and no token in page or log."""

from __future__ import annotations

import time

import pytest
import requests

from .conftest import CLIENT_ID, SmartService, follow_to_callback, launch, query_of
from .patients import COURSE, COURSE_NAME, SPARSE, SPARSE_NAME

pytestmark = [pytest.mark.e2e, pytest.mark.fhirserver]


def _start(service: SmartService, patient: str) -> tuple[requests.Session, requests.Response]:
    http = requests.Session()
    code = service.ehr.new_launch(patient)
    start = http.get(
        f"{service.app_url}/launch",
        params={"iss": service.ehr.fhir_base, "launch": code},
        allow_redirects=False,
        timeout=30,
    )
    return http, start


def test_wrong_state_is_refused_and_ends_the_sign_in(smart_service: SmartService) -> None:
    http, start = _start(smart_service, COURSE)
    back = follow_to_callback(http, smart_service, start)
    q = query_of(back.headers["Location"])
    forged = f"{smart_service.app_url}/callback?code={q['code'][0]}&state=forged-state"
    refused = http.get(forged, allow_redirects=False, timeout=30)
    assert refused.status_code == 400
    assert COURSE_NAME not in refused.text
    # the right state no longer works either: the pending session was ended
    again = http.get(back.headers["Location"], allow_redirects=False, timeout=30)
    assert again.status_code == 401
    page = http.get(f"{smart_service.app_url}/", timeout=30)
    assert page.status_code == 401 and COURSE_NAME not in page.text


def test_callback_without_a_launch_session_is_refused(smart_service: SmartService) -> None:
    http, start = _start(smart_service, COURSE)
    back = follow_to_callback(http, smart_service, start)
    stranger = requests.get(back.headers["Location"], allow_redirects=False, timeout=30)
    assert stranger.status_code == 401  # no cookie: a code alone opens nothing


def test_missing_pkce_verifier_is_refused(smart_service: SmartService) -> None:
    ehr = smart_service.ehr
    http, start = _start(smart_service, COURSE)
    back = follow_to_callback(http, smart_service, start)
    code = query_of(back.headers["Location"])["code"][0]
    token_url = f"{ehr.base_url}/auth/token"
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": f"{smart_service.app_url}/callback",
        "client_id": CLIENT_ID,
    }
    no_verifier = requests.post(token_url, data=form, timeout=30)
    assert no_verifier.status_code == 400
    assert "access_token" not in no_verifier.text
    wrong = requests.post(token_url, data={**form, "code_verifier": "x" * 64}, timeout=30)
    assert wrong.status_code == 400
    assert "access_token" not in wrong.text


def test_a_token_of_another_patient_never_shows_this_patient(
    smart_service: SmartService,
) -> None:
    other = launch(smart_service, SPARSE)
    mine = launch(smart_service, COURSE)
    page = other.get(f"{smart_service.app_url}/", params={"patient": COURSE}, timeout=60)
    assert page.status_code == 200
    assert COURSE_NAME not in page.text
    assert "1,800" not in page.text  # the course patient's ferritin
    assert "321" in page.text  # the sparse patient's own ferritin
    # and the course patient's session still shows the course patient only
    own = mine.get(f"{smart_service.app_url}/", timeout=60)
    assert COURSE_NAME in own.text
    assert "O&#39;Hara" not in own.text and "O'Hara" not in own.text


def test_expired_session_asks_for_a_new_launch(smart_service: SmartService) -> None:
    smart_service.ehr.token_lifetime_s = 1
    try:
        http = launch(smart_service, COURSE)
    finally:
        smart_service.ehr.token_lifetime_s = 3600
    time.sleep(1.5)
    page = http.get(f"{smart_service.app_url}/", timeout=30)
    assert page.status_code == 401
    assert "Launch the app again" in page.text
    assert COURSE_NAME not in page.text
    assert 'id="relaunch"' in page.text


def test_no_session_asks_for_a_launch(smart_service: SmartService) -> None:
    page = requests.get(f"{smart_service.app_url}/", timeout=30)
    assert page.status_code == 401
    assert 'id="relaunch"' in page.text
    tampered = requests.get(
        f"{smart_service.app_url}/", cookies={"cds_smart": "forged.value.sig"}, timeout=30
    )
    assert tampered.status_code == 401


def test_record_values_are_html_escaped(smart_service: SmartService) -> None:
    http = launch(smart_service, SPARSE, standalone=True)
    page = http.get(f"{smart_service.app_url}/", timeout=60)
    assert page.status_code == 200
    assert SPARSE_NAME not in page.text
    assert "&lt;script&gt;alert(" in page.text
    assert "&lt;b&gt;Sons&lt;/b&gt;" in page.text
    assert "<script" not in page.text  # no script at all on the page, pygal's included


def test_headers_and_no_token_in_page_or_log(smart_service: SmartService) -> None:
    http = launch(smart_service, COURSE)
    page = http.get(f"{smart_service.app_url}/", timeout=60)
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    tokens = list(smart_service.ehr.tokens)
    assert tokens
    log = smart_service.server.log_after(page)
    for token in tokens:
        assert token not in page.text
        assert token not in log
        assert token not in str(http.cookies.get_dict())


def test_launch_against_an_unlisted_fhir_server_is_refused(smart_service: SmartService) -> None:
    refused = requests.get(
        f"{smart_service.app_url}/launch",
        params={"iss": "http://127.0.0.1:9/fhir", "launch": "x"},
        allow_redirects=False,
        timeout=30,
    )
    assert refused.status_code == 403
    assert "Location" not in refused.headers


def test_v1_only_server_gets_v1_scopes(smart_service: SmartService) -> None:
    smart_service.ehr.smart_v1_only = True
    try:
        _http, start = _start(smart_service, COURSE)
    finally:
        smart_service.ehr.smart_v1_only = False
    assert query_of(start.headers["Location"])["scope"] == ["launch openid fhirUser patient/*.read"]
