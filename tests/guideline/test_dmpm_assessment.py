"""DM/PM-ILD classification, missing inputs, subtype groups, management text."""

from __future__ import annotations

import pytest

from cds_service.guideline import evaluate_patient_view
from cds_service.guideline.diseases import ANTI_SYNTHETASE
from cds_service.guideline.dmpm.subtypes import anti_ars
from cds_service.guideline.findings import Indicator
from cds_service.guideline.topics import PATIENT_VIEW_TOPICS

from .records import ONSET, ab, cond, day, dm_as_ild, meas, med, record, unreadable

DMPM_TOPICS = {t for t in PATIENT_VIEW_TOPICS if t.startswith("dmpm-ild-")} | {"kl6-rising"}


def cards(rec):  # type: ignore[no-untyped-def]
    return {f.topic: f for f in evaluate_patient_view(rec) if f.topic in DMPM_TOPICS}


def test_complete_assessment_without_factor_gives_dm_branch() -> None:
    found = cards(dm_as_ild())
    assert set(found) == {"dmpm-ild-acute-subacute"}
    card = found["dmpm-ild-acute-subacute"]
    assert card.indicator is Indicator.WARNING
    assert "GC + CsA or IVCY" in card.detail and "A/S 2" in card.detail


def test_pm_branch_is_gc_alone() -> None:
    card = cards(dm_as_ild(myositis="polymyositis"))["dmpm-ild-acute-subacute"]
    assert "GC alone" in card.summary and "GC alone" in card.detail and "A/S 3" in card.detail


def test_poor_risk_card_states_regimen_and_survival_figures() -> None:
    found = cards(dm_as_ild(mda5="positive", myositis="amyopathic_dm", ck=120.0))
    card = found["dmpm-ild-poor-prognosis"]
    assert card.indicator is Indicator.CRITICAL
    for text in (
        "200 mg/day",
        "12 hours",
        "200–250 ng/mL",
        "not step-up",
        "69%",
        "89% ",
        "43%",
        "74%",
        "54%",
        "3/12",
        "50% of 10",
        "IVIG",
        "PMX-DHP",
        "A/S 1",
    ):
        assert text in card.detail, text
    assert "anti-MDA5+" in card.summary and "ADM" in card.summary
    assert len(card.summary) <= 139
    assert "dmpm-ild-risk-incomplete" not in found


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"mda5": None}, "anti-MDA5 not tested"),
        ({"ferritin": None}, "no ferritin result"),
        ({"pao2": None}, "no PaO2 result"),
        ({"ck": None}, "no CK result"),
        ({"ggo": None, "lower_consolidation": None}, "ground-glass and lower-zone consolidation"),
        ({"myositis": "antisynthetase_syndrome"}, "myositis type unknown"),
    ],
)
def test_missing_input_is_named_never_no_risk(kwargs: dict[str, object], named: str) -> None:
    found = cards(dm_as_ild(**kwargs))  # type: ignore[arg-type]
    card = found["dmpm-ild-risk-incomplete"]
    assert card.indicator is Indicator.WARNING
    assert named in card.detail
    assert "dmpm-ild-poor-prognosis" not in found
    acute = found["dmpm-ild-acute-subacute"]
    assert "cannot be chosen" in acute.detail and "GC + CsA or IVCY" not in acute.detail
    for f in found.values():
        assert "no poor-risk factors." not in f.detail.lower()


def test_ferritin_with_unknown_unit_is_missing_not_normal() -> None:
    rec = dm_as_ild(ferritin=None, extra_measurements=[unreadable("ferritin", day(11), 2000, "mg")])
    card = cards(rec)["dmpm-ild-risk-incomplete"]
    assert "could not be interpreted" in card.detail and "2000 mg" in card.detail
    assert "ferritin" in card.summary


def test_stale_ferritin_is_missing() -> None:
    rec = dm_as_ild(ferritin=None, extra_measurements=[meas("ferritin", 300.0, day(-31))])
    assert "no ferritin result since" in cards(rec)["dmpm-ild-risk-incomplete"].detail


def test_factor_present_with_other_inputs_missing_is_poor_prognosis_naming_gaps() -> None:
    found = cards(dm_as_ild(mda5="positive", ferritin=None))
    assert "dmpm-ild-risk-incomplete" not in found
    detail = found["dmpm-ild-poor-prognosis"].detail
    assert "**Not assessed**" in detail and "- ferritin" in detail.split("**Not assessed**")[1]


def test_unsited_consolidation_is_not_lower_consolidation() -> None:
    rec = dm_as_ild(lower_consolidation=None, extra_conditions=[cond("ct_consolidation", day(12))])
    card = cards(rec)["dmpm-ild-risk-incomplete"]
    assert "without a lower-zone site" in card.detail


def _chronic(**kw):  # type: ignore[no-untyped-def]
    """Chronic: no A/S criterion, and worsening dyspnea recorded absent on day 30 (evidence
    against A/S-ILD, and a symptom assessment within 180 days)."""
    extra = [cond("dyspnea_worsening", day(30), active=False)] + kw.pop("extra_conditions", [])
    return dm_as_ild(dyspnea_day=None, extra_conditions=extra, **kw)


