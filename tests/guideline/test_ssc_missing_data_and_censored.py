"""SSc rules with data the service could not fetch and censored values (FHIR
Quantity.comparator); KR R024 wording, options wording."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cds_service.engine import evaluate_resources
from cds_service.guideline.data_gaps import dataset_name
from cds_service.guideline.findings import Indicator
from cds_service.guideline.ssc.decline import ssc_ild_decline
from cds_service.guideline.ssc.glucocorticoid_risk import ssc_glucocorticoid_risk
from cds_service.guideline.ssc.treatment_indicated import ssc_ild_treatment_indicated
from cds_service.services import REGISTRY

from .fixture_findings import FIXTURES, TODAY
from .records import cond, meas, med, record

SSC = [cond("systemic_sclerosis", 600)]
SSC_ILD = [*SSC, cond("ild", 30)]
MEDS_GONE = {"medications": "timeout", "medication_statements": "HTTP 503"}


def gone(r, **unavailable: str):  # type: ignore[no-untyped-def]
    r.unavailable.update(unavailable)
    return r


# ------------------------------------------------- SSc 20 mg fixture, medications not fetched
def _evaluate(drop_medications: bool, unavailable: dict[str, str] | None):  # type: ignore[no-untyped-def]
    bundle = json.loads(
        (FIXTURES / "site-coded-patients" / "ssc_glucocorticoid_20mg.json").read_text()
    )
    resources = [e["resource"] for e in bundle["entry"]]
    if drop_medications:
        resources = [r for r in resources if r["resourceType"] != "MedicationRequest"]
    pid = next(r["id"] for r in resources if r["resourceType"] == "Patient")
    return evaluate_resources(
        REGISTRY["ctd-ild-patient-view"],
        resources,
        {"patientId": pid},
        TODAY,
        unavailable=unavailable,
    ).findings


def test_ssc_20mg_fixture_with_medications_unavailable_names_the_gap() -> None:
    # the critical card with the medications present
    (crit,) = [f for f in _evaluate(False, None) if f.topic == "ssc-glucocorticoid-risk"]
    assert crit.indicator is Indicator.CRITICAL
    # medications could not be fetched -> not silence
    (f,) = [f for f in _evaluate(True, MEDS_GONE) if f.topic == "ssc-glucocorticoid-risk"]
    assert f.indicator is Indicator.INFO
    assert "could not be checked" in f.summary and len(f.summary) <= 139
    assert "medication orders unavailable (timeout)" in f.detail
    assert "prednisolone_equivalent" not in {x.concept for x in f.facts}  # never "0 mg/day"


def test_ssc_20mg_fixture_without_medications_and_no_gap_is_silent() -> None:
    # medication list fetched and empty: no glucocorticoid, no card (no "all clear")
    assert not [f for f in _evaluate(True, None) if f.topic == "ssc-glucocorticoid-risk"]


@pytest.mark.parametrize(
    ("doses", "expected"),
    [
        ([], Indicator.INFO),  # nothing seen: cannot say "no glucocorticoid"
        ([5.0], Indicator.INFO),  # seen dose low, the rest unknown
        ([10.0], Indicator.INFO),  # at the boundary: not >10, rest unknown
        ([10.1], Indicator.WARNING),  # the doses seen already decide
        ([15.0], Indicator.CRITICAL),
    ],
)
def test_glucocorticoid_risk_with_medications_partly_unavailable(doses, expected) -> None:  # type: ignore[no-untyped-def]
    r = gone(
        record(conditions=SSC, medications=[med("prednisolone", d) for d in doses]),
        medication_statements="HTTP 500",
    )
    (f,) = ssc_glucocorticoid_risk(r)
    assert f.indicator is expected
    assert "medication statements unavailable (HTTP 500)" in f.detail


def test_glucocorticoid_risk_only_for_ssc_when_medications_unavailable() -> None:
    r = gone(record(conditions=[cond("rheumatoid_arthritis")]), **MEDS_GONE)
    assert list(ssc_glucocorticoid_risk(r)) == []


# ------------------------------------------------------------ treatment indicated
def test_treatment_indicated_never_says_untreated_while_medications_unavailable() -> None:
    r = gone(record(conditions=SSC_ILD, measurements=[meas("fvc_pct_pred", 60.0, 10)]), **MEDS_GONE)
    (f,) = ssc_ild_treatment_indicated(r)
    assert f.indicator is Indicator.INFO
    assert "No SSc-ILD treatment is active" not in f.detail
    assert "could not be checked" in f.detail and "medication orders unavailable" in f.detail
    # with the medications fetched: warning, and the record's state is said
    (w,) = ssc_ild_treatment_indicated(
        record(conditions=SSC_ILD, measurements=[meas("fvc_pct_pred", 60.0, 10)])
    )
    assert w.indicator is Indicator.WARNING and "No SSc-ILD treatment is active" in w.detail


def test_treatment_indicated_wording_matches_kr() -> None:
    (f,) = ssc_ild_treatment_indicated(
        record(conditions=SSC_ILD, measurements=[meas("fvc_pct_pred", 60.0, 10)])
    )
    assert "treatment should be considered" in f.detail
    assert "KR (R024): treat " not in f.detail
    assert "ACR/CHEST 2023: conditional, preferred first line by the panel" in f.detail
    assert "not from the Korean guideline and not verified here" in f.detail
    assert "; early treatment-related mortality" not in f.detail


@pytest.mark.parametrize("missing_key", ["respiratory", "imaging"])
def test_treatment_indicated_not_silent_when_trigger_data_unavailable(missing_key: str) -> None:
    r = gone(record(conditions=SSC_ILD), **{missing_key: "timeout"})
    (f,) = ssc_ild_treatment_indicated(r)
    assert f.indicator is Indicator.INFO and "could not be assessed" in f.summary
    assert f"{dataset_name(missing_key)} unavailable (timeout)" in f.detail
    # a trigger the other data decides still fires the warning
    r2 = gone(
        record(
            conditions=SSC_ILD,
            measurements=[meas("fvc_pct_pred", 65.0, 10), meas("hrct_fibrosis_extent", 25.0, 10)],
        ),
        **{missing_key: "timeout"},
    )
    assert next(iter(ssc_ild_treatment_indicated(r2))).indicator is Indicator.WARNING


@pytest.mark.parametrize(
    ("concept", "value", "comparator", "outcome"),
    [
        ("fvc_pct_pred", 70.0, "<", Indicator.WARNING),  # "<70": every allowed value is <70
        ("fvc_pct_pred", 70.0, "<=", Indicator.INFO),  # may be 70: cannot decide
        ("fvc_pct_pred", 69.0, "<=", Indicator.WARNING),
        ("fvc_pct_pred", 70.0, ">", None),  # above: decides "no"
        ("fvc_pct_pred", 75.0, "<", Indicator.INFO),  # "<75" may be 72 or 65
        ("hrct_fibrosis_extent", 20.0, ">", Indicator.WARNING),  # ">20" is >20
        ("hrct_fibrosis_extent", 20.0, ">=", Indicator.INFO),
        ("hrct_fibrosis_extent", 21.0, ">=", Indicator.WARNING),
        ("hrct_fibrosis_extent", 10.0, "<", None),
        ("hrct_fibrosis_extent", 20.0, None, None),  # exact at the boundary: not >20
    ],
)
def test_treatment_indicated_censored_values(concept, value, comparator, outcome) -> None:  # type: ignore[no-untyped-def]
    r = record(conditions=SSC_ILD, measurements=[meas(concept, value, 10, comparator=comparator)])
    found = list(ssc_ild_treatment_indicated(r))
    if outcome is None:
        assert found == []
        return
    (f,) = found
    assert f.indicator is outcome
    shown = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}[comparator]
    assert f"{shown}{value:g}%" in f.detail  # the comparator is shown, never dropped


# ------------------------------------------------------------------------ decline
def test_decline_not_silent_while_respiratory_unavailable() -> None:
    r = gone(record(conditions=SSC_ILD), respiratory="timeout")
    (f,) = ssc_ild_decline(r)
    assert f.indicator is Indicator.INFO and "could not be assessed" in f.summary
    assert "lung function tests unavailable (timeout)" in f.detail
    assert list(ssc_ild_decline(record(conditions=SSC_ILD))) == []  # fetched, no data: silent


@pytest.mark.parametrize(
    ("peak", "peak_cmp", "latest", "latest_cmp", "outcome"),
    [
        (80.0, None, 72.0, "<", Indicator.WARNING),  # decline >10% at least
        (80.0, None, 72.0, "<=", Indicator.INFO),  # 10% exactly possible: cannot decide
        (80.0, None, 72.0, ">", None),  # decline <10%: decided no
        (80.0, None, 70.0, ">", Indicator.INFO),  # may be 12.5% or 5%
        (80.0, ">", 72.0, None, Indicator.WARNING),  # peak above 80
        (80.0, ">", 72.0, ">", Indicator.INFO),  # bounds pull both ways
    ],
)
def test_decline_censored_values(peak, peak_cmp, latest, latest_cmp, outcome) -> None:  # type: ignore[no-untyped-def]
    r = record(
        conditions=SSC_ILD,
        measurements=[
            meas("fvc_pct_pred", peak, 200, comparator=peak_cmp),
            meas("fvc_pct_pred", latest, 10, comparator=latest_cmp),
        ],
    )
    found = list(ssc_ild_decline(r))
    if outcome is None:
        assert found == []
    else:
        (f,) = found
        assert f.indicator is outcome


def test_ssc_option_wording() -> None:
    from cds_service.guideline.ssc.options import OPTIONS

    text = "\n".join(OPTIONS)
    assert "preferred first line: ACR/CHEST" not in text
    assert "external, not from the Korean guideline and not verified here" in text
    assert "(ACR/CHEST 2023 conditional)" in text


def test_fixture_path_exists() -> None:
    assert Path(FIXTURES / "site-coded-patients" / "ssc_glucocorticoid_20mg.json").is_file()
