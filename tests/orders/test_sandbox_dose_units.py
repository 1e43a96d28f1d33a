"""Dose units EHRs send for solid doses: the CDS Hooks sandbox's Rx View draft "Prednisone 20
MG Oral Tablet" with dose ``1 {pill}`` per day is read as 20 mg/day, so an SSc patient gets
the critical renal-crisis card (as with ``{tbl}``), not "dose could not be checked"."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cds_service import engine
from cds_service.services import REGISTRY
from tests.orders.builders import prednisone_tablet_draft

FIXTURE = (
    Path(__file__).resolve().parents[2]
    / "fixtures"
    / "orders"
    / "ssc-prednisolone-20mg-drafted.json"
)
TODAY = date(2026, 11, 21)


def sandbox_draft(code: str | None, unit: str | None = None, value: float = 1) -> dict[str, Any]:
    return prednisone_tablet_draft("ssc-gc-20", code, unit, value)


def cards(draft: dict[str, Any]) -> list[Any]:
    fixture = json.loads(FIXTURE.read_text())
    resources = [e["resource"] for e in fixture["patient"]["entry"]]
    context = {
        "patientId": "ssc-gc-20",
        "draftOrders": {"resourceType": "Bundle", "entry": [{"resource": draft}]},
    }
    service = REGISTRY["ctd-ild-order-sign"]
    return engine.evaluate_resources(service, resources, context, TODAY).findings


@pytest.mark.parametrize(
    ("code", "unit"),
    [
        ("{pill}", None),  # the sandbox's exact draft
        ("{tbl}", None),
        ("{tablet}", None),
        ("{Tablet}", None),
        ("{capsule}", None),
        ("{each}", None),
        (None, "TAB"),
        (None, "CAP"),
        ("{PILL}", "pill"),
    ],
)
def test_one_unit_of_a_20_mg_tablet_is_20_mg_a_day(code: str | None, unit: str | None) -> None:
    (card,) = [
        f for f in cards(sandbox_draft(code, unit)) if f.topic == "order-ssc-glucocorticoid-dose"
    ]
    assert card.indicator.value == "critical"
    assert any(f.value == 20.0 for f in card.facts)


@pytest.mark.parametrize(
    ("tablets", "indicator"), [(0.5, None), (0.75, "critical"), (0.5 + 0.01, "warning")]
)
def test_pill_counts_at_the_thresholds(tablets: float, indicator: str | None) -> None:
    """20 mg tablets: 0.5 = 10 mg (not above 10), 0.51 = 10.2 mg (warning), 0.75 = 15 mg
    (critical at >=15)."""
    found = [
        f
        for f in cards(sandbox_draft("{pill}", value=tablets))
        if f.topic == "order-ssc-glucocorticoid-dose"
    ]
    assert (found[0].indicator.value if found else None) == indicator


def test_a_unit_that_is_not_a_count_still_says_it_could_not_be_checked() -> None:
    found = cards(sandbox_draft("{puff}"))
    assert all(f.indicator.value != "critical" for f in found)
