"""Edge cases of medication requests and statements in ``build_record``: each gives the
stated medication entries (dose, daily dose, or why the dose could not be read)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from fhir_mappings.builder import build_record

from .conftest import PATIENT, RXNORM, SUBJECT, cc, observation, quantity
from .observation_cases import TODAY, summary


def med(**kw: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": "m",
        "status": "active",
        "intent": "order",
        "subject": SUBJECT,
        "authoredOn": "2026-10-01",
        "medicationCodeableConcept": cc(RXNORM, "42316", "tacrolimus"),
        "dosageInstruction": [
            {
                "timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
                "doseAndRate": [{"doseQuantity": {"value": 3, "unit": "mg"}}],
            }
        ],
    }
    resource.update(kw)
    return resource


def weight(value: float, rid: str = "w") -> dict[str, Any]:
    return observation(rid, "29463-7", when="2026-11-01", valueQuantity=quantity(value, "kg", "kg"))


class _DictSubclass(dict[str, Any]):
    """Not JSON, but a Mapping: read like a dict."""


MEDICATION_CASES: list[tuple[str, list[Any]]] = [
    ("request", [med()]),
    ("weight-based", [med(), weight(60.0)]),
    ("another weight", [med(), weight(80.0)]),
    (
        "mg/kg dose",
        [
            med(
                dosageInstruction=[
                    {
                        **med()["dosageInstruction"][0],
                        "doseAndRate": [{"doseQuantity": {"value": 0.1, "unit": "mg/kg"}}],
                    }
                ]
            ),
            weight(60.0),
        ],
    ),
    ("tuple instead of a list", [med(dosageInstruction=tuple(med()["dosageInstruction"]))]),
    (
        "float frequency",
        [
            med(
                dosageInstruction=[
                    {
                        **med()["dosageInstruction"][0],
                        "timing": {"repeat": {"frequency": 2.0, "period": 1}},
                    }
                ]
            )
        ],
    ),
    (
        "NaN dose",
        [
            med(
                dosageInstruction=[
                    {"doseAndRate": [{"doseQuantity": {"value": math.nan, "unit": "mg"}}]}
                ]
            )
        ],
    ),
    ("a non-JSON value in a note", [med(note=[{"text": lambda: None}])]),
    ("a dict subclass", [_DictSubclass(med())]),
    (
        "boolean frequency",
        [
            med(
                dosageInstruction=[
                    {
                        **med()["dosageInstruction"][0],
                        "timing": {"repeat": {"frequency": True, "period": 1}},
                    }
                ]
            )
        ],
    ),
    (
        "negative zero dose",
        [
            med(
                dosageInstruction=[
                    {"doseAndRate": [{"doseQuantity": {"value": -0.0, "unit": "mg"}}]}
                ]
            )
        ],
    ),
    (
        "unreadable",
        [med(dosageInstruction=[{"doseAndRate": [{"doseQuantity": {"value": 3, "unit": 5}}]}])],
    ),
    (
        "Medication reference",
        [
            med(medicationCodeableConcept=None, medicationReference={"reference": "Medication/x"}),
            {"resourceType": "Medication", "id": "x", "code": cc(RXNORM, "42316")},
        ],
    ),
    (
        "statement",
        [{**med(), "resourceType": "MedicationStatement", "dosage": med()["dosageInstruction"]}],
    ),
]


EXPECTED: dict[str, dict[str, Any]] = dict(
    [
        ("request", {"medications": [("tacrolimus", 3.0, 6.0, None)]}),
        (
            "weight-based",
            {
                "measurements": {"body_weight": [(60.0, "kg", "2026-11-01", None)]},
                "medications": [("tacrolimus", 3.0, 6.0, None)],
            },
        ),
        (
            "another weight",
            {
                "measurements": {"body_weight": [(80.0, "kg", "2026-11-01", None)]},
                "medications": [("tacrolimus", 3.0, 6.0, None)],
            },
        ),
        ("tuple instead of a list", {"medications": [("tacrolimus", 3.0, 6.0, None)]}),
        ("a non-JSON value in a note", {"medications": [("tacrolimus", 3.0, 6.0, None)]}),
        ("a dict subclass", {"medications": [("tacrolimus", 3.0, 6.0, None)]}),
        (
            "mg/kg dose",
            {
                "measurements": {"body_weight": [(60.0, "kg", "2026-11-01", None)]},
                "medications": [("tacrolimus", 6.0, 12.0, None)],
            },
        ),
        ("float frequency", {"medications": [("tacrolimus", 3.0, 6.0, None)]}),
        (
            "NaN dose",
            {
                "medications": [
                    ("tacrolimus", None, None, "dose quantity has no numeric value and unit")
                ]
            },
        ),
        (
            "boolean frequency",
            {"medications": [("tacrolimus", 3.0, None, "timing frequency/period not numeric")]},
        ),
        (
            "negative zero dose",
            {"medications": [("tacrolimus", None, None, "dose amount is not positive")]},
        ),
        (
            "unreadable",
            {
                "medications": [
                    ("tacrolimus", None, None, "dose quantity has no numeric value and unit")
                ]
            },
        ),
        ("Medication reference", {"medications": [("tacrolimus", 3.0, 6.0, None)]}),
        ("statement", {"medications": [("tacrolimus", 3.0, 6.0, None)]}),
    ]
)


@pytest.mark.parametrize(
    "resources", [c[1] for c in MEDICATION_CASES], ids=[c[0] for c in MEDICATION_CASES]
)
def test_medication_edge_cases(request: pytest.FixtureRequest, resources: list[Any]) -> None:
    name = request.node.callspec.id
    assert summary(build_record(resources, TODAY, PATIENT)) == EXPECTED[name]


def test_every_case_has_its_expectation() -> None:
    assert sorted(EXPECTED) == sorted(name for name, _ in MEDICATION_CASES)


def test_an_mg_per_kg_dose_uses_the_weight_the_record_names() -> None:
    """Two weights of the same day: the dose is computed from the one the cards name."""
    per_kg = {
        **med()["dosageInstruction"][0],
        "doseAndRate": [{"doseQuantity": {"value": 0.1, "unit": "mg/kg"}}],
    }
    for weights in (
        [weight(60.0, "w1"), weight(80.0, "w2")],
        [weight(80.0, "w2"), weight(60.0, "w1")],
    ):
        record = build_record([med(dosageInstruction=[per_kg]), *weights], TODAY, PATIENT)
        (entry,) = record.medications
        named = record.latest_weight_kg()
        assert named is not None and named.value is not None
        assert entry.dose_mg == pytest.approx(0.1 * named.value)
