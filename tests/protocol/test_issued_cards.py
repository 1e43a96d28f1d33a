"""The background issued-card writer: rows written after flush, batched, bounded, never raises."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cds_service import feedback, issued_cards
from cds_service.issued_cards import IssuedCardWriter
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


def test_rows_are_in_the_table_after_flush(storage: Storage) -> None:
    writer = IssuedCardWriter(storage)
    writer.submit(PV, [card(1), card(2, "pjp-prophylaxis")])
    writer.submit(PV, [card(1)])  # the same card again: one row
    writer.submit(PV, [{"summary": "no uuid"}])  # nothing to record: not queued
    assert writer.flush(10)
    assert stored(storage) == {card(1)["uuid"]: "kl6-rising", card(2)["uuid"]: "pjp-prophylaxis"}
    assert writer.close()


def test_calls_queued_while_writing_share_one_transaction(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    batches: list[int] = []
    real = feedback.write_issued_rows

    def slow_write(s: Storage, rows: list[dict[str, Any]]) -> None:
        release.wait(10)
        batches.append(len(rows))
        real(s, rows)

    monkeypatch.setattr(issued_cards, "write_issued_rows", slow_write)
    writer = IssuedCardWriter(storage)
    writer.submit(PV, [card(0)])  # taken by the thread, which then waits
    for n in range(1, 6):
        writer.submit(PV, [card(n)])
    assert not writer.flush(0.05)  # not written yet
    release.set()
    assert writer.flush(10)
    assert sum(batches) == 6 and len(batches) <= 3  # (usually [1, 5])
    assert len(stored(storage)) == 6
    writer.close()


def test_a_full_queue_drops_rows_with_a_warning_and_never_blocks(
    storage: Storage, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    release = threading.Event()
    taken = threading.Event()
    real = feedback.write_issued_rows

    def stalled_write(s: Storage, rows: list[dict[str, Any]]) -> None:
        taken.set()
        release.wait(10)
        real(s, rows)

    monkeypatch.setattr(issued_cards, "write_issued_rows", stalled_write)
    writer = IssuedCardWriter(storage, max_queued_calls=2)
    writer.submit(PV, [card(0)])  # in the (stalled) writer's hands
    assert taken.wait(10)
    writer.submit(PV, [card(1)])
    writer.submit(PV, [card(2)])  # the queue holds 2 calls
    with caplog.at_level(logging.WARNING, logger="cds_service.issued_cards"):
        writer.submit(PV, [card(3), card(4)])  # full: dropped, not waited for
    assert writer.dropped_rows == 2
    assert "2 card rows not recorded" in caplog.text
    release.set()
    assert writer.flush(10)
    assert set(stored(storage)) == {card(n)["uuid"] for n in range(3)}
    writer.close()


def test_a_failed_write_is_logged_and_flush_still_returns(
    storage: Storage, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_s: Storage, _rows: list[dict[str, Any]]) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(issued_cards, "write_issued_rows", broken)
    writer = IssuedCardWriter(storage)
    with caplog.at_level(logging.ERROR, logger="cds_service.issued_cards"):
        writer.submit(PV, [card(1)])
        assert writer.flush(10)
    assert "could not record 1 issued cards" in caplog.text
    monkeypatch.setattr(issued_cards, "write_issued_rows", feedback.write_issued_rows)
    writer.submit(PV, [card(2)])  # the thread lives on
    assert writer.flush(10)
    assert set(stored(storage)) == {card(2)["uuid"]}
    writer.close()


def test_close_writes_what_is_queued_and_flush_all_covers_every_writer(storage: Storage) -> None:
    writer = IssuedCardWriter(storage)
    other = IssuedCardWriter(storage)
    writer.submit(PV, [card(1)])
    other.submit(PV, [card(2)])
    issued_cards.flush_all(10)
    assert len(stored(storage)) == 2
    writer.submit(PV, [card(3)])
    assert writer.close(10)
    assert len(stored(storage)) == 3
    assert writer.flush(0)  # nothing pending once closed
    other.close()


def test_a_gunicorn_worker_writes_what_is_queued_when_it_exits(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cds_service.cli import gunicorn_options

    release = threading.Event()
    real = feedback.write_issued_rows

    def slow_write(s: Storage, rows: list[dict[str, Any]]) -> None:
        release.wait(0.2)  # still writing when the worker starts to exit
        real(s, rows)

    monkeypatch.setattr(issued_cards, "write_issued_rows", slow_write)
    writer = IssuedCardWriter(storage)
    writer.submit(PV, [card(1)])
    writer.submit(PV, [card(2)])
    assert len(stored(storage)) == 0
    gunicorn_options("127.0.0.1", 8080, 1, 1)["worker_exit"](None, None)
    assert len(stored(storage)) == 2
    writer.close()


def test_calls_within_the_linger_share_one_commit_and_flush_cuts_it_short(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    batches: list[int] = []
    real = feedback.write_issued_rows

    def counting(s: Storage, rows: list[dict[str, Any]]) -> None:
        batches.append(len(rows))
        real(s, rows)

    monkeypatch.setattr(issued_cards, "write_issued_rows", counting)
    writer = IssuedCardWriter(storage, linger_s=30.0)
    for n in range(3):
        writer.submit(PV, [card(n)])
    started = time.monotonic()
    assert writer.flush(10)
    assert time.monotonic() - started < 5  # not the 30 s linger
    assert batches == [3]
    writer.close()
