"""Systemic sclerosis (SSc-ILD treatment, decline, glucocorticoid risk)."""

from __future__ import annotations

from ..registry_types import PatientViewRule
from .decline import ssc_ild_decline
from .glucocorticoid_risk import ssc_glucocorticoid_risk
from .treatment_indicated import ssc_ild_treatment_indicated

RULES: list[PatientViewRule] = [
    ssc_ild_treatment_indicated,
    ssc_ild_decline,
    ssc_glucocorticoid_risk,
]
