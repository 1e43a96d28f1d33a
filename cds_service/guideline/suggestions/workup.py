"""Order templates for the CTD work-up of ILD: KR Table 2 tests and a rheumatology referral.

The only codes near the guideline rules live here (FHIR R4 ServiceRequest resources built for
card suggestions). Codes and their confidence come from ``fhir_mappings/data/codes.csv`` and
``terminology.md`` (copied, not read at run time):

- LOINC codes: one orderable/result code per KR Table 2 test, ``verified`` in codes.csv
  unless marked ``probable`` below.
- Rheumatology referral: SNOMED CT 415279002 "Referral to rheumatology clinic (procedure)"
  (confidence: probable; seen as the rheumatology-consult code in public CDS Hooks examples,
  not checked against a SNOMED CT release here; sites may map their own referral code), with
  category SNOMED CT 3457005 "Patient referral" (verified on tx.fhir.org).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"


@dataclass(frozen=True)
class LabTemplate:
    concept: str  # internal concept id of the result
    label: str  # as KR Table 2 names the test
    code: str
    display: str
    confidence: str  # verified | probable (codes.csv)


#: KR Table 2 tests, in the table's order (ANA ... CPK, aldolase)
KR_TABLE2_ORDERS: tuple[LabTemplate, ...] = (
    LabTemplate("ana_presence", "ANA", "8061-4", "Nuclear Ab [Presence] in Serum", "verified"),
    LabTemplate(
        "rheumatoid_factor",
        "RF",
        "11572-5",
        "Rheumatoid factor [Units/volume] in Serum or Plasma",
        "verified",
    ),
    LabTemplate(
        "anti_scl70",
        "Scl-70",
        "27416-7",
        "SCL-70 extractable nuclear Ab [Units/volume] in Serum",
        "verified",
    ),
    LabTemplate(
        "anti_u1rnp",
        "RNP",
        "29374-6",
        "Ribonucleoprotein extractable nuclear Ab [Units/volume] in Serum",
        "verified",
    ),
    LabTemplate(
        "anti_ssa_ro60",
        "SSA",
        "17792-3",
        "Sjogrens syndrome-A extractable nuclear Ab [Units/volume] in Serum",
        "verified",
    ),
    LabTemplate(
        "anti_ssb_la",
        "SSB",
        "17791-5",
        "Sjogrens syndrome-B extractable nuclear Ab [Units/volume] in Serum",
        "verified",
    ),
    LabTemplate(
        "anti_ccp",
        "Anti-CCP",
        "32218-0",
        "Cyclic citrullinated peptide Ab [Units/volume] in Serum by Immunoassay",
        "verified",
    ),
    LabTemplate(
        "anca", "ANCA", "21023-7", "Neutrophil cytoplasmic Ab [Titer] in Serum", "verified"
    ),
    LabTemplate(
        "anti_jo1",
        "Jo-1",
        "11565-9",
        "Jo-1 extractable nuclear Ab [Units/volume] in Serum",
        "verified",
    ),
    LabTemplate("anti_pl7", "PL-7", "33772-5", "PL-7 Ab [Presence] in Serum", "verified"),
    LabTemplate("anti_pl12", "PL-12", "33771-7", "PL-12 Ab [Presence] in Serum", "verified"),
    LabTemplate("anti_ej", "EJ", "45149-2", "Ej Ab [Presence] in Serum", "verified"),
    LabTemplate("anti_oj", "OJ", "45152-6", "OJ Ab [Presence] in Serum", "probable"),
    LabTemplate(
        "anti_mda5", "MDA-5", "82424-3", "MDA5 Ab [Presence] in Serum by Line blot", "verified"
    ),
    LabTemplate(
        "anti_pmscl", "PM-Scl", "105554-0", "PM-SCL-100 Ab [Units/volume] in Serum", "probable"
    ),
    LabTemplate(
        "anti_ro52",
        "Ro-52",
        "53017-0",
        "Sjogrens syndrome-A extractable nuclear 52kD Ab [Units/volume] in Serum",
        "probable",
    ),
    LabTemplate(
        "creatine_kinase",
        "CPK",
        "2157-6",
        "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma",
        "verified",
    ),
    LabTemplate(
        "aldolase",
        "Aldolase",
        "1761-6",
        "Aldolase [Enzymatic activity/volume] in Serum or Plasma",
        "verified",
    ),
)
#: ferritin: not a KR Table 2 test, but the first orders of a rapidly progressive ILD with DM
#: features (anti-MDA5, ferritin, CK; KR R005/R006/R009 with JP's ferritin >1,000 ng/mL)
FERRITIN = LabTemplate(
    "ferritin", "Ferritin", "2276-4", "Ferritin [Mass/volume] in Serum or Plasma", "verified"
)
TEMPLATES_BY_CONCEPT = {t.concept: t for t in (*KR_TABLE2_ORDERS, FERRITIN)}
#: the order in which a rapid course with DM features asks for tests (first) and the rest
URGENT_FIRST = ("anti_mda5", "ferritin", "creatine_kinase", "aldolase")

REFERRAL_CODE = ("415279002", "Referral to rheumatology clinic")
REFERRAL_CATEGORY = ("3457005", "Patient referral")
LAB_CATEGORY = ("108252007", "Laboratory procedure")


def _draft(
    category: tuple[str, str],
    code: dict[str, Any],
    patient_id: str | None,
    reason: str,
    priority: str | None,
) -> dict[str, Any]:
    """A draft ServiceRequest (``priority``: FHIR request priority, e.g. ``urgent``)."""
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "proposal",
        "category": [{"coding": [{"system": SNOMED, "code": category[0], "display": category[1]}]}],
        "code": code,
        "reasonCode": [{"text": reason}],
    }
    if priority:
        resource["priority"] = priority
    if patient_id:
        resource["subject"] = {"reference": f"Patient/{patient_id}"}
    return resource


def lab_request(
    template: LabTemplate, patient_id: str | None, reason: str, priority: str | None = None
) -> dict[str, Any]:
    """A draft ServiceRequest for one test."""
    code = {
        "coding": [{"system": LOINC, "code": template.code, "display": template.display}],
        "text": template.label,
    }
    return _draft(LAB_CATEGORY, code, patient_id, reason, priority)


def rheumatology_referral(
    patient_id: str | None, reason: str, priority: str | None = None
) -> dict[str, Any]:
    """A draft ServiceRequest referring the patient to rheumatology (``urgent`` for a rapidly
    progressive ILD with DM features)."""
    code = {
        "coding": [{"system": SNOMED, "code": REFERRAL_CODE[0], "display": REFERRAL_CODE[1]}],
        "text": "Rheumatology referral",
    }
    return _draft(REFERRAL_CATEGORY, code, patient_id, reason, priority)
