"""The reviewable code tables of ``fhir_mappings/data/``, loaded once.

- ``codes.csv``: concept_id, system, code, display, confidence, icd_children, origin, source.
  Rows come from the project's verified terminology table (``origin=codes.csv``) or were added
  with the source stated (``origin=added``). ``confidence=unknown`` rows have no code and only
  document the gap. ``icd_children=yes`` on an ICD-10-CM row means every child code of that
  category carries the concept too (``M33.1`` matches ``M33.11``).
- ``concepts.csv``: concept_id, kind, canonical_unit, implies_study, display. ``kind`` says
  what an Observation of the concept becomes in the record: ``quantity`` (Measurement),
  ``qualitative`` (AntibodyResult, plus a Measurement when a canonical unit is set),
  ``finding``/``condition`` (ConditionEntry), ``study`` (StudyEntry), ``drug``, ``unit``.
- ``drugs.csv``: ingredient concept -> drug classes and prednisolone-equivalence factor.
- ``rxnorm_products.csv``: RxNorm products (SCD/SBD/pack RxCUIs) -> ingredient concept, each
  with display, confidence and source. Only systemic forms (oral, injection) are listed: an
  eye drop or cream coded by its product must not count as a systemic dose. A combination
  product maps to its combination concept (TMP-SMX -> ``tmp_smx``).
- ``drug_names.csv``: text fallback for drugs without a verified code (pirfenidone).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
CONCEPT_SYSTEM = "urn:ctd-ild-cds:concept"

USABLE_CONFIDENCE = frozenset({"verified", "probable"})
FINDING_KINDS = ("finding", "condition")  # the concept kinds that become a ConditionEntry


@dataclass(frozen=True)
class CodeRow:
    concept_id: str
    system: str
    code: str
    confidence: str
    icd_children: bool


@dataclass(frozen=True)
class ConceptRow:
    concept_id: str
    kind: str
    canonical_unit: str | None
    implies_study: str | None
    display: str


@dataclass(frozen=True)
class DrugRow:
    concept_id: str
    classes: frozenset[str]
    pred_eq_factor: float | None


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("fhir_mappings.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def code_rows() -> tuple[CodeRow, ...]:
    return tuple(
        CodeRow(
            concept_id=r["concept_id"],
            system=r["system"],
            code=r["code"].strip(),
            confidence=r["confidence"],
            icd_children=r["icd_children"] == "yes",
        )
        for r in _read("codes.csv")
    )


@lru_cache(maxsize=1)
def concept_rows() -> dict[str, ConceptRow]:
    return {
        r["concept_id"]: ConceptRow(
            concept_id=r["concept_id"],
            kind=r["kind"],
            canonical_unit=r["canonical_unit"] or None,
            implies_study=r["implies_study"] or None,
            display=r["display"],
        )
        for r in _read("concepts.csv")
    }


@lru_cache(maxsize=1)
def drug_rows() -> dict[str, DrugRow]:
    return {
        r["concept_id"]: DrugRow(
            concept_id=r["concept_id"],
            classes=frozenset(c for c in r["classes"].split(";") if c),
            pred_eq_factor=float(r["pred_eq_factor"]) if r["pred_eq_factor"] else None,
        )
        for r in _read("drugs.csv")
    }


@lru_cache(maxsize=1)
def rxnorm_products() -> dict[str, str]:
    """RxNorm product RxCUI -> ingredient concept (verified/probable rows only)."""
    return {
        r["product_rxcui"]: r["ingredient_concept"]
        for r in _read("rxnorm_products.csv")
        if r["confidence"] in USABLE_CONFIDENCE
    }


@lru_cache(maxsize=1)
def drug_names() -> dict[str, str]:
    """Lower-case drug name -> ingredient concept (text fallback only)."""
    return {r["name"].lower(): r["concept_id"] for r in _read("drug_names.csv")}
