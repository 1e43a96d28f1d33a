"""CTD-ILD rules: PPF (B03), screening and monitoring due (B01), initial treatment (KR Table
4/5), acute presentation (KR Table 3)."""

from __future__ import annotations

import pytest

from cds_service.guideline.ctd_ild.acute_exacerbation import ctd_ild_acute_exacerbation
from cds_service.guideline.ctd_ild.initial_treatment import ctd_ild_initial_treatment
from cds_service.guideline.ctd_ild.monitoring_due import sard_ild_monitoring_due
from cds_service.guideline.ctd_ild.ppf import progressive_pulmonary_fibrosis
from cds_service.guideline.ctd_ild.screening import sard_ild_screening
from fhir_mappings.record import StudyEntry

from .records import ab, ago, cond, meas, med, record

FIBROTIC_RA_ILD = [
    cond("rheumatoid_arthritis", 2000),
    cond("ra_lung", 700),
    cond("ct_reticular", 700),
]


# ------------------------------------------------------------------------------ PPF
@pytest.mark.parametrize(
    ("concept", "peak", "latest", "physiology_met"),
    [
        ("fvc_pct_pred", 80.0, 75.0, True),  # 5.0 points: >=5
        ("fvc_pct_pred", 80.0, 75.1, False),  # 4.9 points
        ("dlco_pct_pred", 60.0, 50.0, True),  # 10.0 points
        ("dlco_pct_pred", 60.0, 50.1, False),  # 9.9 points
    ],
)
def test_ppf_absolute_boundaries(concept, peak, latest, physiology_met):
    # symptoms (1 domain) + physiology -> 2 of 3 only when physiology is met
    r = record(
        conditions=[*FIBROTIC_RA_ILD, cond("dyspnea_worsening", 20)],
        measurements=[meas(concept, peak, 200), meas(concept, latest, 10)],
    )
    findings = list(progressive_pulmonary_fibrosis(r))
    assert bool(findings) is physiology_met
    if findings:
        assert "nintedanib" in findings[0].summary.lower()
        assert "B03" in findings[0].rules


def test_ppf_relative_decline_alone_is_not_used():
    # 8% relative (INBUILD-like) but only 4 points absolute: no physiology domain
    r = record(
        conditions=[*FIBROTIC_RA_ILD, cond("dyspnea_worsening", 20)],
        measurements=[meas("fvc_pct_pred", 50.0, 200), meas("fvc_pct_pred", 46.0, 10)],
    )
    assert list(progressive_pulmonary_fibrosis(r)) == []


def test_ppf_symptoms_and_radiology():
    r = record(
        conditions=[*FIBROTIC_RA_ILD, cond("dyspnea_worsening", 20), cond("ct_ild_progression", 40)]
    )
    (f,) = progressive_pulmonary_fibrosis(r)
    assert "2 of 3" in f.summary


@pytest.mark.parametrize(
    "extra",
    [
        [cond("ipf", 700)],  # IPF: negative control
    ],
)
def test_ppf_not_in_ipf(extra):
    r = record(
        conditions=[
            cond("ild", 700),
            cond("ct_reticular", 700),
            cond("dyspnea_worsening", 20),
            *extra,
        ],
        measurements=[meas("fvc_pct_pred", 80.0, 200), meas("fvc_pct_pred", 70.0, 10)],
    )
    assert list(progressive_pulmonary_fibrosis(r)) == []


def test_ppf_needs_radiological_fibrosis_and_window():
    no_fibrosis = record(
        conditions=[cond("ild", 700), cond("dyspnea_worsening", 20), cond("ct_ild_progression", 20)]
    )
    assert list(progressive_pulmonary_fibrosis(no_fibrosis)) == []
    old = record(
        conditions=[
            *FIBROTIC_RA_ILD,
            cond("dyspnea_worsening", 366),
            cond("ct_ild_progression", 366),
        ]
    )
    assert list(progressive_pulmonary_fibrosis(old)) == []


def test_ppf_on_antifibrotic_says_review():
    r = record(
        conditions=[
            *FIBROTIC_RA_ILD,
            cond("dyspnea_worsening", 20),
            cond("ct_ild_progression", 40),
        ],
        medications=[med("nintedanib", start=200)],
    )
    (f,) = progressive_pulmonary_fibrosis(r)
    assert "review" in f.summary


# ------------------------------------------------------------------------ screening
def test_screening_ssc_with_scl70_and_no_studies():
    r = record(conditions=[cond("systemic_sclerosis", 300)], antibodies=[ab("anti_scl70")])
    (f,) = sard_ild_screening(r)
    assert f.topic == "sard-ild-screening"
    assert "HRCT chest or PFTs" in f.summary
    assert any(x.concept == "anti_scl70" for x in f.facts)


@pytest.mark.parametrize(
    "r",
    [
        # risk factor but both studies done
        record(
            conditions=[cond("systemic_sclerosis", 300)],
            antibodies=[ab("anti_scl70")],
            studies=[StudyEntry("hrct_chest", ago(100)), StudyEntry("pft", ago(100))],
        ),
        # no risk factor the record can show
        record(conditions=[cond("rheumatoid_arthritis", 300)], sex="female"),
        # already has ILD: monitoring, not screening
        record(
            conditions=[cond("systemic_sclerosis", 300), cond("ild", 100)],
            antibodies=[ab("anti_scl70")],
        ),
        # SLE is outside ACR/CHEST
        record(conditions=[cond("sle", 300)], antibodies=[ab("anti_scl70")]),
        # negative antibody is not a risk factor
        record(
            conditions=[cond("systemic_sclerosis", 4000)], antibodies=[ab("anti_scl70", "negative")]
        ),
    ],
    ids=["studied", "no-risk", "has-ild", "sle", "negative-ab"],
)
def test_screening_silent(r):
    assert list(sard_ild_screening(r)) == []


