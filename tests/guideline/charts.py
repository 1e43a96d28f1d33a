"""Patient charts as hospitals keep them, for the DM/PM-ILD and case-finding tests.

FHIR R4 resources, dated: diagnoses as Conditions (SNOMED CT / ICD-10-CM), laboratory results
as LOINC Observations in UCUM units, symptoms and skin signs as Observations (category
``exam`` or ``symptom``) under the hospital's local codes mapped through a site ConceptMap,
HRCT studies as final DiagnosticReports whose coded conclusion lists the findings (local
codes), lung volumes in litres with the predicted value, medications as MedicationRequests.
``cards(chart, today)`` runs the patient-view service on them, as the engine does.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from cds_service.engine import evaluate_resources
from cds_service.guideline.findings import Finding
from cds_service.services import REGISTRY
from fhir_mappings.terminology import Terminology, build_terminology

LOCAL = "https://hospital.example.org/fhir/CodeSystem/clinical-findings"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"

#: the hospital's local codes and the service concepts its terminology team mapped them to
SITE_CODES = {
    "SX-DYSP-EXERT": ("Dyspnoea on exertion, worse", "dyspnea_worsening"),
    "SX-FEVER": ("Fever", "fever"),
    "SKIN-GOTTRON": ("Gottron papules", "gottron_papules"),
    "SKIN-HELIO": ("Heliotrope rash", "heliotrope_rash"),
    "SKIN-MECH": ("Mechanic's hands", "mechanics_hands"),
    "CT-GGO": ("Ground-glass opacity", "ct_ground_glass"),
    "CT-LOWCONS": ("Consolidation, lower zones", "ct_lower_consolidation"),
    "CT-RETIC": ("Reticulation", "ct_reticular"),
    "CT-PROG": ("Progression versus previous HRCT", "ct_ild_progression"),
}

CONDITIONS = {
    "ild": (SNOMED, "233703007", "Interstitial lung disease"),
    "dermatomyositis": (SNOMED, "396230008", "Dermatomyositis"),
    "amyopathic_dm": (SNOMED, "238935002", "Dermatomyositis sine myositis"),
    "polymyositis": (SNOMED, "31384009", "Polymyositis"),
    "antisynthetase_syndrome": (SNOMED, "445187004", "Antisynthetase syndrome"),
    "rp_ild_or_aip": (SNOMED, "236302005", "Acute interstitial pneumonia"),
}

LABS = {
    "ferritin": ("2276-4", "Ferritin [Mass/volume] in Serum or Plasma", "ng/mL"),
    "pao2": ("2703-7", "Oxygen [Partial pressure] in Arterial blood", "mm[Hg]"),
    "ck": ("2157-6", "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma", "U/L"),
    "aldolase": ("1761-6", "Aldolase [Enzymatic activity/volume] in Serum or Plasma", "U/L"),
    "weight": ("29463-7", "Body weight", "kg"),
}

ANTIBODIES = {
    "anti_mda5": ("82424-3", "MDA5 Ab [Presence] in Serum by Line blot"),
    "anti_jo1": ("8076-2", "Jo-1 extractable nuclear Ab [Presence] in Serum"),
    "anti_pl7": ("33772-5", "PL-7 Ab [Presence] in Serum"),
}
RESULT = {"positive": ("10828004", "Positive"), "negative": ("260385009", "Negative")}

DRUGS = {
    "prednisolone": ("8638", "prednisolone"),
    "cyclosporine": ("3008", "cyclosporine"),
    "tacrolimus": ("42316", "tacrolimus"),
    "cyclophosphamide": ("3002", "cyclophosphamide"),
}


def site_conceptmap() -> dict[str, Any]:
    return {
        "resourceType": "ConceptMap",
        "id": "hospital-clinical-findings",
        "status": "active",
        "group": [
            {
                "source": LOCAL,
                "target": "urn:ctd-ild-cds:concept",
                "element": [
                    {
                        "code": code,
                        "display": display,
                        "target": [{"code": concept, "equivalence": "equivalent"}],
                    }
                    for code, (display, concept) in SITE_CODES.items()
                ],
            }
        ],
    }


@cache
def terminology() -> Terminology:
    """The standard codes plus the hospital's ConceptMap, loaded as at start-up."""
    folder = Path(tempfile.mkdtemp(prefix="dmpm-site-map-"))
    path = folder / "site-conceptmap.json"
    path.write_text(json.dumps(site_conceptmap()), encoding="utf-8")
    return build_terminology(path)


