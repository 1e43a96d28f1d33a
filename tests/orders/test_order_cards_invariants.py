"""Across every order topic: suggestions are valid FHIR R4, actions follow CDS Hooks 2.0,
warning/critical cards carry override reasons, and order-select on a selection gives the same
advice as order-sign on the same drafts.

FHIR R4: fhir.resources 8.x ships R5 as its default package and ``fhir.resources.R4B`` for
R4B; R4B left MedicationRequest and ServiceRequest unchanged from R4 (the R4B changes are in
medication-definition, evidence and subscription resources), so R4B models validate R4 here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.servicerequest import ServiceRequest

from cds_service.guideline.evidence import CATALOG
from cds_service.guideline.findings import Finding, Indicator
from cds_service.guideline.registry import evaluate_orders
from cds_service.guideline.topics import ORDER_TOPICS

from .builders import active, bundle, med_request, orders, record, service_request

MODELS = {"MedicationRequest": MedicationRequest, "ServiceRequest": ServiceRequest}

# name -> (conditions, active meds, drafts, extra record kwargs); every order topic fires.
SCENARIOS: dict[str, Any] = {
    "ssc_gc": (("systemic_sclerosis",), (), [med_request("g", "prednisolone", 20)], {}),
    "ssc_gc_mp": (
        ("ssc_lung",),
        (active("prednisone", 2.0),),
        [med_request("g", "methylprednisolone", 16)],
        {},
    ),
    "cyc": (("ssc_lung",), (), [med_request("c", "cyclophosphamide", 300)], {}),
    "pjp": (
        ("dermatomyositis", "ild"),
        (),
        [med_request("g", "prednisolone", 30), med_request("c", "cyclosporine", 200)],
        {},
    ),
    "as_ild": (
        ("dermatomyositis", "ild", "rp_ild_or_aip"),
        (),
        [med_request("g", "prednisolone", 60)],
        {"antibodies": {"anti_mda5": "positive"}},
    ),
    "lef": (("ra_lung",), (), [med_request("l", "leflunomide", 20)], {}),
    "csa": (
        ("dermatomyositis", "ild"),
        (),
        [med_request("c", "cyclosporine", 600, "mg/m2", route="intravenous")],
        {},
    ),
    "tcz": (
        ("systemic_sclerosis", "ild"),
        (),
        [med_request("t", "tocilizumab", 162, period=2, period_unit="wk", route="subcutaneous")],
        {},
    ),
    "imm": (("dermatomyositis", "ild"), (), [med_request("a", "azathioprine", 200)], {}),
}


def run(name: str, shape: str = "r4", selections: list[str] | None = None) -> list[Finding]:
    conditions, meds, drafts, kw = SCENARIOS[name]
    drafts = [med_request_shape(d, shape) for d in drafts]
    rec = record(conditions, meds=meds, **kw)
    return evaluate_orders(rec, orders(rec, *drafts, selections=selections, shape=shape))


def med_request_shape(res: dict[str, Any], shape: str) -> dict[str, Any]:
    if shape == "r4":
        return res
    out = dict(res)
    out.pop("intent", None)
    out["category"] = res["category"][0]
    return out


def all_findings() -> list[tuple[str, str, Finding]]:
    return [(n, s, f) for n in SCENARIOS for s in ("r4", "sandbox") for f in run(n, s)]


def test_every_order_topic_is_exercised() -> None:
    assert {f.topic for _, _, f in all_findings()} == set(ORDER_TOPICS)


@pytest.mark.parametrize(("name", "shape", "finding"), all_findings())
def test_card_invariants(name: str, shape: str, finding: Finding) -> None:
    f = finding
    assert f.topic in ORDER_TOPICS
    assert len(f.summary) <= 139 and "\n" not in f.summary
    assert not re.search(r"<[a-zA-Z/!]", f.detail)  # Markdown, no raw HTML
    assert "**Sources**" in f.detail
    assert f.rules and all(r in CATALOG for r in f.rules)
    assert all(f.topic in CATALOG[r].topics for r in f.rules)
    if f.indicator in (Indicator.WARNING, Indicator.CRITICAL):
        assert set(f.override_reasons) >= {
            "benefit-outweighs-risk",
            "already-addressed",
            "patient-declined",
        }
    assert (f.selection_behavior is not None) == bool(f.suggestions)
    if f.selection_behavior == "at-most-one":
        assert sum(s.is_recommended for s in f.suggestions) <= 1


@pytest.mark.parametrize(
    ("name", "shape", "finding"), [x for x in all_findings() if x[2].suggestions]
)
def test_suggested_resources_validate_as_fhir_r4(name: str, shape: str, finding: Finding) -> None:
    for s in finding.suggestions:
        assert s.label and s.actions
        for a in s.actions:
            assert a.description
            if a.type == "delete":
                assert a.resource is None and a.resource_id and "/" in a.resource_id
                continue
            assert a.resource is not None and a.resource_id is None
            model = MODELS[a.resource["resourceType"]]
            model.model_validate(a.resource)  # raises on an invalid resource
            if a.type == "update":
                assert a.resource["id"]


def test_sandbox_draft_update_becomes_valid_r4() -> None:
    (f,) = [x for x in run("ssc_gc", "sandbox") if x.topic == "order-ssc-glucocorticoid-dose"]
    res = f.suggestions[0].actions[0].resource
    assert res is not None
    assert isinstance(res["category"], list) and res["intent"] == "order"
    MedicationRequest.model_validate(res)


def test_sandbox_draft_as_sent_is_not_strict_r4() -> None:
    """The reason for reading leniently: the sandbox shape fails strict validation."""
    sandbox = med_request_shape(med_request("g", "prednisolone", 20), "sandbox")
    with pytest.raises(ValueError):
        MedicationRequest.model_validate(sandbox)


def key(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.topic, f.indicator.value, f.summary) for f in findings]


def test_select_limits_advice_and_equals_sign_on_the_same_orders() -> None:
    rec = record(("systemic_sclerosis", "ild"))
    pred = med_request("g", "prednisolone", 20)
    lef = med_request("l", "leflunomide", 20)
    both = bundle(pred, lef)
    from fhir_mappings.orders import map_draft_orders

    sign_all = evaluate_orders(rec, map_draft_orders(both, None, rec))
    assert {f.topic for f in sign_all} == {"order-ssc-glucocorticoid-dose", "order-leflunomide-ild"}
    select_pred = evaluate_orders(rec, map_draft_orders(both, ["MedicationRequest/g"], rec))
    sign_pred = evaluate_orders(rec, map_draft_orders(bundle(pred), None, rec))
    assert key(select_pred) == key(sign_pred)
    assert {f.topic for f in select_pred} == {"order-ssc-glucocorticoid-dose"}


def test_unselected_draft_still_counts_in_the_regimen() -> None:
    """A drafted TMP-SMX not selected still means prophylaxis is planned."""
    rec = record(("dermatomyositis", "ild"))
    draft = bundle(
        med_request("g", "prednisolone", 30),
        med_request("c", "cyclosporine", 200),
        med_request("t", "tmp_smx", 1, "tablet"),
        service_request("s", "creatinine"),
    )
    from fhir_mappings.orders import map_draft_orders

    got = evaluate_orders(rec, map_draft_orders(draft, ["MedicationRequest/c"], rec))
    assert "order-pjp-prophylaxis" not in {f.topic for f in got}
