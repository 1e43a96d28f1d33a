"""The CDS Hooks 2.0 wire format: JSON Schemas (package data in ``schemas/``) and the checks
that turn a body into a list of problems, each named by its JSON path.

``validate_request`` and ``validate_feedback`` return ``[(json_path, message), ...]``; an
empty list means the body is acceptable. Strict on what we send (``response.schema.json``:
the tests check every card with ``validator("response")``), tolerant on what we receive
(unknown fields and ``extension`` are allowed everywhere).
"""

from __future__ import annotations

from .validation import validate_feedback, validate_request, validator

__all__ = ["validate_feedback", "validate_request", "validator"]
