"""The seen_jti store: insert-or-fail, purge of expired rows, fail closed when unavailable."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from cds_service.auth.replay import ReplayGuard
from cds_service.auth.verifier import JwtAuthenticator
from cds_service.storage import Storage, seen_jti_table

from .conftest import inline_client
from .keyring import BASE, SERVICE, Signer, bearer


def rows(storage: Storage) -> int:
    with storage.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(seen_jti_table)).scalar_one())


def test_first_use_then_seen(storage: Storage) -> None:
    guard = ReplayGuard(storage)
    assert guard.first_use("iss-a", "j1", keep_until=2e9)
    assert not guard.first_use("iss-a", "j1", keep_until=2e9)
    assert guard.first_use("iss-b", "j1", keep_until=2e9)  # jti is scoped to its issuer


def test_expired_rows_are_purged_occasionally(storage: Storage) -> None:
    now = [1000.0]
    guard = ReplayGuard(storage, purge_interval=300, clock=lambda: now[0])
    assert guard.first_use("iss", "old", keep_until=1100)  # first call purges (nothing yet)
    assert guard.first_use("iss", "new", keep_until=5000)
    now[0] = 1200  # "old" expired, but the last purge was under 300 s ago
    assert guard.first_use("iss", "x", keep_until=5000)
    assert rows(storage) == 3
    now[0] = 1301  # purge due
    assert guard.first_use("iss", "y", keep_until=5000)
    assert rows(storage) == 3  # "old" gone, "y" added


def test_unavailable_store_fails_closed(tmp_path: Path, ec_signer: Signer) -> None:
    broken = Storage(f"sqlite:///{tmp_path / 'no-tables.sqlite3'}")  # create_all never ran
    try:
        auth = JwtAuthenticator(
            [inline_client(ec_signer)], ReplayGuard(broken), public_urls=(BASE,)
        )
        result = auth.authenticate(SERVICE, bearer(ec_signer.token()))
        assert not result.ok and "replay store unavailable" in result.reason
    finally:
        broken.engine.dispose()
