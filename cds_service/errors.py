"""Exceptions that cross the HTTP boundary and become a status code with an OperationOutcome.

``cds_service.api`` turns each into its response; nothing else here knows HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable

#: HTTP status -> OperationOutcome issue code, for errors that are not a ``ServiceError``
ISSUE_CODES = {
    400: "invalid",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    408: "timeout",
    413: "too-costly",
    414: "too-costly",
    415: "not-supported",
    431: "too-costly",
    500: "exception",
}


class ServiceError(Exception):
    """Base class: an error with a list of ``(location, message)`` issues for the body."""

    status: int = 500
    issue_code: str = "exception"

    def __init__(self, issues: Iterable[tuple[str, ...]]) -> None:
        #: ``(location, message)``, or ``(location, message, issue code)`` where one issue's
        #: code differs from the class's ``issue_code``
        self.issues: list[tuple[str, ...]] = list(issues)
        super().__init__("; ".join(f"{i[0]}: {i[1]}" for i in self.issues))


class DataUnavailable(ServiceError):
    """Required patient data could not be had from prefetch nor from the FHIR server (412).

    Each issue is ``(prefetch key or JSON path, what was missing and why)``; the messages are
    shown to the client, so they must not carry tokens or patient identifiers.
    """

    status = 412
    issue_code = "not-found"


class InvalidRequest(ServiceError):
    """The request body broke the CDS Hooks request or feedback rules (400)."""

    status = 400
    issue_code = "invalid"
