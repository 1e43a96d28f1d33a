"""Findings -> cards: every card shape the service can produce is valid against the response
schema, the Inferno card checks and cds-resp-1..6; invalid findings are refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cds_service.cards import (
    MAX_SUMMARY,
    OVERRIDE_REASON_SYSTEM,
    CardError,
    card_from_finding,
    override_reasons,
    prune,
)
from cds_service.guideline.findings import Action, Fact, Finding, Indicator, Link, Suggestion
from cds_service.guideline.topics import ALL_TOPICS, TOPIC_SYSTEM
from tests.support import assert_valid_response

MR = {
    "resourceType": "MedicationRequest",
    "status": "draft",
    "intent": "order",
    "subject": {"reference": "Patient/p-1"},
    "medicationCodeableConcept": {"text": "sulfamethoxazole-trimethoprim"},
}
CREATE = Action("create", "Order TMP-SMX prophylaxis", resource=MR)
UPDATE = Action("update", "Lower the prednisolone dose", resource={**MR, "id": "mr-9"})
DELETE = Action("delete", "Remove the leflunomide order", resource_id="MedicationRequest/mr-3")


def finding(**changes: Any) -> Finding:
    base: dict[str, Any] = {
        "topic": "pjp-prophylaxis",
        "indicator": Indicator.WARNING,
        "summary": "Intensive immunosuppression without Pneumocystis prophylaxis.",
        "detail": "Prednisolone **40 mg/day** since 2026-11-01 (R141). See KR 2019 §5.",
        "rules": ("R111", "R141"),
        "facts": (Fact("prednisolone_equivalent", 40.0, "mg/d", date(2026, 11, 1)),),
    }
    base.update(changes)
    return Finding(**base)


SHAPES: dict[str, Finding] = {
    "plain info, no facts": finding(indicator=Indicator.INFO, facts=()),
    "critical with facts": finding(indicator=Indicator.CRITICAL),
    "one create suggestion": finding(suggestions=(Suggestion("Order TMP-SMX", (CREATE,)),)),
    "update suggestion, recommended": finding(
        suggestions=(Suggestion("Lower dose", (UPDATE,), is_recommended=True),)
    ),
    "delete suggestion": finding(suggestions=(Suggestion("Stop leflunomide", (DELETE,)),)),
    "multi-action suggestion": finding(
        suggestions=(Suggestion("Replace", (DELETE, CREATE, UPDATE)),)
    ),
    "any with two recommended": finding(
        selection_behavior="any",
        suggestions=(
            Suggestion("A", (CREATE,), is_recommended=True),
            Suggestion("B", (UPDATE,), is_recommended=True),
        ),
    ),
    "at-most-one with one recommended": finding(
        selection_behavior="at-most-one",
        suggestions=(Suggestion("A", (CREATE,), is_recommended=True), Suggestion("B", (DELETE,))),
    ),
    "links absolute and smart": finding(
        links=(
            Link("KR 2019 guideline", "https://example.org/kr2019"),
            Link("Dose calculator", "https://apps.example.org/launch", "smart"),
        )
    ),
    "chosen override reasons": finding(override_reasons=("already-addressed", "patient-declined")),
    "empty detail omitted": finding(detail=""),
    "summary of 139 characters": finding(summary="x" * MAX_SUMMARY),
    "detail with less-than comparisons": finding(detail="PaO2 <60 mmHg, CK <500 U/L, FVC < 70%"),
    "order topic": finding(topic="order-leflunomide-ild"),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_every_card_shape_is_valid(name: str) -> None:
    assert_valid_response({"cards": [card_from_finding(SHAPES[name])]})


def test_all_shapes_together_have_unique_uuids() -> None:
    assert_valid_response({"cards": [card_from_finding(f) for f in SHAPES.values()]})


def test_card_fields() -> None:
    card = card_from_finding(SHAPES["one create suggestion"])
    assert card["source"]["topic"] == {
        "system": TOPIC_SYSTEM,
        "code": "pjp-prophylaxis",
        "display": ALL_TOPICS["pjp-prophylaxis"],
    }
    assert card["selectionBehavior"] == "at-most-one"
    assert card["suggestions"][0]["uuid"] != card["uuid"]
    assert card["extension"]["ctd-ild-cds"] == {
        "rules": ["R111", "R141"],
        "facts": [
            {
                "concept": "prednisolone_equivalent",
                "value": 40.0,
                "unit": "mg/d",
                "date": "2026-11-01",
            }
        ],
    }


def test_fresh_uuid_per_call() -> None:
    f = SHAPES["one create suggestion"]
    a, b = card_from_finding(f), card_from_finding(f)
    assert a["uuid"] != b["uuid"]
    assert a["suggestions"][0]["uuid"] != b["suggestions"][0]["uuid"]


def test_no_suggestions_means_no_selection_behavior() -> None:
    card = card_from_finding(finding(selection_behavior="any"))
    assert "selectionBehavior" not in card and "suggestions" not in card


def test_empty_optionals_are_omitted() -> None:
    card = card_from_finding(SHAPES["empty detail omitted"])
    assert "detail" not in card
    # every card links somewhere: its documents' pages, else the rules page
    assert card["links"] and all(link["url"].startswith("http") for link in card["links"])
    card = card_from_finding(SHAPES["plain info, no facts"])
    assert "facts" not in card["extension"]["ctd-ild-cds"]


def test_delete_uses_resource_id() -> None:
    action = card_from_finding(SHAPES["delete suggestion"])["suggestions"][0]["actions"][0]
    assert action == {
        "type": "delete",
        "description": "Remove the leflunomide order",
        "resourceId": "MedicationRequest/mr-3",
    }


def test_override_reasons_default_to_the_whole_code_system() -> None:
    card = card_from_finding(finding())
    table = override_reasons()
    assert [r["code"] for r in card["overrideReasons"]] == list(table)
    assert set(table) == {
        "benefit-outweighs-risk",
        "already-addressed",
        "patient-declined",
        "not-applicable",
        "data-incorrect",
    }
    for r in card["overrideReasons"]:
        assert r["system"] == OVERRIDE_REASON_SYSTEM and r["display"] == table[r["code"]]


def test_chosen_override_reasons_keep_their_order() -> None:
    card = card_from_finding(SHAPES["chosen override reasons"])
    assert [r["code"] for r in card["overrideReasons"]] == ["already-addressed", "patient-declined"]


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("summary of 140 characters", finding(summary="x" * (MAX_SUMMARY + 1))),
        ("blank summary", finding(summary="  ")),
        ("raw HTML in detail", finding(detail="Ferritin <b>1800</b> ng/mL")),
        ("HTML comment in detail", finding(detail="x <!-- hidden -->")),
        ("unknown topic", finding(topic="not-a-topic")),
        ("unknown override reason", finding(override_reasons=("because",))),
        (
            "delete without resource_id",
            finding(suggestions=(Suggestion("x", (Action("delete", "d"),)),)),
        ),
        (
            "delete with a resource",
            finding(
                suggestions=(
                    Suggestion(
                        "x",
                        (Action("delete", "d", resource=MR, resource_id="MedicationRequest/1"),),
                    ),
                )
            ),
        ),
        (
            "create without resource",
            finding(suggestions=(Suggestion("x", (Action("create", "c"),)),)),
        ),
        (
            "update with resource_id",
            finding(
                suggestions=(
                    Suggestion(
                        "x",
                        (Action("update", "u", resource=MR, resource_id="MedicationRequest/1"),),
                    ),
                )
            ),
        ),
        (
            "action without description",
            finding(suggestions=(Suggestion("x", (Action("create", "", resource=MR),)),)),
        ),
        ("suggestion without actions", finding(suggestions=(Suggestion("x", ()),))),
        (
            "two recommended with at-most-one",
            finding(
                suggestions=(Suggestion("a", (CREATE,), True), Suggestion("b", (CREATE,), True))
            ),
        ),
        ("relative link", finding(links=(Link("x", "/rules"),))),
    ],
)
def test_invalid_findings_are_refused(name: str, bad: Finding) -> None:
    with pytest.raises(CardError):
        card_from_finding(bad)


def test_prune_keeps_false_and_zero() -> None:
    assert prune(
        {
            "a": None,
            "b": "",
            "c": [],
            "d": {},
            "e": False,
            "f": 0,
            "g": [None, {}],
            "h": {"i": {"j": None}},
        }
    ) == {"e": False, "f": 0}


@pytest.mark.parametrize(
    ("name", "card_change", "fragment"),
    [
        ("summary too long", {"summary": "x" * 140}, "summary"),
        ("null detail", {"detail": None}, "detail"),
        ("empty links", {"links": []}, "links"),
        ("bad indicator", {"indicator": "hard-stop"}, "indicator"),
        (
            "suggestions without selectionBehavior",
            {
                "suggestions": [
                    {
                        "label": "a",
                        "uuid": "00000000-0000-4000-8000-000000000001",
                        "actions": [
                            {
                                "type": "create",
                                "description": "d",
                                "resource": {"resourceType": "MedicationRequest"},
                            }
                        ],
                    }
                ]
            },
            "selectionBehavior",
        ),
        (
            "override reason without display",
            {"overrideReasons": [{"code": "a", "system": "s"}]},
            "display",
        ),
        (
            "absolute link with appContext",
            {
                "links": [
                    {"label": "l", "url": "https://x.org", "type": "absolute", "appContext": "{}"}
                ]
            },
            "appContext",
        ),
        (
            "delete with resource",
            {
                "selectionBehavior": "any",
                "suggestions": [
                    {
                        "label": "a",
                        "uuid": "00000000-0000-4000-8000-000000000002",
                        "actions": [
                            {
                                "type": "delete",
                                "description": "d",
                                "resource": {"resourceType": "MedicationRequest"},
                            }
                        ],
                    }
                ],
            },
            "delete",
        ),
        (
            "empty actions",
            {
                "selectionBehavior": "any",
                "suggestions": [
                    {"label": "a", "uuid": "00000000-0000-4000-8000-000000000003", "actions": []}
                ],
            },
            "actions",
        ),
    ],
)
def test_assert_valid_response_catches_bad_cards(
    name: str, card_change: dict[str, Any], fragment: str
) -> None:
    card = card_from_finding(finding())
    card.update(card_change)
    with pytest.raises(AssertionError, match=fragment):
        assert_valid_response({"cards": [card]})


def test_assert_valid_response_catches_reused_uuid() -> None:
    card = card_from_finding(finding())
    with pytest.raises(AssertionError, match="used twice"):
        assert_valid_response({"cards": [card, dict(card)]})


def test_empty_cards_is_valid() -> None:
    assert_valid_response({"cards": []})
