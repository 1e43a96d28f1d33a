"""Course (A/S vs chronic vs undetermined) and poor-risk factors of DM/PM-ILD, as the seeds
define them (JP Figure 3, Table 1, §Assessment of poor risk factors; Z20), on charts kept as
hospitals keep them: symptoms as Observations under local codes, HRCT as final reports with
coded conclusions, FVC in litres with the predicted value."""

from __future__ import annotations

from datetime import date

import pytest

from cds_service.guideline.dmpm.course import AS_WINDOW_DAYS
from cds_service.guideline.dmpm.risk import CK_LOW, CK_RAISED_WITHOUT_RANGE
from cds_service.guideline.findings import Finding, Indicator

from .chart import Chart, cards, days

TODAY = date(2026, 11, 20)
ESCALATION = ("calls for initial", "GC + IV CsA + IVCY")
DMPM = (
    "dmpm-ild-poor-prognosis",
    "dmpm-ild-acute-subacute",
    "dmpm-ild-risk-incomplete",
    "dmpm-ild-chronic",
)


def _no_escalation(found: dict[str, Finding]) -> None:
    assert "dmpm-ild-poor-prognosis" not in found
    for f in found.values():
        for text in ESCALATION:
            assert text not in f.summary, f.topic


ONSET = days(-40, TODAY)


def acute(myositis: str | tuple[str, ...] = "dermatomyositis", onset: date = ONSET) -> Chart:
    """ILD with worse exertional dyspnoea charted 20 days after onset (an A/S criterion)."""
    chart = Chart().diagnosis("ild", onset)
    for m in (myositis,) if isinstance(myositis, str) else myositis:
        chart.diagnosis(m, days(-30, onset))
    return chart.sign("SX-DYSP-EXERT", days(20, onset))


def no_factor_labs(
    chart: Chart, when: date, ck: float = 3200, ck_range: float | None = 170
) -> Chart:
    """Every poor-risk input charted, none present (unless ``ck`` says otherwise)."""
    return (
        chart.lab("ferritin", 300, when)
        .lab("pao2", 75, when)
        .lab("ck", ck, when, ref_high=ck_range)
        .antibody("anti_mda5", "negative", when)
        .hrct(when, "CT-GGO", "CT-RETIC")
    )


# ----------------------------------------------------------------- chronic course (defect 2)


def stable_anti_mda5_adm() -> Chart:
    """Anti-MDA5+ ADM, ILD for 14 months: FVC 92 -> 91 -> 93% predicted (in litres), no
    dyspnoea on examination, HRCT unchanged."""
    onset = days(-425, TODAY)
    return (
        Chart()
        .ctd_ild("amyopathic_dm", onset, 200)
        .antibody("anti_mda5", "positive", days(5, onset))
        .lab("ck", 90, days(5, onset), ref_high=170)
        .lab("ferritin", 320, days(5, onset))
        .hrct(days(3, onset), "CT-GGO", "CT-RETIC")
        .fvc(2.94, days(10, onset))
        .fvc(2.91, days(200, onset))
        .hrct(days(240, onset), "CT-GGO", "CT-RETIC")
        .fvc(2.98, days(400, onset))
        .sign("SX-DYSP-EXERT", days(400, onset), present=False)
    )


def test_long_stable_anti_mda5_adm_is_chronic_with_its_basis_and_no_escalation() -> None:
    found = cards(stable_anti_mda5_adm(), TODAY)
    _no_escalation(found)
    assert "dmpm-ild-risk-incomplete" not in found
    card = found["dmpm-ild-chronic"]
    assert card.summary.startswith("Chronic ADM-ILD (14 months")
    assert "observation" in card.summary
    assert "FVC 2.94 L (2025-10-01) → 2.91 L" in card.detail  # the evidence used
    assert "HRCT 2026-05-19: ground glass, reticulation: no progression coded" in card.detail
    assert "not associated with a poor prognosis" in card.detail  # anti-MDA5+ chronic ILD
    assert "R083" in card.rules
    assert any(f.concept == "anti_mda5" and f.value == "positive" for f in card.facts)


