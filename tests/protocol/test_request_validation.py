"""Request validation: required fields, per-hook context, fhirAuthorization => fhirServer,
tolerance of unknown fields, extensions and sandbox-shaped draftOrders."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cds_service.protocol import validate_request
from cds_service.services import REGISTRY
from tests.support import load_json

PV = REGISTRY["ctd-ild-patient-view"]
SIGN = REGISTRY["ctd-ild-order-sign"]
SELECT = REGISTRY["ctd-ild-order-select"]

DRAFTS = {
    "resourceType": "Bundle",
    "entry": [
        {"resource": {"resourceType": "MedicationRequest", "id": "mr-1", "status": "draft"}},
        {"resource": {"resourceType": "ServiceRequest", "id": "sr-1", "status": "draft"}},
    ],
}


def pv_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {"userId": "Practitioner/example", "patientId": "p-1"},
    }
    body.update(changes)
    return body


def select_body(selections: Any, drafts: Any = DRAFTS) -> dict[str, Any]:
    return {
        "hook": "order-select",
        "hookInstance": "x-1",
        "context": {
            "userId": "PractitionerRole/r-1",
            "patientId": "p-1",
            "selections": selections,
            "draftOrders": drafts,
        },
    }


def paths(problems: list[tuple[str, str]]) -> list[str]:
    return [p for p, _ in problems]


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("minimal patient-view", pv_body()),
        (
            "encounterId",
            pv_body(context={"userId": "Patient/p-1", "patientId": "p-1", "encounterId": "e-9"}),
        ),
        ("RelatedPerson user", pv_body(context={"userId": "RelatedPerson/rp", "patientId": "p"})),
        ("unknown top-level field", pv_body(somethingNew=True)),
        ("extension object", pv_body(extension={"com.example.timestamp": "2017-11-27"})),
        (
            "unknown context field",
            pv_body(
                context={
                    "userId": "Practitioner/a",
                    "patientId": "p",
                    "extension": {"x": 1},
                    "newThing": 3,
                }
            ),
        ),
        ("null prefetch value", pv_body(prefetch={"patient": None, "conditions": None})),
        ("fhirServer without token", pv_body(fhirServer="https://ehr.example.org/fhir")),
        (
            "fhirAuthorization with fhirServer",
            pv_body(
                fhirServer="https://ehr.example.org/fhir",
                fhirAuthorization={
                    "access_token": "t",
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "scope": "patient/*.read",
                    "subject": "cds",
                    "patient": "p",
                },
            ),
        ),
    ],
)
def test_valid_patient_view_bodies(name: str, body: dict[str, Any]) -> None:
    assert validate_request(PV, body) == [], name


@pytest.mark.parametrize(
    ("name", "body", "expected_paths"),
    [
        ("not an object", [], ["$"]),
        ("missing hook", {k: v for k, v in pv_body().items() if k != "hook"}, ["$.hook"]),
        (
            "missing hookInstance",
            {k: v for k, v in pv_body().items() if k != "hookInstance"},
            ["$.hookInstance"],
        ),
        ("missing context", {k: v for k, v in pv_body().items() if k != "context"}, ["$.context"]),
        ("missing all three", {}, ["$.context", "$.hook", "$.hookInstance"]),
        ("context not object", pv_body(context=[]), ["$.context"]),
        ("hook of another service", pv_body(hook="order-sign"), ["$.hook"]),
        ("hook not a string", pv_body(hook=5), ["$.hook"]),
        ("empty hookInstance", pv_body(hookInstance=""), ["$.hookInstance"]),
        (
            "missing patientId",
            pv_body(context={"userId": "Practitioner/a"}),
            ["$.context.patientId"],
        ),
        ("missing userId", pv_body(context={"patientId": "p"}), ["$.context.userId"]),
        (
            "userId not Type/id",
            pv_body(context={"userId": "example", "patientId": "p"}),
            ["$.context.userId"],
        ),
        (
            "userId of a type not allowed",
            pv_body(context={"userId": "Device/d", "patientId": "p"}),
            ["$.context.userId"],
        ),
        (
            "patientId with a slash",
            pv_body(context={"userId": "Practitioner/a", "patientId": "Patient/p"}),
            ["$.context.patientId"],
        ),
        (
            "fhirAuthorization without fhirServer",
            pv_body(
                fhirAuthorization={
                    "access_token": "t",
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "scope": "s",
                    "subject": "c",
                }
            ),
            ["$.fhirServer"],
        ),
        (
            "fhirAuthorization incomplete",
            pv_body(fhirServer="https://x.org/fhir", fhirAuthorization={"access_token": "t"}),
            [
                "$.fhirAuthorization.expires_in",
                "$.fhirAuthorization.scope",
                "$.fhirAuthorization.subject",
                "$.fhirAuthorization.token_type",
            ],
        ),
        (
            "token_type not Bearer",
            pv_body(
                fhirServer="https://x.org/fhir",
                fhirAuthorization={
                    "access_token": "t",
                    "token_type": "MAC",
                    "expires_in": 1,
                    "scope": "s",
                    "subject": "c",
                },
            ),
            ["$.fhirAuthorization.token_type"],
        ),
        ("fhirServer not a URL", pv_body(fhirServer="ehr.example.org"), ["$.fhirServer"]),
        (
            "prefetch value a string",
            pv_body(prefetch={"patient": "Patient/1"}),
            ["$.prefetch.patient"],
        ),
    ],
)
def test_invalid_patient_view_bodies(name: str, body: Any, expected_paths: list[str]) -> None:
    assert sorted(paths(validate_request(PV, body))) == sorted(expected_paths), name


def test_userid_types_for_order_hooks() -> None:
    body = load_json("requests/spec-order-sign-r4.json")
    assert validate_request(SIGN, body) == []
    body["context"]["userId"] = "Patient/1288992"
    assert paths(validate_request(SIGN, body)) == ["$.context.userId"]


@pytest.mark.parametrize(
    ("name", "mutate", "expected_paths"),
    [
        ("as given", lambda c: None, []),
        ("no draftOrders", lambda c: c.pop("draftOrders"), ["$.context.draftOrders"]),
        (
            "draftOrders not a Bundle",
            lambda c: c.update(draftOrders={"resourceType": "MedicationRequest"}),
            ["$.context.draftOrders.resourceType"],
        ),
        (
            "draftOrders entry without resource",
            lambda c: c["draftOrders"]["entry"].append({"fullUrl": "x"}),
            ["$.context.draftOrders.entry[2].resource"],
        ),
        (
            "draft resource without resourceType",
            lambda c: c["draftOrders"]["entry"].append({"resource": {"id": "z"}}),
            ["$.context.draftOrders.entry[2].resource.resourceType"],
        ),
    ],
)
def test_order_sign_context(name: str, mutate: Any, expected_paths: list[str]) -> None:
    body = load_json("requests/spec-order-sign-r4.json")
    mutate(body["context"])
    assert paths(validate_request(SIGN, body)) == expected_paths, name


def test_sandbox_shaped_order_sign_is_accepted() -> None:
    """Bundle without type, category an object, no intent, a draft without medication or id."""
    assert validate_request(SIGN, load_json("requests/sandbox-order-sign.json")) == []


@pytest.mark.parametrize(
    ("selections", "expected_paths"),
    [
        (["MedicationRequest/mr-1"], []),
        (["MedicationRequest/mr-1", "ServiceRequest/sr-1"], []),
        (["MedicationRequest/other"], ["$.context.selections[0]"]),
        (["MedicationRequest/mr-1", "ServiceRequest/mr-1"], ["$.context.selections[1]"]),
        (["mr-1"], ["$.context.selections[0]"]),
        ([], ["$.context.selections"]),
        ("MedicationRequest/mr-1", ["$.context.selections"]),
    ],
)
def test_order_select_selections_subset_of_draft_orders(
    selections: Any, expected_paths: list[str]
) -> None:
    problems = validate_request(SELECT, select_body(selections))
    assert paths(problems) == expected_paths


def test_order_select_requires_selections() -> None:
    body = select_body(["MedicationRequest/mr-1"])
    del body["context"]["selections"]
    assert paths(validate_request(SELECT, body)) == ["$.context.selections"]


def test_messages_do_not_echo_huge_values() -> None:
    body = pv_body(context={"userId": "x" * 5000, "patientId": "p"})
    [(path, message)] = validate_request(PV, body)
    assert path == "$.context.userId"
    assert len(message) < 300


def test_validation_does_not_mutate_body() -> None:
    body = load_json("requests/sandbox-order-sign.json")
    before = copy.deepcopy(body)
    validate_request(SIGN, body)
    assert body == before


@pytest.mark.parametrize("entry", [7, "x", {"resource": {}}, True])
def test_draft_orders_entry_of_another_type_is_a_problem_not_a_crash(entry: Any) -> None:
    """Found by the long fuzz run: ``draftOrders.entry`` as a number was a 500."""
    body = select_body(["MedicationRequest/mr-1"])
    body["context"]["draftOrders"]["entry"] = entry
    problems = validate_request(SELECT, body)
    assert problems and all(isinstance(p, tuple) for p in problems)
