"""The real server with its feedback store on PostgreSQL (CDS_TEST_POSTGRES_URL)."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import REPO
from tests.support import load_json, post_hook, request_for

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
PV = "ctd-ild-patient-view"


@pytest.fixture(scope="module")
def pg_database(postgres_url):
    """A database of its own on the test server, dropped afterwards."""
    name = f"cds_e2e_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def pg_server(start_server, pg_database):
    return start_server({"CDS_DATABASE_URL": pg_database}, workers=2)


def _issued_card(base: str) -> str:
    """A card the server issued (feedback is accepted only for cards it issued)."""
    r = post_hook(base, PV, load_json("requests/patient-view-example.json"))
    assert r.status_code == 200
    cards = r.json()["cards"]
    assert cards
    return str(cards[0]["uuid"])


def test_ready_and_feedback_stored_once(pg_server, pg_database) -> None:
    base = pg_server.base_url
    assert requests.get(f"{base}/readyz", timeout=10).json() == {"status": "ready"}
    assert post_hook(base, PV, request_for(PV, None)).status_code == 200
    body = load_json("requests/spec-feedback-override-reason.json")
    body["feedback"][0]["card"] = _issued_card(base)
    url = f"{base}/cds-services/{PV}/feedback"
    # the issued-card row is written once the response has been sent: wait for it
    deadline = time.monotonic() + 10
    first = requests.post(url, json=body, timeout=10).json()
    while first.get("refused") and time.monotonic() < deadline:
        time.sleep(0.1)
        first = requests.post(url, json=body, timeout=10).json()
    assert first == {"stored": 1, "duplicates": 0, "refused": 0}
    assert requests.post(url, json=body, timeout=10).json() == {
        "stored": 0,
        "duplicates": 1,
        "refused": 0,
    }
    engine = create_engine(pg_database)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT override_code, user_comment FROM feedback")).one()
    engine.dispose()
    assert tuple(row) == ("d7ecf885", "A comment entered by the clinician.")
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "cds_service.cli", "feedback-report"],
        env={"CDS_DATABASE_URL": pg_database, "PYTHONPATH": str(REPO), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout
    assert "override https://example.com/cds-hooks/override-reason-system|d7ecf885: 1" in out
