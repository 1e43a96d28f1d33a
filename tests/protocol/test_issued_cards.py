"""The issued-card log: rows written in one transaction, once per card, never raising."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cds_service.feedback import record_issued
from cds_service.storage import Storage, issued_card_table

PV = "ctd-ild-patient-view"


def card(n: int, topic: str = "kl6-rising") -> dict[str, Any]:
    return {"uuid": f"00000000-0000-4000-8000-{n:012d}", "source": {"topic": {"code": topic}}}


@pytest.fixture
def storage(tmp_path: Path) -> Storage:
    s = Storage(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    s.create_all()
    return s


def stored(storage: Storage) -> dict[str, str]:
    with storage.engine.connect() as conn:
        rows = conn.execute(select(issued_card_table.c.card_uuid, issued_card_table.c.topic))
        return {u: t for u, t in rows}


def test_rows_are_in_the_table_once_per_card(storage: Storage) -> None:
    record_issued(storage, PV, [card(1), card(2, "pjp-prophylaxis")])
    record_issued(storage, PV, [card(1)])  # the same card again: one row
    record_issued(storage, PV, [{"summary": "no uuid"}])  # nothing to record
    assert stored(storage) == {card(1)["uuid"]: "kl6-rising", card(2)["uuid"]: "pjp-prophylaxis"}


def test_a_failed_write_is_logged_by_type_and_never_raises(
    storage: Storage, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError("database gone: secret parameters")

    monkeypatch.setattr(storage.engine, "begin", broken)
    with caplog.at_level(logging.ERROR, logger="cds_service.feedback"):
        record_issued(storage, PV, [card(1)])
    assert "could not record 1 issued cards: RuntimeError" in caplog.text
    assert "secret" not in caplog.text
    assert stored(storage) == {}
