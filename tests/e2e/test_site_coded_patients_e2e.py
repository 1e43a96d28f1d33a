"""Site-coded patients end to end: one FHIR Bundle per clinical situation through HTTP.

Each fixture (``fixtures/site-coded-patients/``) is posted to ``ctd-ild-patient-view`` of a
real server started with that folder's site ConceptMap (HRCT extent, HRCT progression,
reticular pattern, worse dyspnea and cyclosporine trough have no standard code); the response
must be valid (``assert_valid_response``) and carry exactly the expected SSc, RA, CTD-ILD and
safety topics, in order.
Evaluation date: the test server's pinned CDS_EVALUATION_DATE (2026-11-21).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cds_service.card_list import MAX_CARDS
from cds_service.engine import evaluate_resources
from cds_service.guideline.findings import Finding
from cds_service.services import REGISTRY
from fhir_mappings.terminology import build_terminology
from tests import support

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "site-coded-patients"
SERVICE = "ctd-ild-patient-view"
TODAY = date(2026, 11, 21)


def _findings(bundle: dict[str, Any]) -> list[Finding]:
    resources = [e["resource"] for e in bundle["entry"]]
    patient_id = next(r["id"] for r in resources if r["resourceType"] == "Patient")
    terminology = build_terminology(str(FIXTURES / "site-conceptmap.json"))
    return evaluate_resources(
        REGISTRY[SERVICE], resources, {"patientId": patient_id}, TODAY, terminology=terminology
    ).findings


CASES: list[tuple[str, list[str]]] = [
    ("ssc_ild_treatment_indicated.json", ["ssc-ild-treatment-indicated"]),
    ("ssc_ild_decline.json", ["ssc-ild-decline"]),
    ("ssc_glucocorticoid_20mg.json", ["ssc-glucocorticoid-risk", "sard-ild-screening"]),
    ("ssc_no_ild_prednisolone_5mg.json", []),  # negative control: no steroid card
    ("ra_ild_progressing_on_leflunomide.json", ["ra-ild-management", "drug-induced-ild-caution"]),
    ("ipf_fvc_decline_no_ppf.json", []),  # negative control: IPF is not PPF
    ("ppf_sjogren_ild.json", ["progressive-pulmonary-fibrosis"]),
    ("sard_screening_ssc_scl70.json", ["sard-ild-screening"]),
    ("sard_monitoring_due_ra_ild.json", ["sard-ild-monitoring-due"]),
    ("ctd_ild_acute_mctd.json", ["ctd-ild-acute-exacerbation"]),
    (
        "safety_dm_as_ild_triple_therapy.json",
        [
            "ctd-ild-acute-exacerbation",
            "pjp-prophylaxis",
            "immunosuppression-monitoring",
            "cyclosporine-level",
            "cyclophosphamide-safety",
        ],
    ),
    (
        "safety_tmp_smx_active.json",  # negative control: no prophylaxis card
        [
            "ctd-ild-acute-exacerbation",
            "immunosuppression-monitoring",
            "cyclosporine-level",
            "cyclophosphamide-safety",
        ],
    ),
]


@pytest.fixture(scope="module")
def site_coded_server(start_server: Any) -> Any:
    return start_server({"CDS_SITE_CONCEPTMAP": str(FIXTURES / "site-conceptmap.json")})


@pytest.mark.parametrize(("fixture", "expected"), CASES, ids=[c[0] for c in CASES])
def test_site_coded_patient(site_coded_server: Any, fixture: str, expected: list[str]) -> None:
    bundle = support.load_json(FIXTURES / fixture)
    response = support.post_hook(
        site_coded_server.base_url, SERVICE, support.request_for(SERVICE, bundle)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    support.assert_valid_response(body)
    topics = [c["source"]["topic"]["code"] for c in body["cards"]]
    # every topic that fired, in order (the pipeline), and the response's first four of them
    fired = [f.topic for f in _findings(bundle)]
    assert [t for t in fired if t in support.SSC_RA_CTD_ILD_SAFETY_TOPICS] == expected
    assert topics == fired[:MAX_CARDS]
    if len(fired) > MAX_CARDS:
        assert "**More findings:**" in body["cards"][-1]["detail"]
    for card in body["cards"]:
        if card["source"]["topic"]["code"] in support.SSC_RA_CTD_ILD_SAFETY_TOPICS:
            ext = card["extension"]["ctd-ild-cds"]
            assert ext["rules"], card["summary"]


def test_pjp_card_offers_tmp_smx_medication_request(site_coded_server: Any) -> None:
    bundle = support.load_json(FIXTURES / "safety_dm_as_ild_triple_therapy.json")
    body = support.post_hook(
        site_coded_server.base_url, SERVICE, support.request_for(SERVICE, bundle)
    ).json()
    (card,) = [c for c in body["cards"] if c["source"]["topic"]["code"] == "pjp-prophylaxis"]
    resources = [
        a.get("resource", {}) for s in card.get("suggestions", []) for a in s.get("actions", [])
    ]
    assert any(r.get("resourceType") == "MedicationRequest" for r in resources)
