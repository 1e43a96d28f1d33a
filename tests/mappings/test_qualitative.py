"""Qualitative results: positive / negative / unknown from every value form; titres."""

from __future__ import annotations

from typing import Any

import pytest

from fhir_mappings.qualitative import interpret, parse_titer

from .conftest import SNOMED, cc

V3 = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"


@pytest.mark.parametrize(
    ("obs", "status"),
    [
        ({"valueCodeableConcept": cc(SNOMED, "10828004")}, "positive"),
        ({"valueCodeableConcept": cc(SNOMED, "260385009")}, "negative"),
        ({"valueCodeableConcept": cc(SNOMED, "260373001")}, "positive"),
        ({"valueCodeableConcept": cc(SNOMED, "260415000")}, "negative"),
        ({"valueCodeableConcept": cc(SNOMED, "42425007")}, "unknown"),  # equivocal
        ({"valueCodeableConcept": cc(V3, "POS")}, "positive"),
        ({"valueCodeableConcept": cc(V3, "NEG")}, "negative"),
        ({"valueCodeableConcept": {"text": "Positive"}}, "positive"),
        ({"valueCodeableConcept": cc("urn:local", "X", display="Not detected")}, "negative"),
        ({"valueCodeableConcept": cc("urn:local", "X")}, "unknown"),
        ({"valueString": "Positive"}, "positive"),
        ({"valueString": "neg"}, "negative"),
        ({"valueString": "NEGATIVE."}, "negative"),
        ({"valueString": "borderline"}, "unknown"),
        ({"valueString": "see comment"}, "unknown"),
        ({"valueBoolean": True}, "positive"),
        ({"valueBoolean": False}, "negative"),
        ({"interpretation": [cc(V3, "POS")]}, "positive"),
        ({"interpretation": [cc(V3, "H")]}, "positive"),
        ({"interpretation": [cc(V3, "HH")]}, "positive"),
        ({"interpretation": [cc(V3, "A")]}, "positive"),
        ({"interpretation": [cc(V3, "N")]}, "negative"),
        ({"interpretation": [cc(V3, "NEG")]}, "negative"),
        ({"interpretation": [cc(V3, "L")]}, "unknown"),  # low is not "negative"
        ({"interpretation": [cc(V3, "IND")]}, "unknown"),
        ({}, "unknown"),
    ],
)
def test_status(obs: dict[str, Any], status: str) -> None:
    assert interpret(obs).status == status


@pytest.mark.parametrize(
    ("value", "high", "status"),
    [
        (7.1, 7.0, "positive"),
        (7.0, 7.0, "negative"),
        (6.9, 7.0, "negative"),
        (50.0, None, "unknown"),
    ],
)
def test_quantity_against_reference_range(value: float, high: float | None, status: str) -> None:
    obs: dict[str, Any] = {"valueQuantity": {"value": value, "unit": "U/mL"}}
    if high is not None:
        obs["referenceRange"] = [{"high": {"value": high, "unit": "U/mL"}}]
    result = interpret(obs)
    assert result.status == status and result.value == value


def test_interpretation_wins_over_range() -> None:
    obs = {
        "valueQuantity": {"value": 3.0, "unit": "U/mL"},
        "interpretation": [cc(V3, "POS")],
        "referenceRange": [{"high": {"value": 7.0}}],
    }
    assert interpret(obs).status == "positive"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1:320", (320.0, None)),
        (" 1 : 80 ", (80.0, None)),
        ("<1:40", (40.0, "<")),
        (">1:1280", (1280.0, ">")),
        ("320", None),
        ("1:x", None),
        ("2:320", None),
    ],
)
def test_parse_titer(text: str, expected: tuple[float, str | None] | None) -> None:
    assert parse_titer(text) == expected


@pytest.mark.parametrize(
    ("obs", "status", "titer"),
    [
        ({"valueString": "1:320"}, "positive", 320.0),
        ({"valueString": "<1:40"}, "negative", 40.0),
        ({"valueString": ">1:1280"}, "positive", 1280.0),
        (
            {"valueRatio": {"numerator": {"value": 1}, "denominator": {"value": 640}}},
            "positive",
            640.0,
        ),
        (
            {
                "valueRatio": {"numerator": {"value": 1}, "denominator": {"value": 160}},
                "interpretation": [cc(V3, "N")],
            },
            "negative",
            160.0,
        ),
        ({"valueQuantity": {"value": 320, "unit": "{titer}"}}, "positive", 320.0),
        ({"valueQuantity": {"value": 40, "unit": "{titer}", "comparator": "<"}}, "negative", 40.0),
        ({"valueQuantity": {"value": 0, "unit": "{titer}"}}, "unknown", 0.0),
    ],
)
def test_titres(obs: dict[str, Any], status: str, titer: float) -> None:
    result = interpret(obs)
    assert (result.status, result.titer) == (status, titer)


def test_ratio_not_one_to_n_is_not_a_titre() -> None:
    result = interpret({"valueRatio": {"numerator": {"value": 2}, "denominator": {"value": 640}}})
    assert result.titer is None and result.status == "unknown"