def test_anti_pl7_stable_for_11_months_is_chronic_group_1_with_recurrence_risk() -> None:
    onset = days(-330, TODAY)
    chart = (
        Chart()
        .diagnosis("antisynthetase_syndrome", days(-10, onset))
        .ctd_ild("polymyositis", onset, 10)
        .antibody("anti_pl7", "positive", days(2, onset))
        .hrct(days(1, onset), "CT-RETIC", "CT-GGO")
        .fvc(2.40, days(15, onset), predicted_litres=2.90)
        .fvc(2.36, days(150, onset), predicted_litres=2.90)
        .fvc(2.44, days(300, onset), predicted_litres=2.90)
    )
    found = cards(chart, TODAY)
    _no_escalation(found)
    card = found["dmpm-ild-chronic"]
    assert "Chronic 1" in card.detail and "recurrence" in card.detail
    assert "FVC 2.4 L" in card.detail


@pytest.mark.parametrize(
    ("today", "kind"), [(AS_WINDOW_DAYS, None), (AS_WINDOW_DAYS + 1, "chronic")]
)
def test_chronic_needs_more_than_3_months(today: int, kind: str | None) -> None:
    onset = days(-today, TODAY)
    chart = Chart().ctd_ild("dermatomyositis", onset, 30).fvc(2.90, onset).fvc(2.88, TODAY)
    found = cards(chart, TODAY)
    assert ("dmpm-ild-chronic" in found) is (kind == "chronic")
    assert "dmpm-ild-risk-incomplete" not in found


def test_a_rapid_fall_in_the_first_3_months_is_acute_even_from_litres() -> None:
    onset = days(-200, TODAY)
    chart = (
        Chart()
        .ctd_ild("dermatomyositis", onset, 30)
        .fvc(3.00, days(2, onset))
        .fvc(2.70, days(60, onset))  # fell 10%
    )
    found = cards(chart, TODAY)
    assert "dmpm-ild-chronic" not in found
    card = next(f for t, f in found.items() if t in DMPM)
    assert "FVC fell 10%" in card.summary or "FVC fell 10" in card.detail


# ------------------------------------------------------------ undetermined: never escalation


def test_undetermined_course_names_what_to_obtain_and_never_escalates() -> None:
    onset = days(-120, TODAY)
    chart = (
        Chart()
        .ctd_ild("amyopathic_dm", onset, 200)
        .antibody("anti_mda5", "positive", days(-2, onset))
        .lab("ferritin", 2500, days(-2, onset))
    )
    found = cards(chart, TODAY)
    _no_escalation(found)
    card = found["dmpm-ild-risk-incomplete"]
    assert card.indicator is Indicator.WARNING
    assert "course undetermined" in card.summary and "anti-MDA5+" in card.summary
    assert "**What to do:** obtain" in card.detail
    assert "arterial blood gas" in card.detail and "HRCT" in card.detail
    assert "IVCY" not in card.detail and "cyclophosphamide" not in card.detail


@pytest.mark.parametrize("course", ["acute/subacute", "undetermined"])
def test_rising_activity_names_escalation_only_once_the_course_is_known(course: str) -> None:
    """R111 (escalation when activity is uncontrolled) only on a known course; on an
    undetermined one the card asks for the course first (R140). Ferritin 800 -> 1,200 ng/mL
    after prednisolone was started."""
    onset = days(-120, TODAY)
    if course == "undetermined":
        chart = Chart().ctd_ild("amyopathic_dm", onset, 200)
    else:
        chart = acute(onset=days(-60, TODAY))
    start = days(-40, TODAY)
    chart.medication("prednisolone", 60, start)
    chart.lab("ferritin", 800, days(10, start)).lab("ferritin", 1200, days(20, start))
    card = cards(chart, TODAY)["dmpm-ild-activity-rising"]
    assert "ferritin rising" in card.detail
    if course == "undetermined":
        assert "establish the course" in card.detail
        assert "escalation or salvage" not in card.detail
    else:
        assert "calls for escalation or salvage therapy" in card.detail


# ------------------------------------------------------- poor-risk factors (defects 3, 4, 7)


def test_pm_anti_jo1_with_ck_420_is_not_poor_risk() -> None:
    """Defect 3: CK <500 is about DM with low CK elevation; PM or anti-ARS positivity means
    a low possibility of fatal progressive ILD (JP §Assessment, second sentence)."""
    chart = no_factor_labs(acute("polymyositis"), days(-35, TODAY), ck=420)
    chart.antibody("anti_jo1", "positive", days(-35, TODAY))
    found = cards(chart, TODAY)
    _no_escalation(found)
    card = found["dmpm-ild-acute-subacute"]
    assert "GC alone" in card.summary
    assert "CK <500 U/L: not a factor here (PM)" in card.detail
    assert "low" in card.detail and "R108" in card.rules


