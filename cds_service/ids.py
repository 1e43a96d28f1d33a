"""Random identifiers: card and suggestion uuids, request ids (``uuid.uuid4``)."""

from __future__ import annotations

import uuid


def new_uuid() -> str:
    """A random (version 4) UUID string."""
    return str(uuid.uuid4())


def new_hex_id() -> str:
    """A random 32-hex-digit id (a version 4 UUID without dashes)."""
    return uuid.uuid4().hex
