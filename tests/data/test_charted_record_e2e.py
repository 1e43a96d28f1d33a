"""Through HTTP, against a real FHIR server (sekmet-fhir): the record as hospitals chart it.

One test per defect of the record, each by prefetch (built the way an EHR builds it: every
advertised template run against the FHIR server) AND by FHIR fallback (no prefetch; the
service queries ``fhirServer`` with the EHR's token):

1. worse dyspnoea charted as an exam Observation under a local code counts (PPF card);
2. a final HRCT report's coded conclusion is the complete statement (no "incomplete");
3. FVC in litres and mL is read (SSc-ILD decline);
4. a same-day positive and negative anti-MDA5: positive, whatever the order;
5. the sandbox's "Prednisone 20 MG Oral Tablet" 1 {pill}: critical renal-crisis card, with
   the site-coded anti-RNA polymerase III in its facts;
6. search values percent-encoded: a proxy collapsing '//' in front of the server changes
   nothing;
7. a malformed Condition is skipped and named, never a 500.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import requests

from bench.workloads import transaction
from cds_service.fhir_client import encode_search
from cds_service.patient_data import render_template
from cds_service.services import REGISTRY
from tests.orders.builders import prednisone_tablet_draft
from tests.support import Loopback, fhir_authorization, post_hook, send_json

from .charted_records import PATIENTS, malform
from .conftest import FhirServer, _load

pytestmark = [pytest.mark.fhirserver, pytest.mark.e2e]

REPO = Path(__file__).resolve().parents[2]
SITE_MAP = REPO / "fixtures" / "charted-record" / "site-conceptmap.json"
PV = "ctd-ild-patient-view"
SIGN = "ctd-ild-order-sign"
MODES = ("prefetch", "fallback")


@pytest.fixture(scope="module")
def fhir(fhir_server: FhirServer) -> FhirServer:
    for make in PATIENTS.values():
        _load(fhir_server, transaction(make()))
    return fhir_server


@pytest.fixture(scope="module")
def service(start_server: Callable[..., Any]) -> Any:
    return start_server(
        {"CDS_SITE_CONCEPTMAP": str(SITE_MAP), "CDS_FHIR_DEADLINE_MS": "8000"}, workers=1
    )


def ehr_prefetch(fhir: FhirServer, service_id: str, pid: str) -> dict[str, Any]:
    """What an EHR sends: each advertised template, filled and run against its server."""
    out: dict[str, Any] = {}
    with fhir.session() as s:
        for key, template in REGISTRY[service_id].prefetch_templates().items():
            query = encode_search(render_template(template, {"patientId": pid}))
            resp = s.get(f"{fhir.base_url}/{query}", timeout=30)
            resp.raise_for_status()
            out[key] = resp.json()
    return out


def hook(
    fhir: FhirServer,
    mode: str,
    pid: str,
    service_id: str = PV,
    drafts: list[dict[str, Any]] | None = None,
    base_url: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hook": REGISTRY[service_id].hook,
        "hookInstance": f"charted-{pid}-{mode}",
        "context": {"userId": "Practitioner/example", "patientId": pid},
    }
    if drafts is not None:
        body["context"]["draftOrders"] = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": d} for d in drafts],
        }
    if mode == "prefetch":
        body["prefetch"] = ehr_prefetch(fhir, service_id, pid)
    else:
        body["fhirServer"] = base_url or fhir.base_url
        body["fhirAuthorization"] = fhir_authorization(fhir.token)
    return body


def cards(service: Any, body: dict[str, Any], service_id: str = PV) -> list[dict[str, Any]]:
    resp = post_hook(service, service_id, body)
    assert resp.status_code == 200, resp.text[:500]
    found: list[dict[str, Any]] = resp.json()["cards"]
    for card in found:
        assert card["extension"]["ctd-ild-cds"].get("facts"), card["summary"]  # every card
    return found


def topics(found: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["source"]["topic"]["code"]: c for c in found}


def facts(card: dict[str, Any]) -> list[dict[str, Any]]:
    return list(card["extension"]["ctd-ild-cds"]["facts"])


@pytest.mark.parametrize("mode", MODES)
def test_1_symptom_charted_as_an_observation_counts(
    service: Any, fhir: FhirServer, mode: str
) -> None:
    found = topics(cards(service, hook(fhir, mode, "chart-sx")))
    ppf = found["progressive-pulmonary-fibrosis"]
    assert "Worsening dyspnea recorded 2026-10-22" in ppf["detail"]
    assert {"concept": "dyspnea_worsening", "value": "present", "date": "2026-10-22"} in facts(ppf)


@pytest.mark.parametrize("mode", MODES)
def test_2_final_hrct_report_is_complete(service: Any, fhir: FhirServer, mode: str) -> None:
    found = topics(cards(service, hook(fhir, mode, "chart-hrct")))
    assert "dmpm-ild-risk-incomplete" not in found
    assert "dmpm-ild-acute-subacute" in found
    assert "missing HRCT" not in " ".join(c["detail"] for c in found.values())


@pytest.mark.parametrize("mode", MODES)
def test_3_fvc_in_litres_and_millilitres(service: Any, fhir: FhirServer, mode: str) -> None:
    card = topics(cards(service, hook(fhir, mode, "chart-fvc")))["ssc-ild-decline"]
    assert card["indicator"] == "warning"
    assert {"concept": "fvc", "value": 2.85, "unit": "L", "date": "2026-11-10"} in facts(card)


@pytest.mark.parametrize("mode", MODES)
def test_4_discordant_antibodies_count_positive_in_any_order(
    service: Any, fhir: FhirServer, mode: str
) -> None:
    body = hook(fhir, mode, "chart-mda5")
    orders = [body]
    if mode == "prefetch":  # the same results in other Bundle orders
        for seed in range(3):
            shuffled = {**body, "prefetch": dict(body["prefetch"])}
            for key, bundle in shuffled["prefetch"].items():
                if isinstance(bundle, dict) and bundle.get("entry"):
                    entries = list(bundle["entry"])
                    random.Random(seed).shuffle(entries)
                    shuffled["prefetch"][key] = {**bundle, "entry": entries}
            orders.append(shuffled)
    for each in orders:
        card = topics(cards(service, each))["ild-autoantibody-positive"]
        assert {"concept": "anti_mda5", "value": "positive", "date": "2026-10-20"} in facts(card)


@pytest.mark.parametrize("mode", MODES)
def test_5_sandbox_pill_draft_gets_the_critical_card(
    service: Any, fhir: FhirServer, mode: str
) -> None:
    body = hook(fhir, mode, "chart-ssc", SIGN, drafts=[prednisone_tablet_draft("chart-ssc")])
    card = topics(cards(service, body, SIGN))["order-ssc-glucocorticoid-dose"]
    assert card["indicator"] == "critical"
    concepts = {f["concept"]: f for f in facts(card)}
    assert concepts["anti_rnap3"]["value"] == "positive"  # charted under a local code
    assert concepts["prednisolone_equivalent"]["value"] == 20.0


@pytest.fixture
def proxy(fhir: FhirServer, loopback: Any) -> Callable[..., str]:
    """Starts proxies that forward GETs to the FHIR server. ``collapse``: with '//' collapsed,
    as the SMART launcher's proxy; ``malformed``: with the test's Condition malformed on the
    way."""
    origin = fhir.base_url.rsplit("/fhir", 1)[0]

    def start(collapse: bool = False, malformed: bool = False) -> str:
        def forward(handler: BaseHTTPRequestHandler) -> None:
            path = handler.path.replace("//", "/") if collapse else handler.path
            headers = {"Authorization": handler.headers.get("Authorization", "")}
            upstream = requests.get(origin + path, headers=headers, timeout=30)
            body = upstream.content
            if malformed and upstream.status_code == 200:
                body = json.dumps(malform(upstream.json())).encode()
            send_json(handler, upstream.status_code, body)

        server: Loopback = loopback(forward)
        return server.base_url

    return start


def test_6_search_values_survive_a_proxy_collapsing_double_slashes(
    service: Any, fhir: FhirServer, proxy: Callable[..., str]
) -> None:
    direct = cards(service, hook(fhir, "fallback", "chart-hrct"))
    collapsing = proxy(collapse=True)
    proxied = cards(service, hook(fhir, "fallback", "chart-hrct", base_url=collapsing))
    assert "dmpm-ild-acute-subacute" in topics(proxied)
    assert [c["summary"] for c in proxied] == [c["summary"] for c in direct]


@pytest.mark.parametrize("mode", MODES)
def test_7_a_malformed_condition_is_skipped_and_named(
    service: Any, fhir: FhirServer, proxy: Callable[..., str], mode: str
) -> None:
    body = hook(fhir, mode, "chart-bad", base_url=proxy(malformed=True))
    if mode == "prefetch":
        body["prefetch"] = {k: malform(v) for k, v in body["prefetch"].items()}
    found = cards(service, body)
    card = topics(found)["ssc-ild-decline"]
    assert "1 Condition could not be read" in card["detail"]
