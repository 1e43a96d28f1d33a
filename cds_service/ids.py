"""Random identifiers (card and suggestion uuids, request ids) without a system call each.

``uuid.uuid4()`` reads 16 bytes with ``os.urandom``, and CPython releases the GIL around that
``getrandom`` call: in a gunicorn worker whose other threads are busy, the calling thread then
waits for the GIL to come back (up to the 5 ms switch interval) at every uuid, 4-6 times per
hook call. A py-spy profile of a worker under 8 connections put 24 % of its samples in
``uuid4``. Here each thread draws 4 kB from ``os.urandom`` at once (the same source: these ids
stay unguessable) and cuts 16-byte ids from it: one call per 256 ids. A forked process starts
with no bytes of its parent's.
"""

from __future__ import annotations

import os
import threading
import uuid

_BLOCK = 4096
_local = threading.local()


def _forget_after_fork() -> None:
    """A forked child (a gunicorn worker) must never reuse its parent's unused bytes: two
    workers would hand out the same ids."""
    global _local
    _local = threading.local()


os.register_at_fork(after_in_child=_forget_after_fork)


def _random16() -> bytes:
    buf: bytes | None = getattr(_local, "buf", None)
    pos: int = getattr(_local, "pos", _BLOCK)
    if buf is None or pos >= _BLOCK:
        buf, pos = os.urandom(_BLOCK), 0
        _local.buf = buf
    _local.pos = pos + 16
    return buf[pos : pos + 16]


def new_uuid() -> str:
    """A random (version 4) UUID, as ``str(uuid.uuid4())`` gives it."""
    return str(uuid.UUID(bytes=_random16(), version=4))


def new_hex_id() -> str:
    """A random 32-hex-digit id (a version 4 UUID without dashes), as ``uuid4().hex``."""
    return uuid.UUID(bytes=_random16(), version=4).hex
