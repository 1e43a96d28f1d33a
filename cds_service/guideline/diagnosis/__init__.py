"""Finding a connective tissue disease behind ILD (KR §Diagnosis; IPAF)."""

from __future__ import annotations

from ..registry_types import PatientViewRule
from .antibody_positive import autoantibody_positive
from .ipaf import ipaf_criteria
from .workup import ctd_workup

RULES: list[PatientViewRule] = [autoantibody_positive, ctd_workup, ipaf_criteria]
