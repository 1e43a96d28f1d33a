"""Rheumatoid arthritis-associated ILD."""

from __future__ import annotations

from ..registry_types import PatientViewRule
from .management import ra_ild_management

RULES: list[PatientViewRule] = [ra_ild_management]
