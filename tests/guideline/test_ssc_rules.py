"""SSc-ILD rules: treatment indicated (R024), decline (Z11), glucocorticoid risk (R051/B12)."""

from __future__ import annotations

import pytest

from cds_service.guideline.findings import Indicator
from cds_service.guideline.ssc.decline import ssc_ild_decline
from cds_service.guideline.ssc.glucocorticoid_risk import ssc_glucocorticoid_risk
from cds_service.guideline.ssc.goh import goh_stage
from cds_service.guideline.ssc.treatment_indicated import ssc_ild_treatment_indicated

from .records import cond, meas, med, record

SSC_ILD = [cond("systemic_sclerosis", 600), cond("ild", 30)]


# ------------------------------------------------------------------ treatment indicated
@pytest.mark.parametrize(
    ("extent", "fvc", "fires"),
    [
        (20.0, 80.0, False),  # at the HRCT boundary: not >20
        (20.1, 80.0, True),  # just above
        (19.9, 80.0, False),
        (None, 70.0, False),  # at the FVC boundary: not <70
        (None, 69.9, True),  # just below
        (None, 70.1, False),
        (25.0, 65.0, True),
        (None, None, False),  # nothing to decide on: silent
    ],
)
def test_treatment_indicated_boundaries(extent: float | None, fvc: float | None, fires: bool):
    ms = []
    if extent is not None:
        ms.append(meas("hrct_fibrosis_extent", extent, 20))
    if fvc is not None:
        ms.append(meas("fvc_pct_pred", fvc, 10))
    findings = list(ssc_ild_treatment_indicated(record(conditions=SSC_ILD, measurements=ms)))
    assert bool(findings) is fires
    if fires:
        f = findings[0]
        assert f.topic == "ssc-ild-treatment-indicated"
        assert "R024" in f.rules and "B11" in f.rules
        assert len(f.summary) <= 139
        assert "Glucocorticoids are **not**" in f.detail
        assert "Goh stage" in f.detail
        assert {x.concept for x in f.facts} <= {"hrct_fibrosis_extent", "fvc_pct_pred"}


def test_treatment_indicated_names_missing_value():
    r = record(conditions=SSC_ILD, measurements=[meas("fvc_pct_pred", 60.0, 10)])
    (f,) = ssc_ild_treatment_indicated(r)
    assert "HRCT extent: none in the last 12 months" in f.detail


@pytest.mark.parametrize(
    "r",
    [
        # stale value (older than 12 months)
        record(conditions=SSC_ILD, measurements=[meas("fvc_pct_pred", 60.0, 366)]),
        # already treated: decline card takes over
        record(
            conditions=SSC_ILD,
            measurements=[meas("fvc_pct_pred", 60.0, 10)],
            medications=[med("mycophenolate_mofetil", start=100)],
        ),
        # SSc without ILD
        record(conditions=[cond("systemic_sclerosis")], measurements=[meas("fvc_pct_pred", 60, 5)]),
        # ILD without SSc
        record(conditions=[cond("ild")], measurements=[meas("fvc_pct_pred", 60.0, 5)]),
    ],
    ids=["stale", "treated", "no-ild", "no-ssc"],
)
def test_treatment_indicated_silent(r):
    assert list(ssc_ild_treatment_indicated(r)) == []


def test_ssc_lung_code_alone_is_ssc_ild():
    r = record(conditions=[cond("ssc_lung")], measurements=[meas("hrct_fibrosis_extent", 30, 5)])
    assert len(list(ssc_ild_treatment_indicated(r))) == 1


@pytest.mark.parametrize(
    ("extent", "fvc", "stage"),
    [
        (None, 60.0, None),
        (9.9, None, "limited"),
        (30.1, None, "extensive"),
        (15.0, 69.9, "extensive"),
        (15.0, 70.0, "limited"),
        (10.0, None, "indeterminate"),
        (30.0, 80.0, "limited"),
    ],
)
def test_goh_stage(extent, fvc, stage):
    assert goh_stage(extent, fvc) == stage


# --------------------------------------------------------------------------- decline
@pytest.mark.parametrize(
    ("concept", "peak", "latest", "fires"),
    [
        ("fvc_pct_pred", 100.0, 90.0, False),  # 10.0% relative: not >10
        ("fvc_pct_pred", 100.0, 89.9, True),  # 10.1%
        ("fvc_pct_pred", 80.0, 72.0, False),  # 10.0% (float-noise check)
        ("fvc_pct_pred", 80.0, 71.92, True),  # 10.1%
        ("dlco_pct_pred", 60.0, 51.0, False),  # 15.0%
        ("dlco_pct_pred", 60.0, 50.94, True),  # 15.1%
        ("fvc_pct_pred", 80.0, 85.0, False),  # improvement
    ],
)
def test_decline_relative_boundaries(concept, peak, latest, fires):
    ms = [meas(concept, peak - 3, 300), meas(concept, peak, 200), meas(concept, latest, 10)]
    findings = list(ssc_ild_decline(record(conditions=SSC_ILD, measurements=ms)))
    assert bool(findings) is fires
    if fires:
        f = findings[0]
        assert f.indicator is Indicator.WARNING
        assert "relative" in f.detail and "points" in f.detail  # relative decides, absolute shown
        assert "Glucocorticoids are **not**" in f.detail


