"""Immunosuppression safety: PJP prophylaxis, monitoring, cyclosporine level, cyclophosphamide,
drug-induced ILD caution."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.servicerequest import ServiceRequest

from cds_service.guideline.findings import Indicator
from cds_service.guideline.safety.cyclophosphamide import cyclophosphamide_safety
from cds_service.guideline.safety.cyclosporine_level import cyclosporine_level
from cds_service.guideline.safety.drug_induced_ild import drug_induced_ild_caution
from cds_service.guideline.safety.monitoring import immunosuppression_monitoring
from cds_service.guideline.safety.pjp_prophylaxis import pjp_prophylaxis
from cds_service.guideline.suggestions.labs import LAB_TEMPLATES, lab_request
from cds_service.guideline.suggestions.medications import tmp_smx_prophylaxis_request

from .records import ab, cond, meas, med, record

DM_ILD = [cond("dermatomyositis", 100), cond("ild", 60)]


# ------------------------------------------------------------------- PJP prophylaxis
@pytest.mark.parametrize(
    ("gc", "partner", "expected"),
    [
        (15.0, "cyclosporine", Indicator.WARNING),  # at the B15 boundary
        (14.9, "cyclosporine", None),
        (30.0, "cyclophosphamide", Indicator.WARNING),
        (30.0, "mycophenolate_mofetil", Indicator.WARNING),
        (30.0, None, None),  # GC alone (not pulse) is not "intensive" by the service rule
        (None, "tacrolimus", Indicator.INFO),  # GC dose unreadable: cannot decide, said so
    ],
)
def test_pjp_regimen_threshold(gc, partner, expected):
    meds = [med("prednisolone", gc, dose_problem=None if gc is not None else "free text")]
    if partner:
        meds.append(med(partner))
    findings = list(pjp_prophylaxis(record(conditions=DM_ILD, medications=meds)))
    if expected is None:
        assert findings == []
        return
    (f,) = findings
    assert f.indicator is expected
    action = f.suggestions[0].actions[0]
    assert action.type == "create"
    MedicationRequest.model_validate(action.resource)
    assert f.suggestions[0].is_recommended is (expected is Indicator.WARNING)


@pytest.mark.parametrize("gc", [30.0, None])
def test_pjp_regimen_names_the_partner_not_its_concept_id(gc):
    """The regimen's reasons are card text: "mycophenolate mofetil", never the concept id."""
    meds = [
        med("prednisolone", gc, dose_problem=None if gc is not None else "free text"),
        med("mycophenolate_mofetil"),
    ]
    (f,) = pjp_prophylaxis(record(conditions=DM_ILD, medications=meds))
    assert "with mycophenolate mofetil" in f.detail or "mycophenolate mofetil with" in f.detail
    assert "mycophenolate_mofetil" not in f.summary + f.detail


@pytest.mark.parametrize(("pulse_days_ago", "fires"), [(27, True), (28, True), (29, False)])
def test_pjp_after_pulse_window(pulse_days_ago, fires):
    pulse = med(
        "methylprednisolone",
        1250.0,
        status="completed",
        route="intravenous",
        start=pulse_days_ago + 2,
        end=pulse_days_ago,
    )
    r = record(conditions=DM_ILD, medications=[pulse])
    assert bool(list(pjp_prophylaxis(r))) is fires


@pytest.mark.parametrize("agent", ["tmp_smx", "atovaquone", "dapsone", "pentamidine"])
def test_no_pjp_card_when_prophylaxis_active(agent):
    meds = [med("prednisolone", 50.0), med("cyclosporine"), med(agent)]
    assert list(pjp_prophylaxis(record(conditions=DM_ILD, medications=meds))) == []


def test_tmp_smx_request_codes_and_regimen():
    res = tmp_smx_prophylaxis_request("p1")
    MedicationRequest.model_validate(res)
    codes = {c["code"] for c in res["medicationCodeableConcept"]["coding"]}
    assert "198334" in codes
    assert "480 mg" in res["dosageInstruction"][0]["text"]
    assert res["subject"] == {"reference": "Patient/p1"}


@pytest.mark.parametrize("concept", sorted(LAB_TEMPLATES))
def test_lab_requests_are_valid_fhir(concept):
    res = lab_request(concept, "p1", "why")
    ServiceRequest.model_validate(res)
    systems = {c["system"] for c in res["code"]["coding"]}
    assert "urn:ctd-ild-cds:concept" in systems


# ----------------------------------------------------------- monitoring (R111/R141)
INTENSIVE = [med("prednisolone", 60.0), med("cyclosporine", route="intravenous")]


def _all_labs(days: int, **kw):
    return [
        meas(c, v, days, **kw)
        for c, v in (("beta_d_glucan", 5.0), ("cmv_dna", 0.0), ("creatinine", 0.8), ("alt", 20.0))
    ]


@pytest.mark.parametrize(("days", "fires"), [(14, False), (15, True)])
def test_monitoring_interval_boundary(days, fires):
    r = record(conditions=DM_ILD, medications=INTENSIVE, measurements=_all_labs(days))
    findings = list(immunosuppression_monitoring(r))
    assert bool(findings) is fires
    if fires:
        assert len(findings[0].suggestions) == 4


def test_monitoring_abnormal_results():
    labs = _all_labs(3)
    labs[2] = meas("creatinine", 1.6, 3, ref_high=1.1)
    r = record(
        conditions=DM_ILD,
        medications=INTENSIVE,
        measurements=labs,
        antibodies=[ab("cmv_pp65", "positive", 2)],
    )
    (f,) = immunosuppression_monitoring(r)
    assert "abnormal" in f.summary
    assert "CMV pp65 antigenemia positive" in f.detail and "above the reference range" in f.detail


