"""The record as EHRs chart it: symptoms as Observations with site codes, HRCT reports as
studies, volumes in litres or mL, discordant and pending antibody results.

Realistic records: dated, local codes mapped through a site ConceptMap, symptoms charted as
exam Observations, HRCT as DiagnosticReports with coded conclusions and result Observations.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest

from fhir_mappings.builder import build_record
from fhir_mappings.hrct import hrct_studies, latest_hrct, pending_hrct
from fhir_mappings.lung_volumes import volumes_without_percent
from fhir_mappings.pending import pending_results
from fhir_mappings.record import ANTIBODY_EPISODE, PatientRecord
from fhir_mappings.terminology import Terminology
from tests import fhir

from .conftest import LOINC, PATIENT, SNOMED, cc

TODAY = date(2026, 11, 20)
SITE = "https://hospital.example.org/site-local"
SITE_TERMS = Terminology.standard().with_site_maps(
    {
        (SITE, "SX-DYSP-WORSE"): ["dyspnea_worsening"],
        (SITE, "SX-FEVER"): ["fever"],
        (SITE, "EX-MECH-HANDS"): ["mechanics_hands"],
        (SITE, "EX-GOTTRON"): ["gottron_papules"],
        (SITE, "RAD-HRCT"): ["hrct_chest"],
        (SITE, "CT-GGO"): ["ct_ground_glass"],
        (SITE, "CT-RETIC"): ["ct_reticular"],
        (SITE, "CT-CONSOL-LOWER"): ["ct_lower_consolidation"],
        (SITE, "LAB-RNAP3"): ["anti_rnap3"],
    },
)
PRESENT = cc(SNOMED, "52101004", "Present")
ABSENT = cc(SNOMED, "2667000", "Absent")


def symptom(rid: str, code: str, when: str, category: str = "exam", **value: Any) -> dict[str, Any]:
    return fhir.observation(PATIENT, rid, cc(SITE, code), when, category=category, **value)


def build(resources: list[Any], terms: Terminology = SITE_TERMS) -> PatientRecord:
    return build_record(resources, TODAY, PATIENT, terms)


# ------------------------------------------------------------------ symptoms and features
@pytest.mark.parametrize("category", ["exam", "survey", "symptom", "vital-signs"])
def test_symptom_charted_as_observation_of_any_category_counts(category: str) -> None:
    record = build([symptom("o1", "SX-DYSP-WORSE", "2026-10-02", category, valueBoolean=True)])
    entry = record.condition("dyspnea_worsening", since=date(2026, 1, 1))
    assert entry is not None
    assert (entry.when, entry.source, entry.source_id) == (
        date(2026, 10, 2),
        "Observation",
        "Observation/o1",
    )


@pytest.mark.parametrize(
    ("value", "counts"),
    [
        ({"valueBoolean": True}, True),
        ({"valueBoolean": False}, False),
        ({"valueCodeableConcept": PRESENT}, True),
        ({"valueCodeableConcept": ABSENT}, False),
        ({"valueCodeableConcept": cc(SNOMED, "373066001", "Yes")}, True),
        ({"valueCodeableConcept": cc(SNOMED, "373067005", "No")}, False),
        ({}, True),  # an Observation of the feature without a value: charted as seen
    ],
)
def test_present_and_absent_values_are_honoured(value: dict[str, Any], counts: bool) -> None:
    record = build([symptom("o1", "EX-MECH-HANDS", "2026-11-01", **value)])
    assert (record.condition("mechanics_hands") is not None) is counts
    (entry,) = record.condition_entries("mechanics_hands")
    assert entry.active is counts


def test_explicit_absent_does_not_hide_an_earlier_present() -> None:
    record = build(
        [
            symptom("o1", "SX-FEVER", "2026-10-01", valueBoolean=True),
            symptom("o2", "SX-FEVER", "2026-10-15", valueCodeableConcept=ABSENT),
        ]
    )
    assert record.condition("fever").source_id == "Observation/o1"  # type: ignore[union-attr]
    assert [e.active for e in record.condition_entries("fever")] == [True, False]


@pytest.mark.parametrize(("since", "found"), [("2026-10-01", True), ("2026-10-02", False)])
def test_feature_window_boundary(since: str, found: bool) -> None:
    record = build([symptom("o1", "EX-GOTTRON", "2026-10-01", valueBoolean=True)])
    hit = record.condition("gottron_papules", since=date.fromisoformat(since))
    assert (hit is not None) is found


def test_local_symptom_code_without_the_site_map_is_not_read() -> None:
    record = build(
        [symptom("o1", "SX-DYSP-WORSE", "2026-10-02", valueBoolean=True)],
        Terminology.standard(),
    )
    assert record.condition("dyspnea_worsening") is None


# ------------------------------------------------------------------------------- HRCT
def hrct_report(
    rid: str, when: str, status: str = "final", conclusion: tuple[str, ...] = (), results=()
) -> dict[str, Any]:
    return fhir.report(
        PATIENT,
        rid,
        cc(LOINC, "29252-4", "CT Chest WO contrast", text="HRCT chest"),
        when,
        [cc(SITE, c) for c in conclusion],
        status=status,
        category=[cc(LOINC, "LP29684-5", "Radiology")],
        issued=when + "T16:00:00Z",
        result=[{"reference": f"Observation/{r}"} for r in results],
    )


def ct_finding(rid: str, code: str, when: str, present: bool = True) -> dict[str, Any]:
    return symptom(rid, code, when, "imaging", valueCodeableConcept=PRESENT if present else ABSENT)


def test_final_report_with_coded_conclusion_and_results_is_one_complete_study() -> None:
    record = build(
        [
            hrct_report("r1", "2026-02-24", conclusion=("CT-GGO", "CT-RETIC")),
            hrct_report("r2", "2026-06-10", conclusion=("CT-GGO",), results=("f1", "f2")),
            ct_finding("f1", "CT-CONSOL-LOWER", "2026-06-10"),
            ct_finding("f2", "CT-RETIC", "2026-06-10", present=False),
            hrct_report("r3", "2025-11-02", conclusion=("CT-RETIC",)),
        ]
    )
    assert [s.source_id for s in hrct_studies(record)] == [
        "DiagnosticReport/r3",
        "DiagnosticReport/r1",
        "DiagnosticReport/r2",
    ]
    study = latest_hrct(record)
    assert study is not None and study.source_id == "DiagnosticReport/r2"
    assert study.shows("ct_ground_glass") and study.shows("ct_lower_consolidation")
    assert study.shows("ct_reticular") is False  # coded absent on its result Observation
    assert study.shows("ct_honeycombing") is False  # not coded on a final report: not seen
    assert study.sources == ("DiagnosticReport/r2", "Observation/f1", "Observation/f2")
    older = latest_hrct(record, until=date(2026, 3, 1))
    assert older is not None
    assert older.describe() == (
        "HRCT 2026-02-24: ground glass, reticulation; no consolidation coded"
    )


@pytest.mark.parametrize("status", ["preliminary", "registered", "partial"])
def test_a_report_not_final_is_pending_and_answers_nothing(status: str) -> None:
    record = build(
        [
            hrct_report("r1", "2026-02-24", conclusion=("CT-GGO",)),
            hrct_report("r2", "2026-11-10", status=status, conclusion=("CT-GGO", "CT-RETIC")),
        ]
    )
    assert latest_hrct(record).source_id == "DiagnosticReport/r1"  # type: ignore[union-attr]
    (pending,) = pending_hrct(record)
    assert pending.shows("ct_reticular") is None
    assert pending.describe() == f"HRCT 2026-11-10: report {status} (pending)"
    assert [(p.concept, p.ordered, p.status) for p in pending_results(record, "hrct_chest")] == [
        ("hrct_chest", date(2026, 11, 10), status)
    ]
    assert not record.has_condition("ct_reticular")  # a pending report's codes are not results


@pytest.mark.parametrize(("since", "found"), [("2026-02-24", True), ("2026-02-25", False)])
def test_latest_study_window_boundary(since: str, found: bool) -> None:
    record = build([hrct_report("r1", "2026-02-24", conclusion=("CT-GGO",))])
    assert (latest_hrct(record, since=date.fromisoformat(since)) is not None) is found


# ------------------------------------------------------------------------ lung volumes
def pft(rid: str, code: str, when: str, value: float, unit: str, **extra: Any) -> dict[str, Any]:
    valued = {"valueQuantity": fhir.quantity(value, unit), **extra}
    return fhir.observation(PATIENT, rid, cc(LOINC, code), when, category="procedure", **valued)


def test_fvc_in_ml_with_a_predicted_value_observation_gives_percent_predicted() -> None:
    record = build(
        [
            pft("v1", "19870-5", "2026-09-01", 2850, "mL"),
            pft("p1", "19869-7", "2026-09-01", 3.80, "L"),
        ]
    )
    (fvc,) = record.series("fvc")
    assert (fvc.value, fvc.unit) == (2.85, "L")
    (pct,) = record.series("fvc_pct_pred")
    assert round(pct.value, 3) == 75.0  # type: ignore[arg-type]


def test_fvc_with_a_predicted_reference_range_gives_percent_predicted() -> None:
    predicted = {"low": {"value": 4.0, "unit": "L"}, "text": "predicted"}
    normal = {"low": {"value": 3.1, "unit": "L"}, "text": "lower limit of normal"}
    record = build(
        [pft("v1", "19870-5", "2026-09-01", 3.2, "L", referenceRange=[normal, predicted])]
    )
    (pct,) = record.series("fvc_pct_pred")
    assert round(pct.value, 3) == 80.0  # type: ignore[arg-type]


def test_a_volume_given_as_a_bound_gives_a_percent_with_the_same_bound() -> None:
    fvc = pft("v1", "19870-5", "2026-09-01", 1.5, "L")
    fvc["valueQuantity"]["comparator"] = "<"
    record = build([fvc, pft("p1", "19869-7", "2026-09-01", 3.0, "L")])
    (pct,) = record.series("fvc_pct_pred")
    assert (round(pct.value, 3), pct.comparator) == (50.0, "<")  # type: ignore[arg-type]


def test_a_predicted_value_given_as_a_bound_gives_no_percent() -> None:
    predicted = pft("p1", "19869-7", "2026-09-01", 3.0, "L")
    predicted["valueQuantity"]["comparator"] = ">"
    record = build([pft("v1", "19870-5", "2026-09-01", 1.5, "L"), predicted])
    assert record.series("fvc_pct_pred") == []
    assert [m.value for m in volumes_without_percent(record, "fvc_pct_pred")] == [1.5]


def test_a_range_not_marked_predicted_is_not_a_predicted_value() -> None:
    normal = {"low": {"value": 3.1, "unit": "L"}, "high": {"value": 5.0, "unit": "L"}}
    record = build([pft("v1", "19870-5", "2026-09-01", 3.2, "L", referenceRange=[normal])])
    assert record.series("fvc_pct_pred") == []
    assert [m.value for m in volumes_without_percent(record, "fvc_pct_pred")] == [3.2]


# --------------------------------------------------------------- antibodies: discordance
def mda5(rid: str, when: str, result: str, status: str = "final", issued: str | None = None):
    code = {"positive": "10828004", "negative": "260385009"}[result]
    more = {"issued": issued} if issued else {}
    value = {"valueCodeableConcept": cc(SNOMED, code), **more}
    anti_mda5 = cc(LOINC, "82424-3")
    return fhir.observation(PATIENT, rid, anti_mda5, when, "laboratory", status=status, **value)


@pytest.mark.parametrize("seed", range(6))
def test_same_day_positive_and_negative_any_order_is_positive_and_discordant(seed: int) -> None:
    resources = [
        mda5("a", "2026-10-20", "negative"),
        mda5("b", "2026-10-20", "positive"),
        mda5("c", "2026-03-01", "negative"),
    ]
    random.Random(seed).shuffle(resources)
    record = build(resources)
    assert record.antibody("anti_mda5").status == "positive"
    # the March negative is outside the episode (more than 90 days before October)
    assert [(r.status, r.source_id) for r in record.discordant_results("anti_mda5")] == [
        ("negative", "Observation/a"),
        ("positive", "Observation/b"),
    ]


@pytest.mark.parametrize(
    ("days_later", "status"),
    [
        (21, "positive"),
        (ANTIBODY_EPISODE.days, "positive"),
        (ANTIBODY_EPISODE.days + 1, "negative"),
    ],
)
def test_positive_then_negative_within_the_episode_counts_positive(
    days_later: int, status: str
) -> None:
    first = date(2026, 6, 1)
    later = date.fromordinal(first.toordinal() + days_later).isoformat()
    record = build([mda5("n", later, "negative"), mda5("p", first.isoformat(), "positive")])
    assert record.antibody("anti_mda5").status == status
    assert bool(record.discordant_results("anti_mda5")) is (status == "positive")


def test_ties_broken_by_issued_then_final_over_preliminary() -> None:
    resources = [
        mda5("early", "2026-10-20", "negative", issued="2026-10-21T09:00:00Z"),
        mda5("late", "2026-10-20", "positive", issued="2026-10-22T09:00:00Z"),
        mda5("prelim", "2026-10-20", "negative", status="preliminary"),
    ]
    for seed in range(4):
        random.Random(seed).shuffle(resources)
        record = build(resources)
        order = [r.source_id for r in record.antibody_results("anti_mda5")]
        assert order == ["Observation/prelim", "Observation/early", "Observation/late"]


# ---------------------------------------------------------------------------- pending
def test_registered_and_preliminary_results_are_pending_until_a_final_one() -> None:
    registered = {**mda5("r", "2026-11-12", "negative", status="registered")}
    del registered["valueCodeableConcept"]
    record = build([registered, mda5("p", "2026-11-14", "positive", status="preliminary")])
    assert record.antibody("anti_mda5") is None  # nothing final: not a result yet
    assert [(p.source_id, p.status, p.ordered) for p in pending_results(record, "anti_mda5")] == [
        ("Observation/p", "preliminary", date(2026, 11, 14)),
        ("Observation/r", "registered", date(2026, 11, 12)),
    ]
    answered = build([registered, mda5("f", "2026-11-18", "negative")])
    assert pending_results(answered, "anti_mda5") == []


def test_site_coded_antibody_is_read() -> None:
    obs = fhir.observation(
        PATIENT, "rnap", cc(SITE, "LAB-RNAP3"), "2026-05-02", valueString="Positive"
    )
    assert build([obs]).antibody("anti_rnap3").status == "positive"
