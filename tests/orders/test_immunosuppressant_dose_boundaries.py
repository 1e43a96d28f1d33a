"""order-immunosuppressant-dose thresholds at, just below and just above each bound, in mg and
in g (sandbox-shaped drafts; DM-ILD charted in SNOMED CT; weight 70 kg in kg)."""

from __future__ import annotations

import pytest

from cds_service.guideline.findings import Indicator
from tests.guideline.chart import condition, lab, of_topic, order_sign, sandbox_draft

TOPIC = "order-immunosuppressant-dose"
DM_ILD = [
    condition("dermatomyositis", 900),
    condition("ild", 800),
    lab("29463-7", 70, "kg", 10),
]
RXNORM = {"azathioprine": "1256", "mycophenolate mofetil": "68149", "tacrolimus": "42316"}


def _indicator(drug: str, dose: float, unit: str, per_day: int) -> Indicator | None:
    draft = sandbox_draft("d", RXNORM[drug], drug, dose, unit, per_day)
    cards = of_topic(order_sign(DM_ILD, [draft]), TOPIC)
    return cards[0].indicator if cards else None


@pytest.mark.parametrize(
    ("dose", "expected"),
    [
        (69, Indicator.INFO),  # 0.986 mg/kg/day: below 1
        (70, None),  # 1.0
        (71, None),
        (139, None),
        (140, None),  # 2.0
        (141, Indicator.WARNING),  # 2.014
    ],
)
def test_azathioprine_per_kg_bounds(dose: float, expected: Indicator | None) -> None:
    assert _indicator("azathioprine", dose, "mg", 1) is expected


@pytest.mark.parametrize(
    ("dose", "unit", "expected"),
    [
        (995, "mg", Indicator.INFO),  # 1,990 mg/day
        (1000, "mg", None),  # 2,000 mg/day
        (1.005, "g", None),
        (1.495, "g", None),
        (1.5, "g", None),  # 3,000 mg/day
        (1505, "mg", Indicator.WARNING),  # 3,010 mg/day
        (1.505, "g", Indicator.WARNING),
    ],
)
def test_mycophenolate_twice_daily_bounds(
    dose: float, unit: str, expected: Indicator | None
) -> None:
    assert _indicator("mycophenolate mofetil", dose, unit, 2) is expected


@pytest.mark.parametrize(
    ("dose", "expected"),
    [(0.9, Indicator.INFO), (1.0, None), (3.0, None), (3.1, Indicator.INFO)],
)
def test_tacrolimus_typical_range_is_info_only(dose: float, expected: Indicator | None) -> None:
    assert _indicator("tacrolimus", dose, "mg", 1) is expected
