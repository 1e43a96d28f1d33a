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
from ..suggestions.workup import KR_TABLE2_ORDERS, LabTemplate
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


#: result concepts that count as a KR Table 2 test besides its own (ANA and ANCA are reported
#: several ways); the tests, their labels and order templates are ``KR_TABLE2_ORDERS``
ALSO_COUNTS = {
    "ana_presence": ("ana_titer", "ana_pattern", "ana_units"),
    "anca": ("anca_c", "anca_p", "anca_mpo", "anca_pr3"),
}


@dataclass(frozen=True)
class TestStatus:
    test: LabTemplate
    done: bool
    text: str  # the latest result, or why it is missing


def test_status(record: PatientRecord, test: LabTemplate) -> TestStatus:
    readable: list[str] = []
    unreadable: list[str] = []
    for concept in (test.concept, *ALSO_COUNTS.get(test.concept, ())):
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
    return [test_status(record, t) for t in KR_TABLE2_ORDERS]