@dataclass
class Chart:
    """One patient's chart; every ``add_*`` returns the chart (chainable)."""

    patient_id: str = "pt-dmpm"
    resources: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.resources.append(
            {
                "resourceType": "Patient",
                "id": self.patient_id,
                "gender": "female",
                "birthDate": "1972-03-14",
            }
        )

    # ------------------------------------------------------------------ helpers
    def _id(self, prefix: str) -> str:
        return f"{prefix}-{len(self.resources)}"

    def _subject(self) -> dict[str, str]:
        return {"reference": f"Patient/{self.patient_id}"}

    def _add(self, resource: dict[str, Any]) -> Chart:
        self.resources.append(resource)
        return self

    # --------------------------------------------------------------- diagnoses
    def diagnosis(self, concept: str, onset: date) -> Chart:
        system, code, display = CONDITIONS[concept]
        return self._add(
            {
                "resourceType": "Condition",
                "id": self._id("cond"),
                "subject": self._subject(),
                "clinicalStatus": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                            "code": "active",
                        }
                    ]
                },
                "verificationStatus": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                            "code": "confirmed",
                        }
                    ]
                },
                "code": {"coding": [{"system": system, "code": code, "display": display}]},
                "onsetDateTime": onset.isoformat(),
                "recordedDate": onset.isoformat(),
            }
        )

    # ---------------------------------------------------------- observations
    def lab(self, name: str, value: float, when: date, ref_high: float | None = None) -> Chart:
        code, display, unit = LABS[name]
        obs: dict[str, Any] = {
            "resourceType": "Observation",
            "id": self._id("lab"),
            "status": "final",
            "category": [_category("laboratory")],
            "subject": self._subject(),
            "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
            "effectiveDateTime": when.isoformat(),
            "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
        }
        if ref_high is not None:
            obs["referenceRange"] = [
                {"high": {"value": ref_high, "unit": unit, "system": UCUM, "code": unit}}
            ]
        return self._add(obs)

    def antibody(self, name: str, result: str, when: date) -> Chart:
        code, display = ANTIBODIES[name]
        snomed, text = RESULT[result]
        return self._add(
            {
                "resourceType": "Observation",
                "id": self._id("ab"),
                "status": "final",
                "category": [_category("laboratory")],
                "subject": self._subject(),
                "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
                "effectiveDateTime": when.isoformat(),
                "valueCodeableConcept": {
                    "coding": [{"system": SNOMED, "code": snomed, "display": text}]
                },
            }
        )

    def sign(self, local_code: str, when: date, present: bool = True) -> Chart:
        """A symptom or examination finding charted as an Observation under a local code."""
        display, _ = SITE_CODES[local_code]
        return self._add(
            {
                "resourceType": "Observation",
                "id": self._id("exam"),
                "status": "final",
                "category": [_category("exam")],
                "subject": self._subject(),
                "code": {"coding": [{"system": LOCAL, "code": local_code, "display": display}]},
                "effectiveDateTime": when.isoformat(),
                "valueBoolean": present,
            }
        )

    def fvc(self, litres: float, when: date, predicted_litres: float = 3.20) -> Chart:
        """Spirometry: FVC in litres with the predicted FVC of the same test."""
        for code, display, value in (
            ("19870-5", "Forced vital capacity [Volume] Respiratory system", litres),
            (
                "19869-7",
                "Forced vital capacity [Volume] Respiratory system Predicted",
                predicted_litres,
            ),
        ):
            self._add(
                {
                    "resourceType": "Observation",
                    "id": self._id("pft"),
                    "status": "final",
                    "category": [_category("procedure")],
                    "subject": self._subject(),
                    "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
                    "effectiveDateTime": when.isoformat(),
                    "valueQuantity": {"value": value, "unit": "L", "system": UCUM, "code": "L"},
                }
            )
        return self

    def hrct(self, when: date, *findings: str, status: str = "final") -> Chart:
        """An HRCT report: coded conclusion with the radiologist's findings (local codes)."""
        return self._add(
            {
                "resourceType": "DiagnosticReport",
                "id": self._id("hrct"),
                "status": status,
                "category": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/v2-0074",
                                "code": "RAD",
                            }
                        ]
                    }
                ],
                "subject": self._subject(),
                "code": {
                    "coding": [
                        {"system": LOINC, "code": "29252-4", "display": "CT Chest WO contrast"}
                    ],
                    "text": "HRCT chest (high-resolution CT)",
                },
                "effectiveDateTime": when.isoformat(),
                "issued": f"{when.isoformat()}T16:00:00Z",
                "conclusion": ", ".join(SITE_CODES[f][0] for f in findings) or "No change",
                "conclusionCode": [
                    {"coding": [{"system": LOCAL, "code": f, "display": SITE_CODES[f][0]}]}
                    for f in findings
                ],
            }
        )

    # ------------------------------------------------------------ medications
    def medication(
        self, drug: str, mg: float, start: date, route: str = "oral", every_days: int = 1
    ) -> Chart:
        code, display = DRUGS[drug]
        return self._add(
            {
                "resourceType": "MedicationRequest",
                "id": self._id("med"),
                "status": "active",
                "intent": "order",
                "subject": self._subject(),
                "medicationCodeableConcept": {
                    "coding": [{"system": RXNORM, "code": code, "display": display}],
                    "text": display,
                },
                "authoredOn": start.isoformat(),
                "dosageInstruction": [
                    {
                        "text": f"{display} {mg:g} mg {route}",
                        "route": {"text": route},
                        "timing": {
                            "repeat": {"frequency": 1, "period": every_days, "periodUnit": "d"}
                        },
                        "doseAndRate": [
                            {
                                "doseQuantity": {
                                    "value": mg,
                                    "unit": "mg",
                                    "system": UCUM,
                                    "code": "mg",
                                }
                            }
                        ],
                    }
                ],
            }
        )


def _category(code: str) -> dict[str, Any]:
    return {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": code,
            }
        ]
    }


def cards(chart: Chart, today: date) -> dict[str, Finding]:
    """The patient-view findings of the chart on ``today``, by topic."""
    service = REGISTRY["ctd-ild-patient-view"]
    evaluation = evaluate_resources(
        service,
        chart.resources,
        {"patientId": chart.patient_id},
        today,
        terminology=terminology(),
    )
    return {f.topic: f for f in evaluation.findings}


def days(n: int, base: date) -> date:
    return base + timedelta(days=n)
