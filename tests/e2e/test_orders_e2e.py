"""Order checks end to end: the real HTTP server, each topic's positive case and negative
control (fixtures/orders/*.json), draftOrders in strict R4 and in the CDS Hooks Sandbox's shape,
at order-sign (all drafts) and order-select (the selections).

Every response validates against the response schema (``assert_valid_response``) and every
suggested resource as FHIR R4 (``fhir.resources.R4B``: R4B kept MedicationRequest and
ServiceRequest as in R4).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.servicerequest import ServiceRequest

from tests.support import assert_valid_response, load_json, post_hook, request_for

pytestmark = pytest.mark.e2e

FIXTURES = sorted((Path(__file__).resolve().parents[2] / "fixtures" / "orders").glob("*.json"))
MODELS = {"MedicationRequest": MedicationRequest, "ServiceRequest": ServiceRequest}
SIGN, SELECT = "ctd-ild-order-sign", "ctd-ild-order-select"


def sandbox_shape(draft_orders: dict[str, Any]) -> dict[str, Any]:
    """The sandbox's draftOrders: Bundle without ``type``, MedicationRequest without
    ``intent``, ``category`` a single object, the dose directly on the dosage (DSTU2 style)."""
    out = copy.deepcopy(draft_orders)
    out.pop("type", None)
    for entry in out["entry"]:
        r = entry["resource"]
        if r["resourceType"] != "MedicationRequest":
            continue
        r.pop("intent", None)
        if isinstance(r.get("category"), list):
            r["category"] = r["category"][0]
        for dosage in r.get("dosageInstruction", []):
            for dr in dosage.pop("doseAndRate", []):
                dosage["doseQuantity"] = dr["doseQuantity"]
    return out


def call(
    server: Any,
    service: str,
    fixture: dict[str, Any],
    shape: str,
    selections: list[str] | None = None,
) -> list[dict[str, Any]]:
    drafts = fixture["draftOrders"]
    if shape == "sandbox":
        drafts = sandbox_shape(drafts)
    body = request_for(service, fixture["patient"], draft_orders=drafts, selections=selections)
    resp = post_hook(server.base_url, service, body)
    assert resp.status_code == 200, resp.text
    payload = resp.json()
    assert_valid_response(payload)
    for card in payload["cards"]:
        for s in card.get("suggestions", []):
            for a in s["actions"]:
                if a["type"] == "delete":
                    assert "resource" not in a and a["resourceId"]
                else:
                    MODELS[a["resource"]["resourceType"]].model_validate(a["resource"])
    cards: list[dict[str, Any]] = payload["cards"]
    return cards


def topic_cards(cards: list[dict[str, Any]], topic: str) -> list[dict[str, Any]]:
    return [c for c in cards if c["source"]["topic"]["code"] == topic]


@pytest.mark.parametrize("shape", ["r4", "sandbox"])
@pytest.mark.parametrize("service", [SIGN, SELECT])
@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_topic(live_server: Any, path: Path, service: str, shape: str) -> None:
    fixture = load_json(path)
    expect = fixture["expect"]
    cards = call(live_server, service, fixture, shape)
    assert all(c["source"]["topic"]["code"].startswith("order-") for c in cards)
    got = topic_cards(cards, expect["topic"])
    if expect["indicator"] is None:
        assert got == [], [c["summary"] for c in got]
        return
    assert [c["indicator"] for c in got] == [expect["indicator"]], [c["summary"] for c in cards]
    card = got[0]
    assert card["extension"]["ctd-ild-cds"]["rules"]
    if card["indicator"] in ("warning", "critical"):
        reasons = card["overrideReasons"]
        assert reasons and all(r["display"] for r in reasons)
    if card.get("suggestions"):
        assert card["selectionBehavior"] in ("at-most-one", "any")


def test_ssc_update_is_the_whole_draft_with_the_same_id(live_server: Any) -> None:
    fixture = load_json(FIXTURES[0].parent / "ssc-prednisolone-12mg-drafted.json")
    for shape in ("r4", "sandbox"):
        (card,) = topic_cards(
            call(live_server, SIGN, fixture, shape), "order-ssc-glucocorticoid-dose"
        )
        # SSc-ILD: GC is not an SSc-ILD treatment; the dose update is offered for
        # another indication, not recommended, next to a non-recommended delete
        assert "Glucocorticoids are not an SSc-ILD treatment" in card["detail"]
        update, delete = card["suggestions"]
        assert update.get("isRecommended") is not True
        assert update["label"].startswith("If a glucocorticoid is required for another indication")
        (a,) = update["actions"]
        assert a["type"] == "update" and a["resource"]["id"] == "pred-12"
        dose = a["resource"]["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]
        assert dose["value"] == 10 and dose["code"] == "mg"
        assert delete.get("isRecommended") is not True
        (d,) = delete["actions"]
        assert d["type"] == "delete" and d["resourceId"] == "MedicationRequest/pred-12"


def test_pjp_card_creates_tmp_smx(live_server: Any) -> None:
    fixture = load_json(FIXTURES[0].parent / "dm-ild-gc-plus-cyclosporine-without-prophylaxis.json")
    (card,) = topic_cards(call(live_server, SIGN, fixture, "sandbox"), "order-pjp-prophylaxis")
    (action,) = card["suggestions"][0]["actions"]
    assert action["type"] == "create"
    codes = [c["code"] for c in action["resource"]["medicationCodeableConcept"]["coding"]]
    assert "198334" in codes


def test_select_limits_to_selection_and_matches_sign(live_server: Any) -> None:
    """order-select on the prednisolone of a two-draft call gives the advice order-sign gives
    for the prednisolone alone; the leflunomide advice appears only when it is selected."""
    ssc = load_json(FIXTURES[0].parent / "ssc-prednisolone-12mg-drafted.json")
    lef = load_json(FIXTURES[0].parent / "ra-ild-leflunomide-drafted.json")
    both = copy.deepcopy(ssc)
    lef_draft = copy.deepcopy(lef["draftOrders"]["entry"][0])
    lef_draft["resource"]["subject"] = {"reference": "Patient/ssc-gc-12"}
    both["draftOrders"]["entry"].append(lef_draft)

    def key(cards: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
        return sorted((c["source"]["topic"]["code"], c["indicator"], c["summary"]) for c in cards)

    select_pred = call(live_server, SELECT, both, "r4", selections=["MedicationRequest/pred-12"])
    sign_pred = call(live_server, SIGN, ssc, "r4")
    assert key(select_pred) == key(sign_pred)
    assert "order-leflunomide-ild" not in {c["source"]["topic"]["code"] for c in select_pred}
    select_lef = call(live_server, SELECT, both, "r4", selections=["MedicationRequest/lef"])
    assert {c["source"]["topic"]["code"] for c in select_lef} == {"order-leflunomide-ild"}
    sign_both = call(live_server, SIGN, both, "r4")
    assert {c["source"]["topic"]["code"] for c in sign_both} == {
        "order-ssc-glucocorticoid-dose",
        "order-leflunomide-ild",
    }


def call_without_medications(server: Any, fixture: dict[str, Any]) -> list[dict[str, Any]]:
    """order-sign with the ``medications`` and ``medication_statements`` prefetch left out and
    no FHIR server: the active medications are unavailable for this call."""
    body = request_for(SIGN, fixture["patient"], draft_orders=fixture["draftOrders"])
    body["prefetch"].pop("medications", None)
    body["prefetch"].pop("medication_statements", None)
    resp = post_hook(server.base_url, SIGN, body)
    assert resp.status_code == 200, resp.text
    payload = resp.json()
    assert_valid_response(payload)
    for card in payload["cards"]:
        for s in card.get("suggestions", []):
            for a in s["actions"]:
                MODELS[a["resource"]["resourceType"]].model_validate(a["resource"])
    cards: list[dict[str, Any]] = payload["cards"]
    return cards


def test_medications_unavailable_no_false_critical_monotherapy(live_server: Any) -> None:
    """The active cyclosporine cannot be seen; "no combination agent" cannot be
    concluded, so the card is info and names the gap (with the data: no card at all)."""
    fixture = load_json(
        FIXTURES[0].parent / "dm-as-ild-anti-mda5-prednisolone-on-active-cyclosporine.json"
    )
    (card,) = topic_cards(
        call_without_medications(live_server, fixture), "order-as-ild-monotherapy"
    )
    assert card["indicator"] == "info"
    assert "medication orders unavailable" in card["detail"]
    assert "could not be checked" in card["summary"]


def test_medications_unavailable_tmp_smx_not_recommended(live_server: Any) -> None:
    """TMP-SMX is active but unseen; the suggestion is not recommended and the card
    says the active prophylaxis could not be checked (with the data: no card at all)."""
    fixture = load_json(FIXTURES[0].parent / "dm-ild-gc-plus-cyclosporine-on-tmp-smx.json")
    (card,) = topic_cards(call_without_medications(live_server, fixture), "order-pjp-prophylaxis")
    assert card["indicator"] == "info"
    assert "could not be" in card["summary"] and "checked" in card["summary"]
    assert "medication orders unavailable" in card["detail"]
    (s,) = card["suggestions"]
    assert s.get("isRecommended") is not True


def test_ssc_critical_card_states_steen_as_odds_ratio(live_server: Any) -> None:
    """An odds ratio from a case-control study, not "times as likely"."""
    fixture = load_json(FIXTURES[0].parent / "ssc-prednisolone-20mg-drafted.json")
    (card,) = topic_cards(call(live_server, SIGN, fixture, "r4"), "order-ssc-glucocorticoid-dose")
    assert card["indicator"] == "critical"
    assert (
        "Steen 1998 (case-control study of 110 scleroderma renal crisis cases): "
        "prednisone ≥15 mg/day" in card["detail"]
    )
    assert "OR 4.37 (95% CI 2.03-9.43)" in card["detail"]
    assert "times as likely" not in card["detail"]


def test_leflunomide_summary_states_the_japanese_figure_unambiguously(live_server: Any) -> None:
    """1.2% of patients in Japan developed fatal A/S-ILD (not a case-fatality)."""
    fixture = load_json(FIXTURES[0].parent / "ra-ild-leflunomide-drafted.json")
    (card,) = topic_cards(call(live_server, SIGN, fixture, "r4"), "order-leflunomide-ild")
    assert "fatal acute/subacute ILD in 1.2% of Japanese patients" in card["summary"]
    assert "fatal in 1.2%" not in card["summary"]
