"""For every fixture patient, prefetch and FHIR fallback give the same cards (through HTTP).

Each fixture Bundle is loaded into sekmet-fhir (ids prefixed per fixture, so that fixtures
sharing a resource id do not overwrite each other) and sent twice to the running service:
once with every resource in the prefetch (as ``tests.support.prefetch_for`` builds it), once
with no prefetch and the FHIR server to query. The service's queries must find everything the
rules read: a fixture whose cards differ names a resource the queries cannot see.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench.workloads import transaction
from tests.support import fallback_request, fixture_patient_bundles, post_hook, request_for

from .conftest import FhirServer, _load

pytestmark = [pytest.mark.fhirserver, pytest.mark.e2e]

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SITE_MAPS = (
    FIXTURES / "site-coded-patients" / "site-conceptmap.json",
    FIXTURES / "mappings" / "site-conceptmap-kl6-hrct.json",
    FIXTURES / "charted-record" / "site-conceptmap.json",
)
PV = "ctd-ild-patient-view"


BUNDLES = [(name, bundle) for name, bundle, _ in fixture_patient_bundles()]


def _prefixed(tag: str, bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """The fixture's resources with ``tag-`` before every id and every reference's id."""

    def fix(value: Any) -> Any:
        if isinstance(value, dict):
            out = {k: fix(v) for k, v in value.items()}
            ref = out.get("reference")
            if isinstance(ref, str) and "/" in ref and not ref.startswith(("http", "urn:")):
                rtype, rid = ref.split("/", 1)
                out["reference"] = f"{rtype}/{tag}-{rid}"
            return out
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value

    resources = []
    for entry in bundle.get("entry", []):
        resource = entry.get("resource")
        if isinstance(resource, dict) and isinstance(resource.get("id"), str):
            r = fix(copy.deepcopy(resource))
            r["id"] = f"{tag}-{resource['id']}"
            resources.append(r)
    return resources


@pytest.fixture(scope="module")
def loaded(fhir_server: FhirServer) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for i, (name, bundle) in enumerate(BUNDLES):
        resources = _prefixed(f"fx{i}", bundle)
        _load(fhir_server, transaction(resources))
        out[name] = resources
    return out


@pytest.fixture(scope="module")
def service(start_server: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    maps = tmp_path_factory.mktemp("site-maps")
    for i, path in enumerate(SITE_MAPS):
        shutil.copy(path, maps / f"{i}-{path.name}")
    return start_server({"CDS_SITE_CONCEPTMAP": str(maps), "CDS_FHIR_DEADLINE_MS": "8000"})


def _shown(cards: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What a clinician and an integrator see of each card (uuids and links aside)."""
    return [
        (
            c["source"]["topic"]["code"],
            c["indicator"],
            c["summary"],
            c["detail"],
            json.dumps(c["extension"]["ctd-ild-cds"].get("facts"), sort_keys=True),
        )
        for c in cards
    ]


@pytest.mark.parametrize("name", [b[0] for b in BUNDLES])
def test_prefetch_and_fallback_give_the_same_cards(
    name: str, loaded: dict[str, list[dict[str, Any]]], service: Any, fhir_server: FhirServer
) -> None:
    resources = loaded[name]
    patient = next((r for r in resources if r["resourceType"] == "Patient"), None)
    if patient is None:
        pytest.skip("no Patient in this fixture")
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }
    by_prefetch = post_hook(service, PV, request_for(PV, bundle))
    by_fallback = post_hook(
        service, PV, fallback_request(fhir_server.base_url, patient["id"], fhir_server.token)
    )
    assert by_prefetch.status_code == by_fallback.status_code == 200, by_fallback.text[:300]
    assert _shown(by_fallback.json()["cards"]) == _shown(by_prefetch.json()["cards"])
