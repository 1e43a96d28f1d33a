"""The timeline as data (no server): the record's values, the threshold lines from the rules'
own Threshold objects, treatments, HRCT studies, empty states; the app's configuration and
SMART discovery rules."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from cds_service import engine
from cds_service.guideline.dmpm.kl6_rising import KL6_RATIO
from cds_service.guideline.dmpm.risk import FERRITIN_HIGH, PAO2_LOW
from cds_service.guideline.ssc.decline import FVC_DECLINE
from cds_service.services import REGISTRY
from cds_service.smart_app import charts, oauth
from cds_service.smart_app.config import SmartConfig, SmartConfigError
from cds_service.smart_app.timeline import Timeline, build_timeline
from fhir_mappings.terminology import build_terminology

from .conftest import SITE_MAP
from .patients import COURSE, SPARSE, course_bundle, sparse_bundle

TODAY = date(2026, 11, 21)


def _timeline(bundle: dict[str, Any], patient: str, app_context: str | None = None) -> Timeline:
    resources = [e["resource"] for e in bundle["entry"]]
    ev = engine.evaluate_resources(
        REGISTRY["ctd-ild-patient-view"],
        resources,
        {"patientId": patient},
        TODAY,
        {},
        build_terminology(SITE_MAP),
    )
    return build_timeline(ev.record, ev.findings, "name", app_context)


@pytest.fixture(scope="module")
def course() -> Timeline:
    return _timeline(course_bundle(), COURSE, "kl6-rising")


def _plot(t: Timeline, key: str) -> Any:
    return next(p for p in t.plots if p.key == key)


def test_values_in_canonical_units_oldest_first(course: Timeline) -> None:
    ferritin = _plot(course, "ferritin")
    assert [(p.when.isoformat(), p.value) for p in ferritin.points] == [
        ("2026-10-20", 600.0),
        ("2026-11-10", 1250.0),
        ("2026-11-19", 1800.0),
    ]
    assert ferritin.unit == "ng/mL"
    kl6 = _plot(course, "kl6")  # a site code, read through the site ConceptMap
    assert [p.value for p in kl6.points] == [800.0, 1500.0]
    assert _plot(course, "pao2").unit == "mmHg"
    assert course.focus == "kl6"


def test_threshold_lines_come_from_the_rules(course: Timeline) -> None:
    (ferritin,) = _plot(course, "ferritin").lines
    assert ferritin.threshold is FERRITIN_HIGH and ferritin.value == FERRITIN_HIGH.value
    (pao2,) = _plot(course, "pao2").lines
    assert pao2.threshold is PAO2_LOW and pao2.value == 60
    (kl6,) = _plot(course, "kl6").lines
    assert kl6.threshold is KL6_RATIO
    assert kl6.value == pytest.approx(800 * KL6_RATIO.value)  # 1,360 U/mL
    assert (kl6.start, kl6.end) == (date(2026, 11, 1), date(2026, 11, 29))
    fvc = {line.threshold: line for line in _plot(course, "fvc_pct").lines}
    relative = fvc[FVC_DECLINE]  # 10% below the highest of the 12 months before the latest
    assert relative.value == pytest.approx(85 * 0.9)
    assert (relative.start, relative.end) == (date(2026, 3, 10), date(2026, 11, 18))


def test_kl6_line_needs_a_value_at_treatment_start() -> None:
    bundle = copy.deepcopy(course_bundle())
    bundle["entry"] = [
        e for e in bundle["entry"] if e["resource"]["id"] != f"{COURSE}-kl6-0"
    ]  # no KL-6 before the start: no ratio can be drawn
    t = _timeline(bundle, COURSE)
    assert _plot(t, "kl6").points and _plot(t, "kl6").lines == ()


def test_treatments_and_hrct(course: Timeline) -> None:
    rows = [(b.row, b.dose_text, b.start.isoformat(), b.ongoing) for b in course.treatments]
    assert rows == [
        ("Glucocorticoid", "50 mg/day prednisolone-equivalent", "2026-11-01", True),
        ("Cyclosporine", "150 mg/day", "2026-11-08", True),
    ]
    (study,) = course.hrct
    assert study.when == date(2026, 10, 16)
    assert "Ground-glass opacity on HRCT" in study.findings
    assert any("lower lung zones" in f for f in study.findings)


def test_findings_link_to_their_rule(course: Timeline) -> None:
    kl6 = next(f for f in course.findings if f.topic == "kl6-rising")
    assert kl6.rule_id == "R087"


def test_sparse_patient_has_empty_states() -> None:
    t = _timeline(sparse_bundle(), SPARSE)
    assert [p.key for p in t.plots if p.points] == ["ferritin"]
    assert t.treatments == [] and t.hrct == []
    assert _plot(t, "dlco_pct").empty_text == "No DLCO on record."
    # ferritin 321 is far below 1,000: the line is still drawn for orientation
    assert _plot(t, "ferritin").lines[0].value == 1000


def test_plot_svg_has_no_script_and_carries_the_nonce(course: Timeline) -> None:
    start, end = charts.axis(course.start, course.today)
    svg = charts.plot_svg(_plot(course, "ferritin"), start, end, "N0NCE")
    assert "<script" not in svg and 'nonce="N0NCE"' in svg
    assert 'class="label">&gt;1,000 ng/mL</text>' in svg  # escaped by pygal


ENV = {
    "CDS_SMART_CLIENT_ID": "app",
    "CDS_SMART_APP_URL": "https://cds.example.org/app/",
    "CDS_SMART_FHIR_SERVERS": "https://EHR.example.org:443/fhir/r4/",
    "CDS_SMART_SESSION_SECRET": "s" * 32,
}


def test_config_normalizes_and_checks() -> None:
    assert SmartConfig.from_env({}) is None
    c = SmartConfig.from_env(ENV)
    assert c is not None
    assert c.launch_url == "https://cds.example.org/app/launch"
    assert c.iss_allowed("https://ehr.example.org/fhir/r4")
    assert not c.iss_allowed("https://ehr.example.org/fhir/r4-other")
    assert not c.iss_allowed("https://evil.example.org/fhir/r4")
    assert c.endpoint_allowed(
        "https://ehr.example.org/oauth/token", "https://ehr.example.org/fhir/r4"
    )
    assert not c.endpoint_allowed(
        "https://evil.example.org/token", "https://ehr.example.org/fhir/r4"
    )
    with pytest.raises(SmartConfigError):
        SmartConfig.from_env({**ENV, "CDS_SMART_SESSION_SECRET": ""})
    with pytest.raises(SmartConfigError):
        SmartConfig.from_env({**ENV, "CDS_SMART_APP_URL": "http://cds.example.org/app"})
    with pytest.raises(SmartConfigError):
        SmartConfig.from_env({**ENV, "CDS_SMART_FHIR_SERVERS": ""})


def test_discovery_requires_s256_and_allowed_endpoints() -> None:
    c = SmartConfig.from_env(ENV)
    assert c is not None
    iss = "https://ehr.example.org/fhir/r4"
    doc = {
        "authorization_endpoint": "https://ehr.example.org/authorize",
        "token_endpoint": "https://ehr.example.org/token",
        "code_challenge_methods_supported": ["S256"],
        "capabilities": ["permission-v1"],
    }
    endpoints = oauth.endpoints_from(c, iss, doc)
    assert not endpoints.smart_v2
    assert (
        oauth.scopes_for(endpoints, standalone=True)
        == "launch/patient openid fhirUser patient/*.read"
    )
    with pytest.raises(oauth.LaunchError):
        oauth.endpoints_from(c, iss, {**doc, "code_challenge_methods_supported": ["plain"]})
    with pytest.raises(oauth.LaunchError):
        oauth.endpoints_from(c, iss, {**doc, "token_endpoint": "https://evil.example.org/t"})
    v2 = oauth.endpoints_from(c, iss, {**doc, "capabilities": ["permission-v2", "permission-v1"]})
    assert oauth.scopes_for(v2, standalone=False) == "launch openid fhirUser patient/*.rs"


def test_a_preliminary_hrct_report_is_shown_as_pending() -> None:
    bundle = copy.deepcopy(course_bundle())
    for e in bundle["entry"]:
        if e["resource"]["id"] == f"{COURSE}-hrct":
            e["resource"]["status"] = "preliminary"
    (study,) = _timeline(bundle, COURSE).hrct
    assert study.pending and charts.hrct_label(study) == "report pending"
