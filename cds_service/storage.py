"""Stored data (feedback, seen JWT ids) in one small module: SQLite by default,
PostgreSQL when ``CDS_DATABASE_URL`` says so. SQLAlchemy Core, no ORM.

Tables are created at start-up (``Storage.create_all``); each table's owner module does the
reads and writes (``cds_service.feedback``, ``cds_service.auth``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Engine

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
    UniqueConstraint("card_uuid", "outcome", "outcome_timestamp", name="uq_feedback_once"),
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
)


class Storage:
    def __init__(self, url: str) -> None:
        if url.startswith(("postgresql://", "postgres://")):  # the installed driver: psycopg 3
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        self.url = url
        kwargs: dict[str, Any] = {"future": True, "pool_pre_ping": True}
        if url.startswith("sqlite"):
            # a local file cannot drop a connection: no "SELECT 1" before every checkout
            kwargs["pool_pre_ping"] = False
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
            _make_sqlite_dir(url)
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)

    def create_all(self) -> None:
        metadata.create_all(self.engine)

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - readiness reports any failure as not ready
            return False


def _make_sqlite_dir(url: str) -> None:
    """Create the folder of a SQLite file URL (``sqlite:///var/x.sqlite3``) if missing."""
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
