"""A resource the builder cannot read is skipped and named ("1 Condition could not be read"),
never a failed call: every field of every fixture resource set to every JSON type."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cds_service import engine
from cds_service.services import REGISTRY
from fhir_mappings.builder import build_record
from tests.support import fixture_patient_bundles

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
TODAY = date(2026, 11, 21)
JSON_VALUES: list[Any] = [None, True, 0, -1.5, 10**400, "", "x", [], [1], {}, {"x": 1}, [{}]]


BUNDLES = [
    (name, [e["resource"] for e in bundle.get("entry", []) if "resource" in e])
    for name, bundle, _ in fixture_patient_bundles()
]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every element path of a JSON value (object keys and array indexes)."""
    out: list[tuple[Any, ...]] = []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else []
    )
    for key, child in items:
        out.append((*prefix, key))
        out.extend(_paths(child, (*prefix, key)))
    return out


def _set(resource: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    mutated = copy.deepcopy(resource)
    parent: Any = mutated
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return mutated


def _pid(resources: list[dict[str, Any]]) -> str | None:
    return next((r.get("id") for r in resources if r.get("resourceType") == "Patient"), None)


def _evaluate(resources: list[dict[str, Any]]) -> None:
    for sid in ("ctd-ild-patient-view", "ctd-ild-order-sign"):
        context: dict[str, Any] = {"patientId": _pid(resources)}
        if sid == "ctd-ild-order-sign":
            context["draftOrders"] = {"resourceType": "Bundle", "entry": []}
        engine.evaluate_resources(REGISTRY[sid], resources, context, TODAY)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_field_of_any_fixture_resource_set_to_any_json_value(data: st.DataObject) -> None:
    _, resources = data.draw(st.sampled_from(BUNDLES))
    index = data.draw(st.integers(0, len(resources) - 1))
    paths = _paths(resources[index])
    if not paths:
        return
    path = data.draw(st.sampled_from(paths))
    value = data.draw(st.sampled_from(JSON_VALUES))
    mutated = [*resources[:index], _set(resources[index], path, value), *resources[index + 1 :]]
    _evaluate(mutated)  # never raises


@pytest.mark.parametrize(("name", "resources"), BUNDLES, ids=[b[0] for b in BUNDLES])
def test_every_top_level_field_of_every_resource_to_every_json_type(
    name: str, resources: list[dict[str, Any]]
) -> None:
    for index, resource in enumerate(resources):
        for key in resource:
            if key in ("resourceType",):
                continue
            for value in JSON_VALUES:
                mutated = list(resources)
                mutated[index] = {**resource, key: value}
                build_record(mutated, TODAY, _pid(resources))  # never raises


def test_a_malformed_clinical_status_is_skipped_and_named() -> None:
    condition = {
        "resourceType": "Condition",
        "id": "c-bad",
        "subject": {"reference": "Patient/p1"},
        "clinicalStatus": {"coding": 123},
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "233703007"}]},
        "onsetDateTime": "2026-01-05",
    }
    record = build_record([condition], TODAY, "p1")
    assert record.conditions == []
    assert record.warnings == [("Condition/c-bad", "Condition.clinicalStatus.coding is not a list")]
    assert record.unreadable_text() == "1 Condition could not be read"
    two = build_record(
        [
            condition,
            {**condition, "id": "c2"},
            {**condition, "id": "o", "resourceType": "Observation", "status": 5},
        ],
        TODAY,
        "p1",
    )
    assert two.unreadable_text() == "2 Conditions and 1 Observation could not be read"
