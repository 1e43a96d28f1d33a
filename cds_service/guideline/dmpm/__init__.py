"""Guideline I: dmpm rules (see the modules of this package)."""

from __future__ import annotations

from ..registry_types import PatientViewRule

RULES: list[PatientViewRule] = []
