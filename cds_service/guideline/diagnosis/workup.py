"""ILD without a CTD diagnosis whose CTD work-up is incomplete, and case-finding of the
rapidly progressive ILD of (amyopathic) dermatomyositis.

KR §Introduction; §Diagnosis 1 (R002): every patient newly diagnosed with ILD should be
examined for co-existing CTD, even without a prior CTD diagnosis. KR §Diagnosis 1-2) (R007):
chronic ILD may also have an underlying CTD; check the Table 1 manifestations. KR §Diagnosis 4
(R017, R019): every patient with ILD should have autoantibody testing (Table 2).
KR §Diagnosis 1-2): dyspnea over several weeks to months reaching respiratory failure with
progressing GGO -> consider CTD-ILD (R005); raised muscle enzymes (CPK, aldolase) -> suspect
IIM (R006); mechanic's hands or Gottron's papules -> DM highly likely (R009). JP Figure 3:
ferritin >1,000 ng/mL and PaO2 <60 mmHg are poor-risk factors of A/S DM/PM-ILD.

When/Then: active ILD, no defined CTD, and the work-up incomplete (a KR Table 2 test not
done or unreadable; with a rapid course, also ferritin):
- rapid course (any acute/subacute criterion within 3 months of ILD onset: dyspnoea worse,
  HRCT progression, VC or PaO2 fall, a rapidly progressive ILD diagnosis) with DM skin signs
  (Gottron's papules, heliotrope rash), mechanic's hands, raised CK/aldolase or ferritin
  >1,000 ng/mL -> `warning`: anti-MDA5, ferritin and CK first among the suggested orders,
  with an urgent rheumatology referral; `critical` when, in addition, PaO2 <60 mmHg or
  ferritin >1,000 ng/mL with DM skin signs;
- otherwise -> `info` listing the missing tests and the KR Table 1 features to check, with
  draft ServiceRequests for the missing tests and a rheumatology referral.

Decisions left open, taken here: see panel.py (any earlier result counts as done); DM skin
signs and mechanic's hands count from a year before ILD onset; "raised" CK or aldolase is
above the lab's upper reference limit (CK without a range: the DM/PM rules' cut-off);
ferritin and PaO2 count from 30 days before ILD onset.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from fhir_mappings.record import ConditionEntry, Measurement, PatientRecord

from .. import evidence
from ..compose import finding
from ..derived import Derived
from ..dmpm.course import Course, classify_course
from ..dmpm.readers import entries, entry_text, name
from ..dmpm.risk import FERRITIN_HIGH, PAO2_LOW, is_raised
from ..facts import condition_fact, measurement_fact
from ..findings import Action, Fact, Finding, Indicator, Suggestion
from ..shared_rules import R005, R006, R009, R077, R113
from ..suggestions.workup import (
    TEMPLATES_BY_CONCEPT,
    URGENT_FIRST,
    lab_request,
    rheumatology_referral,
)
from ..text import condition_text, label, measured_quantity, measurement_text, threshold_text
from .panel import R017, R019, TestStatus, panel_status
from .scope import ild_without_ctd

TOPIC = "ild-ctd-workup"
OVERRIDE_REASONS = (
    "already-addressed",
    "not-applicable",
    "patient-declined",
    "benefit-outweighs-risk",
    "data-incorrect",
)

R002 = evidence.rule(
    "R002",
    "KR",
    "§Introduction; §Diagnosis 1",
    "Every patient newly diagnosed with ILD should be examined for co-existing CTD (clinical "
    "symptoms, autoantibody tests), even without a prior CTD diagnosis.",
    topics=(TOPIC,),
)
R007 = evidence.rule(
    "R007",
    "KR",
    "§Diagnosis 1-2)",
    "Chronic ILD may also have an underlying CTD: consider it whether or not CTD symptoms are "
    "present, and check the Table 1 manifestations.",
    topics=(TOPIC,),
)
R008 = evidence.rule(
    "R008",
    "KR",
    "§Diagnosis, Table 1",
    "Core manifestations to check in ILD patients for an underlying CTD.",
    figure="Raynaud phenomenon; sclerodactyly, digital ulcers, telangiectasia, Gottron's sign, "
    "heliotrope rash, photosensitivity, mechanic's hands; joint pain/swelling, morning "
    "stiffness over 60 minutes; muscle aches/weakness; dry mouth/eye",
    topics=(TOPIC, "ipaf-criteria"),
)

TABLE1_FEATURES = (
    "raynaud",
    "sclerodactyly",
    "digital_ulcer",
    "telangiectasia",
    "gottron_papules",
    "heliotrope_rash",
    "photosensitivity",
    "mechanics_hands",
    "arthritis",
    "sicca",
    "keratoconjunctivitis_sicca",
)
DM_SKIN_SIGNS = ("gottron_papules", "heliotrope_rash")
SIGNS_BEFORE_ONSET = timedelta(days=365)
LABS_BEFORE_ONSET = timedelta(days=30)
REASON = "CTD work-up of interstitial lung disease (KR Table 2)"
URGENT_REASON = "Rapidly progressive ILD with dermatomyositis features: suspected anti-MDA5 DM"


@dataclass
class RapidFeatures:
    """What makes a rapidly progressive ILD urgent to work up (R005, R006, R009)."""

    course: Course
    lines: list[str] = field(default_factory=list)
    short: list[str] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    skin: bool = False
    ferritin_high: Measurement | None = None
    pao2_low: Measurement | None = None

    @property
    def urgent(self) -> bool:
        return self.course.kind == "acute_subacute" and bool(self.lines)

    @property
    def critical(self) -> bool:
        return self.urgent and (
            self.pao2_low is not None or (self.ferritin_high is not None and self.skin)
        )


def _extreme(record: PatientRecord, concept: str, since: date, lowest: bool) -> Measurement | None:
    values = record.series(concept, since=since, until=record.today)
    pick = min if lowest else max
    return pick(values, key=lambda m: m.value or 0.0) if values else None


def rapid_features(record: PatientRecord, onset: date | None) -> RapidFeatures:
    f = RapidFeatures(classify_course(record))
    base = onset or record.today
    for concept in (*DM_SKIN_SIGNS, "mechanics_hands"):
        found = entries(record, concept, since=base - SIGNS_BEFORE_ONSET)
        if found:
            f.lines.append(entry_text(found[-1]))
            f.short.append(name(concept))
            f.facts.append(condition_fact(found[-1]))
            f.skin = f.skin or concept in DM_SKIN_SIGNS
    since = base - LABS_BEFORE_ONSET
    for concept in ("creatine_kinase", "aldolase"):
        raised = [m for m in record.series(concept, since=since) if is_raised(m)]
        if raised:
            m = raised[-1]
            f.lines.append(f"raised {measurement_text(m)}")
            f.short.append(f"raised {label(concept)} {measured_quantity(m)}")
            f.facts.append(measurement_fact(m))
    ferritin = _extreme(record, "ferritin", since, lowest=False)
    if ferritin is not None and FERRITIN_HIGH.decide(ferritin.value or 0.0, ferritin.comparator):
        f.ferritin_high = ferritin
        f.lines.append(f"{measurement_text(ferritin)} ({threshold_text(FERRITIN_HIGH)})")
        f.short.append(f"ferritin {measured_quantity(ferritin)}")
        f.facts.append(measurement_fact(ferritin))
    pao2 = _extreme(record, "pao2", since, lowest=True)
    if pao2 is not None and PAO2_LOW.decide(round(pao2.value or 0.0, 1), pao2.comparator):
        f.pao2_low = pao2
        f.facts.append(measurement_fact(pao2))
    f.facts += list(f.course.facts)
    return f


def ctd_workup(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    ild = ild_without_ctd(record)
    if ild is None:
        return
    statuses = panel_status(record)
    missing = [s for s in statuses if not s.done]
    rapid = rapid_features(record, ild.when)
    ferritin_missing = rapid.urgent and not record.series(
        "ferritin", since=(ild.when or record.today) - LABS_BEFORE_ONSET
    )
    if not missing and not ferritin_missing:
        return
    present = [c for c in (record.condition(x) for x in TABLE1_FEATURES) if c is not None]
    facts = [condition_fact(ild), *(condition_fact(c) for c in present), *rapid.facts]
    if rapid.urgent:
        yield _urgent(record, ild.when, missing, ferritin_missing, len(statuses), rapid, facts)
    else:
        yield _routine(record, missing, statuses, present, facts)


def _order(record: PatientRecord, concept: str, urgent: bool) -> Action:
    template = TEMPLATES_BY_CONCEPT[concept]
    reason = URGENT_REASON if urgent else REASON
    return Action(
        "create",
        f"Order {template.label}",
        lab_request(template, record.patient_id, reason, "urgent" if urgent else None),
    )


def _referral(record: PatientRecord, urgent: bool) -> Action:
    reason = URGENT_REASON if urgent else REASON
    return Action(
        "create",
        ("Urgent rheumatology" if urgent else "Rheumatology") + " referral for CTD work-up of ILD",
        rheumatology_referral(record.patient_id, reason, "urgent" if urgent else None),
    )


def _urgent(
    record: PatientRecord,
    onset: date | None,
    missing: list[TestStatus],
    ferritin_missing: bool,
    total: int,
    rapid: RapidFeatures,
    facts: list[Fact],
) -> Finding:
    """Rapid course with DM features: anti-MDA5, ferritin and CK first, urgent rheumatology."""
    concepts = [s.test.concept for s in missing] + (["ferritin"] if ferritin_missing else [])
    first = [c for c in URGENT_FIRST if c in concepts]
    rest = [c for c in concepts if c not in first]
    what = ", ".join(rapid.short[:3])
    if rapid.pao2_low is not None:
        what += f", PaO2 {measured_quantity(rapid.pao2_low)}"
    summary = f"Rapid ILD, no CTD diagnosis, {what}: suspect DM (anti-MDA5?); urgent rheumatology."
    if len(summary) > 139:
        summary = (
            "Rapid ILD with DM features, no CTD diagnosis: anti-MDA5, ferritin, CK and urgent "
            "rheumatology."
        )
    why = rapid.course.criteria[:1] + rapid.lines
    if rapid.pao2_low is not None:
        why.append(f"{measurement_text(rapid.pao2_low)} ({threshold_text(PAO2_LOW)})")
    labels = [TEMPLATES_BY_CONCEPT[c].label for c in first]
    suggestions = [
        Suggestion(
            "Urgent: " + ", ".join(labels + ["rheumatology"]),
            tuple(_order(record, c, True) for c in first) + (_referral(record, True),),
            is_recommended=True,
        )
    ]
    if rest:
        suggestions.append(
            Suggestion(
                f"Order the other missing KR Table 2 tests ({len(rest)})",
                tuple(_order(record, c, False) for c in rest),
            )
        )
    return finding(
        topic=TOPIC,
        indicator=Indicator.CRITICAL if rapid.critical else Indicator.WARNING,
        summary=summary,
        why_title="rapidly progressive ILD (within 3 months of onset), no CTD diagnosis",
        why=why,
        body=[
            "Gottron's papules or mechanic's hands make dermatomyositis (DM) highly likely; raised "
            "muscle enzymes suggest myositis. Rapid ILD with DM skin signs, high ferritin or "
            "hypoxaemia is the picture of anti-MDA5 amyopathic DM, which can reach respiratory "
            "failure within weeks."
        ],
        what_to_do=[
            line
            for line in (
                ("Now: " + ", ".join(labels) + " (first below)") if labels else "",
                "Urgent rheumatology referral",
                f"Then the other KR Table 2 tests missing ({len(rest)} of {total})" if rest else "",
            )
            if line
        ],
        rules=[R005, R006, R009, R002, R017, R019] + ([R113] if rapid.critical else []),
        facts=facts,
        suggestions=suggestions,
        selection_behavior="any",
        override_reasons=OVERRIDE_REASONS,
        priority=60,
    )


#: concepts of the ANA test (a negative result of any counts)
ANA_CONCEPTS = ("ana_presence", "ana_pattern", "ana_titer", "ana_units")


def ana_caveat(record: PatientRecord) -> str:
    """Beside the antibody list: anti-synthetase syndrome is often ANA-negative (JP §Anti-ARS
    Abs, R077: 24% of IIP patients without Jo-1 and ANA had other anti-ARS antibodies)."""
    negative = any(
        (r := record.antibody(c)) is not None and r.status == "negative" for c in ANA_CONCEPTS
    )
    lead = "ANA negative: this does not exclude" if negative else "A negative ANA would not exclude"
    return (
        f"{lead} anti-synthetase syndrome, often ANA-negative: test the anti-synthetase "
        "antibodies whatever the ANA."
    )


def _routine(
    record: PatientRecord,
    missing: list[TestStatus],
    statuses: list[TestStatus],
    present: list[ConditionEntry],
    facts: list[Fact],
) -> Finding:
    done = [s for s in statuses if s.done]
    summary = (
        f"ILD without a CTD diagnosis: {len(missing)} of {len(statuses)} KR Table 2 tests missing."
    )
    suggestions = (
        Suggestion(
            f"Order missing KR Table 2 tests ({len(missing)})",
            tuple(_order(record, s.test.concept, False) for s in missing),
            is_recommended=True,
        ),
        Suggestion("Refer to rheumatology", (_referral(record, False),)),
    )
    why = [
        f"Missing KR Table 2 tests ({len(missing)}): " + ", ".join(s.test.label for s in missing)
    ]
    why += [f"{s.test.label}: {s.text}" for s in missing if s.text != "not tested"]
    if done:
        why.append("Done: " + "; ".join(f"{s.test.label}: {s.text}" for s in done[:4]))
    if present:
        why.append("Recorded: " + "; ".join(condition_text(f) for f in present))
    return finding(
        topic=TOPIC,
        indicator=Indicator.INFO,
        summary=summary,
        why_title="ILD, no connective tissue disease (CTD) diagnosis",
        why=why,
        body=[
            "CTD-ILD and idiopathic ILD differ in treatment and prognosis, so every ILD patient "
            "is examined for an underlying CTD.",
            ana_caveat(record),
        ],
        what_to_do=[
            "Order the missing tests (below) and refer to rheumatology",
            "Check KR Table 1 features: Raynaud's, sclerodactyly, digital ulcers, "
            "telangiectasia, Gottron's sign, heliotrope rash, photosensitivity, mechanic's "
            "hands, joint pain or swelling, morning stiffness >60 minutes, muscle weakness, "
            "dry mouth or eyes",
        ],
        rules=[R002, R007, R008, R017, R019, R077],
        facts=facts,
        suggestions=suggestions,
        selection_behavior="any",
        override_reasons=OVERRIDE_REASONS,
        priority=60,
    )