def test_screening_names_only_missing_test():
    r = record(
        conditions=[cond("dermatomyositis", 100)],
        antibodies=[ab("anti_mda5")],
        studies=[StudyEntry("pft", ago(30))],
    )
    (f,) = sard_ild_screening(r)
    assert "no HRCT chest on record" in f.summary


@pytest.mark.parametrize(("onset_days", "fires"), [(2556, True), (2558, False)])
def test_screening_ssc_early_disease_boundary(onset_days, fires):
    # 7 years = 2557 days (7 x 365.25 rounded)
    r = record(conditions=[cond("systemic_sclerosis", onset_days)])
    assert bool(list(sard_ild_screening(r))) is fires


# ------------------------------------------------------------------- monitoring due
@pytest.mark.parametrize(
    ("ctd", "ild_days", "pft_days", "fires"),
    [
        ("systemic_sclerosis", 200, 183, False),  # first year, IIM/SSc 183 days
        ("systemic_sclerosis", 200, 184, True),
        ("dermatomyositis", 300, 184, True),
        ("rheumatoid_arthritis", 200, 365, False),  # first year, RA 365 days
        ("rheumatoid_arthritis", 200, 366, True),
        ("sjogren", 100, 300, False),
        ("systemic_sclerosis", 800, 300, False),  # after first year: 365 days
        ("systemic_sclerosis", 800, 366, True),
    ],
)
def test_monitoring_due_day_boundaries(ctd, ild_days, pft_days, fires):
    r = record(
        conditions=[cond(ctd, 2000), cond("ild", ild_days)],
        measurements=[meas("fvc_pct_pred", 80.0, pft_days)],
    )
    findings = list(sard_ild_monitoring_due(r))
    assert bool(findings) is fires
    if fires:
        assert "due since" in findings[0].summary


def test_monitoring_due_without_any_pft_and_pft_study_counts():
    r = record(conditions=[cond("mctd", 2000), cond("ild", 100)])
    (f,) = sard_ild_monitoring_due(r)
    assert "no PFT on record" in f.summary
    studied = record(
        conditions=[cond("mctd", 2000), cond("ild", 100)], studies=[StudyEntry("pft", ago(20))]
    )
    assert list(sard_ild_monitoring_due(studied)) == []


def test_monitoring_due_overlap_uses_shortest_interval():
    r = record(
        conditions=[cond("rheumatoid_arthritis"), cond("systemic_sclerosis"), cond("ild", 100)],
        measurements=[meas("fvc_pct_pred", 80.0, 200)],
    )
    assert len(list(sard_ild_monitoring_due(r))) == 1


# -------------------------------------------------------------- initial treatment
def test_initial_treatment_sjogren_progressing_untreated():
    r = record(
        conditions=[cond("sjogren", 2000), cond("ild", 300), cond("dyspnea_worsening", 30)],
        measurements=[meas("body_weight", 60.0, 10)],
    )
    (f,) = ctd_ild_initial_treatment(r)
    assert "30-60 mg/day for 60 kg" in f.detail
    assert "mycophenolate" in f.detail


@pytest.mark.parametrize(
    "r",
    [
        record(
            conditions=[cond("sjogren"), cond("ild", 300), cond("dyspnea_worsening", 30)],
            medications=[med("azathioprine")],
        ),  # treated
        record(conditions=[cond("sjogren"), cond("ild", 300), cond("dyspnea_worsening", 91)]),
        record(
            conditions=[
                cond("systemic_sclerosis"),
                cond("sjogren"),
                cond("ild", 300),
                cond("dyspnea_worsening", 30),
            ]
        ),  # SSc overlap: never GC menu
        record(
            conditions=[
                cond("rheumatoid_arthritis"),
                cond("ild", 300),
                cond("dyspnea_worsening", 30),
            ]
        ),  # RA has its own card
    ],
    ids=["treated", "old-symptoms", "ssc-overlap", "ra"],
)
def test_initial_treatment_silent(r):
    assert list(ctd_ild_initial_treatment(r)) == []


# ---------------------------------------------------------------- acute presentation
def test_acute_presentation_card():
    r = record(
        conditions=[cond("mctd"), cond("ild", 300), cond("rp_ild_or_aip", 5)],
        medications=[med("leflunomide")],
        measurements=[meas("body_weight", 70.0, 3)],
    )
    (f,) = ctd_ild_acute_exacerbation(r)
    assert "Pneumocystis" in f.summary
    assert "1 g IV daily for 3 days" in f.detail and "70 mg/day" in f.detail
    assert "leflunomide is active" in f.detail
    assert "500" not in f.detail  # Z3: never the 500-750 mg/m2 figure
    assert f.suggestions[0].actions[0].resource["resourceType"] == "ServiceRequest"


def test_acute_presentation_ssc_has_no_gc_pulse():
    r = record(
        conditions=[cond("ssc_lung"), cond("dyspnea_worsening", 3), cond("ct_ild_progression", 2)]
    )
    (f,) = ctd_ild_acute_exacerbation(r)
    assert "not** suggested" in f.detail
    assert "Methylprednisolone pulse 1 g" not in f.detail


@pytest.mark.parametrize(
    "conds",
    [
        [cond("mctd"), cond("ild", 300), cond("rp_ild_or_aip", 91)],  # too old
        [cond("mctd"), cond("ild", 300), cond("dyspnea_worsening", 3)],  # symptoms alone
        [cond("ild", 300), cond("rp_ild_or_aip", 5)],  # no CTD
    ],
)
def test_acute_presentation_silent(conds):
    assert list(ctd_ild_acute_exacerbation(record(conditions=conds))) == []
