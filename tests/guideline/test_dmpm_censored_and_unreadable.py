"""Poor-risk factors with censored (``Quantity.comparator``) and
unreadable values, and anti-MDA5 with a newer unreadable result (records built directly)."""

from __future__ import annotations

from datetime import date

import pytest

from cds_service.guideline import evaluate_patient_view
from cds_service.guideline.dmpm.assessment import assess
from cds_service.guideline.findings import Finding, Indicator
from fhir_mappings.record import Measurement, PatientRecord

from .records import UNITS, ab, day, dm_as_ild, unreadable


def bound(concept: str, value: float, comparator: str, when: date) -> Measurement:
    return Measurement(concept, value, UNITS.get(concept), when, comparator=comparator)


def factor(rec: PatientRecord, key: str) -> bool | None:
    a = assess(rec)
    assert a is not None and a.risk is not None
    return a.risk.factor(key).present


def topics(rec: PatientRecord) -> dict[str, Finding]:
    return {f.topic: f for f in evaluate_patient_view(rec) if f.topic.startswith("dmpm-")}


@pytest.mark.parametrize(
    ("value", "comparator", "present"),
    [
        (1000.0, ">", True),  # ">1000" is above 1,000
        (1000.0, ">=", None),  # ">=1000" may be exactly 1,000: cannot decide
        (999.0, ">", None),
        (1001.0, ">=", True),
        (1000.0, "<", False),
        (1000.1, "<", None),
    ],
)
def test_ferritin_bound(value: float, comparator: str, present: bool | None) -> None:
    rec = dm_as_ild(
        ferritin=None, extra_measurements=[bound("ferritin", value, comparator, day(11))]
    )
    assert factor(rec, "ferritin") is present


def test_ferritin_above_1000_bound_gives_poor_prognosis_showing_the_comparator() -> None:
    rec = dm_as_ild(ferritin=None, extra_measurements=[bound("ferritin", 1000.0, ">", day(11))])
    found = topics(rec)
    card = found["dmpm-ild-poor-prognosis"]
    assert card.indicator is Indicator.CRITICAL
    assert "ferritin >1,000 ng/mL (2026-07-12)" in card.detail
    assert "GC + CsA or IVCY" not in found["dmpm-ild-acute-subacute"].detail
    facts = [f.as_json() for f in card.facts if f.concept == "ferritin"]
    assert facts == [
        {"concept": "ferritin", "value": 1000.0, "comparator": ">", "unit": "ng/mL",
         "date": "2026-07-12"}
    ]  # fmt: skip
    # not the Gono annotation: ">1000" does not say ">1,500"
    assert "very high (Gono)" not in card.detail


@pytest.mark.parametrize(
    ("value", "comparator", "present"),
    [
        (60.0, "<", True),  # "<60"
        (60.0, "<=", None),
        (61.0, "<", None),
        (59.0, "<=", True),
        (60.0, ">", False),
        (59.0, ">", None),
    ],
)
def test_pao2_bound(value: float, comparator: str, present: bool | None) -> None:
    rec = dm_as_ild(pao2=None, extra_measurements=[bound("pao2", value, comparator, day(11))])
    assert factor(rec, "pao2") is present


@pytest.mark.parametrize(
    ("value", "comparator", "present"),
    [
        (500.0, "<", True),
        (500.0, ">", False),
        (500.0, ">=", False),
        (400.0, ">", None),  # ">400" may be below or above 500
        (600.0, "<", None),
    ],
)
def test_ck_bound(value: float, comparator: str, present: bool | None) -> None:
    rec = dm_as_ild(
        ck=None, extra_measurements=[bound("creatine_kinase", value, comparator, day(11))]
    )
    assert factor(rec, "ck") is present


def test_undecidable_bound_is_named_in_the_risk_incomplete_card() -> None:
    rec = dm_as_ild(ferritin=None, extra_measurements=[bound("ferritin", 900.0, ">", day(11))])
    found = topics(rec)
    card = found["dmpm-ild-risk-incomplete"]
    assert "ferritin >900 ng/mL (2026-07-12) is a reported bound" in card.detail
    assert "cannot be chosen" in found["dmpm-ild-acute-subacute"].detail


def _ferritin_in_unconvertible_unit() -> PatientRecord:
    """Ferritin 800 (25 days ago) + ferritin 2,500 in an unconvertible unit
    (5 days ago), CK 800, PaO2 75, GGO absent, anti-MDA5 negative."""
    return dm_as_ild(
        ferritin=None,
        ck=800.0,
        ggo=False,
        extra_measurements=[
            Measurement("ferritin", 800.0, "ng/mL", day(100)),
            unreadable("ferritin", day(120), 2500, "mg"),
        ],
    )