def test_chronic_1_anti_ars_stable_is_observation_with_recurrence_note() -> None:
    rec = _chronic(
        myositis="polymyositis",
        extra_antibodies=[ab("anti_jo1", "positive", day(5))],
        extra_measurements=[meas("fvc", 3.0, day(30)), meas("fvc", 2.95, day(120))],
    )
    card = cards(rec)["dmpm-ild-chronic"]
    assert card.indicator is Indicator.INFO
    assert "observation" in card.detail and "Chronic 1" in card.detail and "40%" in card.detail


def test_chronic_2_declining_untreated_is_gc_warning() -> None:
    rec = _chronic(
        extra_antibodies=[ab(c, "negative", day(5)) for c in ANTI_SYNTHETASE],
        extra_measurements=[meas("fvc", 3.0, day(30)), meas("fvc", 2.6, day(120))],
    )
    card = cards(rec)["dmpm-ild-chronic"]
    assert card.indicator is Indicator.WARNING
    assert "**start GC**" in card.detail and "group **Chronic 2**" in card.detail


def test_chronic_without_lung_function_names_it() -> None:
    card = cards(_chronic())["dmpm-ild-chronic"]
    assert "no VC or FVC" in card.detail and "not determined" in card.detail


def test_salvage_on_triple_therapy_with_worsening() -> None:
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
    card = cards(rec)["dmpm-ild-salvage"]
    assert "2 survived" in card.detail and "3 died" in card.detail and "PMX-DHP" in card.detail
    assert "no dose" in card.detail
    assert " g/kg" not in card.detail and "mg/kg" not in card.detail


def test_activity_rising_ferritin_on_treatment() -> None:
    start = day(5)
    rec = dm_as_ild(
        medications=[med("prednisolone", 60.0, start=start)],
        extra_measurements=[meas("ferritin", 800.0, day(30)), meas("ferritin", 1200.0, day(40))],
    )
    card = cards(rec)["dmpm-ild-activity-rising"]
    assert card.indicator is Indicator.WARNING and "1,200 ng/mL" in card.detail


def test_no_card_ever_shows_500_750_as_a_cyclosporine_dose() -> None:
    recs = [dm_as_ild(mda5="positive"), dm_as_ild(), _chronic()]
    for rec in recs:
        for f in evaluate_patient_view(rec):
            assert "500–750" not in f.detail and "500-750" not in f.detail


def test_not_dmpm_gives_no_dmpm_card() -> None:
    rec = record([cond("ild", ONSET), cond("dyspnea_worsening", day(3))])
    assert not cards(rec)


def test_every_card_has_facts_with_dates_and_cites_sources() -> None:
    rec = dm_as_ild(mda5="positive")
    findings = evaluate_patient_view(rec)
    assert any(f.topic.startswith("dmpm-") for f in findings)
    for f in findings:
        assert "**Sources**" in f.detail
        if f.topic.startswith("dmpm-"):
            assert "Japanese DM/PM-ILD review (2014)" in f.detail
        assert f.facts and all(x.date is not None for x in f.facts if x.value is not None)
        assert len(f.summary) <= 139


@pytest.mark.parametrize(
    ("negatives", "status"),
    [
        (ANTI_SYNTHETASE, False),
        (ANTI_SYNTHETASE[:-1], None),  # anti-Ha not tested
        (("anti_jo1",), None),  # anti-Jo-1 alone
        ((), None),
    ],
)
def test_anti_ars_negative_only_when_all_eight_are_negative(
    negatives: tuple[str, ...], status: bool | None
) -> None:
    rec = _chronic(extra_antibodies=[ab(c, "negative", day(5)) for c in negatives])
    got, texts, _ = anti_ars(rec)
    assert got is status
    card = cards(rec)["dmpm-ild-chronic"]
    if status is None:
        assert "group **Chronic 2**" not in card.detail
        assert "anti-ARS status unknown" in card.detail
        missing = [c for c in ANTI_SYNTHETASE if c not in negatives]
        assert "anti-Ha" in card.detail if "anti_ha" in missing else True
        assert "not tested (or not readable): " in card.detail
    else:
        assert "group **Chronic 2**" in card.detail


def test_anti_ars_unreadable_one_is_not_negative() -> None:
    abs_ = [ab(c, "negative", day(5)) for c in ANTI_SYNTHETASE[1:]] + [
        ab("anti_jo1", "unknown", day(5))
    ]
    rec = _chronic(extra_antibodies=abs_)
    assert anti_ars(rec)[0] is None
    assert "anti-Jo-1" in cards(rec)["dmpm-ild-chronic"].detail


def test_anti_ars_with_antibodies_unavailable_is_unknown() -> None:
    rec = _chronic(extra_antibodies=[ab(c, "negative", day(5)) for c in ANTI_SYNTHETASE])
    rec.unavailable["antibodies"] = "timeout"
    assert anti_ars(rec)[0] is None


def test_anti_ars_one_positive_is_positive() -> None:
    rec = _chronic(extra_antibodies=[ab("anti_pl7", "positive", day(5))])
    assert anti_ars(rec)[0] is True
