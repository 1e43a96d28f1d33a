"""The compiled fast check never accepts a body that the Python validator refuses.

``validate_request`` trusts ``jsonschema_rs`` when it says "valid" and asks ``jsonschema`` for
the problems otherwise; these tests hold the two to that contract, on edge cases of every
keyword the request and context schemas use and on generated bodies.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cds_service.protocol.validation import _fast_validator, _validator
from cds_service.services import REGISTRY

SCHEMAS = ("request", "context-patient-view", "context-order-select", "context-order-sign")
AUTH = {
    "access_token": "t",
    "token_type": "Bearer",
    "expires_in": 300,
    "scope": "patient/*.read",
    "subject": "c",
}
PRAC = {"userId": "Practitioner/1", "patientId": "p"}
OK_REQUEST = {"hook": "patient-view", "hookInstance": "i", "context": {}}
DRAFT = {
    "resourceType": "Bundle",
    "entry": [{"resource": {"resourceType": "MedicationRequest", "id": "a"}}],
}


def agree_or_stricter(name: str, instance: Any) -> tuple[bool, bool]:
    fast = _fast_validator(name).is_valid(instance)
    slow = not list(_validator(name).iter_errors(instance))
    assert slow or not fast, f"fast path accepts what {name} refuses: {instance!r}"
    return fast, slow


EDGES: list[tuple[str, Any, bool]] = [
    # (schema, instance, valid for the Python validator)
    ("request", OK_REQUEST, True),
    ("request", [], False),
    ("request", {**OK_REQUEST, "hook": ""}, False),
    ("request", {**OK_REQUEST, "hookInstance": "x" * 200}, True),
    ("request", {**OK_REQUEST, "hookInstance": "x" * 201}, False),
    ("request", {**OK_REQUEST, "hookInstance": "é" * 200}, True),  # characters, not bytes
    ("request", {**OK_REQUEST, "fhirServer": "https://f.example/r4"}, True),
    ("request", {**OK_REQUEST, "fhirServer": "https://f.example/ r4"}, False),
    ("request", {**OK_REQUEST, "fhirServer": "ftp://f.example"}, False),
    ("request", {**OK_REQUEST, "fhirAuthorization": AUTH}, False),  # needs fhirServer
    ("request", {**OK_REQUEST, "fhirServer": "http://f", "fhirAuthorization": AUTH}, True),
    *[
        ("request", {**OK_REQUEST, "fhirServer": "http://f", "fhirAuthorization": auth}, ok)
        for auth, ok in [
            ({**AUTH, "expires_in": 0}, True),
            ({**AUTH, "expires_in": -1}, False),
            ({**AUTH, "expires_in": 300.0}, True),  # an integral number is an integer
            ({**AUTH, "expires_in": 300.5}, False),
            ({**AUTH, "expires_in": True}, False),  # a boolean is not
            ({**AUTH, "expires_in": "300"}, False),
            ({**AUTH, "token_type": "bEaReR"}, True),
            ({**AUTH, "token_type": "MAC"}, False),
            ({k: v for k, v in AUTH.items() if k != "scope"}, False),
        ]
    ],
    ("request", {**OK_REQUEST, "prefetch": {"a": None, "b": {}}}, True),
    ("request", {**OK_REQUEST, "prefetch": {"a": []}}, False),
    ("request", {**OK_REQUEST, "prefetch": []}, False),
    ("request", {**OK_REQUEST, "context": None}, False),
    ("request", {**OK_REQUEST, "extension": 1}, False),
    ("context-patient-view", {"userId": "Practitioner/1", "patientId": "p"}, True),
    ("context-patient-view", {"userId": "Device/1", "patientId": "p"}, False),
    ("context-patient-view", {"userId": "Practitioner/1", "patientId": "p" * 65}, False),
    ("context-patient-view", {"userId": "Practitioner/1", "patientId": "p_1"}, False),
    ("context-patient-view", {**PRAC, "encounterId": 1}, False),
    ("context-patient-view", {"userId": "Practitioner/1"}, False),
    ("context-order-sign", {**PRAC, "draftOrders": DRAFT}, True),
    ("context-order-sign", {**PRAC, "draftOrders": {}}, False),
    ("context-order-sign", {**PRAC,
                            "draftOrders": {"resourceType": "Bundle", "entry": [{}]}}, False),
    ("context-order-sign", {**PRAC, "draftOrders": {
        "resourceType": "Bundle", "entry": [{"resource": {"resourceType": "x"}}]}}, False),
    ("context-order-select", {**PRAC,
                              "selections": ["MedicationRequest/a"], "draftOrders": DRAFT}, True),
    ("context-order-select", {**PRAC,
                              "selections": [], "draftOrders": DRAFT}, False),
    ("context-order-select", {**PRAC,
                              "selections": ["a"], "draftOrders": DRAFT}, False),
]  # fmt: skip


@pytest.mark.parametrize(("name", "instance", "valid"), EDGES)
def test_both_validators_agree_on_the_edges(name: str, instance: Any, valid: bool) -> None:
    assert agree_or_stricter(name, instance) == (valid, valid)


@pytest.mark.parametrize(
    ("name", "instance"),
    [
        ("request", {**OK_REQUEST, "fhirServer": "https://f.example\n"}),
        ("context-patient-view", {"userId": "Practitioner/1", "patientId": "p\n"}),
    ],
)
def test_a_final_newline_is_where_the_fast_path_is_stricter(name: str, instance: Any) -> None:
    # Python's "$" matches before a final newline: the slow path decides, and accepts, as before
    assert agree_or_stricter(name, instance) == (False, True)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(-2, 2) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=8,
)
ids = st.sampled_from(["p", "p-1.2", "", "p 1", "Practitioner/1", "Device/1", "x" * 65, "é"])
contexts = st.fixed_dictionaries(
    {},
    optional={
        "userId": ids | json_values,
        "patientId": ids | json_values,
        "encounterId": ids | json_values,
        "selections": st.lists(ids, max_size=2) | json_values,
        "draftOrders": st.just(DRAFT) | json_values,
    },
)
requests = st.fixed_dictionaries(
    {},
    optional={
        "hook": st.sampled_from(["patient-view", "order-sign", ""]) | json_values,
        "hookInstance": st.text(max_size=3) | json_values,
        "fhirServer": st.sampled_from(["http://f", "https://f/r4", "f", "http://f\n"])
        | json_values,
        "fhirAuthorization": st.dictionaries(st.sampled_from(list(AUTH)), json_values)
        | st.just(AUTH)
        | json_values,
        "context": contexts | json_values,
        "prefetch": st.dictionaries(st.text(max_size=2), st.none() | json_values) | json_values,
        "extension": json_values,
    },
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(requests)
def test_generated_requests_are_never_accepted_by_the_fast_path_alone(body: Any) -> None:
    agree_or_stricter("request", body)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.sampled_from(sorted({s.hook for s in REGISTRY.values()})), contexts)
def test_generated_contexts_are_never_accepted_by_the_fast_path_alone(
    hook: str, context: Any
) -> None:
    agree_or_stricter(f"context-{hook}", context)


def test_a_value_the_fast_validator_cannot_read_takes_the_slow_path() -> None:
    from cds_service.protocol import validate_request

    body = {**OK_REQUEST, "hookInstance": b"bytes, not JSON", "context": PRAC}
    with pytest.raises(ValueError):
        _fast_validator("request").is_valid(body)
    assert validate_request(REGISTRY["ctd-ild-patient-view"], body) == [
        ("$.hookInstance", "must be of type string")
    ]
