"""CTD work-up, antibody-positive ILD and IPAF (records built directly)."""

from __future__ import annotations

import pytest

from cds_service.guideline import evaluate_patient_view
from cds_service.guideline.findings import Indicator
from cds_service.guideline.suggestions.workup import KR_TABLE2_ORDERS
from fhir_mappings.record import AntibodyResult

from .records import ONSET, ab, cond, day, meas, record

DIAGNOSIS_TOPICS = {"ild-ctd-workup", "ild-autoantibody-positive", "ipaf-criteria"}


def cards(rec):  # type: ignore[no-untyped-def]
    return {f.topic: f for f in evaluate_patient_view(rec) if f.topic in DIAGNOSIS_TOPICS}


def full_negative_panel() -> tuple[list, list]:  # type: ignore[type-arg]
    antibodies, measurements = [], []
    for t in KR_TABLE2_ORDERS:
        if t.concept in ("creatine_kinase", "aldolase"):
            measurements.append(meas(t.concept, 80.0, day(3)))
        else:
            antibodies.append(ab(t.concept, "negative", day(3)))
    return antibodies, measurements


def test_ild_without_any_test_suggests_all_18_orders_and_referral() -> None:
    card = cards(record([cond("ild", ONSET)]))["ild-ctd-workup"]
    assert card.indicator is Indicator.INFO
    assert "18 of 18" in card.summary
    assert card.selection_behavior == "any"
    assert set(card.override_reasons) >= {"already-addressed", "patient-declined", "data-incorrect"}
    labs, referral = card.suggestions
    codes = {a.resource["code"]["coding"][0]["code"] for a in labs.actions if a.resource}
    assert codes == {t.code for t in KR_TABLE2_ORDERS}
    for action in labs.actions + referral.actions:
        assert action.resource and action.resource["resourceType"] == "ServiceRequest"
        assert action.resource["subject"] == {"reference": "Patient/p1"}
    assert referral.actions[0].resource["code"]["coding"][0]["system"] == "http://snomed.info/sct"
    assert "KR" in card.detail and "Table 2" in card.detail and "Table 1" in card.detail


def test_only_missing_tests_are_ordered() -> None:
    antibodies, measurements = full_negative_panel()
    antibodies = [a for a in antibodies if a.concept != "anti_mda5"]
    card = cards(record([cond("ild", ONSET)], measurements, antibodies))["ild-ctd-workup"]
    labs = card.suggestions[0]
    assert [a.description for a in labs.actions] == ["Order MDA-5"]
    assert "1 of 18" in card.summary


def test_unreadable_result_counts_as_not_done() -> None:
    antibodies, measurements = full_negative_panel()
    antibodies = [a for a in antibodies if a.concept != "anti_jo1"] + [
        ab("anti_jo1", "unknown", day(3))
    ]
    card = cards(record([cond("ild", ONSET)], measurements, antibodies))["ild-ctd-workup"]
    assert "could not be read" in card.detail


def test_complete_negative_workup_is_silent() -> None:
    antibodies, measurements = full_negative_panel()
    assert not cards(record([cond("ild", ONSET)], measurements, antibodies))


def test_defined_ctd_is_silent() -> None:
    rec = record(
        [cond("ild", ONSET), cond("systemic_sclerosis", day(-100))],
        [],
        [ab("anti_scl70", "positive", day(1))],
    )
    assert not cards(rec)


def test_no_ild_is_silent() -> None:
    assert not cards(record([cond("raynaud", ONSET)], [], [ab("anti_jo1", "positive", day(1))]))


def test_anti_jo1_positive_ild_names_antisynthetase_syndrome() -> None:
    rec = record([cond("ild", ONSET)], [], [ab("anti_jo1", "positive", day(1))])
    card = cards(rec)["ild-autoantibody-positive"]
    assert card.indicator is Indicator.WARNING
    assert "anti-synthetase syndrome" in card.summary
    assert "idiopathic" in card.detail and "rheumatology" in card.detail.lower()
    assert card.suggestions[0].actions[0].resource["resourceType"] == "ServiceRequest"


def test_negative_or_nonspecific_antibody_does_not_fire() -> None:
    rec = record(
        [cond("ild", ONSET)],
        [],
        [ab("anti_jo1", "negative", day(1)), ab("rheumatoid_factor", "positive", day(1))],
    )
    assert "ild-autoantibody-positive" not in cards(rec)


