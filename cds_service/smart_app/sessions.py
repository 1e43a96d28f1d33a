"""Server-side SMART sessions: the ``smart_session`` table and its reads and writes.

The browser holds only a signed cookie with a random session id; the table is keyed by the
SHA-256 of that id, so a database reader cannot forge a cookie. One row goes through two
states: ``pending`` (launch sent to the authorization server: state, PKCE verifier,
endpoints) and ``active`` (token received: access token, patient, scope). Access tokens are
kept here only: never in the page, the cookie or the log.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Column, DateTime, String, Table, Text, delete, insert, select, update

from ..storage import Storage, metadata

smart_session_table = Table(
    "smart_session",
    metadata,
    Column("session_hash", String(64), primary_key=True),
    Column("status", String(10), nullable=False),  # pending | active
    Column("iss", Text, nullable=False),
    Column("token_endpoint", Text, nullable=False),
    Column("state", String(100), nullable=False),
    Column("code_verifier", String(200)),
    Column("scope", Text, nullable=False),
    Column("launch_kind", String(12), nullable=False),  # ehr | standalone
    Column("access_token", Text),
    Column("patient_id", String(64)),
    Column("fhir_user", Text),
    Column("app_context", String(100)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

PENDING_MINUTES = 10  # from launch to callback


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns: they were stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SmartSession:
    session_hash: str
    status: str
    iss: str
    token_endpoint: str
    state: str
    code_verifier: str | None
    scope: str
    launch_kind: str
    access_token: str | None
    patient_id: str | None
    fhir_user: str | None
    app_context: str | None
    expires_at: datetime

    @property
    def expired(self) -> bool:
        return _aware(self.expires_at) <= datetime.now(UTC)

    def __repr__(self) -> str:  # never print the token or the verifier
        return f"SmartSession(status={self.status!r}, launch_kind={self.launch_kind!r})"


class SessionStore:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        smart_session_table.create(storage.engine, checkfirst=True)

    def start(
        self,
        *,
        iss: str,
        token_endpoint: str,
        state: str,
        code_verifier: str,
        scope: str,
        launch_kind: str,
    ) -> str:
        """A pending session; returns the new session id (for the cookie)."""
        sid = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.storage.engine.begin() as conn:
            conn.execute(delete(smart_session_table).where(smart_session_table.c.expires_at < now))
            conn.execute(
                insert(smart_session_table).values(
                    session_hash=session_hash(sid),
                    status="pending",
                    iss=iss,
                    token_endpoint=token_endpoint,
                    state=state,
                    code_verifier=code_verifier,
                    scope=scope,
                    launch_kind=launch_kind,
                    created_at=now,
                    expires_at=now + timedelta(minutes=PENDING_MINUTES),
                )
            )
        return sid

    def get(self, session_id: str) -> SmartSession | None:
        t = smart_session_table
        with self.storage.engine.connect() as conn:
            row = conn.execute(
                select(*[c for c in t.c if c.name != "created_at"]).where(
                    t.c.session_hash == session_hash(session_id)
                )
            ).first()
        if row is None:
            return None
        return SmartSession(**row._asdict())

    def activate(self, old: SmartSession, token: dict[str, Any], minutes: int) -> str:
        """Turn a pending session into an active one under a NEW session id (no fixation):
        the verifier and state are cleared, the token kept. Returns the new id."""
        sid = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        lifetime = timedelta(minutes=minutes)
        expires_in = token.get("expires_in")
        if isinstance(expires_in, int | float) and expires_in > 0:
            lifetime = min(lifetime, timedelta(seconds=float(expires_in)))
        t = smart_session_table
        with self.storage.engine.begin() as conn:
            conn.execute(
                update(t)
                .where(t.c.session_hash == old.session_hash, t.c.status == "pending")
                .values(
                    session_hash=session_hash(sid),
                    status="active",
                    state="",
                    code_verifier=None,
                    access_token=str(token["access_token"]),
                    patient_id=str(token["patient"]),
                    fhir_user=_optional_str(token.get("fhirUser")),
                    app_context=_optional_str(token.get("appContext"), 100),
                    scope=str(token.get("scope") or old.scope),
                    created_at=now,
                    expires_at=now + lifetime,
                )
            )
        return sid

    def end(self, session_id_hash: str) -> None:
        with self.storage.engine.begin() as conn:
            conn.execute(
                delete(smart_session_table).where(
                    smart_session_table.c.session_hash == session_id_hash
                )
            )


def _optional_str(value: object, limit: int = 2000) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None
