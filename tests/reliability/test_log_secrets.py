"""The server's logs of a full run carry no bearer token, JWT or patient identifier.

A server with client authentication on (a trusted-clients file with a key generated here)
serves discovery, patient-view (part prefetched, the rest fetched from the fake FHIR server
with the hook's ``fhirAuthorization`` token), order-sign, feedback with a comment naming the
patient, a 412 (FHIR server failing), a 400 quoting bad values, and refused tokens; at
``CDS_LOG_LEVEL`` INFO and DEBUG. The whole log (gunicorn and the service, every worker) must
not contain the access token, the client JWTs (nor their signature), the patient's names,
identifier, or id. The request ids must be there (the log was captured).
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.auth.keyring import Signer
from tests.support import fhir_authorization, load_json, prefetch_for

from .fake_fhir import PATIENT_ID, FakeFhir

pytestmark = pytest.mark.e2e

SIGNER = Signer.ec("ES384")
ISS = "https://ehr.example.org"
PV, SIGN = "ctd-ild-patient-view", "ctd-ild-order-sign"
PATIENT = "pt-7Q4ZK9XW"
FAMILY, GIVEN = "Quixotic-Zebedee", "Marigoldine"
MRN = "MRN-98765-XYZQ"
ACCESS_TOKEN = f"fhir-access-{uuid.uuid4().hex}"


def patient_bundle() -> dict[str, Any]:
    """The reference patient under PATIENT, with names and an identifier."""
    raw = json.dumps(load_json("patients/dmpm_as1_anti_mda5_adm_poor_risk.json"))
    bundle: dict[str, Any] = json.loads(raw.replace(PATIENT_ID, PATIENT))
    for e in bundle["entry"]:
        if e["resource"]["resourceType"] == "Patient":
            e["resource"]["name"] = [
                {"family": FAMILY, "given": [GIVEN], "text": f"{GIVEN} {FAMILY}"}
            ]
            e["resource"]["identifier"] = [{"system": "urn:oid:1.2.3.4", "value": MRN}]
    return bundle


@pytest.fixture(scope="module", params=["INFO", "DEBUG"])
def server(
    request: pytest.FixtureRequest,
    start_server: Callable[..., Any],
    tmp_path_factory: pytest.TempPathFactory,
    fake_fhir_server: FakeFhir,
) -> Any:
    clients = tmp_path_factory.mktemp("logs") / "trusted-clients.json"
    entry = {
        "iss": ISS,
        "jwks": {"keys": [SIGNER.public_jwk()]},
        "fhirServers": [fake_fhir_server.url("ok"), fake_fhir_server.url("503")],
    }
    clients.write_text(json.dumps([entry]))
    return start_server(
        {"CDS_DEV": "0", "CDS_TRUSTED_CLIENTS": str(clients), "CDS_LOG_LEVEL": request.param},
        workers=2,
    )


def call(
    server: Any,
    method: str,
    path: str,
    body: Any,
    tokens: list[str],
    rids: list[str],
    token: str | None = None,
) -> requests.Response:
    url = server.base_url + path
    if token is None:
        token = SIGNER.token(aud=url, iss=ISS)
    tokens.append(token)
    rid = uuid.uuid4().hex
    rids.append(rid)
    headers = {"Authorization": f"Bearer {token}", "X-Request-ID": rid}
    return requests.request(method, url, json=body, headers=headers, timeout=30)


def hook(service: str, fhir_server: str, bundle: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    prefetch = {k: v for k, v in prefetch_for(service, bundle).items() if k in keys}
    context: dict[str, Any] = {"userId": "Practitioner/example", "patientId": PATIENT}
    if service == SIGN:
        context["draftOrders"] = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {
                    "resource": {
                        "resourceType": "MedicationRequest",
                        "id": "d1",
                        "status": "draft",
                        "intent": "order",
                        "subject": {
                            "reference": f"Patient/{PATIENT}",
                            "display": f"{GIVEN} {FAMILY}",
                        },
                        "medicationCodeableConcept": {"text": "prednisolone 60 mg"},
                    }
                }
            ],
        }
    return {
        "hook": "patient-view" if service == PV else "order-sign",
        "hookInstance": str(uuid.uuid4()),
        "fhirServer": fhir_server,
        "fhirAuthorization": {
            **fhir_authorization(ACCESS_TOKEN, subject="cds"),
            "patient": PATIENT,
        },
        "context": context,
        "prefetch": prefetch,
    }


def test_a_full_run_logs_no_secret_and_no_patient_identifier(
    server: Any, fake_fhir_server: FakeFhir
) -> None:
    bundle = patient_bundle()
    tokens: list[str] = []
    rids: list[str] = []
    ok = fake_fhir_server.url("ok")
    first_calls: list[tuple[str, str, Any]] = [
        ("GET", "/cds-services", None),
        ("POST", f"/cds-services/{PV}", hook(PV, ok, bundle, {"patient", "conditions"})),
        ("POST", f"/cds-services/{SIGN}", hook(SIGN, ok, bundle, {"patient"})),
        ("POST", f"/cds-services/{PV}", hook(PV, fake_fhir_server.url("503"), bundle, set())),
    ]
    statuses = [
        call(server, method, path, body, tokens, rids).status_code
        for method, path, body in first_calls
    ]
    bad = copy.deepcopy(hook(PV, ok, bundle, set()))
    bad["context"]["patientId"] = f"{GIVEN} {FAMILY} {MRN}"
    statuses.append(call(server, "POST", f"/cds-services/{PV}", bad, tokens, rids).status_code)
    feedback = {
        "feedback": [
            {
                "card": str(uuid.uuid4()),
                "outcome": "overridden",
                "outcomeTimestamp": "2026-11-21T10:00:00Z",
                "overrideReason": {"userComment": f"{GIVEN} {FAMILY} ({MRN}) declined"},
            }
        ]
    }
    statuses.append(
        call(server, "POST", f"/cds-services/{PV}/feedback", feedback, tokens, rids).status_code
    )
    # refused tokens: a replay, another endpoint's audience, a forged signature
    replay = tokens[1]
    other_aud = SIGNER.token(aud=server.base_url + "/cds-services", iss=ISS)
    for refused in (replay, other_aud):
        statuses.append(
            call(
                server,
                "POST",
                f"/cds-services/{PV}",
                hook(PV, ok, bundle, set()),
                tokens,
                rids,
                token=refused,
            ).status_code
        )
    forged = other_aud.rsplit(".", 1)[0] + ".AAAA" + other_aud.rsplit(".", 1)[1][4:]
    statuses.append(
        call(server, "GET", "/cds-services", None, tokens, rids, token=forged).status_code
    )
    assert statuses == [200, 200, 200, 412, 400, 200, 401, 401, 401], statuses
    assert f"Bearer {ACCESS_TOKEN}" in fake_fhir_server.authorizations  # the token was used

    log = server.log_once_it_has(*rids)
    for rid in rids:
        assert rid in log, "the request id is logged (the log was captured)"
    secrets = [ACCESS_TOKEN, FAMILY, GIVEN, MRN, PATIENT]
    for token in set(tokens):
        secrets += [token, token.rsplit(".", 1)[1], token.split(".")[1]]  # whole, signature, claims
    leaked = sorted({s for s in secrets if s in log})
    assert not leaked, f"found in the server log: {[s[:24] for s in leaked]}"


def test_log_file_is_the_servers(server: Any) -> None:
    assert Path(server.log_path).exists() and "Booting worker" in server.log()
