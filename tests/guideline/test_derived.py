"""The facts several rules share (``derived``), computed once by the registry and passed in:
the same findings as every rule computing them itself."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cds_service.guideline.policy import select_and_order
from cds_service.guideline.registry import PATIENT_VIEW_RULES, derive, evaluate_patient_view
from cds_service.guideline.safety.regimen import assess_regimen
from fhir_mappings.builder import build_record
from tests.support import FIXTURES, _resources, load_json

from .records import dm_as_ild

TODAY = date(2026, 11, 21)
BUNDLES = sorted((FIXTURES / "patients").glob("*.json")) + sorted(
    p for p in (FIXTURES / "site-coded-patients").glob("*.json") if "conceptmap" not in p.name
)


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: Path(p).stem)
def test_passing_shared_facts_changes_no_finding(path: Path) -> None:
    record = build_record(_resources(load_json(path)), today=TODAY, patient_id=None)
    standalone = select_and_order(f for rule in PATIENT_VIEW_RULES for f in rule(record))
    assert evaluate_patient_view(record) == standalone


def test_rules_read_the_shared_facts_they_are_given() -> None:
    """A rule uses the DM/PM assessment it is handed (no hidden second computation)."""
    record = dm_as_ild(mda5="positive")
    derived = derive(record)
    assert derived.dmpm is not None and derived.regimen == assess_regimen(record)
    with_facts = [f for rule in PATIENT_VIEW_RULES for f in rule(record, derived)]
    assert any(f.topic == "dmpm-ild-poor-prognosis" for f in with_facts)
    without_dmpm = type(derived)(dmpm=None, regimen=derived.regimen)
    topics = {f.topic for rule in PATIENT_VIEW_RULES for f in rule(record, without_dmpm)}
    assert not {"dmpm-ild-poor-prognosis", "dmpm-ild-acute-subacute"} & topics
