"""Guideline logic: pure functions of a PatientRecord (and draft orders) returning Findings.

No I/O here: this package never imports Flask, requests or the code tables (a test checks
it). Rules are grouped by clinical area, one module per recommendation; each module declares
its rules (with source, section and exact figure) in the evidence catalog.
Where the sources disagree, the conflict note the code cites (Z1-Z21) is in docs/decisions.md.
"""

from __future__ import annotations

from .registry import evaluate_orders, evaluate_patient_view

__all__ = ["evaluate_orders", "evaluate_patient_view"]
