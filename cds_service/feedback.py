"""Card feedback (CDS Hooks 2.0 §Feedback): store it once, report it per card topic.

Each issued card's uuid is recorded with its topic, service and client (``issued_card``) right
after the response is sent (``record_issued``), so feedback, which names only the card uuid,
can be checked against who received the card and counted per topic.
Feedback is accepted only for a card this service issued to the same client (issuer and
tenant), once per card and client: a repeat is acknowledged as a duplicate and not stored; the
report counts each card once. Nothing here stores patient identifiers; ``userComment`` is free
text the clinician typed and is kept only in the database, never logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from .fhir_policy import DEV_CALLER, Caller
from .storage import Storage, feedback_table, issued_card_table

log = logging.getLogger(__name__)

UNKNOWN_TOPIC = "(card not issued by this store)"


@dataclass(frozen=True)
class StoreResult:
    stored: int
    duplicates: int
    #: items for a card this service did not issue to this client: not stored
    refused: int = 0


def record_issued(
    storage: Storage,
    service_id: str,
    cards: Iterable[dict[str, Any]],
    caller: Caller = DEV_CALLER,
) -> None:
    """Record one response's cards (uuid -> topic, service and the client they were issued
    to: feedback is accepted only from it), once the response is sent (``call_on_close``):
    one short transaction, one INSERT; a uuid already recorded is skipped. The EHR has its
    cards before the row is written, so a failure is logged (exception type only) and never
    raised. Feedback for a card without its row is refused (``store_feedback``)."""
    now = datetime.now(UTC)
    rows = [
        {
            "card_uuid": c["uuid"],
            "service_id": service_id,
            "topic": c.get("source", {}).get("topic", {}).get("code", "unknown"),
            "issued_at": now,
            "issuer": caller.issuer,
            "tenant": caller.tenant,
        }
        for c in cards
        if c.get("uuid")
    ]
    if not rows:
        return
    try:
        with storage.engine.begin() as conn:
            conn.execute(_insert_ignore(conn.dialect.name, issued_card_table), rows)
    except Exception as exc:  # the cards matter more than the feedback bookkeeping
        log.error("could not record %d issued cards: %s", len(rows), type(exc).__name__)


@cache
def _insert_ignore(dialect: str, table: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING for ``table``, built once per dialect."""
    if dialect == "postgresql":
        return pg_insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        # INSERT OR IGNORE = ON CONFLICT DO NOTHING for these always-complete rows; unlike the
        # on_conflict construct (SQLAlchemy 2.0: no cache key, recompiled on every call) it
        # is compiled once
        return insert(table).prefix_with("OR IGNORE", dialect="sqlite")
    return insert(table)  # pragma: no cover - other databases are not supported targets


def _override_parts(reason: Any) -> tuple[str | None, str | None, str | None, str | None]:
    """(code, system, display, userComment) from a 2.0 or legacy flat overrideReason."""
    if not isinstance(reason, dict):
        return None, None, None, None
    coding = reason.get("reason") if "reason" in reason or "userComment" in reason else reason
    coding = coding if isinstance(coding, dict) else {}
    return (
        coding.get("code"),
        coding.get("system"),
        coding.get("display"),
        reason.get("userComment"),
    )


