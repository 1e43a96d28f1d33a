"""Feedback durability: concurrent clients, several gunicorn workers, workers killed mid-load.

``CLIENTS`` threads each POST ``posts`` feedback bodies (100 each; 500 with ``--long``), one
item with a card uuid of its own, to a server with 2 workers x 4 threads. A third of the way
in, one worker gets SIGTERM (graceful); two thirds in, the other gets SIGKILL; gunicorn's
master starts new workers. A client that sees a connection error retries the same body once
(feedback is idempotent on card + outcome + timestamp, so a retry of a stored item is
acknowledged as a duplicate). Then the database is read: every acknowledged item is stored
exactly once; an item never acknowledged may or may not be stored (the client could not
know), but never twice. SQLite always; PostgreSQL with ``CDS_TEST_POSTGRES_URL``.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, func, insert, select

from cds_service.storage import feedback_table, issued_card_table

from .conftest import worker_pids

pytestmark = pytest.mark.e2e

CLIENTS = 8
POSTS_PER_CLIENT = 100  # the default run; ``--long``: LONG_POSTS_PER_CLIENT
LONG_POSTS_PER_CLIENT = 500
PV = "ctd-ild-patient-view"


def body(card: str) -> dict[str, Any]:
    return {
        "feedback": [
            {
                "card": card,
                "outcome": "overridden",
                "outcomeTimestamp": "2026-11-21T10:00:00Z",
                "overrideReason": {
                    "reason": {
                        "code": "not-applicable",
                        "system": "urn:ctd-ild-cds:override-reason",
                    }
                },
            }
        ]
    }


class Load:
    def __init__(self, base_url: str, run: str, posts: int) -> None:
        self.posts = posts
        self.url = f"{base_url}/cds-services/{PV}/feedback"
        self.run = run
        self.acked: list[str] = []
        self.sent = 0
        self.errors: Counter[str] = Counter()
        self.lock = threading.Lock()

    def post(self, session: requests.Session, card: str) -> bool:
        """POST once, retry once on a connection error; True when acknowledged."""
        for _attempt in range(2):
            try:
                r = session.post(self.url, json=body(card), timeout=30)
            except requests.RequestException as exc:
                with self.lock:
                    self.errors[type(exc).__name__] += 1
                continue
            if r.status_code == 200:
                result = r.json()
                assert result["stored"] + result["duplicates"] == 1, result
                return True
            with self.lock:
                self.errors[f"HTTP {r.status_code}"] += 1
            assert r.status_code < 500 or r.status_code == 503, r.text[:300]
        return False

    def client(self, index: int) -> None:
        session = requests.Session()
        for i in range(self.posts):
            card = f"{self.run}-{index}-{i}"
            with self.lock:
                self.sent += 1
            if self.post(session, card):
                with self.lock:
                    self.acked.append(card)


def issue_cards(url: str, cards: list[str]) -> None:
    """Record ``cards`` as issued by the service to the dev-mode client (feedback counts only
    for cards the service issued to the client that sends it)."""
    engine = create_engine(url)
    now = datetime.now(UTC)
    rows = [
        {
            "card_uuid": c,
            "service_id": PV,
            "topic": "t",
            "issued_at": now,
            "issuer": "",
            "tenant": "",
        }
        for c in cards
    ]
    try:
        with engine.begin() as conn:
            conn.execute(insert(issued_card_table), rows)
    finally:
        engine.dispose()


def run_load(server: Any, url: str, posts: int) -> dict[str, Any]:
    run = f"dur-{uuid.uuid4().hex[:12]}"
    issue_cards(url, [f"{run}-{i}-{j}" for i in range(CLIENTS) for j in range(posts)])
    count_rows = counter_for(url)
    load = Load(server.base_url, run, posts)
    threads = [threading.Thread(target=load.client, args=(i,)) for i in range(CLIENTS)]
    total = CLIENTS * posts
    started = time.monotonic()
    for t in threads:
        t.start()
    killed: list[str] = []
    for fraction, sig in ((1 / 3, signal.SIGTERM), (2 / 3, signal.SIGKILL)):
        while load.sent < total * fraction and any(t.is_alive() for t in threads):
            time.sleep(0.01)
        pids = worker_pids(server.process.pid)
        if pids:
            os.kill(pids[0], sig)
            killed.append(f"{sig.name} worker {pids[0]}")
    for t in threads:
        t.join(timeout=300)
    elapsed = time.monotonic() - started
    rows = count_rows(run)
    acked = load.acked
    missing = [c for c in acked if rows[c] != 1]
    duplicated = [c for c, n in rows.items() if n > 1]
    stats = {
        "sent": total,
        "acknowledged": len(acked),
        "rows": sum(rows.values()),
        "missing_or_duplicated": len(missing) + len(duplicated),
        "errors": dict(load.errors),
        "killed": killed,
        "seconds": round(elapsed, 1),
    }
    print(f"\nfeedback durability: {stats}")
    assert not missing, f"acknowledged but not stored once: {missing[:5]}"
    assert not duplicated, f"stored twice: {duplicated[:5]}"
    assert len(acked) >= total * 0.9, stats  # most posts get through the restarts
    deadline = time.monotonic() + 15
    while len(worker_pids(server.process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert killed and len(worker_pids(server.process.pid)) == 2, "master restarted workers"
    return stats


def counter_for(url: str) -> Callable[[str], Counter[str]]:
    def count(run: str) -> Counter[str]:
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                result = conn.execute(
                    select(feedback_table.c.card_uuid, func.count())
                    .where(feedback_table.c.card_uuid.like(f"{run}-%"))
                    .group_by(feedback_table.c.card_uuid)
                ).all()
        finally:
            engine.dispose()
        return Counter({card: n for card, n in result})

    return count


POSTS = [
    pytest.param(POSTS_PER_CLIENT, id=f"{CLIENTS}x{POSTS_PER_CLIENT}"),
    pytest.param(
        LONG_POSTS_PER_CLIENT, id=f"{CLIENTS}x{LONG_POSTS_PER_CLIENT}", marks=pytest.mark.long
    ),
]


@pytest.mark.parametrize("posts", POSTS)
def test_feedback_survives_worker_kills_on_sqlite(
    start_server: Callable[..., Any], posts: int
) -> None:
    server = start_server({"CDS_RELIABILITY_SUITE": "durability"}, workers=2)
    db = server.log_path.parent / "cds.sqlite3"
    run_load(server, f"sqlite:///{db}", posts)


@pytest.mark.postgres
@pytest.mark.parametrize("posts", POSTS)
def test_feedback_survives_worker_kills_on_postgresql(
    start_server: Callable[..., Any], postgres_url: str, posts: int
) -> None:
    server = start_server(
        {"CDS_RELIABILITY_SUITE": "durability", "CDS_DATABASE_URL": postgres_url}, workers=2
    )
    url = postgres_url
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    run_load(server, url, posts)
