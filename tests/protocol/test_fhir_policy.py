"""The fhirServer policy (cds_service/fhir_policy.py): which URLs lie under a listed base."""

from __future__ import annotations

import pytest

from cds_service.fhir_policy import allowed_base, base_url_problem, remove_dot_segments, under

BASE = "https://ehr.example.org/fhir/r4"
HTTP_BASE = "http://10.0.0.5:8080/fhir"


@pytest.mark.parametrize(
    ("server", "expected"),
    [
        (BASE, BASE),
        ("https://EHR.example.org:443/fhir/r4/", BASE),  # case, default port, trailing slash
        ("https://ehr.example.org/fhir/r4/tenant-a", BASE),  # below the listed path
        ("https://ehr.example.org/fhir/r4x", None),  # a prefix, not a path below
        ("https://ehr.example.org/fhir", None),
        ("https://ehr.example.org:8443/fhir/r4", None),  # another port
        ("http://ehr.example.org/fhir/r4", None),  # https listed: http is another server
        ("https://ehr.example.org/fhir/r4/../../admin", None),  # dot segments
        ("https://ehr.example.org/fhir/r4/%2e%2e/%2E%2E/admin", None),
        ("https://ehr.example.org/fhir/r4/%2fadmin", None),  # encoded separator
        ("https://user:pw@ehr.example.org/fhir/r4", None),
        ("https://ehr.example.org.evil.test/fhir/r4", None),
        (HTTP_BASE, HTTP_BASE),  # http listed exactly: allowed
        ("http://10.0.0.5:8080/fhir/sub", None),  # ... but nothing below it
    ],
)
def test_allowed_base(server: str, expected: str | None) -> None:
    assert allowed_base(server, [BASE, HTTP_BASE]) == expected


@pytest.mark.parametrize(
    ("url", "inside"),
    [
        (f"{BASE}/Observation?patient=1", True),
        (f"{BASE}/Observation?page=2&_getpages=x", True),
        (f"{BASE}/../r5/Observation", False),
        (f"{BASE}/%2e%2e/r5/Observation", False),
        (f"{BASE}/Patient/..", False),  # a read of ".." is the base itself: refused
        ("https://ehr.example.org/other/Observation", False),
        ("https://evil.test/fhir/r4/Observation", False),
    ],
)
def test_next_links_and_reads_stay_under_the_base(url: str, inside: bool) -> None:
    assert under(url, BASE) is inside


def test_remove_dot_segments_follows_rfc_3986() -> None:
    assert remove_dot_segments("/a/b/c/./../../g") == "/a/g"
    assert remove_dot_segments("/../a") == "/a"
    assert remove_dot_segments("/a/..") == "/"


@pytest.mark.parametrize(
    "url", ["ftp://x/fhir", "https://x/fhir/../y", "https://x/fhir?a=1", "https://u:p@x/f"]
)
def test_a_bad_listed_base_is_named(url: str) -> None:
    assert base_url_problem(url)
