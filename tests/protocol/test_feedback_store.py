"""Feedback storage on SQLite and on a real PostgreSQL (CDS_TEST_POSTGRES_URL): stored once,
idempotent on (card, outcome, outcomeTimestamp), reported per card topic."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from cds_service.feedback import feedback_report, report_text, store_feedback
from cds_service.feedback import record_issued as write_issued
from cds_service.fhir_policy import Caller
from cds_service.storage import Storage, metadata

SYS = "urn:ctd-ild-cds:override-reason"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'sub' / 'fb.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    s = Storage(url)
    metadata.drop_all(s.engine)
    s.create_all()
    yield s
    metadata.drop_all(s.engine)
    s.engine.dispose()


def record_issued(storage: Storage, service_id: str, cards: list[dict[str, object]]) -> None:
    """The cards of one response recorded as the service records them after the response."""
    write_issued(storage, service_id, cards)


def card(topic: str) -> dict[str, object]:
    return {"uuid": str(uuid.uuid4()), "source": {"topic": {"code": topic}}}


def overridden(card_uuid: str, code: str | None, ts: str = "2026-11-21T10:00:00Z") -> dict:
    item: dict[str, object] = {"card": card_uuid, "outcome": "overridden", "outcomeTimestamp": ts}
    if code:
        item["overrideReason"] = {"reason": {"code": code, "system": SYS}, "userComment": "c"}
    return item


def test_store_is_idempotent(storage: Storage) -> None:
    c = card("pjp-prophylaxis")
    record_issued(storage, "ctd-ild-patient-view", [c])
    item = overridden(str(c["uuid"]), "already-addressed")
    assert store_feedback(storage, "ctd-ild-patient-view", [item]).stored == 1
    again = store_feedback(storage, "ctd-ild-patient-view", [item, item])
    assert (again.stored, again.duplicates) == (0, 2)
    # one outcome per card and client: a later one (another timestamp) is a duplicate too
    later = overridden(str(c["uuid"]), "already-addressed", ts="2026-11-21T10:00:01Z")
    assert store_feedback(storage, "ctd-ild-patient-view", [later]).duplicates == 1
    with storage.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM feedback")).scalar() == 1


def test_report_per_topic(storage: Storage) -> None:
    pjp, pjp2, kl6 = card("pjp-prophylaxis"), card("pjp-prophylaxis"), card("kl6-rising")
    record_issued(storage, "ctd-ild-patient-view", [pjp, pjp2, kl6])
    record_issued(storage, "ctd-ild-patient-view", [pjp])  # the same card again: one row
    items = [
        {
            "card": pjp["uuid"],
            "outcome": "accepted",
            "acceptedSuggestions": [{"id": "s"}],
            "outcomeTimestamp": "2026-11-21T10:00:00Z",
        },
        overridden(str(pjp2["uuid"]), "patient-declined"),
        overridden(str(kl6["uuid"]), "data-incorrect"),
        # a second outcome for the same card from the same client: a duplicate
        overridden(str(kl6["uuid"]), None, ts="2026-11-21T11:00:00Z"),
        # legacy flat overrideReason, for a card this store never issued: refused
        {
            "card": "never-issued",
            "outcome": "overridden",
            "outcomeTimestamp": "2026-11-21T12:00:00Z",
            "overrideReason": {"code": "not-applicable", "system": SYS},
        },
    ]
    result = store_feedback(storage, "ctd-ild-patient-view", items)
    assert (result.stored, result.duplicates, result.refused) == (3, 1, 1)
    reports = {r.topic: r for r in feedback_report(storage)}
    assert set(reports) == {"pjp-prophylaxis", "kl6-rising"}
    p = reports["pjp-prophylaxis"]
    assert (p.issued, p.accepted, p.overridden) == (2, 1, 1)
    assert p.override_reasons == {f"{SYS}|patient-declined": 1}
    k = reports["kl6-rising"]
    assert (k.issued, k.accepted, k.overridden) == (1, 0, 1)
    assert k.override_reasons == {f"{SYS}|data-incorrect": 1}
    text_out = report_text(list(reports.values()))
    assert "pjp-prophylaxis" in text_out and f"override {SYS}|data-incorrect: 1" in text_out


def test_empty_report(storage: Storage) -> None:
    assert feedback_report(storage) == []
    assert "No cards issued" in report_text([])


def test_ping(storage: Storage) -> None:
    assert storage.ping() is True


def test_ping_fails_on_unreachable_database() -> None:
    bad = Storage("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    assert bad.ping() is False


def test_plain_postgresql_url_uses_psycopg3() -> None:
    assert Storage("postgresql://u@127.0.0.1:1/db").url.startswith("postgresql+psycopg://")


def test_feedback_only_from_the_client_the_card_was_issued_to(storage: Storage) -> None:
    """A card issued to one client (issuer and tenant) by one service: feedback from another
    issuer, another tenant, or through another service's endpoint is refused, and feedback
    for a card not (yet) issued is refused too."""
    pjp = card("pjp-prophylaxis")
    mine = Caller(issuer="https://ehr-a.example.org", tenant="hospital-a", fhir_servers=())
    write_issued(storage, "ctd-ild-patient-view", [pjp], mine)
    item = overridden(str(pjp["uuid"]), "patient-declined")
    for service, caller in [
        ("ctd-ild-patient-view", Caller("https://ehr-b.example.org", "hospital-a", ())),
        ("ctd-ild-patient-view", Caller("https://ehr-a.example.org", "hospital-b", ())),
        ("ctd-ild-order-sign", mine),
    ]:
        assert store_feedback(storage, service, [item], caller).refused == 1
    unknown = overridden(str(uuid.uuid4()), "patient-declined")
    assert store_feedback(storage, "ctd-ild-patient-view", [unknown], mine).refused == 1
    assert store_feedback(storage, "ctd-ild-patient-view", [item], mine).stored == 1
    assert feedback_report(storage)[0].overridden == 1
