"""CTD-ILD across diseases (screening, monitoring, initial treatment, acute
presentation, progressive pulmonary fibrosis)."""

from __future__ import annotations

from ..registry_types import PatientViewRule
from .acute_exacerbation import ctd_ild_acute_exacerbation
from .initial_treatment import ctd_ild_initial_treatment
from .monitoring_due import sard_ild_monitoring_due
from .ppf import progressive_pulmonary_fibrosis
from .screening import sard_ild_screening

RULES: list[PatientViewRule] = [
    sard_ild_screening,
    sard_ild_monitoring_due,
    ctd_ild_initial_treatment,
    ctd_ild_acute_exacerbation,
    progressive_pulmonary_fibrosis,
]
