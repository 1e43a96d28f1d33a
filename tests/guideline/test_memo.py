"""The per-evaluation memo: shared derived facts computed once per call, same findings."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cds_service.guideline.memo import evaluation_scope, per_evaluation
from cds_service.guideline.policy import select_and_order
from cds_service.guideline.registry import PATIENT_VIEW_RULES, evaluate_patient_view
from fhir_mappings.builder import build_record
from fhir_mappings.record import PatientRecord
from tests.support import FIXTURES, _resources, load_json

TODAY = date(2026, 11, 21)
BUNDLES = sorted((FIXTURES / "patients").glob("*.json")) + sorted(
    p for p in (FIXTURES / "site-coded-patients").glob("*.json") if "conceptmap" not in p.name
)

calls: list[tuple[int, str]] = []


@per_evaluation
def counted(record: PatientRecord, label: str) -> str:
    calls.append((id(record), label))
    return label.upper()


def test_outside_a_scope_every_call_runs() -> None:
    calls.clear()
    record = PatientRecord(today=TODAY)
    assert counted(record, "a") == counted(record, "a") == "A"
    assert len(calls) == 2


def test_inside_a_scope_once_per_record_and_arguments() -> None:
    calls.clear()
    record, other = PatientRecord(today=TODAY), PatientRecord(today=TODAY)
    with evaluation_scope(record):
        assert [counted(record, "a"), counted(record, "a"), counted(record, "b")] == ["A", "A", "B"]
        assert counted(other, "a") == counted(other, "a") == "A"  # another record: not kept
    assert calls == [(id(record), "a"), (id(record), "b"), (id(other), "a"), (id(other), "a")]
    calls.clear()
    counted(record, "a")  # the scope is over: computed again
    assert len(calls) == 1


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: Path(p).stem)
def test_the_memo_changes_no_finding(path: Path) -> None:
    record = build_record(_resources(load_json(path)), today=TODAY, patient_id=None)
    unmemoized = select_and_order(f for rule in PATIENT_VIEW_RULES for f in rule(record))
    assert evaluate_patient_view(record) == unmemoized
