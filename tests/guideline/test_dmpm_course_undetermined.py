"""DM/PM-ILD with an undetermined course, the SSc overlap caveat, card wording and medications
missing (records built directly)."""

from __future__ import annotations

import pytest

from cds_service.guideline import evaluate_patient_view
from cds_service.guideline.data_gaps import dataset_name
from cds_service.guideline.dmpm.course import classify_course
from cds_service.guideline.findings import Finding, Indicator
from fhir_mappings.record import PatientRecord

from .records import ONSET, ab, cond, day, dm_as_ild, meas, med, record


def cards(rec: PatientRecord) -> dict[str, Finding]:
    return {f.topic: f for f in evaluate_patient_view(rec)}


def _dm_anti_mda5_no_course_data(**kw: object) -> PatientRecord:
    """DM, ILD onset 120 days ago, anti-MDA5 positive, ferritin 2,500, no
    course data."""
    rec = record(
        [cond("ild", day(-120, ONSET)), cond("dermatomyositis", day(-150, ONSET))],
        [meas("ferritin", 2500.0, day(-110, ONSET))],
        [ab("anti_mda5", "positive", day(-110, ONSET))],
        today=ONSET,
    )
    return rec


def test_no_data_in_first_3_months_is_undetermined_not_chronic() -> None:
    rec = _dm_anti_mda5_no_course_data()
    course = classify_course(rec)
    assert course.kind == "undetermined"
    found = cards(rec)
    assert "dmpm-ild-chronic" not in found
    card = found["dmpm-ild-risk-incomplete"]
    assert card.indicator is Indicator.WARNING
    assert "undetermined" in card.summary
    assert "anti-MDA5+" in card.summary and "ferritin 2,500 ng/mL" in card.summary
    assert "combination" not in card.summary.lower()
    assert "could not be assessed" in card.detail
    assert len(card.summary) <= 139
    for f in found.values():
        assert "observation" not in f.detail.lower() or f.topic != "dmpm-ild-chronic"


def test_undetermined_without_factor_is_info_never_observation() -> None:
    """The undetermined course is the risk-incomplete topic's (never the chronic card)."""
    rec = dm_as_ild(dyspnea_day=None, mda5="negative", ck=2000.0)
    assert classify_course(rec).kind == "undetermined"
    found = cards(rec)
    card = found["dmpm-ild-risk-incomplete"]
    assert card.indicator is Indicator.INFO
    assert "course undetermined" in card.summary
    assert "observation" not in card.detail.lower()
    assert "dmpm-ild-chronic" not in found


@pytest.mark.parametrize(
    ("extra", "kind"),
    [
        ([], "undetermined"),
        ([cond("dyspnea_worsening", day(30), active=False)], "chronic"),
        ([cond("ct_ild_progression", day(90), active=False)], "chronic"),
        ([cond("ct_ild_progression", day(91), active=False)], "undetermined"),  # outside
        ([cond("dyspnea_worsening", day(-1), active=False)], "undetermined"),  # before onset
    ],
)
def test_recorded_absence_in_the_window_is_evidence_of_chronic(extra: list, kind: str) -> None:  # type: ignore[type-arg]
    rec = dm_as_ild(dyspnea_day=None, extra_conditions=extra)
    assert classify_course(rec).kind == kind


@pytest.mark.parametrize(
    ("later", "kind"),
    [(2.9, "chronic"), (2.70, "acute_subacute")],
)
def test_vc_pair_without_decrease_is_evidence_of_chronic(later: float, kind: str) -> None:
    rec = dm_as_ild(
        dyspnea_day=None,
        extra_measurements=[
            meas("vital_capacity", 3.0, day(5)),
            meas("vital_capacity", later, day(60)),
        ],
    )
    assert classify_course(rec).kind == kind


def test_single_pao2_is_not_a_pair() -> None:
    # dm_as_ild has one PaO2 on day 11 only
    assert classify_course(dm_as_ild(dyspnea_day=None)).kind == "undetermined"


@pytest.mark.parametrize("missing", ["respiratory", "labs", "imaging", "imaging_reports"])
def test_unavailable_course_data_is_undetermined(missing: str) -> None:
    rec = dm_as_ild(
        dyspnea_day=None, extra_conditions=[cond("dyspnea_worsening", day(30), active=False)]
    )
    assert classify_course(rec).kind == "chronic"
    rec.unavailable[missing] = "timeout"
    course = classify_course(rec)
    assert course.kind == "undetermined"
    assert f"{dataset_name(missing)} unavailable" in course.why_undecided