def store_feedback(
    storage: Storage, service_id: str, items: list[dict[str, Any]], caller: Caller = DEV_CALLER
) -> StoreResult:
    """Store validated feedback items. An item counts only for a card this service issued to
    the same client (issuer and tenant; others are refused), once per card and client (a
    repeat is a duplicate)."""
    now = datetime.now(UTC)
    ic = issued_card_table
    with storage.engine.begin() as conn:
        uuids = {i["card"] for i in items}
        topics: dict[str, str] = {
            row.card_uuid: row.topic
            for row in conn.execute(
                select(ic.c.card_uuid, ic.c.topic).where(
                    ic.c.card_uuid.in_(uuids),
                    ic.c.service_id == service_id,
                    ic.c.issuer == caller.issuer,
                    ic.c.tenant == caller.tenant,
                )
            )
        }
        rows = []
        for item in items:
            if item["card"] not in topics:
                continue
            code, system, display, comment = _override_parts(item.get("overrideReason"))
            accepted = [s["id"] for s in item.get("acceptedSuggestions") or []]
            rows.append(
                {
                    "service_id": service_id,
                    "card_uuid": item["card"],
                    "outcome": item["outcome"],
                    "outcome_timestamp": item["outcomeTimestamp"],
                    "topic": topics.get(item["card"]),
                    "accepted_suggestions": json.dumps(accepted) if accepted else None,
                    "override_code": code,
                    "override_system": system,
                    "override_display": display,
                    "user_comment": comment,
                    "received_at": now,
                    "issuer": caller.issuer,
                    "tenant": caller.tenant,
                }
            )
        # a repeat breaks the unique index and is skipped; rowcount is unreliable across drivers
        stmt = _insert_ignore(conn.dialect.name, feedback_table).returning(feedback_table.c.id)
        stored = sum(len(conn.execute(stmt, row).all()) for row in rows)
    return StoreResult(stored=stored, duplicates=len(rows) - stored, refused=len(items) - len(rows))


@dataclass
class TopicReport:
    topic: str
    issued: int = 0
    accepted: int = 0
    overridden: int = 0
    #: "system|code" (or "(no reason)") -> count
    override_reasons: dict[str, int] = field(default_factory=dict)

    def reasons_by_count(self) -> list[tuple[str, int]]:
        return sorted(self.override_reasons.items(), key=lambda kv: (-kv[1], kv[0]))


#: a feedback row's card topic, joined at report time (rows stored by an earlier version may
#: precede their card's ``issued_card`` row: then ``feedback.topic``, else UNKNOWN_TOPIC)
FEEDBACK_TOPIC = func.coalesce(issued_card_table.c.topic, feedback_table.c.topic, UNKNOWN_TOPIC)


def counted_feedback(*columns: Any) -> Select[Any]:
    """``SELECT columns`` over the feedback rows a report counts: each card once (its latest
    row), joined to its issued card (``FEEDBACK_TOPIC``). The text and HTML reports share it."""
    f, ic = feedback_table, issued_card_table
    latest = select(func.max(f.c.id)).group_by(f.c.card_uuid).scalar_subquery()
    joined = f.outerjoin(ic, f.c.card_uuid == ic.c.card_uuid)
    return select(*columns).select_from(joined).where(f.c.id.in_(latest))


def feedback_report(storage: Storage) -> list[TopicReport]:
    """Accepted/overridden counts and override reasons per card topic (sorted by topic)."""
    f, ic, topic = feedback_table, issued_card_table, FEEDBACK_TOPIC
    reports: dict[str, TopicReport] = {}
    with storage.engine.connect() as conn:
        for t, n in conn.execute(select(ic.c.topic, func.count()).group_by(ic.c.topic)).all():
            reports.setdefault(t, TopicReport(t)).issued = n
        counts = conn.execute(
            counted_feedback(
                topic, f.c.outcome, f.c.override_system, f.c.override_code, func.count()
            ).group_by(topic, f.c.outcome, f.c.override_system, f.c.override_code)
        ).all()
    for t, outcome, system, code, n in counts:
        rep = reports.setdefault(t, TopicReport(t))
        if outcome == "accepted":
            rep.accepted += n
        else:
            rep.overridden += n
            key = f"{system}|{code}" if code else "(no reason)"
            rep.override_reasons[key] = rep.override_reasons.get(key, 0) + n
    return [reports[k] for k in sorted(reports)]


def printable(text: str) -> str:
    """``text`` without the characters a terminal would act on (control and format
    characters, e.g. ANSI escapes): stored codes come from clients."""
    return "".join(c for c in text if c.isprintable())


def report_text(reports: list[TopicReport]) -> str:
    if not reports:
        return "No cards issued and no feedback stored yet.\n"
    lines = [f"{'topic':40} {'issued':>7} {'accepted':>9} {'overridden':>11}"]
    for r in reports:
        topic = printable(r.topic)
        lines.append(f"{topic:40} {r.issued:>7} {r.accepted:>9} {r.overridden:>11}")
        for reason, n in r.reasons_by_count():
            lines.append(f"    override {printable(reason)}: {n}")
    return "\n".join(lines) + "\n"
