"""The card-text checks of ``tests/cards/test_card_text.py`` over the FHIR fallback pass:
every fixture patient loaded into a real FHIR R4 server (sekmet-fhir, ``fhir_server``) and
each hook call sent without prefetch, with ``fhirServer`` and a bearer token, so the service
reads the record through its own queries."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bench.workloads import transaction
from cds_service import api
from cds_service.settings import Settings
from tests.cards import card_checks as check
from tests.cards.fixture_cards import SITE_MAP, TODAY, cases
from tests.support import fhir_authorization, request_for

from .conftest import FhirServer

pytestmark = pytest.mark.fhirserver


def _rename(value: Any, ids: dict[str, str]) -> Any:
    """Every ``Type/id`` reference and resource id of one fixture, made unique to it."""
    if isinstance(value, dict):
        out = {k: _rename(v, ids) for k, v in value.items()}
        ref = out.get("reference")
        if isinstance(ref, str) and ref in ids:
            out["reference"] = ids[ref]
        return out
    if isinstance(value, list):
        return [_rename(v, ids) for v in value]
    return value


def _transaction(bundle: dict[str, Any]) -> dict[str, Any]:
    resources = [e["resource"] for e in bundle.get("entry", [])]
    patient = next(r["id"] for r in resources if r["resourceType"] == "Patient")
    ids = {
        f"{r['resourceType']}/{r['id']}": f"{r['resourceType']}/{patient}-{r['id']}"
        for r in resources
        if r["resourceType"] != "Patient" and r.get("id")
    }
    renamed = []
    for r in resources:
        r = _rename(r, ids)
        if r["resourceType"] != "Patient":
            r["id"] = f"{patient}-{r['id']}"
        renamed.append(r)
    return transaction(renamed)


@pytest.fixture(scope="module")
def fallback_cards(fhir_server: FhirServer, tmp_path_factory: pytest.TempPathFactory) -> Any:
    settings = Settings(
        dev=True,
        database_url=f"sqlite:///{tmp_path_factory.mktemp('cards') / 'db.sqlite3'}",
        evaluation_date=TODAY,
        site_conceptmap=SITE_MAP,
        fhir_deadline_ms=20_000,
    )
    http = api.create_app(settings).test_client()
    out: check.Cards = {}
    with fhir_server.session() as s:
        for name, service, bundle, drafts in cases():
            load = s.post(
                fhir_server.base_url,
                data=json.dumps(_transaction(bundle)).encode(),
                headers={"Content-Type": "application/fhir+json"},
                timeout=60,
            )
            assert load.status_code == 200, (name, load.text[:300])
            body = request_for(service, bundle, drafts)
            del body["prefetch"]
            body["fhirServer"] = fhir_server.base_url
            body["fhirAuthorization"] = fhir_authorization(fhir_server.token)
            r = http.post(f"/cds-services/{service}", json=body)
            assert r.status_code == 200, (name, r.get_data(as_text=True)[:300])
            out[name] = r.get_json()["cards"]
    return out


def test_the_fallback_gives_cards(fallback_cards: check.Cards) -> None:
    assert len(check.all_cards(fallback_cards)) >= 20


@pytest.mark.parametrize("name", list(check.CHECKS))
def test_card_text(fallback_cards: check.Cards, name: str) -> None:
    check.CHECKS[name](fallback_cards)


def test_the_fallback_gives_the_prefetch_topics(
    fallback_cards: check.Cards, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The service's own queries find what the EHR would have sent as prefetch."""
    from tests.cards.fixture_cards import prefetch_cards

    prefetch = prefetch_cards(tmp_path_factory.mktemp("prefetch"))
    for name, cards in prefetch.items():
        topics = [c["source"]["topic"]["code"] for c in cards]
        assert [c["source"]["topic"]["code"] for c in fallback_cards[name]] == topics, name
