"""build_record exclusions: refuted / erroneous Conditions, erroneous or cancelled results,
erroneous medication orders, and every resource of another patient (by any reference form)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fhir_mappings.builder import build_record

from .conftest import (
    ICD,
    LOINC,
    PATIENT,
    RXNORM,
    SUBJECT,
    cc,
    condition,
    med_request,
    observation,
    quantity,
    report,
)

TODAY = date(2026, 11, 20)
VER = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


def build(resources: list[dict[str, Any]]):
    return build_record(resources, TODAY, PATIENT)


def _ssc(**extra: Any) -> dict[str, Any]:
    return condition("c", ICD, "M34.81", **extra)


def _ferritin(**extra: Any) -> dict[str, Any]:
    return observation("f", "2276-4", valueQuantity=quantity(900, "ng/mL"), **extra)


def _pred(**extra: Any) -> dict[str, Any]:
    dosage = [
        {
            "doseAndRate": [{"doseQuantity": {"value": 20, "unit": "mg"}}],
            "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
        }
    ]
    return med_request("m", "8640", dosage, **extra)


def _report(**extra: Any) -> dict[str, Any]:
    return report("r", cc(LOINC, "29252-4", text="HRCT chest"), **extra)


def _statement(**extra: Any) -> dict[str, Any]:
    res = {"resourceType": "MedicationStatement", "id": "s", "status": "active", "subject": SUBJECT}
    med = cc(RXNORM, "8640")
    return {**res, "medicationCodeableConcept": med, "effectiveDateTime": "2026-11-01", **extra}


# ------------------------------------------------------------------- Conditions
@pytest.mark.parametrize("verification", ["refuted", "entered-in-error"])
def test_refuted_or_erroneous_condition_is_excluded(verification: str) -> None:
    record = build([_ssc(verificationStatus=cc(VER, verification))])
    assert record.conditions == [] and not record.has_condition("systemic_sclerosis")


@pytest.mark.parametrize(
    "verification", ["confirmed", "provisional", "differential", "unconfirmed"]
)
def test_other_verification_statuses_are_kept(verification: str) -> None:
    record = build([_ssc(verificationStatus=cc(VER, verification))])
    assert record.conditions and record.has_condition("systemic_sclerosis")


def test_refuted_condition_does_not_hide_a_confirmed_one() -> None:
    refuted = _ssc(verificationStatus=cc(VER, "refuted"))
    confirmed = {**_ssc(verificationStatus=cc(VER, "confirmed")), "id": "c2"}
    record = build([refuted, confirmed])
    assert {e.source_id for e in record.conditions} == {"Condition/c2"}


# ----------------------------------------------------------------- Observations
@pytest.mark.parametrize("status", ["entered-in-error", "cancelled"])
def test_erroneous_or_cancelled_observation_is_excluded(status: str) -> None:
    record = build([_ferritin(status=status)])
    assert record.measurements == {} and record.warnings == []


@pytest.mark.parametrize("status", ["entered-in-error", "cancelled"])
def test_erroneous_or_cancelled_antibody_is_excluded(status: str) -> None:
    obs = observation(
        "a", "82424-3", status=status, valueCodeableConcept=cc("http://snomed.info/sct", "10828004")
    )
    assert build([obs]).antibodies == {}


@pytest.mark.parametrize("status", ["entered-in-error", "cancelled"])
def test_erroneous_or_cancelled_report_is_excluded(status: str) -> None:
    assert build([_report(status=status)]).studies == []


# -------------------------------------------------------------------- medications
def test_erroneous_medication_request_is_excluded() -> None:
    assert build([_pred(status="entered-in-error")]).medications == []


def test_erroneous_medication_statement_is_excluded() -> None:
    assert build([_statement(status="entered-in-error")]).medications == []


@pytest.mark.parametrize("status", ["active", "on-hold", "completed", "stopped", "cancelled"])
def test_other_medication_request_statuses_are_kept_as_sent(status: str) -> None:
    (m,) = build([_pred(status=status)]).medications
    assert m.status == status


# --------------------------------------------------------------- another patient
OTHER_REFERENCES = [
    {"reference": "Patient/other"},
    {"reference": "https://ehr.example.org/fhir/Patient/other"},
    {"reference": "https://ehr.example.org/fhir/Patient/other/_history/2"},
    {"reference": "urn:uuid:other"},
    {"reference": f"Patient/{PATIENT}0"},  # a prefix of another id is not this patient
    {"reference": f"Patient/{PATIENT.upper()}"},  # ids are case-sensitive
    {"reference": "#pat"},  # a contained Patient cannot be shown to be the patient in context
    {"reference": f"Group/{PATIENT}"},  # not a Patient
    {"identifier": {"system": "urn:mrn", "value": "123"}},  # no literal reference
    {"display": "Jane Doe"},
]
IDS = [
    "relative",
    "full-url",
    "history",
    "urn-uuid",
    "prefix",
    "case",
    "contained",
    "group",
    "identifier",
    "display",
]


def _with_subject(resource: dict[str, Any], subject: dict[str, Any]) -> dict[str, Any]:
    out = dict(resource)
    out["subject"] = subject
    if subject.get("reference") == "#pat":
        out["contained"] = [{"resourceType": "Patient", "id": "pat"}]
    return out


@pytest.mark.parametrize("subject", OTHER_REFERENCES, ids=IDS)
@pytest.mark.parametrize(
    "resource",
    [_ssc(), _ferritin(), _report(), _pred(), _statement()],
    ids=["condition", "observation", "report", "request", "statement"],
)
def test_resource_not_shown_to_be_this_patients_is_dropped_with_a_warning(
    resource: dict[str, Any], subject: dict[str, Any]
) -> None:
    record = build([_with_subject(resource, subject)])
    assert record.conditions == [] and record.measurements == {}
    assert record.studies == [] and record.medications == []
    assert len(record.warnings) == 1
    ref, reason = record.warnings[0]
    assert ref == f"{resource['resourceType']}/{resource['id']}"
    # fixed reasons: no patient identifier ever reaches a warning
    assert reason in ("belongs to another patient", "no subject/patient reference")


def test_missing_subject_is_dropped_with_a_warning() -> None:
    obs = _ferritin()
    del obs["subject"]
    record = build([obs])
    assert record.measurements == {}
    assert record.warnings == [("Observation/f", "no subject/patient reference")]


@pytest.mark.parametrize(
    "reference",
    [
        f"Patient/{PATIENT}",
        f"https://ehr.example.org/fhir/Patient/{PATIENT}",
        f"https://ehr.example.org/fhir/Patient/{PATIENT}/_history/7",
        f"urn:uuid:{PATIENT}",
    ],
)
@pytest.mark.parametrize(
    "resource",
    [_ssc(), _ferritin(), _report(), _pred(), _statement()],
    ids=["condition", "observation", "report", "request", "statement"],
)
def test_every_reference_form_of_this_patient_is_kept(
    resource: dict[str, Any], reference: str
) -> None:
    record = build([_with_subject(resource, {"reference": reference})])
    kept = record.conditions or record.measurements or record.studies or record.medications
    assert kept and record.warnings == []


def test_medication_request_by_patient_element_is_checked_too() -> None:
    # MedicationStatement/Request of R4 use `subject`; a `patient` element is read the same way
    res = _pred()
    del res["subject"]
    res["patient"] = {"reference": "Patient/other"}
    record = build([res])
    assert record.medications == [] and record.warnings[0][1] == "belongs to another patient"


def test_other_patients_demographics_are_ignored() -> None:
    other = {"resourceType": "Patient", "id": "other", "birthDate": "1950-01-01", "gender": "male"}
    mine = {"resourceType": "Patient", "id": PATIENT, "birthDate": "1970-05-05", "gender": "female"}
    record = build([other, mine])
    assert (record.birth_date, record.sex) == (date(1970, 5, 5), "female")
    assert build([other]).birth_date is None
