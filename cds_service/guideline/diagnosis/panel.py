"""KR Table 2: the autoantibody (and muscle enzyme) tests of the CTD work-up of ILD.

KR §Diagnosis 4, Table 2 (R019) lists ANA, RF, Scl-70, RNP, SSA, SSB, anti-CCP, ANCA, Jo-1,
antisynthetase PL-7, PL-12, EJ, OJ, MDA-5, PM-Scl, Ro-52, and CPK/aldolase. KR §Diagnosis 4
(R017): every patient diagnosed with ILD should have autoantibody testing.

Decisions left open, taken here: a test counts as done when any result of it is recorded,
at any date (autoantibodies are rarely repeated); a result that could not be read counts as
not done, and is named.
"""

from __future__ import annotations

from dataclasses import dataclass

from fhir_mappings.record import PatientRecord

from .. import evidence
from ..text import antibody_text, measurement_text, unreadable_text

WORKUP_TOPICS = ("ild-ctd-workup",)

R017 = evidence.rule(
    "R017",
    "KR",
    "§Diagnosis 4",
    "Every patient diagnosed with ILD should have autoantibody testing.",
    topics=WORKUP_TOPICS,
)
R019 = evidence.rule(
    "R019",
    "KR",
    "§Diagnosis 4, Table 2",
    "Types and significance of autoantibodies in the CTD work-up of ILD.",
    figure="ANA, RF, Scl-70, RNP, SSA, SSB, anti-CCP, ANCA, Jo-1, PL-7, PL-12, EJ, OJ, MDA-5, "
    "PM-Scl, Ro-52, CPK, aldolase",
    topics=WORKUP_TOPICS + ("ild-autoantibody-positive",),
)


@dataclass(frozen=True)
class PanelTest:
    label: str
    concepts: tuple[str, ...]  # result concepts that count as this test
    order_concept: str  # the concept whose order template is suggested


PANEL: tuple[PanelTest, ...] = (
    PanelTest("ANA", ("ana_presence", "ana_titer", "ana_pattern", "ana_units"), "ana_presence"),
    PanelTest("RF", ("rheumatoid_factor",), "rheumatoid_factor"),
    PanelTest("Scl-70", ("anti_scl70",), "anti_scl70"),
    PanelTest("RNP", ("anti_u1rnp",), "anti_u1rnp"),
    PanelTest("SSA", ("anti_ssa_ro60",), "anti_ssa_ro60"),
    PanelTest("SSB", ("anti_ssb_la",), "anti_ssb_la"),
    PanelTest("Anti-CCP", ("anti_ccp",), "anti_ccp"),
    PanelTest("ANCA", ("anca", "anca_c", "anca_p", "anca_mpo", "anca_pr3"), "anca"),
    PanelTest("Jo-1", ("anti_jo1",), "anti_jo1"),
    PanelTest("PL-7", ("anti_pl7",), "anti_pl7"),
    PanelTest("PL-12", ("anti_pl12",), "anti_pl12"),
    PanelTest("EJ", ("anti_ej",), "anti_ej"),
    PanelTest("OJ", ("anti_oj",), "anti_oj"),
    PanelTest("MDA-5", ("anti_mda5",), "anti_mda5"),
    PanelTest("PM-Scl", ("anti_pmscl",), "anti_pmscl"),
    PanelTest("Ro-52", ("anti_ro52",), "anti_ro52"),
    PanelTest("CPK", ("creatine_kinase",), "creatine_kinase"),
    PanelTest("Aldolase", ("aldolase",), "aldolase"),
)


@dataclass(frozen=True)
class TestStatus:
    test: PanelTest
    done: bool
    text: str  # the latest result, or why it is missing


def test_status(record: PatientRecord, test: PanelTest) -> TestStatus:
    readable: list[str] = []
    unreadable: list[str] = []
    for concept in test.concepts:
        result = record.antibody(concept)
        if result is not None:
            (unreadable if result.status == "unknown" else readable).append(antibody_text(result))
        latest = record.latest(concept)
        if latest is not None:
            readable.append(measurement_text(latest))
        unreadable += [unreadable_text(m) for m in record.uninterpretable(concept)]
    if readable:
        return TestStatus(test, True, readable[-1])
    if unreadable:
        return TestStatus(test, False, unreadable[-1] + " (result could not be read)")
    return TestStatus(test, False, "not tested")


def panel_status(record: PatientRecord) -> list[TestStatus]:
    return [test_status(record, t) for t in PANEL]
