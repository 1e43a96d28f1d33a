"""The issued-card log: each response's cards recorded after the response is sent.

``record_issued`` runs from the response's ``call_on_close`` (the WSGI server calls it once the
body is sent): one short transaction, one INSERT of the call's (uuid, topic) rows. The EHR has
its cards before the row is written; a failure to write is logged (exception type only) and
never reaches the caller. Feedback that arrives before the row still counts: the report joins
``issued_card`` at report time (``feedback.feedback_report``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from .feedback import issued_rows, write_issued_rows
from .fhir_policy import DEV_CALLER, Caller
from .storage import Storage

log = logging.getLogger(__name__)


def record_issued(
    storage: Storage,
    service_id: str,
    cards: Iterable[dict[str, Any]],
    caller: Caller = DEV_CALLER,
) -> None:
    """Write the ``issued_card`` rows of one response's cards (with the client they were
    issued to: feedback is accepted only from it); never raises."""
    rows = issued_rows(service_id, cards, datetime.now(UTC), caller)
    if not rows:
        return
    try:
        write_issued_rows(storage, rows)
    except Exception as exc:  # the cards matter more than the feedback bookkeeping
        log.error("could not record %d issued cards: %s", len(rows), type(exc).__name__)