def test_bounded_pao2_pair_that_cannot_decide_is_not_evidence() -> None:
    from fhir_mappings.record import Measurement

    rec = dm_as_ild(
        dyspnea_day=None,
        pao2=None,
        extra_measurements=[
            meas("pao2", 80.0, day(2)),
            Measurement("pao2", 75.0, "mm[Hg]", day(40), comparator="<"),
        ],
    )
    assert classify_course(rec).kind == "undetermined"
    rec2 = dm_as_ild(
        dyspnea_day=None,
        pao2=None,
        extra_measurements=[
            meas("pao2", 80.0, day(2)),
            Measurement("pao2", 70.0, "mm[Hg]", day(40), comparator="<"),
        ],
    )
    assert classify_course(rec2).kind == "acute_subacute"


# ------------------------------------------------------------- chronic: observation


def _chronic(extra_conditions: list, measurements: list) -> PatientRecord:  # type: ignore[type-arg]
    return dm_as_ild(
        dyspnea_day=None,
        extra_conditions=[cond("ct_ild_progression", day(30), active=False)] + extra_conditions,
        extra_measurements=measurements,
    )


STABLE = [meas("fvc", 3.0, day(100)), meas("fvc", 2.95, day(130))]


@pytest.mark.parametrize(
    ("extra", "measurements", "observation"),
    [
        ([cond("dyspnea_worsening", day(120), active=False)], STABLE, True),
        ([], STABLE, False),  # no symptom assessment recorded
        ([cond("dyspnea_worsening", day(120), active=False)], [], False),  # no VC/FVC pair
    ],
)
def test_observation_needs_a_symptom_assessment_and_a_stable_pair(
    extra: list,  # type: ignore[type-arg]
    measurements: list,  # type: ignore[type-arg]
    observation: bool,
) -> None:
    card = cards(_chronic(extra, measurements))["dmpm-ild-chronic"]
    assert ("**observation**" in card.detail) is observation
    assert "Asymptomatic" not in card.detail
    if observation:
        assert "worsening dyspnea on exertion recorded absent" in card.detail
    else:
        assert "missing" in card.summary


# ------------------------------------------------------------------- SSc overlap


def _ssc(rec: PatientRecord) -> PatientRecord:
    rec.conditions.append(cond("systemic_sclerosis", day(-200)))
    return rec


SSC_CASES = {
    "poor prognosis (SSc + PM, A/S, CK 300)": lambda: _ssc(
        dm_as_ild(myositis="polymyositis", ck=300.0)
    ),
    "A/S, no factor": lambda: _ssc(dm_as_ild()),
    "A/S, missing input": lambda: _ssc(dm_as_ild(ferritin=None)),
    "chronic, dyspnea worse": lambda: _ssc(_chronic([cond("dyspnea_worsening", day(150))], STABLE)),
    "undetermined with factor": lambda: _ssc(_dm_anti_mda5_no_course_data()),
    "GC resistance": lambda: _ssc(
        dm_as_ild(
            extra_conditions=[cond("ct_ild_progression", day(27))],
            medications=[med("prednisolone", 60.0, start=day(20))],
        )
    ),
}


@pytest.mark.parametrize("name", sorted(SSC_CASES))
def test_no_card_in_ssc_overlap_says_start_gc_without_the_renal_crisis_caveat(name: str) -> None:
    findings = evaluate_patient_view(SSC_CASES[name]())
    gc_cards = [
        f
        for f in findings
        if f.topic.startswith("dmpm-")
        and ("GC" in f.detail or "glucocorticoid" in f.detail.lower())
    ]
    assert gc_cards, name
    for f in findings:
        text = (f.summary + f.detail).lower()
        assert "start gc" not in text, (name, f.topic)
        assert "start initial gc" not in text, (name, f.topic)
        if f.topic.startswith("dmpm-") and f.topic in {
            "dmpm-ild-poor-prognosis",
            "dmpm-ild-acute-subacute",
            "dmpm-ild-chronic",
            "dmpm-ild-gc-resistance",
            "dmpm-ild-risk-incomplete",
        }:
            assert "renal crisis" in f.detail and "R051" in f.rules, (name, f.topic)


def test_without_ssc_no_caveat() -> None:
    card = cards(dm_as_ild(mda5="positive"))["dmpm-ild-poor-prognosis"]
    assert "renal crisis" not in card.detail


# ---------------------------------------------------------- poor-prognosis and salvage wording


@pytest.mark.parametrize(
    "kw",
    [
        {"mda5": "positive"},
        {"mda5": "positive", "myositis": "amyopathic_dm", "ck": 100.0, "ferritin": 2000.0,
         "pao2": 50.0, "lower_consolidation": True},
    ],
)  # fmt: skip
def test_poor_prognosis_summary_quotes_the_source(kw: dict) -> None:  # type: ignore[type-arg]
    card = cards(dm_as_ild(**kw))["dmpm-ild-poor-prognosis"]
    assert "JP Figure 3 calls for initial GC + IV CsA + IVCY." in card.summary
    assert "start" not in card.summary.lower()
    assert len(card.summary) <= 139