def test_decline_uses_highest_of_preceding_12_months_only():
    # a high value 13 months before the latest is outside the window
    ms = [
        meas("fvc_pct_pred", 100.0, 10 + 366),
        meas("fvc_pct_pred", 80.0, 100),
        meas("fvc_pct_pred", 75.0, 10),
    ]
    assert list(ssc_ild_decline(record(conditions=SSC_ILD, measurements=ms))) == []


def test_decline_needs_recent_latest_value():
    ms = [meas("fvc_pct_pred", 100.0, 600), meas("fvc_pct_pred", 70.0, 366)]
    assert list(ssc_ild_decline(record(conditions=SSC_ILD, measurements=ms))) == []


def test_decline_shows_absolute_points():
    ms = [meas("fvc_pct_pred", 80.0, 200), meas("fvc_pct_pred", 70.0, 10)]
    (f,) = ssc_ild_decline(record(conditions=SSC_ILD, measurements=ms))
    assert "12.5% relative, 10 points" in f.detail


def test_decline_ignores_uninterpretable_values():
    bad = meas("fvc_pct_pred", 100.0, 200)
    bad = type(bad)(bad.concept, None, None, bad.when, interpretable=False, reason="unit")
    ms = [bad, meas("fvc_pct_pred", 70.0, 10)]
    assert list(ssc_ild_decline(record(conditions=SSC_ILD, measurements=ms))) == []


# --------------------------------------------------------------- glucocorticoid risk
@pytest.mark.parametrize(
    ("doses", "expected"),
    [
        ([5.0], None),
        ([10.0], None),  # at the KR boundary: not >10
        ([10.1], Indicator.WARNING),
        ([14.9], Indicator.WARNING),
        ([15.0], Indicator.CRITICAL),  # Steen >=15
        ([6.0, 5.0], Indicator.WARNING),  # summed
        ([None], Indicator.INFO),  # unknown dose: cannot decide, said so
        ([12.0, None], Indicator.WARNING),  # known dose alone exceeds 10
        ([4.0, None], Indicator.INFO),
    ],
)
def test_glucocorticoid_risk_thresholds(doses, expected):
    meds = [
        med("prednisolone", d, dose_problem=None if d is not None else "unparseable dose")
        for d in doses
    ]
    findings = list(
        ssc_glucocorticoid_risk(record(conditions=[cond("systemic_sclerosis")], medications=meds))
    )
    if expected is None:
        assert findings == []
        return
    (f,) = findings
    assert f.indicator is expected
    assert "blood pressure" in f.detail and "creatinine" in f.detail
    assert (
        f.suggestions and f.suggestions[0].actions[0].resource["resourceType"] == "ServiceRequest"
    )
    if expected is Indicator.INFO:
        assert "cannot be read" in f.summary or "cannot decide" in f.detail


def test_glucocorticoid_risk_names_rnap3_and_ignores_inhaled_and_non_ssc():
    from .records import ab

    r = record(
        conditions=[cond("systemic_sclerosis"), cond("ssc_diffuse")],
        medications=[med("prednisone", 12.0)],
        antibodies=[ab("anti_rnap3")],
    )
    (f,) = ssc_glucocorticoid_risk(r)
    assert "anti-RNA polymerase III" in f.detail and "diffuse" in f.detail
    inhaled = record(
        conditions=[cond("systemic_sclerosis")],
        medications=[med("hydrocortisone", None, route="inhalation", dose_problem="x")],
    )
    assert list(ssc_glucocorticoid_risk(inhaled)) == []
    ra = record(conditions=[cond("rheumatoid_arthritis")], medications=[med("prednisone", 20.0)])
    assert list(ssc_glucocorticoid_risk(ra)) == []


def test_glucocorticoid_risk_ignores_stopped_and_draft():
    meds = [
        med("prednisolone", 20.0, status="stopped", end=5),
        med("prednisolone", 20.0, status="draft", is_draft=True),
    ]
    r = record(conditions=[cond("systemic_sclerosis")], medications=meds)
    assert list(ssc_glucocorticoid_risk(r)) == []