def test_dm_anti_jo1_with_ck_420_is_not_poor_risk() -> None:
    chart = no_factor_labs(acute(), days(-35, TODAY), ck=420)
    chart.antibody("anti_jo1", "positive", days(-35, TODAY))
    found = cards(chart, TODAY)
    _no_escalation(found)
    assert "not a factor here (anti-ARS positive)" in found["dmpm-ild-acute-subacute"].detail


def test_dm_with_ck_420_is_poor_risk_and_the_summary_names_it() -> None:
    found = cards(no_factor_labs(acute(), days(-35, TODAY), ck=420), TODAY)
    card = found["dmpm-ild-poor-prognosis"]
    assert card.indicator is Indicator.CRITICAL
    assert card.summary == (
        "A/S DM-ILD with CK 420 U/L: JP Figure 3 calls for initial GC + IV CsA + IVCY."
    )


def test_adm_and_pm_both_recorded_with_ck_6000_is_a_contradiction_not_an_escalation() -> None:
    """Defect 4: ADM has normal muscle enzymes by definition; with PM also recorded and CK
    6,000 the type is a contradiction to resolve, and the escalation is conditional."""
    chart = no_factor_labs(acute(("amyopathic_dm", "polymyositis")), days(-35, TODAY), ck=6000)
    found = cards(chart, TODAY)
    _no_escalation(found)
    card = found["dmpm-ild-risk-incomplete"]
    assert card.indicator is Indicator.WARNING
    assert "ADM and PM both recorded" in card.summary
    assert "CK 6,000 U/L" in card.detail
    assert "if ADM is confirmed, JP Figure 3 calls for initial" in card.detail
    assert "if PM, GC alone" in card.detail


@pytest.mark.parametrize(("ck", "critical"), [(CK_RAISED_WITHOUT_RANGE.value - 1, True),
                                              (CK_RAISED_WITHOUT_RANGE.value, False)])  # fmt: skip
def test_adm_with_raised_ck_without_a_lab_range(ck: float, critical: bool) -> None:
    """Without a reference range, a CK at or above the cut-off counts as raised: ADM is then
    unresolved. Just below it, ADM (and CK <500) stand."""
    chart = no_factor_labs(acute("amyopathic_dm"), days(-35, TODAY), ck=ck, ck_range=None)
    found = cards(chart, TODAY)
    assert ("dmpm-ild-poor-prognosis" in found) is critical
    if not critical:
        assert "raised" in found["dmpm-ild-risk-incomplete"].detail


def test_adm_with_ck_above_the_lab_range_is_a_contradiction() -> None:
    chart = no_factor_labs(acute("amyopathic_dm"), days(-35, TODAY), ck=300, ck_range=170)
    found = cards(chart, TODAY)
    # CK 300 is above the range (contradicts ADM) but below 500: DM with low CK elevation
    # is a factor whichever type it resolves to
    card = found["dmpm-ild-poor-prognosis"]
    assert "CK 300 U/L" in card.summary and "ADM" not in card.summary.split(":")[0][9:]
    assert "**Resolve:**" in card.detail and "amyopathic DM means no muscle-enzyme" in card.detail


def test_anti_mda5_with_anti_ars_positive_is_a_contradiction() -> None:
    when = days(-35, TODAY)
    chart = acute().lab("ferritin", 300, when).lab("pao2", 75, when).lab("ck", 3200, when)
    chart.antibody("anti_mda5", "positive", when).antibody("anti_jo1", "positive", when)
    chart.hrct(when, "CT-GGO", "CT-RETIC")
    found = cards(chart, TODAY)
    _no_escalation(found)
    card = found["dmpm-ild-risk-incomplete"]
    assert "anti-MDA5 and an anti-synthetase (anti-ARS) antibody both positive" in card.summary


def test_poor_prognosis_summary_names_the_factors_that_decided() -> None:
    """Defect 7 (the issue's example)."""
    when = days(-35, TODAY)
    chart = no_factor_labs(acute(), when)
    chart.antibody("anti_mda5", "positive", days(1, when)).lab("ferritin", 1800, days(1, when))
    card = cards(chart, TODAY)["dmpm-ild-poor-prognosis"]
    assert card.summary == (
        "A/S DM-ILD with anti-MDA5+ and ferritin 1,800 ng/mL: JP Figure 3 calls for initial "
        "GC + IV CsA + IVCY."
    )