def _triple(unavailable: str | None = None) -> PatientRecord:
    start = day(5)
    rec = dm_as_ild(
        mda5="positive",
        medications=[
            med("prednisolone", 60.0, start=start),
            med("cyclosporine", start=start, daily=200.0),
            med("cyclophosphamide", start=day(7), daily=800.0, route=None),
        ],
        extra_conditions=[cond("ct_ild_progression", day(30))],
    )
    if unavailable:
        rec.unavailable[unavailable] = "timeout"
    return rec


def test_salvage_has_no_unsourced_mortality_claim_and_points_to_r111() -> None:
    card = cards(_triple())["dmpm-ild-salvage"]
    assert "frequent cause of death" not in card.detail
    assert "beta-D-glucan" in card.detail and "CMV antigenemia" in card.detail
    assert "R111" in card.rules


# ------------------------------------------------------------- medications missing


@pytest.mark.parametrize("missing", ["medications", "medication_statements"])
def test_salvage_names_unavailable_medications(missing: str) -> None:
    assert "Medications not fully available" not in cards(_triple())["dmpm-ild-salvage"].detail
    card = cards(_triple(missing))["dmpm-ild-salvage"]
    assert (
        "Medications not fully available" in card.detail
        and f"{dataset_name(missing)} unavailable" in card.detail
    )


def test_gc_resistance_with_medications_unavailable_does_not_conclude_no_cyclosporine() -> None:
    def rec(missing: bool) -> PatientRecord:
        r = dm_as_ild(
            extra_conditions=[cond("ct_ild_progression", day(27))],
            medications=[med("prednisolone", 60.0, start=day(20))],
        )
        if missing:
            r.unavailable["medications"] = "HTTP 503"
        return r

    assert cards(rec(False))["dmpm-ild-gc-resistance"].summary.endswith("add cyclosporine.")
    card = cards(rec(True))["dmpm-ild-gc-resistance"]
    assert "unless already given" in card.summary
    assert "medication orders unavailable (HTTP 503)" in card.detail


def _kl6(missing: bool) -> PatientRecord:
    start = day(20)
    r = dm_as_ild(
        extra_measurements=[
            meas("kl6", 1000.0, start),
            meas("kl6", 2000.0, day(14, start)),
            meas("ferritin", 800.0, day(25)),
            meas("ferritin", 1200.0, day(30)),
        ],
        medications=[med("prednisolone", 60.0, start=start)],
    )
    if missing:
        r.unavailable["medication_statements"] = "incomplete"
    return r


@pytest.mark.parametrize("topic", ["kl6-rising", "dmpm-ild-activity-rising"])
def test_treatment_start_cards_name_unavailable_medications(topic: str) -> None:
    assert "Medications not fully available" not in cards(_kl6(False))[topic].detail
    assert "Medications not fully available" in cards(_kl6(True))[topic].detail


@pytest.mark.parametrize(
    ("value", "comparator", "fires"),
    [(1700.0, ">", True), (1700.0, ">=", False), (1800.0, "<", False), (5000.0, ">", True)],
)
def test_kl6_bound(value: float, comparator: str, fires: bool) -> None:
    from fhir_mappings.record import Measurement

    start = day(20)
    r = dm_as_ild(
        extra_measurements=[
            meas("kl6", 1000.0, start),
            Measurement("kl6", value, "U/mL", day(14, start), comparator=comparator),
        ],
        medications=[med("prednisolone", 60.0, start=start)],
    )
    found = cards(r)
    assert ("kl6-rising" in found) is fires
    if fires:
        assert f"KL-6 rose >{value / 1000:g}" in found["kl6-rising"].summary


def test_no_salvage_on_an_undetermined_course() -> None:
    """Triple therapy for 60 days and dyspnoea worse 5 days ago, ILD onset 200 days ago with
    nothing dated in its first 3 months: the course is undetermined, so no salvage (IVIG,
    PMX-DHP) card; the risk-incomplete card asks for the course first."""
    start = day(-60, ONSET)
    rec = record(
        [
            cond("ild", day(-200, ONSET)),
            cond("dermatomyositis", day(-250, ONSET)),
            cond("dyspnea_worsening", day(-5, ONSET)),
        ],
        [meas("ferritin", 2500.0, day(-110, ONSET))],
        [ab("anti_mda5", "positive", day(-110, ONSET))],
        medications=[
            med("prednisolone", 60.0, start=start),
            med("cyclosporine", start=start, daily=200.0),
            med("cyclophosphamide", start=day(2, start), daily=800.0, route=None),
        ],
        today=ONSET,
    )
    assert classify_course(rec).kind == "undetermined"
    found = cards(rec)
    assert "dmpm-ild-salvage" not in found
    assert "establish the course first" in found["dmpm-ild-risk-incomplete"].summary
