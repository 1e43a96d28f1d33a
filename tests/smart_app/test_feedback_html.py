"""``cds-service feedback-report --html FILE``: one self-contained page with, per topic,
issued/accepted/overridden per week and the override reasons, as plots and tables."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, update

from cds_service import cli
from cds_service.feedback import store_feedback
from cds_service.feedback_html import feedback_html
from cds_service.storage import Storage, feedback_table, issued_card_table
from tests.protocol.test_feedback_store import SYS, card, overridden, record_issued


def _fill(storage: Storage) -> None:
    kl6, kl6b, pjp = card("kl6-rising"), card("kl6-rising"), card("pjp-prophylaxis")
    record_issued(storage, "ctd-ild-patient-view", [kl6, kl6b, pjp])
    with storage.engine.begin() as conn:  # one card issued two weeks earlier
        conn.execute(
            update(issued_card_table)
            .where(issued_card_table.c.card_uuid == kl6b["uuid"])
            .values(issued_at=datetime(2026, 11, 2, 9, tzinfo=UTC))
        )
    items = [
        overridden(str(kl6["uuid"]), "data-incorrect"),
        overridden(str(kl6b["uuid"]), "data-incorrect", ts="2026-11-21T10:00:01Z"),
        {"card": pjp["uuid"], "outcome": "accepted", "outcomeTimestamp": "2026-11-21T10:00:00Z"},
    ]
    assert store_feedback(storage, "ctd-ild-patient-view", items).stored == 3


def test_page_per_topic_with_weeks_and_reasons(storage: Storage) -> None:
    _fill(storage)
    page = feedback_html(storage)
    kl6 = page[page.index('id="topic-kl6-rising"') :]
    kl6 = kl6[: kl6.index("</section>")]
    # totals: 2 issued, 0 accepted, 2 overridden
    assert "<td>2</td><td>0</td><td>2</td>" in kl6
    # per week: the card of 2026-11-02 in its own week (weeks start on Monday)
    assert "<td>2026-11-02</td><td>1</td>" in kl6
    assert f"<td>{SYS}|data-incorrect</td><td>2</td>" in kl6
    assert kl6.count("<svg") == 2  # weeks plot, reasons plot
    pjp = page[page.index('id="topic-pjp-prophylaxis"') :]
    assert "<td>1</td><td>1</td><td>0</td>" in pjp[: pjp.index("</section>")]


def test_page_is_self_contained(storage: Storage) -> None:
    _fill(storage)
    page = feedback_html(storage)
    assert "<script" not in page
    assert not re.search(r"\b(src|href)\s*=", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page


def test_cli_writes_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDS_DATABASE_URL", f"sqlite:///{tmp_path / 'r.sqlite3'}")
    out = tmp_path / "report.html"
    assert cli.main(["feedback-report", "--html", str(out)]) == 0
    assert "No cards issued and no feedback stored yet." in out.read_text(encoding="utf-8")


def test_weeks_count_each_card_once_like_the_totals(storage: Storage) -> None:
    """Two feedback rows for one card (as an earlier version could store, before the
    one-outcome-per-card index): the totals and the weeks both count its latest row only."""
    kl6 = card("kl6-rising")
    record_issued(storage, "ctd-ild-patient-view", [kl6])
    row = {
        "service_id": "ctd-ild-patient-view",
        "card_uuid": str(kl6["uuid"]),
        "outcome_timestamp": "2026-11-21T10:00:00Z",
        "received_at": datetime(2026, 11, 18, 9, tzinfo=UTC),
    }
    with storage.engine.begin() as conn:
        conn.execute(insert(feedback_table).values(**row, outcome="overridden", issuer="old"))
        conn.execute(insert(feedback_table).values(**row, outcome="accepted", issuer="new"))
    page = feedback_html(storage)
    section = page[page.index('id="topic-kl6-rising"') :]
    section = section[: section.index("</section>")]
    assert "<td>1</td><td>1</td><td>0</td>" in section  # totals: issued, accepted, overridden
    week = re.findall(r"<tr><td>2026-11-16</td>.*?</tr>", section)
    assert week and "<td>1</td><td>0</td></tr>" in week[0]  # accepted 1, overridden 0
