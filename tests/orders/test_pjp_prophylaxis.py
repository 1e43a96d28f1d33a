"""order-pjp-prophylaxis: intensive regimen (R141, B15) without prophylaxis → TMP-SMX."""

from __future__ import annotations

import pytest

from cds_service.guideline.data_gaps import dataset_name
from cds_service.guideline.findings import Indicator

from .builders import active, findings_for, med_request, record

TOPIC = "order-pjp-prophylaxis"
DM = ("dermatomyositis", "ild")


@pytest.mark.parametrize("shape", ["r4", "sandbox"])
@pytest.mark.parametrize(
    ("drafts", "meds", "fires"),
    [
        # the intensive regimen (safety.regimen): pred-eq >=15 mg/day + a second agent
        ([("prednisolone", 15, "oral"), ("cyclosporine", 200, "oral")], (), True),
        ([("prednisolone", 14.5, "oral"), ("cyclosporine", 200, "oral")], (), False),
        ([("prednisolone", 20, "oral")], (("tacrolimus", 2.0),), True),  # partner active
        ([("cyclophosphamide", 100, "oral")], (("prednisolone", 20.0),), True),  # GC active
        ([("prednisolone", 15, "oral"), ("mycophenolate_mofetil", 1000, "oral")], (), True),
        ([("azathioprine", 100, "oral")], (("prednisolone", 20.0),), True),
        ([("methylprednisolone", 200, "intravenous")], (), True),  # 250 mg pred-eq: a pulse
        ([("methylprednisolone", 199, "intravenous")], (), False),
        ([("prednisolone", 30, "oral")], (), False),  # GC alone, not a pulse
        # the draft replaces the active order of the same drug: 20 -> 10 mg, not 30 mg
        ([("prednisolone", 10, "oral")], (("prednisolone", 20.0), ("cyclosporine", 200.0)), False),
    ],
)
def test_intensive_regimen_table(
    shape: str,
    drafts: list[tuple[str, float, str]],
    meds: tuple[tuple[str, float], ...],
    fires: bool,
) -> None:
    rec = record(DM, meds=tuple(active(c, d) for c, d in meds))
    res = [med_request(f"d{i}", c, d, route=r, shape=shape) for i, (c, d, r) in enumerate(drafts)]
    got = findings_for(TOPIC, rec, *res, shape=shape)
    assert bool(got) is fires
    if fires:
        (f,) = got
        assert f.indicator == Indicator.WARNING
        (s,) = f.suggestions
        assert s.is_recommended and f.selection_behavior == "at-most-one"
        (a,) = s.actions
        assert a.type == "create"
        assert a.resource["medicationCodeableConcept"]["coding"][0]["code"] == "198334"


def test_active_tmp_smx_negative_control() -> None:
    rec = record(
        DM, meds=(active("tmp_smx", None, ingredients=("sulfamethoxazole", "trimethoprim")),)
    )
    got = findings_for(
        TOPIC, rec, med_request("g", "prednisolone", 30), med_request("c", "cyclosporine", 200)
    )
    assert got == []


def test_drafted_tmp_smx_counts() -> None:
    res = med_request("t", "tmp_smx", 1, "tablet")
    got = findings_for(
        TOPIC,
        record(DM),
        med_request("g", "prednisolone", 30),
        med_request("c", "cyclosporine", 200),
        res,
    )
    assert got == []


def test_only_unrelated_draft_in_focus_no_card() -> None:
    rec = record(DM, meds=(active("prednisolone", 20.0), active("cyclosporine", 200.0)))
    got = findings_for(
        TOPIC,
        rec,
        med_request("l", "leflunomide", 20),
        med_request("g", "prednisolone", 20),
        selections=["MedicationRequest/l"],
    )
    assert got == []


def test_unknown_gc_dose_with_second_agent_cannot_be_decided_and_says_so() -> None:
    (f,) = findings_for(
        TOPIC,
        record(DM),
        med_request("g", "prednisolone", 30, timing=False),
        med_request("m", "mycophenolate_mofetil", 1000),
    )
    assert f.indicator == Indicator.INFO
    assert "could not be decided" in f.summary
    assert f.suggestions == ()


def test_outside_scope_no_card() -> None:
    got = findings_for(
        TOPIC,
        record(()),
        med_request("g", "prednisolone", 30),
        med_request("c", "cyclosporine", 200),
    )
    assert got == []


# ------------------------------------------------------- medication data unavailable
INTENSIVE_DRAFTS = (
    med_request("p", "prednisolone", 40),
    med_request("c", "cyclosporine", 200),
)


@pytest.mark.parametrize("key", ["medications", "medication_statements"])
def test_medications_unavailable_tmp_smx_not_recommended(key: str) -> None:
    """Intensive with the drafts alone, active prophylaxis unknown: info, TMP-SMX offered but
    not recommended, the card says the active prophylaxis could not be checked."""
    rec = record(DM)
    rec.unavailable[key] = "HTTP 503"
    (f,) = findings_for(TOPIC, rec, *INTENSIVE_DRAFTS)
    assert f.indicator == Indicator.INFO
    assert "could not be" in f.summary and "checked" in f.summary and len(f.summary) <= 139
    assert f"{dataset_name(key)} unavailable (HTTP 503)" in f.detail
    assert "possible duplicate" in f.detail
    (s,) = f.suggestions
    assert s.is_recommended is False and "already active" in s.label
    assert s.actions[0].type == "create"


def test_medications_available_tmp_smx_recommended() -> None:
    rec = record(DM)
    rec.unavailable["imaging"] = "timeout"  # not a medication data set
    (f,) = findings_for(TOPIC, rec, *INTENSIVE_DRAFTS)
    assert f.indicator == Indicator.WARNING and f.suggestions[0].is_recommended is True


def test_medications_unavailable_not_intensive_when_seen_cannot_decide() -> None:
    """A drafted GC 20 mg alone: an unseen active cyclosporine would make it intensive."""
    rec = record(DM)
    rec.unavailable["medications"] = "timeout"
    (f,) = findings_for(TOPIC, rec, med_request("p", "prednisolone", 20))
    assert f.indicator == Indicator.INFO
    assert "could not be decided" in f.summary and not f.suggestions
    assert "medication orders unavailable (timeout)" in f.detail


def test_medications_unavailable_drafted_prophylaxis_no_card() -> None:
    rec = record(DM)
    rec.unavailable["medications"] = "timeout"
    assert findings_for(TOPIC, rec, *INTENSIVE_DRAFTS, med_request("t", "tmp_smx", 1)) == []
