"""Threshold.decide: censored lab values (Quantity.comparator) decide only when they can."""

from __future__ import annotations

import pytest

from cds_service.guideline.evidence import Rule, Threshold

RULE = Rule("R999", "JP", "test", "test")
FERRITIN = Threshold("ferritin", ">", 1000.0, "ng/mL", RULE)  # strict, like R113
PAO2 = Threshold("pao2", "<", 60.0, "mmHg", RULE)
AT_LEAST = Threshold("x", ">=", 10.0, "u", RULE)
AT_MOST = Threshold("x", "<=", 10.0, "u", RULE)


@pytest.mark.parametrize(
    ("threshold", "value", "comparator", "expected"),
    [
        # exact values behave like holds()
        (FERRITIN, 1000.0, None, False),
        (FERRITIN, 1000.1, None, True),
        (PAO2, 60.0, None, False),
        (PAO2, 59.9, None, True),
        # ">1000": the true value is above 1,000, so ferritin >1,000 holds
        (FERRITIN, 1000.0, ">", True),
        (FERRITIN, 1000.0, ">=", None),  # could be exactly 1,000
        (FERRITIN, 999.0, ">", None),  # could be 999.5 or 2,000
        (FERRITIN, 1500.0, "<", None),
        (FERRITIN, 1000.0, "<=", False),
        (FERRITIN, 900.0, "<", False),
        # PaO2 "<60" is below 60
        (PAO2, 60.0, "<", True),
        (PAO2, 60.0, "<=", None),
        (PAO2, 61.0, "<", None),
        (PAO2, 60.0, ">=", False),
        (PAO2, 59.0, ">", None),
        # inclusive thresholds
        (AT_LEAST, 10.0, ">=", True),
        (AT_LEAST, 10.0, "<", False),
        (AT_LEAST, 10.0, "<=", None),
        (AT_MOST, 10.0, "<=", True),
        (AT_MOST, 10.0, ">", False),
        (AT_MOST, 10.0, ">=", None),
        # an unknown comparator never decides
        (FERRITIN, 5000.0, "ad", None),
    ],
)
def test_decide(
    threshold: Threshold, value: float, comparator: str | None, expected: bool | None
) -> None:
    assert threshold.decide(value, comparator) is expected
