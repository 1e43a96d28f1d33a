"""Feedback validation (cds-fb-1..3) including the sandbox's legacy flat overrideReason."""

from __future__ import annotations

from typing import Any

import pytest

from cds_service.protocol import validate_feedback
from tests.support import load_json

TS = "2026-11-21T10:05:31Z"


def item(**fields: Any) -> dict[str, Any]:
    return {"card": "c-1", "outcome": "overridden", "outcomeTimestamp": TS, **fields}


@pytest.mark.parametrize(
    "name",
    [
        "spec-feedback-accepted.json",
        "spec-feedback-overridden.json",
        "spec-feedback-override-reason.json",
        "sandbox-feedback-legacy-flat-override.json",
    ],
)
def test_fixture_bodies_are_valid(name: str) -> None:
    assert validate_feedback(load_json(f"requests/{name}")) == []


@pytest.mark.parametrize(
    ("name", "items"),
    [
        ("comment only", [item(overrideReason={"userComment": "seen by pulmonology"})]),
        (
            "reason with display",
            [item(overrideReason={"reason": {"code": "a", "system": "s", "display": "A"}})],
        ),
        ("fractional seconds and offset", [item(outcomeTimestamp="2026-11-21T10:05:31.52+09:00")]),
        ("unknown field tolerated", [item(extension={"x": 1}, other=2)]),
        (
            "several items",
            [item(), item(card="c-2", outcome="accepted", acceptedSuggestions=[{"id": "s-1"}])],
        ),
    ],
)
def test_valid_items(name: str, items: list[dict[str, Any]]) -> None:
    assert validate_feedback({"feedback": items}) == [], name


@pytest.mark.parametrize(
    ("name", "body", "expected_paths"),
    [
        ("not an object", [], ["$"]),
        ("no feedback array", {}, ["$.feedback"]),
        ("a single object, HAPI style", item(), ["$.feedback"]),
        ("empty array", {"feedback": []}, ["$.feedback"]),
        (
            "outcome outside the enum",
            {"feedback": [item(outcome="ignored")]},
            ["$.feedback[0].outcome"],
        ),
        (
            "accepted without acceptedSuggestions",
            {"feedback": [item(outcome="accepted")]},
            ["$.feedback[0].acceptedSuggestions"],
        ),
        (
            "acceptedSuggestions empty",
            {"feedback": [item(outcome="accepted", acceptedSuggestions=[])]},
            ["$.feedback[0].acceptedSuggestions"],
        ),
        (
            "acceptedSuggestion without id",
            {"feedback": [item(outcome="accepted", acceptedSuggestions=[{"uuid": "x"}])]},
            ["$.feedback[0].acceptedSuggestions[0].id"],
        ),
        (
            "missing card",
            {"feedback": [{"outcome": "overridden", "outcomeTimestamp": TS}]},
            ["$.feedback[0].card"],
        ),
        (
            "missing timestamp",
            {"feedback": [{"card": "c", "outcome": "overridden"}]},
            ["$.feedback[0].outcomeTimestamp"],
        ),
        (
            "timestamp without zone",
            {"feedback": [item(outcomeTimestamp="2026-11-21T10:05:31")]},
            ["$.feedback[0].outcomeTimestamp"],
        ),
        (
            "overrideReason empty",
            {"feedback": [item(overrideReason={})]},
            ["$.feedback[0].overrideReason"],
        ),
        (
            "reason coding without system",
            {"feedback": [item(overrideReason={"reason": {"code": "x"}})]},
            ["$.feedback[0].overrideReason"],
        ),
        (
            "flat coding without system",
            {"feedback": [item(overrideReason={"code": "x"})]},
            ["$.feedback[0].overrideReason"],
        ),
        ("second item bad", {"feedback": [item(), item(outcome=3)]}, ["$.feedback[1].outcome"]),
    ],
)
def test_invalid_bodies(name: str, body: Any, expected_paths: list[str]) -> None:
    assert [p for p, _ in validate_feedback(body)] == expected_paths, name
