"""Mesna belongs to the IV cyclophosphamide pulse: an oral order is not asked for it (order
check and patient view), an IV one is, and a route not given is asked "if given IV". Drafts as
the sandbox's Rx View sends them; SSc-ILD charted in SNOMED CT."""

from __future__ import annotations

from cds_service.guideline.findings import Indicator
from tests.guideline.chart import (
    active_med,
    condition,
    lab,
    of_topic,
    order_sign,
    patient_view,
    sandbox_draft,
)

from .builders import service_request

TOPIC = "order-cyclophosphamide-bundle"
SSC_ILD = [
    condition("systemic_sclerosis", 2000),
    condition("ild", 900),
    lab("29463-7", 70, "kg", 10),
    lab("8302-2", 170, "cm", 400),
]
LABS = [service_request("cbc", "cbc_panel"), service_request("ua", "urinalysis_panel")]


def cyc(route: str | None, dose: float, unit: str = "mg", period: float = 1) -> dict:
    return sandbox_draft("cyc", "3002", "cyclophosphamide", dose, unit, 1, period, "d", route)


def test_oral_cyclophosphamide_is_not_asked_for_mesna() -> None:
    """Oral 100 mg/day (1.43 mg/kg/day) with blood count and urinalysis drafted."""
    cards = of_topic(order_sign(SSC_ILD, [cyc("oral", 100), *LABS]), TOPIC)
    assert all("mesna" not in c.summary.lower() for c in cards)
    assert all("Add mesna" not in c.detail for c in cards)
    assert all(c.indicator == Indicator.INFO for c in cards)  # only liver tests / end date left


def test_iv_cyclophosphamide_without_mesna_is_a_warning() -> None:
    (card,) = of_topic(order_sign(SSC_ILD, [cyc("intravenous", 750, "mg/m2", 28), *LABS]), TOPIC)
    assert card.indicator == Indicator.WARNING
    assert card.summary == "Cyclophosphamide order without mesna."
    assert "Add mesna with the IV pulse (haemorrhagic cystitis)" in card.detail


def test_route_not_given_asks_mesna_if_given_iv() -> None:
    (card,) = of_topic(order_sign(SSC_ILD, [cyc(None, 100), *LABS]), TOPIC)
    assert "Add mesna if given IV (route not given)" in card.detail


def test_patient_view_oral_cyclophosphamide_without_mesna_no_mesna_problem() -> None:
    oral = active_med("cyc-a", "3002", "cyclophosphamide", 100, days_ago=40)
    resources = [
        *SSC_ILD,
        oral,
        lab("6690-2", 6.1, "10*3/uL", 3),  # WBC
        lab("5794-3", 0, "{presence}", 5),  # urine blood
    ]
    cards = of_topic(patient_view(*resources), "cyclophosphamide-safety")
    assert all("mesna" not in c.summary for c in cards)