def test_ipaf_needs_two_domains() -> None:
    one = record([cond("ild", ONSET), cond("mechanics_hands", day(2))])
    assert "ipaf-criteria" not in cards(one)
    two = record(
        [cond("ild", ONSET), cond("mechanics_hands", day(2)), cond("ct_nsip_pattern", day(1))]
    )
    card = cards(two)["ipaf-criteria"]
    assert "Clinical + Morphologic" in card.summary
    assert "alternative causes" in card.detail and "ERS/ATS" in card.detail


def test_ipaf_ana_titre_boundary() -> None:
    base = [cond("ild", ONSET), cond("raynaud", day(2))]
    low = record(
        base, [], [AntibodyResult("ana_titer", "positive", day(1), titer=160.0, text="speckled")]
    )
    high = record(
        base, [], [AntibodyResult("ana_titer", "positive", day(1), titer=320.0, text="speckled")]
    )
    assert "ipaf-criteria" not in cards(low)
    assert "ipaf-criteria" in cards(high)


# ------------------------------------ IPAF: telangiectasia site, ANA pattern, anti-ARS


def test_telangiectasia_without_palmar_site_is_listed_not_counted() -> None:
    rec = record(
        [cond("ild", ONSET), cond("telangiectasia", day(2)), cond("ct_nsip_pattern", day(1))]
    )
    assert "ipaf-criteria" not in cards(rec)  # Morphologic only: one domain
    rec.conditions.append(cond("raynaud", day(2)))
    card = cards(rec)["ipaf-criteria"]
    assert "Not counted (unconfirmed):** telangiectasia without a recorded palmar site" in (
        card.detail
    )
    assert "**A. Clinical:** Raynaud's phenomenon" in card.detail


@pytest.mark.parametrize(
    ("titer", "pattern", "counted"),
    [
        (320.0, "speckled", True),
        (320.0, "Homogeneous", True),
        (320.0, "diffuse", True),
        (160.0, "speckled", False),
        (320.0, None, False),  # no pattern recorded: unconfirmed
        (320.0, "cytoplasmic", False),
        (40.0, "nucleolar", True),  # any titre
        (40.0, "centromere", True),
    ],
)
def test_ipaf_ana_needs_its_pattern(titer: float, pattern: str | None, counted: bool) -> None:
    ana = AntibodyResult("ana_titer", "positive", day(1), titer=titer, text=pattern)
    rec = record([cond("ild", ONSET), cond("raynaud", day(2))], [], [ana])
    found = cards(rec)
    assert ("ipaf-criteria" in found) is counted
    if not counted and titer >= 320:
        rec.conditions.append(cond("ct_nsip_pattern", day(1)))
        card = cards(rec)["ipaf-criteria"]
        assert "Not counted (unconfirmed)" in card.detail and "ANA" in card.detail
        assert "**B. Serologic:** none recorded" in card.detail


def test_ana_pattern_from_a_separate_result_of_the_same_day() -> None:
    rec = record(
        [cond("ild", ONSET), cond("raynaud", day(2))],
        [],
        [
            AntibodyResult("ana_titer", "positive", day(1), titer=640.0),
            AntibodyResult("ana_pattern", "positive", day(1), text="speckled"),
        ],
    )
    assert "speckled pattern" in cards(rec)["ipaf-criteria"].detail


def test_ipaf_with_anti_ars_says_exclude_antisynthetase_syndrome_first() -> None:
    rec = record(
        [cond("ild", ONSET), cond("ct_nsip_pattern", day(1))],
        [],
        [ab("anti_pl12", "positive", day(1))],
    )
    found = cards(rec)
    card = found["ipaf-criteria"]
    assert "Anti-synthetase syndrome should be excluded first" in card.detail
    assert "anti-synthetase syndrome is excluded first" in card.summary
    assert len(card.summary) <= 139 and "R077" in card.rules
    assert "anti-synthetase syndrome" in found["ild-autoantibody-positive"].summary


def test_ipaf_without_anti_ars_has_no_asys_line() -> None:
    rec = record(
        [cond("ild", ONSET), cond("ct_nsip_pattern", day(1))],
        [],
        [ab("anti_scl70", "positive", day(1))],
    )
    assert "Anti-synthetase" not in cards(rec)["ipaf-criteria"].detail
