"""Stored data (feedback, seen JWT ids) in one small module: SQLite by default,
PostgreSQL when ``CDS_DATABASE_URL`` says so. SQLAlchemy Core, no ORM.

Tables are created at start-up (``Storage.create_all``); each table's owner module does the
reads and writes (``cds_service.feedback``, ``cds_service.auth``).
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

metadata = MetaData()

feedback_table = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("service_id", String(100), nullable=False),
    Column("card_uuid", String(100), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("outcome_timestamp", String(64), nullable=False),
    Column("topic", String(100)),
    Column("accepted_suggestions", Text),  # JSON array of suggestion ids
    Column("override_code", String(200)),
    Column("override_system", String(300)),
    Column("override_display", Text),
    Column("user_comment", Text),
    Column("received_at", DateTime(timezone=True), nullable=False),
    # the client that sent it ("" when calls are not authenticated: dev mode)
    Column("issuer", String(500), nullable=False, server_default=""),
    Column("tenant", String(200), nullable=False, server_default=""),
)
#: one outcome per card and client (a repeat is answered as a duplicate)
Index(
    "uq_feedback_card_client",
    feedback_table.c.card_uuid,
    feedback_table.c.issuer,
    feedback_table.c.tenant,
    unique=True,
)

seen_jti_table = Table(
    "seen_jti",
    metadata,
    Column("iss", String(500), primary_key=True),
    Column("jti", String(500), primary_key=True),
    Column("expires_at", Float, nullable=False),  # unix time after which the row may go
)

#: card uuid -> topic, so feedback can be reported per topic (cards are not otherwise stored)
issued_card_table = Table(
    "issued_card",
    metadata,
    Column("card_uuid", String(100), primary_key=True),
    Column("service_id", String(100), nullable=False),
    Column("topic", String(100), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    # the client the card was issued to ("" when calls are not authenticated: dev mode)
    Column("issuer", String(500), nullable=False, server_default=""),
    Column("tenant", String(200), nullable=False, server_default=""),
)

#: columns added after a table was first created: (table, column) -> its DDL type
_ADDED_COLUMNS = {
    ("feedback", "issuer"): "VARCHAR(500) NOT NULL DEFAULT ''",
    ("feedback", "tenant"): "VARCHAR(200) NOT NULL DEFAULT ''",
    ("issued_card", "issuer"): "VARCHAR(500) NOT NULL DEFAULT ''",
    ("issued_card", "tenant"): "VARCHAR(200) NOT NULL DEFAULT ''",
}


class Storage:
    def __init__(self, url: str) -> None:
        if url.startswith(("postgresql://", "postgres://")):  # the installed driver: psycopg 3
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        self.url = url
        # a failed statement is logged with its type, never its parameters (feedback comments)
        kwargs: dict[str, Any] = {"future": True, "pool_pre_ping": True, "hide_parameters": True}
        if url.startswith("sqlite"):
            # a local file cannot drop a connection: no "SELECT 1" before every checkout
            kwargs["pool_pre_ping"] = False
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
            _make_sqlite_dir(url)
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)

    def create_all(self) -> None:
        """Create missing tables, add the columns and index a database of an earlier
        version lacks (its existing feedback rows stay, with issuer and tenant "")."""
        with self.engine.begin() as conn:
            existing = inspect(conn)
            for (table, column), ddl in _ADDED_COLUMNS.items():
                if existing.has_table(table) and column not in {
                    c["name"] for c in existing.get_columns(table)
                }:
                    conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}"))
        metadata.create_all(self.engine)
        try:  # a table created by an earlier version has the columns now, not the index
            with self.engine.begin() as conn:
                conn.execute(
                    text(
                        "CREATE UNIQUE INDEX IF NOT EXISTS uq_feedback_card_client "
                        "ON feedback (card_uuid, issuer, tenant)"
                    )
                )
        except SQLAlchemyError as exc:  # earlier rows with two outcomes for one card
            log.error("feedback: one-outcome-per-card index not created (%s)", type(exc).__name__)

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - readiness reports any failure as not ready
            return False


def _make_sqlite_dir(url: str) -> None:
    """Create the folder of a SQLite file URL (``sqlite:///var/x.sqlite3``) if missing, and
    the file itself readable by its owner only (0600; SQLite gives its -wal and -shm files
    the same mode). An existing file keeps its mode."""
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:" and not path.startswith("file:"):
        file = Path(path).expanduser()
        file.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.close(os.open(file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
