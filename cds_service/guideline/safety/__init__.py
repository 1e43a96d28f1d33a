"""Immunosuppression safety (PJP prophylaxis, monitoring, cyclosporine level,
cyclophosphamide, drug-induced ILD caution)."""

from __future__ import annotations

from ..registry_types import PatientViewRule
from .cyclophosphamide import cyclophosphamide_safety
from .cyclosporine_level import cyclosporine_level
from .drug_induced_ild import drug_induced_ild_caution
from .monitoring import immunosuppression_monitoring
from .pjp_prophylaxis import pjp_prophylaxis

RULES: list[PatientViewRule] = [
    pjp_prophylaxis,
    immunosuppression_monitoring,
    cyclosporine_level,
    cyclophosphamide_safety,
    drug_induced_ild_caution,
]
