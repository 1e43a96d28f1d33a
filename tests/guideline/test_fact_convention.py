"""The card ``extension.facts`` follow one convention on every fixture patient (contract:
"the patient values it used, after unit normalization, with their effective dates"):

- measurements: a number in the concept's canonical (UCUM) unit, with its date;
- antibodies / qualitative results: "positive", "negative" or "unknown";
- conditions and findings: "present" or "absent";
- medications: concept = ingredient, a daily dose in "mg/d" (the prednisolone-equivalent
  under ``prednisolone_equivalent``) or "unknown dose".

Every fact with a value has a date; no fact is a bare boolean.
"""

from __future__ import annotations

import pytest

from cds_service.guideline.facts import ABSENT, DAILY_DOSE_UNIT, PENDING, PRESENT, UNKNOWN_DOSE
from cds_service.guideline.findings import Fact
from fhir_mappings.tables import drug_rows
from fhir_mappings.units import canonical_unit

from .fixture_findings import fixture_findings

#: ingredient concepts whose facts carry a daily dose
MEDICATIONS = set(drug_rows()) | {"prednisolone_equivalent"}
#: the qualitative values a fact may hold
QUALITATIVE = {"positive", "negative", "unknown", PRESENT, ABSENT, UNKNOWN_DOSE, PENDING}


def problems(fact: Fact) -> list[str]:
    out: list[str] = []
    v = fact.value
    if isinstance(v, bool):
        out.append("boolean value")
    elif isinstance(v, int | float):
        expected = DAILY_DOSE_UNIT if fact.concept in MEDICATIONS else canonical_unit(fact.concept)
        if fact.unit != expected:
            out.append(f"unit {fact.unit!r}, expected {expected!r}")
    elif isinstance(v, str):
        if v not in QUALITATIVE:
            out.append(f"value {v!r} is not one of {sorted(QUALITATIVE)}")
        if v == UNKNOWN_DOSE and fact.concept not in MEDICATIONS:
            out.append("'unknown dose' on a non-medication concept")
        if fact.unit:
            out.append(f"qualitative value with unit {fact.unit!r}")
    if v is not None and fact.date is None:
        out.append("value without a date")
    return out


@pytest.mark.parametrize("name", sorted(fixture_findings()))
def test_every_fact_follows_the_convention(name: str) -> None:
    bad = [
        (f.topic, fact, p)
        for f in fixture_findings()[name]
        for fact in f.facts
        for p in problems(fact)
    ]
    assert not bad, bad


@pytest.mark.parametrize(
    ("fact", "ok"),
    [
        (Fact("ferritin", 1800.0, "ng/mL"), False),  # no date
        (Fact("dyspnea_worsening", True), False),
        (Fact("anti_mda5", "pos"), False),
        (Fact("pao2", 55.0, "mmHg"), False),  # display unit, not canonical
    ],
)
def test_the_check_itself_rejects_violations(fact: Fact, ok: bool) -> None:
    assert (not problems(fact)) is ok
