"""Errors the pipeline raises for the HTTP layer to turn into responses."""

from __future__ import annotations


class DataUnavailable(Exception):
    """Required patient data could not be had: HTTP 412 with an OperationOutcome.

    ``issues`` lists (which data, why) pairs, e.g. ("conditions", "FHIR server refused
    access (HTTP 401)").
    """

    def __init__(self, issues: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{what}: {why}" for what, why in issues))
        self.issues = issues