def test_monitoring_value_without_range_is_not_judged():
    labs = _all_labs(3)
    labs[2] = meas("creatinine", 5.0, 3)  # no range, no flag: shown, not judged
    r = record(conditions=DM_ILD, medications=INTENSIVE, measurements=labs)
    assert list(immunosuppression_monitoring(r)) == []


def test_monitoring_silent_without_intensive_regimen():
    r = record(conditions=DM_ILD, medications=[med("prednisolone", 10.0)])
    assert list(immunosuppression_monitoring(r)) == []


# ------------------------------------------------------------ cyclosporine level (Z4)
@pytest.mark.parametrize(
    ("route", "concept", "value", "fires"),
    [
        ("intravenous", "cyclosporine_trough", 200.0, False),
        ("intravenous", "cyclosporine_trough", 199.9, True),
        ("intravenous", "cyclosporine_trough", 250.0, False),
        ("intravenous", "cyclosporine_trough", 250.1, True),
        ("oral", "cyclosporine_c2", 1000.0, True),  # C2 must be >1000
        ("oral", "cyclosporine_c2", 1000.1, False),
        ("oral", "cyclosporine_trough", 150.0, False),
        ("oral", "cyclosporine_trough", 149.9, True),  # <150 sub-therapeutic anywhere
        ("oral", "cyclosporine", 80.0, True),  # untimed <150: sub-therapeutic at any timing
        ("oral", "cyclosporine", 150.0, False),  # untimed >=150: shown, not judged
    ],
)
def test_cyclosporine_targets(route, concept, value, fires):
    r = record(
        medications=[med("cyclosporine", route=route, start=20)],
        measurements=[meas(concept, value, 2)],
    )
    findings = list(cyclosporine_level(r))
    assert bool(findings) is fires


@pytest.mark.parametrize(
    ("start", "level_days", "fires"),
    [(20, 14, False), (20, 15, True), (2, None, False), (3, None, True)],
)
def test_cyclosporine_level_missing(start, level_days, fires):
    ms = [meas("cyclosporine_trough", 220.0, level_days)] if level_days is not None else []
    r = record(
        medications=[med("cyclosporine", route="intravenous", start=start)],
        measurements=ms,
    )
    findings = list(cyclosporine_level(r))
    assert bool(findings) is fires
    if fires:
        assert "no cyclosporine level" in findings[0].summary


# ------------------------------------------------------------------- cyclophosphamide
def _cyc_record(wbc_days=5, ua_days=10, mesna=True, start=100, route="intravenous", **kw):
    meds = [med("cyclophosphamide", start=start, route=route)]
    if mesna:
        meds.append(med("mesna", start=start))
    return record(
        medications=meds,
        measurements=[meas("wbc", 6.0, wbc_days), meas("urine_blood", 0.0, ua_days)],
        **kw,
    )


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"wbc_days": 14}, None),
        ({"wbc_days": 15}, "blood count overdue"),
        ({"ua_days": 30}, None),
        ({"ua_days": 31}, "urinalysis overdue"),
        ({"mesna": False}, "no mesna"),
        ({"mesna": False, "route": "oral"}, None),  # mesna belongs to the IV pulse
        ({"mesna": False, "route": None}, "no mesna if given IV"),
        ({"start": 365}, None),
        ({"start": 366}, "course over 12 months"),
    ],
)
def test_cyclophosphamide_checks(kwargs, problem):
    findings = list(cyclophosphamide_safety(_cyc_record(**kwargs)))
    if problem is None:
        assert findings == []
    else:
        (f,) = findings
        assert problem in f.summary


# ------------------------------------------------------------------ drug-induced ILD
def test_leflunomide_in_ild_is_a_caution_not_a_stop():
    r = record(conditions=[cond("ra_lung")], medications=[med("leflunomide")])
    (f,) = drug_induced_ild_caution(r)
    assert f.indicator is Indicator.WARNING
    assert "1.2%" in f.detail
    assert not any(a.type == "delete" for s in f.suggestions for a in s.actions)


def test_leflunomide_without_ild_is_silent():
    r = record(conditions=[cond("rheumatoid_arthritis")], medications=[med("leflunomide")])
    assert list(drug_induced_ild_caution(r)) == []


def test_monitoring_qualitative_beta_d_glucan_positive_is_abnormal():
    labs = _all_labs(3)[1:]  # creatinine, ALT, CMV quantitative; glucan qualitative below
    r = record(
        conditions=DM_ILD,
        medications=INTENSIVE,
        measurements=labs,
        antibodies=[ab("beta_d_glucan", "positive", 2)],
    )
    (f,) = immunosuppression_monitoring(r)
    assert "beta-D-glucan positive" in f.detail
    assert not f.suggestions  # nothing overdue, only abnormal


@pytest.mark.parametrize(
    ("wbc_kw", "ua_status", "problem"),
    [
        ({"flag": "low"}, None, "leukopenia"),
        ({"ref_low": 4.0}, None, None),  # 6.0 within range
        ({}, "positive", "haematuria"),
    ],
)
def test_cyclophosphamide_abnormal_results(wbc_kw, ua_status, problem):
    meds = [med("cyclophosphamide"), med("mesna")]
    ms = [meas("wbc", 6.0, 5, **wbc_kw)]
    abs_ = [ab("urine_blood", ua_status or "negative", 5)]
    findings = list(
        cyclophosphamide_safety(record(medications=meds, measurements=ms, antibodies=abs_))
    )
    if problem is None:
        assert findings == []
    else:
        (f,) = findings
        assert problem in f.summary
