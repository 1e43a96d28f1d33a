"""PPF: treat the underlying CTD-ILD first, the 12-month window for both points, censored
values, data not fetched; the initial-treatment card with medications unavailable and its
ACR/CHEST wording; B02's neutral figure."""

from __future__ import annotations

import pytest

from cds_service.guideline.ctd_ild.initial_treatment import ctd_ild_initial_treatment
from cds_service.guideline.ctd_ild.ppf import progressive_pulmonary_fibrosis
from cds_service.guideline.ctd_ild.progression import progression_domains
from cds_service.guideline.data_gaps import dataset_name
from cds_service.guideline.evidence import CATALOG
from cds_service.guideline.findings import Indicator
from cds_service.guideline.ra.management import ra_ild_management

from .records import cond, meas, med, record

TWO_DOMAINS = [cond("dyspnea_worsening", 20), cond("ct_ild_progression", 40)]


def fibrotic(*ctd: str) -> list:  # type: ignore[type-arg]
    return [cond("ild", 700), cond("ct_reticular", 700), *(cond(c, 900) for c in ctd)]


def ppf(r):  # type: ignore[no-untyped-def]
    return list(progressive_pulmonary_fibrosis(r))


# ------------------------------------------------------------- treatment status (6)
@pytest.mark.parametrize(
    ("ctd", "against"),
    [
        ("sjogren", "Sjögren's disease"),
        ("dermatomyositis", "idiopathic inflammatory myopathy"),
        ("mctd", "mixed connective tissue disease"),
        ("rheumatoid_arthritis", None),  # RA-ILD: no consensus, no "against" line
    ],
)
def test_untreated_ctd_ild_treat_underlying_disease_first(ctd: str, against: str | None) -> None:
    (f,) = ppf(record(conditions=[*fibrotic(ctd), *TWO_DOMAINS]))
    assert "treat the underlying CTD-ILD first" in f.summary
    assert "nintedanib if it progresses despite standard management" in f.summary
    assert "consider nintedanib" not in f.summary
    assert len(f.summary) <= 139
    if against:
        assert f"conditionally **against** nintedanib first line in {against} ILD" in f.detail
    else:
        assert "conditionally **against** nintedanib" not in f.detail
    assert "**Nintedanib** 150 mg" not in f.detail  # not suggested first line


@pytest.mark.parametrize(
    "treatment",
    [
        med("mycophenolate_mofetil", start=300),  # active
        med("azathioprine", status="stopped", start=600, end=400),  # past
        med("prednisolone", 20.0, start=100),
    ],
)
def test_treated_ctd_ild_nintedanib_after_standard_management(treatment) -> None:  # type: ignore[no-untyped-def]
    (f,) = ppf(record(conditions=[*fibrotic("sjogren"), *TWO_DOMAINS], medications=[treatment]))
    assert "nintedanib if it progresses despite standard management" in f.summary
    assert "**Nintedanib** 150 mg" in f.detail
    assert "treat the underlying CTD-ILD first" not in f.summary


@pytest.mark.parametrize(
    "not_given",
    [
        med("mycophenolate_mofetil", status="draft", is_draft=True),
        med("mycophenolate_mofetil", status="cancelled"),
        med("nintedanib", status="stopped", start=300, end=100),  # antifibrotic
    ],
)
def test_drafts_cancelled_and_antifibrotics_are_not_ctd_ild_treatment(not_given) -> None:  # type: ignore[no-untyped-def]
    (f,) = ppf(record(conditions=[*fibrotic("sjogren"), *TWO_DOMAINS], medications=[not_given]))
    assert "treat the underlying CTD-ILD first" in f.summary


@pytest.mark.parametrize("conditions", [fibrotic("systemic_sclerosis"), fibrotic()])
def test_ssc_ild_and_non_ctd_fibrotic_ild_get_nintedanib(conditions) -> None:  # type: ignore[no-untyped-def]
    (f,) = ppf(record(conditions=[*conditions, *TWO_DOMAINS]))
    assert f.summary.endswith("consider nintedanib.")
    assert "**Nintedanib** 150 mg" in f.detail


def test_ctd_ild_treatment_unknown_when_medications_unavailable() -> None:
    r = record(conditions=[*fibrotic("sjogren"), *TWO_DOMAINS])
    r.unavailable["medications"] = "timeout"
    (f,) = ppf(r)
    assert "treat the underlying CTD-ILD first" in f.summary
    assert "could not be checked: medication orders unavailable (timeout)" in f.detail