def test_newer_unreadable_ferritin_makes_the_factor_missing() -> None:
    rec = _ferritin_in_unconvertible_unit()
    assert factor(rec, "ferritin") is None
    found = topics(rec)
    assert "dmpm-ild-poor-prognosis" not in found
    card = found["dmpm-ild-risk-incomplete"]
    assert "ferritin" in card.summary
    assert "2500 mg" in card.detail and "could not be interpreted" in card.detail
    assert "highest ferritin 800 ng/mL" in card.detail
    acute = found["dmpm-ild-acute-subacute"]
    assert "no poor-risk factor, DM" not in acute.detail


def test_unreadable_ferritin_does_not_undo_a_readable_value_above_1000() -> None:
    rec = dm_as_ild(
        ferritin=1200.0, extra_measurements=[unreadable("ferritin", day(20), 300, "mg")]
    )
    assert factor(rec, "ferritin") is True


@pytest.mark.parametrize(("ck", "present"), [(300.0, None), (800.0, False)])
def test_unreadable_ck(ck: float, present: bool | None) -> None:
    """CK <500 means CK never rose: a readable CK >=500 settles 'absent'; otherwise an
    unreadable CK leaves the factor missing."""
    rec = dm_as_ild(ck=ck, extra_measurements=[unreadable("creatine_kinase", day(20), 9, "xx")])
    assert factor(rec, "ck") is present


def test_newer_unreadable_anti_mda5_makes_the_factor_missing() -> None:
    """Anti-MDA5 negative 300 days ago plus unreadable 10 days ago."""
    rec = dm_as_ild(mda5=None, extra_antibodies=[])
    rec.antibodies["anti_mda5"] = [
        ab("anti_mda5", "negative", date(2026, 1, 25)),
        ab("anti_mda5", "unknown", date(2026, 11, 11)),
    ]
    assert factor(rec, "mda5") is None
    card = topics(rec)["dmpm-ild-risk-incomplete"]
    assert "anti-MDA5" in card.summary
    assert "anti-MDA5 negative (2026-01-25)" in card.detail
    assert "anti-MDA5 unknown (2026-11-11): result unreadable" in card.detail


def test_older_unreadable_anti_mda5_does_not_hide_a_newer_negative() -> None:
    rec = dm_as_ild(mda5=None)
    rec.antibodies["anti_mda5"] = [
        ab("anti_mda5", "unknown", day(1)),
        ab("anti_mda5", "negative", day(11)),
    ]
    assert factor(rec, "mda5") is False


def test_positive_anti_mda5_stays_present_with_a_newer_unreadable() -> None:
    rec = dm_as_ild(mda5=None)
    rec.antibodies["anti_mda5"] = [
        ab("anti_mda5", "positive", day(1)),
        ab("anti_mda5", "unknown", day(11)),
    ]
    assert factor(rec, "mda5") is True


def test_anti_mda5_negative_before_the_window_is_dated_in_the_card() -> None:
    rec = dm_as_ild(mda5=None, ferritin=None)
    rec.antibodies["anti_mda5"] = [ab("anti_mda5", "negative", date(2025, 1, 5))]
    assert factor(rec, "mda5") is False
    card = topics(rec)["dmpm-ild-risk-incomplete"]
    assert "anti-MDA5 negative (2025-01-05) (before this ILD's window" in card.detail


@pytest.mark.parametrize(
    ("unavailable", "key"),
    [
        ("labs", "ferritin"),
        ("respiratory", "pao2"),
        ("antibodies", "mda5"),
        ("imaging", "hrct"),
    ],
)
def test_unavailable_data_set_makes_an_absent_factor_missing(unavailable: str, key: str) -> None:
    rec = dm_as_ild(ggo=False)
    assert factor(rec, key) is False
    rec.unavailable[unavailable] = "timeout"
    assert factor(rec, key) is None
    card = topics(rec)["dmpm-ild-risk-incomplete"]
    assert f"{unavailable} unavailable (timeout)" in card.detail


@pytest.mark.parametrize(("ck", "present"), [(300.0, None), (2000.0, False)])
def test_ck_with_labs_unavailable(ck: float, present: bool | None) -> None:
    """A CK >=500 on record settles 'CK <500' as absent; a low CK could hide a higher one in
    the labs that could not be fetched."""
    rec = dm_as_ild(ck=ck)
    rec.unavailable["labs"] = "timeout"
    assert factor(rec, "ck") is present


def test_unavailable_data_set_does_not_undo_a_present_factor() -> None:
    rec = dm_as_ild(ferritin=1500.0)
    rec.unavailable["labs"] = "timeout"
    assert factor(rec, "ferritin") is True
