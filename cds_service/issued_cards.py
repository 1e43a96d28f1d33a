"""The issued-card log, written off the call path: one background writer per process.

A hook call that returns cards hands their (uuid, topic) rows to ``IssuedCardWriter.submit``
(a queue put, microseconds); one daemon thread per process waits ``LINGER_S`` (50 ms) after
the first rows arrive, then writes everything queued in one transaction
(``feedback.write_issued_rows``: one INSERT, many rows). The call's own work no longer
includes a database round trip, and calls share commits (~0.1 ms of CPU each when alone).

Guarantees and limits (docs/reliability.md):

- ``flush()`` returns once every row submitted before it is committed (or failed and was
  logged). Everything queued is flushed at interpreter exit (``atexit``) and when a
  gunicorn worker exits (the ``worker_exit`` hook of ``cli.gunicorn_options``), so a
  graceful restart loses nothing.
- A process killed with SIGKILL (or the OOM killer) loses the rows still queued: the
  cards of its last ~50 ms of calls (more if the database was slow). Their feedback is
  still stored; the report counts it under ``feedback.UNKNOWN_TOPIC``. Feedback itself is
  written synchronously, in its request, and is never queued.
- The queue is bounded (``MAX_QUEUED_CALLS``). When it is full (the database has been
  stalled for a long time), rows are dropped with a warning instead of being written in the
  request: a hook call must never wait on the bookkeeping database (SQLite's busy timeout is
  30 s, longer than an EHR waits for cards). The cards themselves are unaffected.
- Feedback that arrives before its card's row is written still counts: the report joins
  ``issued_card`` at report time (``feedback.feedback_report``).

The thread is started on the first ``submit`` in each process (never in the gunicorn master
before the fork: a thread does not survive ``fork``), and again if the process was forked.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import weakref
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from .feedback import issued_rows, write_issued_rows
from .storage import Storage

log = logging.getLogger(__name__)

#: calls (not rows) waiting to be written; about 3 cards each, so ~100 kB at most
MAX_QUEUED_CALLS = 10_000
#: rows written per transaction at most (a long backlog is written in several commits)
MAX_BATCH_ROWS = 2_000
#: how long the writer waits after a call's rows arrive for more calls to share the commit
#: (``flush`` and ``close`` cut it short): one transaction per ~50 ms instead of per call
LINGER_S = 0.05

_Rows = list[dict[str, Any]]
_STOP = object()

_writers: weakref.WeakSet[IssuedCardWriter] = weakref.WeakSet()


class IssuedCardWriter:
    """Queue issued-card rows and write them in batches on a background thread."""

    def __init__(
        self,
        storage: Storage,
        max_queued_calls: int = MAX_QUEUED_CALLS,
        linger_s: float = LINGER_S,
    ) -> None:
        self.storage = storage
        self.max_queued_calls = max_queued_calls
        self.linger_s = linger_s
        self._wake = threading.Event()  # ends the linger (flush, close)
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._pid = -1
        self._queue: queue.Queue[Any] = queue.Queue(max_queued_calls)
        self._thread: threading.Thread | None = None
        self._submitted = 0  # calls queued in this process
        self._finished = 0  # calls written (or failed and logged) in this process
        self.dropped_rows = 0
        _writers.add(self)

    # ------------------------------------------------------------------ producer side

    def submit(self, service_id: str, cards: Iterable[dict[str, Any]]) -> None:
        """Queue the rows of one response's cards; never blocks, never raises."""
        rows = issued_rows(service_id, cards, datetime.now(UTC))
        if not rows:
            return
        with self._lock:
            self._ensure_thread()
            try:
                self._queue.put_nowait(rows)
            except queue.Full:
                self.dropped_rows += len(rows)
                dropped = self.dropped_rows
            else:
                self._submitted += 1
                return
        log.warning(
            "issued-card queue full (database stalled?): %d card rows not recorded so far; "
            "their feedback will be reported under an unknown topic",
            dropped,
        )

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every row submitted so far in this process is written (True), or
        ``timeout`` seconds pass (False). The documented way for tests and shutdown to see
        ``issued_card`` complete."""
        with self._lock:
            if self._pid != os.getpid():
                return True  # nothing was submitted in this process
            target = self._submitted
            self._wake.set()
            return self._done.wait_for(lambda: self._finished >= target, timeout)

    def close(self, timeout: float | None = 10.0) -> bool:
        """Flush, then stop the thread (a later ``submit`` starts a new one)."""
        with self._lock:
            thread = self._thread if self._pid == os.getpid() else None
            if thread is None:
                return True
            self._thread = None
            self._queue.put(_STOP)  # after every queued row: the thread writes them first
            self._wake.set()
            self._pid = -1
        thread.join(timeout)
        return not thread.is_alive()

    def _ensure_thread(self) -> None:  # holds self._lock
        if self._pid == os.getpid() and self._thread is not None:
            return
        # first use in this process (or a forked child): fresh state, own thread
        self._pid = os.getpid()
        self._queue = queue.Queue(self.max_queued_calls)
        self._submitted = self._finished = 0
        self._thread = threading.Thread(
            target=self._run, args=(self._queue,), name="issued-card-writer", daemon=True
        )
        self._thread.start()

    # ------------------------------------------------------------------ writer thread

    def _run(self, q: queue.Queue[Any]) -> None:
        while True:
            first = q.get()
            if first is _STOP:
                return
            if self.linger_s > 0:  # let the next calls' rows join this transaction
                self._wake.wait(self.linger_s)
                self._wake.clear()
            batch: list[_Rows] = [first]
            n_rows = len(first)
            stop = False
            while n_rows < MAX_BATCH_ROWS:
                try:
                    item = q.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                    break
                batch.append(item)
                n_rows += len(item)
            self._write(batch)
            if stop:
                return

    def _write(self, batch: list[_Rows]) -> None:
        rows = [row for rows in batch for row in rows]
        try:
            write_issued_rows(self.storage, rows)
        except Exception:  # the cards matter more than the feedback bookkeeping
            log.exception("could not record %d issued cards", len(rows))
        finally:
            with self._lock:
                self._finished += len(batch)
                self._done.notify_all()


def flush_all(timeout: float | None = 10.0) -> None:
    """Flush every writer of this process (atexit, gunicorn ``worker_exit``)."""
    for writer in list(_writers):
        if not writer.flush(timeout):
            log.warning("issued-card rows still queued at exit were not written")


atexit.register(flush_all)