# --------------------------------------------------------------------- window (12)
@pytest.mark.parametrize(
    ("peak_days_ago", "counted"),
    [
        (364, True),
        (365, True),  # today - 365 d is inside the window
        (366, False),  # before the past year, though within 365 d of the latest value
        (500, False),
    ],
)
def test_ppf_peak_must_lie_in_the_past_year(peak_days_ago: int, counted: bool) -> None:
    r = record(
        conditions=[*fibrotic("sjogren"), cond("dyspnea_worsening", 20)],
        measurements=[meas("fvc_pct_pred", 80.0, peak_days_ago), meas("fvc_pct_pred", 70.0, 100)],
    )
    d = progression_domains(r)
    assert d.physiology is (True if counted else None)
    assert bool(ppf(r)) is counted


# ------------------------------------------------------------- censored values (4)
@pytest.mark.parametrize(
    ("latest", "comparator", "physiology"),
    [
        (75.0, "<", True),  # "<75" vs peak 80: >5 points
        (75.0, "<=", True),  # at least 5 points: >=5
        (76.0, "<", None),  # may be 4.5 or 10: cannot decide
        (75.0, ">", False),  # below 5 points
    ],
)
def test_ppf_censored_fvc(latest: float, comparator: str, physiology: bool | None) -> None:
    r = record(
        conditions=fibrotic("sjogren"),
        measurements=[
            meas("fvc_pct_pred", 80.0, 200),
            meas("fvc_pct_pred", latest, 10, comparator=comparator),
        ],
    )
    d = progression_domains(r)
    assert d.physiology is physiology
    if physiology is None:
        assert "physiology" in d.unknown


def test_ppf_extent_below_bound_is_not_fibrosis() -> None:
    r = record(
        conditions=[cond("ild", 700), *TWO_DOMAINS],
        measurements=[meas("hrct_fibrosis_extent", 5.0, 100, comparator="<")],
    )
    assert ppf(r) == []
    r2 = record(
        conditions=[cond("ild", 700), *TWO_DOMAINS],
        measurements=[meas("hrct_fibrosis_extent", 5.0, 100)],
    )
    assert len(ppf(r2)) == 1


# ------------------------------------------------------------ data not fetched (1)
@pytest.mark.parametrize(
    ("conditions", "missing", "fires"),
    [
        ([cond("dyspnea_worsening", 20)], {"respiratory": "timeout"}, True),  # 1 + could be 2
        ([cond("dyspnea_worsening", 20)], {"imaging_reports": "HTTP 500"}, True),
        ([], {"respiratory": "timeout"}, False),  # 0 met, one unknown: cannot reach 2
        ([], {"respiratory": "timeout", "imaging": "timeout"}, True),
        ([cond("dyspnea_worsening", 20)], {}, False),  # all fetched: 1 of 3, silent
    ],
)
def test_ppf_not_silent_while_data_unavailable(conditions, missing, fires) -> None:  # type: ignore[no-untyped-def]
    r = record(conditions=[*fibrotic("sjogren"), *conditions])
    r.unavailable.update(missing)
    found = ppf(r)
    assert bool(found) is fires
    if fires:
        (f,) = found
        assert f.indicator is Indicator.INFO and "not excluded" in f.summary
        for key, reason in missing.items():
            assert f"{dataset_name(key)} unavailable ({reason})" in f.detail


# ----------------------------------------------------------- initial treatment (1, 15)
def _sjd_progressing():  # type: ignore[no-untyped-def]
    return record(
        conditions=[cond("ild", 300), cond("sjogren", 900), cond("dyspnea_worsening", 20)]
    )


def test_initial_treatment_never_says_untreated_while_medications_unavailable() -> None:
    r = _sjd_progressing()
    r.unavailable["medication_statements"] = "timeout"
    (f,) = ctd_ild_initial_treatment(r)
    assert f.indicator is Indicator.INFO
    assert "no ILD treatment active" not in f.detail and "Untreated" not in f.summary
    assert "medication statements unavailable (timeout)" in f.detail
    (w,) = ctd_ild_initial_treatment(_sjd_progressing())
    assert w.indicator is Indicator.WARNING and "no ILD treatment active" in w.detail


def test_acr_chest_for_recommendations_are_labelled_conditional() -> None:
    (f,) = ctd_ild_initial_treatment(_sjd_progressing())
    assert "ACR/CHEST 2023 (conditional): **mycophenolate** (preferred by the panel)" in f.detail
    assert "**mycophenolate** preferred first line" not in f.detail
    # B02's figure is not about SSc alone on a non-SSc card
    assert "B02" in f.rules
    assert "MMF preferred first line by the panel" in CATALOG["B02"].figure
    assert "ACR/CHEST treatment guideline (2023)" in f.detail


def test_ra_card_cites_neutral_b02_figure() -> None:
    r = record(conditions=[cond("ra_lung", 300), cond("dyspnea_worsening", 20)])
    (f,) = ra_ild_management(r)
    # the figure lives once, in the catalog; the card names the document
    assert "B02" in f.rules
    assert "except two strong against GC in SSc-ILD" in CATALOG["B02"].figure
    assert "ACR/CHEST treatment guideline (2023)" in f.detail.split("**Sources**")[1]
