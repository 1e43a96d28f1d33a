"""The ``smart_session`` table on SQLite and on a real PostgreSQL: pending -> active under a
new id, the cookie's id never stored, the verifier cleared, expiry from ``expires_in``."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from cds_service.smart_app.sessions import SessionStore, session_hash, smart_session_table
from cds_service.storage import Storage


@pytest.fixture
def store(storage: Storage) -> SessionStore:
    return SessionStore(storage)


def _start(store: SessionStore) -> str:
    return store.start(
        iss="https://ehr.example.org/fhir",
        token_endpoint="https://ehr.example.org/token",
        state="st",
        code_verifier="v" * 64,
        scope="launch openid fhirUser patient/*.rs",
        launch_kind="ehr",
    )


def test_pending_then_active_under_a_new_id(store: SessionStore) -> None:
    sid = _start(store)
    pending = store.get(sid)
    assert pending is not None and pending.status == "pending" and not pending.expired
    assert pending.code_verifier == "v" * 64
    token = {
        "access_token": "AT-secret",
        "patient": "p1",
        "scope": "patient/*.rs",
        "expires_in": 300,
    }
    new_sid = store.activate(pending, token, minutes=60)
    assert new_sid != sid
    assert store.get(sid) is None  # the pre-login id opens nothing
    active = store.get(new_sid)
    assert active is not None and active.status == "active"
    assert (active.patient_id, active.access_token, active.code_verifier) == (
        "p1",
        "AT-secret",
        None,
    )
    assert "AT-secret" not in repr(active)
    with store.storage.engine.connect() as conn:
        keys = conn.execute(select(smart_session_table.c.session_hash)).scalars().all()
    assert keys == [session_hash(new_sid)] and new_sid not in keys


def test_token_lifetime_caps_the_session(store: SessionStore) -> None:
    sid = _start(store)
    pending = store.get(sid)
    assert pending is not None
    token = {"access_token": "a", "patient": "p", "expires_in": -5}
    active = store.get(store.activate(pending, token, minutes=60))
    assert active is not None and not active.expired  # a nonsense expires_in is ignored
    sid2 = _start(store)
    p2 = store.get(sid2)
    assert p2 is not None
    sid3 = store.activate(p2, {"access_token": "a", "patient": "p", "expires_in": 0.001}, 60)
    time.sleep(0.01)
    gone = store.get(sid3)
    assert gone is not None and gone.expired


def test_end_removes_the_session(store: SessionStore) -> None:
    sid = _start(store)
    s = store.get(sid)
    assert s is not None
    store.end(s.session_hash)
    assert store.get(sid) is None
