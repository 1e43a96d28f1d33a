"""Every fixture patient's cards as the service answers them over HTTP (in-process app,
dev mode, pinned date): the patient-view bundles of ``fixtures/patients`` and
``fixtures/site-coded-patients`` (with that folder's site ConceptMap) and the order-sign
cases of ``fixtures/orders``, sent as prefetch."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from cds_service import api
from cds_service.settings import Settings
from tests.support import request_for

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
TODAY = date(2026, 11, 21)
SITE_MAP = FIXTURES / "site-coded-patients" / "site-conceptmap.json"
PV = "ctd-ild-patient-view"
SIGN = "ctd-ild-order-sign"


def cases() -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any] | None]]:
    """(name, service id, patient Bundle, draft orders)."""
    for folder in ("patients", "site-coded-patients"):
        for path in sorted((FIXTURES / folder).glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("resourceType") == "Bundle":
                yield f"{folder}/{path.stem}", PV, data, None
    for path in sorted((FIXTURES / "orders").glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        yield f"orders/{path.stem}", SIGN, case["patient"], case["draftOrders"]


def client(tmp_path: Path) -> FlaskClient:
    settings = Settings(
        dev=True,
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        evaluation_date=TODAY,
        site_conceptmap=SITE_MAP,
    )
    return api.create_app(settings).test_client()


def prefetch_cards(tmp_path: Path) -> dict[str, list[dict[str, Any]]]:
    """Fixture name -> the cards of the response, everything sent as prefetch."""
    http = client(tmp_path)
    out: dict[str, list[dict[str, Any]]] = {}
    for name, service, bundle, drafts in cases():
        r = http.post(f"/cds-services/{service}", json=request_for(service, bundle, drafts))
        assert r.status_code == 200, (name, r.get_data(as_text=True)[:300])
        out[name] = r.get_json()["cards"]
    return out
