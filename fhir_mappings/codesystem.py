"""The concept ids published as a FHIR R4 CodeSystem ``urn:ctd-ild-cds:concept``.

Generated from ``data/concepts.csv`` (and the standard codes of ``data/codes.csv`` as
designations-free properties), never edited by hand::

    PYTHONPATH=. python -m fhir_mappings.codesystem        # rewrite the JSON
    PYTHONPATH=. python -m fhir_mappings.codesystem --check  # exit 1 when out of sync

A test checks that the committed JSON equals ``build_codesystem()``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .tables import CONCEPT_SYSTEM, USABLE_CONFIDENCE, code_rows, concept_rows

CODESYSTEM_PATH = Path(__file__).parent / "data" / "concept-codesystem.json"


def build_codesystem() -> dict[str, Any]:
    standard = {r.concept_id for r in code_rows() if r.code and r.confidence in USABLE_CONFIDENCE}
    concepts = []
    for row in concept_rows().values():
        properties: list[dict[str, Any]] = [{"code": "kind", "valueCode": row.kind}]
        if row.canonical_unit:
            properties.append({"code": "canonical-unit", "valueString": row.canonical_unit})
        properties.append({"code": "site-coded", "valueBoolean": row.concept_id not in standard})
        concepts.append({"code": row.concept_id, "display": row.display, "property": properties})
    return {
        "resourceType": "CodeSystem",
        "id": "ctd-ild-cds-concept",
        "url": CONCEPT_SYSTEM,
        "name": "CtdIldCdsConcept",
        "title": "CTD-ILD CDS internal concepts",
        "status": "active",
        "experimental": False,
        "publisher": "ctd-ild-cds",
        "description": (
            "Internal concepts of the CTD-ILD CDS service. Standard LOINC, SNOMED CT, "
            "ICD-10-CM and RxNorm codes map to these ids (fhir_mappings/data/codes.csv); "
            "sites map their local codes to them with a ConceptMap (CDS_SITE_CONCEPTMAP). "
            "'site-coded' concepts have no verified standard code."
        ),
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "property": [
            {
                "code": "kind",
                "type": "code",
                "description": "what an Observation of the concept becomes: quantity, "
                "qualitative, finding, condition, study, drug, unit",
            },
            {
                "code": "canonical-unit",
                "type": "string",
                "description": "UCUM unit values are normalized to",
            },
            {
                "code": "site-coded",
                "type": "boolean",
                "description": "no verified standard code: map local codes with a ConceptMap",
            },
        ],
        "concept": concepts,
    }


def render() -> str:
    return json.dumps(build_codesystem(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = CODESYSTEM_PATH.read_text(encoding="utf-8") if CODESYSTEM_PATH.exists() else ""
        if current != text:
            sys.stderr.write(
                f"{CODESYSTEM_PATH} is out of date: run python -m fhir_mappings.codesystem\n"
            )
            return 1
        return 0
    CODESYSTEM_PATH.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
