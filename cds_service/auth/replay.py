"""JWT replay guard: each (iss, jti) is accepted once while its token could still be valid.

The ``seen_jti`` table (``cds_service.storage``) is shared by all workers and hosts using the
same database. ``first_use`` inserts the pair; the composite primary key makes a second insert
fail atomically (SQLite and PostgreSQL alike), so two workers racing on one token cannot both
win. Rows are kept until the token's ``exp`` plus the clock leeway, then purged at most once
per ``purge_interval`` seconds per process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..storage import Storage, seen_jti_table

log = logging.getLogger(__name__)


class ReplayStoreError(Exception):
    """The store could not be reached: the caller must fail closed."""


class ReplayGuard:
    def __init__(
        self,
        storage: Storage,
        purge_interval: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._storage = storage
        self._purge_interval = purge_interval
        self._clock = clock
        self._last_purge = float("-inf")
        self._purge_lock = threading.Lock()

    def first_use(self, iss: str, jti: str, keep_until: float) -> bool:
        """Record (iss, jti); True if it was new, False if it was seen before."""
        self._maybe_purge()
        try:
            with self._storage.engine.begin() as conn:
                conn.execute(insert(seen_jti_table).values(iss=iss, jti=jti, expires_at=keep_until))
        except IntegrityError:
            return False
        except SQLAlchemyError as exc:
            raise ReplayStoreError(type(exc).__name__) from exc
        return True

    def _maybe_purge(self) -> None:
        now = self._clock()
        with self._purge_lock:
            if now - self._last_purge < self._purge_interval:
                return
            self._last_purge = now
        try:
            with self._storage.engine.begin() as conn:
                conn.execute(delete(seen_jti_table).where(seen_jti_table.c.expires_at < now))
        except SQLAlchemyError as exc:
            log.warning("purging expired JWT ids failed: %s", type(exc).__name__)