def test_poor_prognosis_summary_with_many_factors_still_names_them() -> None:
    when = days(-35, TODAY)
    chart = acute("amyopathic_dm").antibody("anti_mda5", "positive", when)
    chart.lab("ferritin", 2400, when).lab("pao2", 55, when).lab("ck", 120, when, ref_high=170)
    chart.hrct(when, "CT-GGO", "CT-LOWCONS")
    card = cards(chart, TODAY)["dmpm-ild-poor-prognosis"]
    assert len(card.summary) <= 139
    for name in ("ADM", "anti-MDA5+", "ferritin 2,400 ng/mL"):
        assert name in card.summary
    assert "more" in card.summary  # the rest counted, never a bare count


def test_final_hrct_report_is_a_complete_study() -> None:
    """A final report coding ground glass and reticulation, no lower consolidation: the HRCT
    factor is assessed absent, not missing."""
    found = cards(no_factor_labs(acute(), days(-35, TODAY)), TODAY)
    assert "dmpm-ild-risk-incomplete" not in found
    card = found["dmpm-ild-acute-subacute"]
    assert "no poor-risk factor" in card.summary and "GC + CsA or IVCY" in card.summary


EQUIVOCAL = {"valueCodeableConcept": {"text": "Equivocal"}}


@pytest.mark.parametrize(
    ("lower_consolidation", "factor"),
    [
        ({"valueBoolean": True}, "present"),
        ({"valueBoolean": False}, "absent"),
        (EQUIVOCAL, "undetermined"),
    ],
)
def test_an_hrct_result_read_as_equivocal_is_neither_present_nor_absent(
    lower_consolidation: dict[str, object], factor: str
) -> None:
    """JP §Assessment of poor risk factors (R113, R108): GGO with lower-zone consolidation.
    A final report whose result Observation reads "Equivocal" has not answered the question:
    the card names it and the factor stays open; it never counts as absent."""
    when = days(-35, TODAY)
    chart = acute().lab("ferritin", 300, when).lab("pao2", 75, when)
    chart.lab("ck", 3200, when, ref_high=170).antibody("anti_mda5", "negative", when)
    chart.hrct_results(when, {"CT-GGO": {"valueBoolean": True}, "CT-LOWCONS": lower_consolidation})
    found = cards(chart, TODAY)
    if factor == "present":
        assert "dmpm-ild-poor-prognosis" in found
        return
    _no_escalation(found)
    if factor == "absent":
        assert "dmpm-ild-risk-incomplete" not in found
        assert "no poor-risk factor" in found["dmpm-ild-acute-subacute"].summary
        return
    card = found["dmpm-ild-risk-incomplete"]
    assert "HRCT" in card.summary
    assert "lower-zone consolidation could not be read" in card.detail
    facts = {f.concept: f.value for f in card.facts}
    assert facts.get("ct_lower_consolidation") != "absent"


def test_fever_is_named_as_prognostic_context_not_a_trigger() -> None:
    when = days(-35, TODAY)
    chart = no_factor_labs(acute(), when).sign("SX-FEVER", days(2, when))
    found = cards(chart, TODAY)
    assert "dmpm-ild-poor-prognosis" not in found
    card = found["dmpm-ild-acute-subacute"]
    assert "fever" in card.detail and "context, not a trigger" in card.detail
    assert "R088" in card.rules


def test_every_dmpm_card_has_facts_and_no_internal_ids_in_text() -> None:
    import re

    charts = [
        stable_anti_mda5_adm(),
        no_factor_labs(acute(), days(-35, TODAY), ck=420),
        no_factor_labs(acute(("amyopathic_dm", "polymyositis")), days(-35, TODAY), ck=6000),
    ]
    for chart in charts:
        for f in cards(chart, TODAY).values():
            if not f.topic.startswith("dmpm-"):
                continue
            assert f.facts, f.topic
            text = f.summary + f.detail
            assert not re.search(r"\b[RBZ]\d{2,3}\b", text), (f.topic, text)
            assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), (f.topic, text)
            assert len(f.summary) <= 139 and len(f.detail) <= 1200, (f.topic, len(f.detail))


def test_ck_threshold_is_the_seed_figure() -> None:
    assert (CK_LOW.op, CK_LOW.value) == ("<", 500.0)
