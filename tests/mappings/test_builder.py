"""build_record: selection, exclusion, de-duplication, warnings, dates, panels, findings, PFTs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from fhir_mappings.builder import build_record

from .conftest import ICD, LOINC, PATIENT, SNOMED, cc, condition, observation, quantity, report

TODAY = date(2026, 11, 20)
HPO = "http://human-phenotype-ontology.org"


def build(resources: list[Any]):
    return build_record(resources, TODAY, PATIENT)


def ferritin(rid: str = "f", value: float = 1200, unit: str = "ng/mL", **kw: Any) -> dict[str, Any]:
    return observation(rid, "2276-4", valueQuantity=quantity(value, unit), **kw)


# ------------------------------------------------------------------ measurements
def test_lab_with_unit_is_normalized_and_dated() -> None:
    record = build([ferritin(value=2247, unit="pmol/L")])
    m = record.latest("ferritin")
    assert m is not None
    assert (round(m.value, 6), m.unit, m.when, m.original_value, m.original_unit) == (
        1000.0,
        "ng/mL",
        date(2026, 11, 16),
        2247.0,
        "pmol/L",
    )
    assert m.source_id == "Observation/f"


def test_unknown_unit_is_kept_as_uninterpretable_never_normal() -> None:
    record = build([ferritin(value=1.2, unit="mg/dL")])
    assert record.latest("ferritin") is None
    (bad,) = record.uninterpretable("ferritin")
    assert bad.value is None and not bad.interpretable and "mg/dL" in (bad.reason or "")


def test_value_string_for_a_quantity_is_uninterpretable() -> None:
    record = build([observation("f", "2276-4", valueString=">2000")])
    assert record.latest("ferritin") is None
    assert record.uninterpretable("ferritin")[0].original_value == ">2000"


def test_reference_range_and_flag_in_canonical_units() -> None:
    obs = observation(
        "cr",
        "2160-0",
        valueQuantity=quantity(150, "umol/L"),
        referenceRange=[
            {"low": {"value": 44, "unit": "umol/L"}, "high": {"value": 97, "unit": "umol/L"}}
        ],
        interpretation=[
            cc("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "H")
        ],
    )
    m = build([obs]).latest("creatinine")
    assert m is not None and m.ref_high == pytest.approx(97 / 88.4) and m.flag == "high"
    assert m.above_range() is True


def test_comparator_is_kept() -> None:
    obs = observation("crp", "1988-5", valueQuantity={**quantity(3, "mg/L"), "comparator": "<"})
    m = build([obs]).latest("crp")
    assert m is not None and m.comparator == "<" and m.value == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("timing", "expected"),
    [
        ({"effectiveDateTime": "2026-03-04T23:30:00-05:00"}, date(2026, 3, 4)),
        ({"effectivePeriod": {"start": "2026-03-01", "end": "2026-03-02"}}, date(2026, 3, 1)),
        ({"issued": "2026-03-05T08:00:00Z"}, date(2026, 3, 5)),
    ],
)
def test_observation_dates(timing: dict[str, Any], expected: date) -> None:
    obs = ferritin()
    del obs["effectiveDateTime"]
    obs.update(timing)
    m = build([obs]).measurements["ferritin"][0]
    assert m.when == expected


def test_latest_within_window_and_until() -> None:
    record = build([ferritin("a", 500, when="2026-10-01"), ferritin("b", 1500, when="2026-11-16")])
    assert record.latest("ferritin", within=timedelta(days=30)).value == 1500
    assert record.latest("ferritin", within=timedelta(days=1)) is None
    assert record.latest("ferritin", until=date(2026, 10, 2)).value == 500
    assert record.latest("ferritin", until=date(2026, 11, 17)).value == 1500


# --------------------------------------------------------------------- exclusion
@pytest.mark.parametrize(
    "subject",
    [{"reference": "Patient/other"}, {"reference": "https://ehr.example.org/fhir/Patient/other"}],
)
def test_other_patient_is_excluded_with_warning(subject: dict[str, str]) -> None:
    record = build([ferritin(subject=subject)])
    assert record.measurements == {}
    assert record.warnings == [("Observation/f", "belongs to another patient")]


@pytest.mark.parametrize(
    "subject",
    [
        {"reference": f"Patient/{PATIENT}"},
        {"reference": f"https://ehr.example.org/fhir/Patient/{PATIENT}/_history/3"},
        {"reference": f"urn:uuid:{PATIENT}"},
    ],
)
def test_reference_forms_of_the_patient(subject: dict[str, str]) -> None:
    assert build([ferritin(subject=subject)]).latest("ferritin") is not None


@pytest.mark.parametrize("status", ["entered-in-error", "cancelled"])
def test_excluded_observation_status(status: str) -> None:
    assert build([ferritin(status=status)]).measurements == {}


@pytest.mark.parametrize("status", ["final", "amended", "corrected", "preliminary"])
def test_result_statuses_kept(status: str) -> None:
    assert build([ferritin(status=status)]).latest("ferritin") is not None


@pytest.mark.parametrize("verification", ["refuted", "entered-in-error"])
def test_refuted_or_erroneous_condition_excluded(verification: str) -> None:
    cond = condition(
        "c",
        ICD,
        "M34.81",
        verificationStatus=cc(
            "http://terminology.hl7.org/CodeSystem/condition-ver-status", verification
        ),
    )
    assert build([cond]).conditions == []


def test_condition_in_error_status_excluded() -> None:
    cond = condition("c", ICD, "M34.81")
    cond["status"] = "entered-in-error"
    assert build([cond]).conditions == []


def test_provisional_condition_is_kept() -> None:
    cond = condition(
        "c",
        ICD,
        "M34.81",
        verificationStatus=cc(
            "http://terminology.hl7.org/CodeSystem/condition-ver-status", "provisional"
        ),
    )
    record = build([cond])
    (entry, *_) = record.condition_entries("systemic_sclerosis")
    assert entry.active and record.has_condition("systemic_sclerosis")


@pytest.mark.parametrize(
    ("clinical", "abatement", "active"),
    [
        ("active", None, True),
        ("relapse", None, True),
        ("resolved", None, False),
        ("inactive", None, False),
        ("active", "2026-06-01", False),
        ("active", "2027-01-01", True),
    ],
)
def test_condition_activity(clinical: str, abatement: str | None, active: bool) -> None:
    cond = condition(
        "c",
        SNOMED,
        "89155008",
        clinicalStatus=cc("http://terminology.hl7.org/CodeSystem/condition-clinical", clinical),
    )
    if abatement:
        cond["abatementDateTime"] = abatement
    assert build([cond]).has_condition("systemic_sclerosis") is active


def test_condition_dates_onset_then_recorded() -> None:
    cond = condition("c", SNOMED, "233703007")
    del cond["onsetDateTime"]
    cond["recordedDate"] = "2026-02-03"
    entry = build([cond]).condition("ild")
    assert (
        entry is not None and entry.when == date(2026, 2, 3) and entry.recorded == date(2026, 2, 3)
    )


def test_duplicates_under_several_prefetch_keys_read_once() -> None:
    record = build(
        [
            ferritin(),
            ferritin(),
            condition("c", SNOMED, "233703007"),
            condition("c", SNOMED, "233703007"),
        ]
    )
    assert len(record.measurements["ferritin"]) == 1 and len(record.conditions) == 1


# ---------------------------------------------------------------------- warnings
@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda o: o.pop("status"), "status missing"),
        (lambda o: o.pop("effectiveDateTime"), "no effective date"),
        (lambda o: o.update(effectiveDateTime="yesterday"), "no effective date"),
        (lambda o: o.pop("subject"), "no subject"),
    ],
)
def test_invalid_selected_resource_dropped_with_warning(mutate: Any, reason: str) -> None:
    bad = ferritin("bad")
    mutate(bad)
    record = build([bad, ferritin("good")])
    assert [m.source_id for m in record.measurements["ferritin"]] == ["Observation/good"]
    assert len(record.warnings) == 1
    ref, why = record.warnings[0]
    assert ref == "Observation/bad" and reason in why


def test_unselected_resources_are_not_checked() -> None:
    junk = {"resourceType": "Observation", "id": "x", "code": cc(LOINC, "8867-4")}  # heart rate
    record = build([junk, "not a resource", None, {"resourceType": "Encounter", "id": "e"}])
    assert record.warnings == [] and record.measurements == {}


def test_garbage_shapes_never_raise() -> None:
    shapes = [
        {
            "resourceType": "Observation",
            "id": "a",
            "status": "final",
            "subject": {"reference": f"Patient/{PATIENT}"},
            "code": cc(LOINC, "2276-4"),
            "effectiveDateTime": "2026-01-01",
            "valueQuantity": "1200",
        },
        {
            "resourceType": "Observation",
            "id": "b",
            "status": "final",
            "subject": {"reference": f"Patient/{PATIENT}"},
            "code": cc(LOINC, "82424-3"),
            "effectiveDateTime": "2026-01-01",
            "component": "x",
        },
        {
            "resourceType": "Condition",
            "id": "c",
            "subject": {"reference": f"Patient/{PATIENT}"},
            "code": cc(SNOMED, "233703007"),
            "clinicalStatus": "active",
        },
        {
            "resourceType": "MedicationRequest",
            "id": "d",
            "status": "active",
            "subject": {"reference": f"Patient/{PATIENT}"},
            "medicationCodeableConcept": cc("http://www.nlm.nih.gov/research/umls/rxnorm", "8640"),
            "dosageInstruction": [{"doseAndRate": "x", "timing": {"repeat": "x"}}],
        },
    ]
    record = build(shapes)
    assert record.latest("ferritin") is None
    assert ("Condition/c", "Condition.clinicalStatus is not a CodeableConcept") in record.warnings


# ------------------------------------------------------------ antibodies, panels
def test_antibody_from_code_and_value() -> None:
    obs = observation("m", "82424-3", valueCodeableConcept=cc(SNOMED, "10828004"))
    assert build([obs]).antibody("anti_mda5").status == "positive"


def test_ana_titre_end_to_end() -> None:
    obs = observation("ana", "5048-4", valueString="1:320")
    result = build([obs]).antibody("ana_titer")
    assert result is not None and (result.status, result.titer) == ("positive", 320.0)


def test_myositis_line_blot_components() -> None:
    panel = observation(
        "blot",
        "LINEBLOT",
        system="urn:local:lab",
        component=[
            {"code": cc(LOINC, "82424-3"), "valueCodeableConcept": cc(SNOMED, "260373001")},
            {"code": cc(LOINC, "5234-0"), "valueCodeableConcept": cc(SNOMED, "260415000")},
            {"code": cc(LOINC, "33772-5"), "valueString": "equivocal"},
            {"code": cc("urn:local:lab", "KS"), "valueString": "positive"},  # no code: not read
        ],
    )
    record = build([panel])
    assert record.antibody("anti_mda5").status == "positive"
    assert record.antibody("anti_jo1").status == "negative"
    assert record.antibody("anti_pl7").status == "unknown"
    assert record.antibody("anti_ks") is None
    assert {r.source_id for r in record.antibody_results("anti_mda5")} == {"Observation/blot"}
    assert record.antibody("anti_mda5").when == date(2026, 11, 16)


def test_known_status_preferred_over_later_unknown() -> None:
    record = build(
        [
            observation("a", "82424-3", "2026-10-01", valueString="positive"),
            observation("b", "82424-3", "2026-11-01", valueString="see note"),
        ]
    )
    assert record.antibody("anti_mda5").status == "positive"


def test_cbc_member_marks_the_panel_done() -> None:
    record = build([observation("p", "777-3", valueQuantity=quantity(210, "10*3/uL", "10*3/uL"))])
    assert [s.concept for s in record.studies_of("cbc_panel")] == ["cbc_panel"]
    assert record.latest("platelets").value == 210


def test_panel_report_is_a_study() -> None:
    rep = report("r", cc(LOINC, "24325-3"), "2026-11-01")
    assert [s.when for s in build([rep]).studies_of("liver_panel")] == [date(2026, 11, 1)]


# -------------------------------------------------------------------- findings
def _report(conclusion: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    code = extra.pop("code", cc(LOINC, "29252-4", text="HRCT chest"))
    return report("ct", code, conclusionCode=conclusion, **extra)


def test_hrct_conclusion_codes_are_dated_findings_and_the_study_is_recorded() -> None:
    record = build([_report([cc(HPO, "HP:0025179"), cc(HPO, "HP:0025175")])])
    for concept in ("ct_ground_glass", "ct_honeycombing"):
        entry = record.condition(concept)
        assert (
            entry is not None
            and entry.when == date(2026, 11, 12)
            and entry.source == "DiagnosticReport"
        )
    assert {s.concept for s in record.studies} == {"ct_chest", "hrct_chest"}


def test_ct_chest_not_named_hrct_is_not_an_hrct() -> None:
    rep = _report([], code=cc(LOINC, "29252-4", display="CT Chest WO contrast"))
    assert {s.concept for s in build([rep]).studies} == {"ct_chest"}


@pytest.mark.parametrize(
    ("value", "active"),
    [
        ({"valueBoolean": True}, True),
        ({"valueBoolean": False}, False),
        ({"valueCodeableConcept": cc(SNOMED, "260385009")}, False),
        ({}, True),
    ],
)
def test_observation_coded_as_the_finding(value: dict[str, Any], active: bool) -> None:
    obs = observation("c", "95436008", system=SNOMED, **value)
    entries = build([obs]).condition_entries("ct_consolidation")
    assert [e.active for e in entries] == [active] and entries[0].source == "Observation"


def test_finding_with_unreadable_value_is_not_recorded() -> None:
    obs = observation("c", "95436008", system=SNOMED, valueString="see report")
    assert build([obs]).condition_entries("ct_consolidation") == []


def test_consolidation_with_lower_lobe_body_site_is_lower_consolidation() -> None:
    obs = observation(
        "c", "95436008", system=SNOMED, valueBoolean=True, bodySite={"text": "Left lower lobe"}
    )
    assert build([obs]).has_condition("ct_lower_consolidation")
    upper = observation(
        "u", "95436008", system=SNOMED, valueBoolean=True, bodySite={"text": "upper lobe"}
    )
    assert not build([upper]).has_condition("ct_lower_consolidation")


def test_finding_as_observation_value() -> None:
    obs = observation("f", "18782-3", valueCodeableConcept=cc(SNOMED, "95436008"))  # generic code
    assert build([obs]).has_condition("ct_consolidation")


# ------------------------------------------------------------------------- PFTs
def test_pft_series_and_derived_percent_predicted() -> None:
    record = build(
        [
            observation("fvc1", "19870-5", "2026-05-01", valueQuantity=quantity(2500, "mL", "mL")),
            observation("pred1", "19869-7", "2026-05-01", valueQuantity=quantity(3.2, "L", "L")),
            observation("fvc2", "19870-5", "2026-11-01", valueQuantity=quantity(2.2, "L", "L")),
            observation(
                "pred-other-day", "19869-7", "2026-10-01", valueQuantity=quantity(3.2, "L", "L")
            ),
            observation(
                "dl",
                "19911-7",
                "2026-11-01",
                valueQuantity=quantity(15, "mL/min/mm[Hg]", "mL/min/mm[Hg]"),
            ),
            observation("dlp", "98130-8", "2026-11-01", valueQuantity=quantity(55, "%", "%")),
        ]
    )
    assert [m.value for m in record.series("fvc")] == [2.5, 2.2]
    pct = record.series("fvc_pct_pred")
    assert [(m.when, round(m.value, 3)) for m in pct] == [
        (date(2026, 5, 1), 78.125)
    ]  # no same-day pred for fvc2
    assert record.latest("dlco").value == pytest.approx(15 / 2.98829, rel=1e-4)
    assert record.latest("dlco_pct_pred").value == 55
    assert [s.when for s in record.studies_of("pft")] == [
        date(2026, 5, 1),
        date(2026, 10, 1),
        date(2026, 11, 1),
    ]


def test_reported_percent_predicted_is_not_overwritten() -> None:
    record = build(
        [
            observation("fvc", "19870-5", valueQuantity=quantity(2.0, "L", "L")),
            observation("pred", "19869-7", valueQuantity=quantity(4.0, "L", "L")),
            observation("pct", "19872-1", valueQuantity=quantity(51, "%", "%")),
        ]
    )
    assert [m.value for m in record.series("fvc_pct_pred")] == [51]


# --------------------------------------------------------------- demographics
def test_patient_demographics_only_for_the_patient() -> None:
    record = build(
        [
            {"resourceType": "Patient", "id": "other", "birthDate": "1900-01-01"},
            {"resourceType": "Patient", "id": PATIENT, "birthDate": "1960-12-01", "gender": "male"},
        ]
    )
    assert record.age_years() == 65 and record.sex == "male"


def test_mapping_is_linear_and_single_pass_over_an_iterator() -> None:
    resources = (ferritin(f"f{i}", when=f"2026-{1 + i % 12:02d}-01") for i in range(2000))
    record = build_record(resources, TODAY, PATIENT)
    assert len(record.measurements["ferritin"]) == 2000


def test_pft_sent_as_one_observation_with_components() -> None:
    pft = observation(
        "pft",
        "PFT-PANEL",
        system="urn:local:pft",
        category=[{"text": "exam"}],
        component=[
            {"code": cc(LOINC, "19870-5"), "valueQuantity": quantity(2.4, "L", "L")},
            {"code": cc(LOINC, "19869-7"), "valueQuantity": quantity(3.0, "L", "L")},
            {
                "code": cc(LOINC, "19911-7"),
                "valueQuantity": quantity(6.0, "mmol/min/kPa", "mmol/min/kPa"),
            },
        ],
    )
    record = build([pft])
    assert record.latest("fvc").value == 2.4
    assert record.latest("fvc_pct_pred").value == pytest.approx(80.0)
    assert record.latest("dlco").value == 6.0
    assert [s.concept for s in record.studies_of("pft")] == ["pft"]


@pytest.mark.parametrize(
    ("resource", "when"),
    [
        (
            {
                "resourceType": "Procedure",
                "id": "p",
                "status": "completed",
                "code": cc(LOINC, "29252-4"),
                "performedDateTime": "2026-09-01T10:00:00Z",
            },
            date(2026, 9, 1),
        ),
        (
            {
                "resourceType": "ImagingStudy",
                "id": "i",
                "status": "available",
                "procedureCode": [cc(LOINC, "29252-4")],
                "started": "2026-09-02",
            },
            date(2026, 9, 2),
        ),
    ],
)
def test_study_from_procedure_or_imaging_study(resource: dict[str, Any], when: date) -> None:
    resource["subject"] = {"reference": f"Patient/{PATIENT}"}
    assert [s.when for s in build([resource]).studies_of("ct_chest")] == [when]


def test_not_done_procedure_is_not_a_study() -> None:
    proc = {
        "resourceType": "Procedure",
        "id": "p",
        "status": "not-done",
        "code": cc(LOINC, "29252-4"),
        "performedDateTime": "2026-09-01",
        "subject": {"reference": f"Patient/{PATIENT}"},
    }
    assert build([proc]).studies == []
