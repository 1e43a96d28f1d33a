"""ServiceRequest templates for monitoring labs (FHIR R4), the codes behind lab suggestions.

Each template names the LOINC code and its provenance (``fhir_mappings/data/codes.csv`` /
``terminology.md``; the three panel codes were checked against public FHIR examples and lab
catalogues: CBC 58410-2, hepatic function 24325-3, urinalysis 24356-8). Every request also
carries the internal concept coding (``urn:ctd-ild-cds:concept``) so that a site mapping can
recognise it; where no standard code was found (CMV pp65 antigenemia, cyclosporine C2 /
trough timing) the concept coding and ``code.text`` say what to order.

The orders helper reuses ``lab_request``; keep it small and pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LOINC = "http://loinc.org"
CONCEPT_SYSTEM = "urn:ctd-ild-cds:concept"


@dataclass(frozen=True)
class LabTemplate:
    concept: str  # internal concept id
    text: str  # what the clinician sees
    loinc: str | None  # None when no standard code was found
    loinc_display: str | None = None
    provenance: str = ""


LAB_TEMPLATES: dict[str, LabTemplate] = {
    t.concept: t
    for t in (
        LabTemplate(
            "cbc_panel",
            "Complete blood count",
            "58410-2",
            "CBC panel - Blood by Automated count",
            "public FHIR examples and lab catalogues (LOINC 58410-2)",
        ),
        LabTemplate(
            "urinalysis_panel",
            "Urinalysis (haematuria check)",
            "24356-8",
            "Urinalysis complete panel - Urine",
            "public lab catalogues (LOINC 24356-8)",
        ),
        LabTemplate(
            "liver_panel",
            "Liver function tests",
            "24325-3",
            "Hepatic function 2000 panel - Serum or Plasma",
            "public LOINC tables (LOINC 24325-3)",
        ),
        LabTemplate(
            "creatinine",
            "Serum creatinine",
            "2160-0",
            "Creatinine [Mass/volume] in Serum or Plasma",
            "codes.csv (verified)",
        ),
        LabTemplate(
            "alt",
            "ALT",
            "1742-6",
            "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
            "codes.csv (verified)",
        ),
        LabTemplate(
            "ast",
            "AST",
            "1920-8",
            "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
            "codes.csv (verified)",
        ),
        LabTemplate(
            "beta_d_glucan",
            "Plasma (1,3)-beta-D-glucan",
            "42176-8",
            "(1,3)-beta-D-glucan",
            "codes.csv (probable: ARUP catalogue)",
        ),
        LabTemplate(
            "cmv_dna",
            "CMV DNA (quantitative PCR)",
            "30247-1",
            "Cytomegalovirus DNA [#/volume] (viral load) in Serum or Plasma by Probe and "
            "target amplification method",
            "codes.csv (verified)",
        ),
        LabTemplate(
            "cmv_pp65",
            "CMV pp65 antigenemia",
            None,
            None,
            "no LOINC term found (codes.csv); site-coded concept",
        ),
        LabTemplate(
            "cyclosporine_trough",
            "Cyclosporine blood level, trough (pre-dose)",
            "3520-4",
            "Cyclosporine [Mass/volume] in Blood",
            "codes.csv (verified; timing stated in code.text, no trough-specific code seen)",
        ),
        LabTemplate(
            "cyclosporine_c2",
            "Cyclosporine blood level, 2 h post dose (C2)",
            "3520-4",
            "Cyclosporine [Mass/volume] in Blood",
            "codes.csv (verified; timing stated in code.text, no C2-specific code seen)",
        ),
    )
}


def lab_coding(concept: str) -> dict[str, Any]:
    """The ``code`` CodeableConcept of a lab template (LOINC when known + concept id)."""
    template = LAB_TEMPLATES[concept]
    codings: list[dict[str, str]] = []
    if template.loinc is not None:
        coding = {"system": LOINC, "code": template.loinc}
        if template.loinc_display:
            coding["display"] = template.loinc_display
        codings.append(coding)
    codings.append({"system": CONCEPT_SYSTEM, "code": template.concept, "display": template.text})
    return {"coding": codings, "text": template.text}


def lab_request(concept: str, patient_id: str | None, reason: str | None = None) -> dict[str, Any]:
    """A draft ServiceRequest (FHIR R4) for one monitoring lab of ``LAB_TEMPLATES``.

    ``patient_id`` is the hook's patient (``Patient/<id>`` subject); ``reason`` becomes
    ``reasonCode.text``. Raises KeyError for a concept without a template.
    """
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "proposal",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://snomed.info/sct",
                        "code": "108252007",
                        "display": "Laboratory procedure",
                    }
                ]
            }
        ],
        "code": lab_coding(concept),
        "subject": {"reference": f"Patient/{patient_id}" if patient_id else "Patient/unknown"},
    }
    if reason:
        resource["reasonCode"] = [{"text": reason}]
    return resource
