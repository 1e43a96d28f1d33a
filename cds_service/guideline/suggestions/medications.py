"""MedicationRequest templates (FHIR R4) for medication suggestions.

TMP-SMX Pneumocystis prophylaxis: one single-strength tablet (sulfamethoxazole 400 mg /
trimethoprim 80 mg = 480 mg) once daily, the first of the two regimens of EULAR 2022 (B15:
"480 mg daily, or 3 x 480 mg weekly"). RxNorm 198334 is the clinical drug
"sulfamethoxazole 400 MG / trimethoprim 80 MG Oral Tablet" (seen in public RxNorm code lists;
the second coding is the service's concept id). Dose adjustment for renal function and
allergy checks stay with the prescriber and the EHR's own drug checks.
"""

from __future__ import annotations

from typing import Any

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CONCEPT_SYSTEM = "urn:ctd-ild-cds:concept"

TMP_SMX_SS_TABLET_RXCUI = "198334"
TMP_SMX_SS_TABLET_DISPLAY = "sulfamethoxazole 400 MG / trimethoprim 80 MG Oral Tablet"

#: the regimen text and its source, for card text and the resource's dosage text
TMP_SMX_REGIMEN_TEXT = "TMP-SMX 480 mg (400/80 mg, one single-strength tablet) by mouth once daily"
TMP_SMX_REGIMEN_SOURCE = "EULAR 2022: 480 mg daily, or 3 x 480 mg weekly"


def tmp_smx_prophylaxis_request(patient_id: str | None) -> dict[str, Any]:
    """A draft MedicationRequest for TMP-SMX 480 mg once daily (PJP prophylaxis)."""
    return {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "proposal",
        "medicationCodeableConcept": {
            "coding": [
                {
                    "system": RXNORM,
                    "code": TMP_SMX_SS_TABLET_RXCUI,
                    "display": TMP_SMX_SS_TABLET_DISPLAY,
                },
                {
                    "system": CONCEPT_SYSTEM,
                    "code": "tmp_smx",
                    "display": "trimethoprim-sulfamethoxazole",
                },
            ],
            "text": "Trimethoprim-sulfamethoxazole 80/400 mg tablet",
        },
        "subject": {"reference": f"Patient/{patient_id}" if patient_id else "Patient/unknown"},
        "reasonCode": [{"text": "Pneumocystis jirovecii pneumonia prophylaxis"}],
        "dosageInstruction": [
            {
                "text": TMP_SMX_REGIMEN_TEXT,
                "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
                "route": {
                    "coding": [
                        {
                            "system": "http://snomed.info/sct",
                            "code": "26643006",
                            "display": "Oral route",
                        }
                    ]
                },
                "doseAndRate": [
                    {
                        "doseQuantity": {
                            "value": 1,
                            "unit": "tablet",
                            "system": "http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm",
                            "code": "TAB",
                        }
                    }
                ],
            }
        ],
    }
