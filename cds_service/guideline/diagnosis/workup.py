"""ILD without a CTD diagnosis whose CTD work-up is incomplete.

KR §Introduction; §Diagnosis 1 (R002): every patient newly diagnosed with ILD should be
examined for co-existing CTD (clinical symptoms, autoantibody tests), even without a prior
CTD diagnosis. KR §Diagnosis 1-2) (R007): chronic ILD may also have an underlying CTD;
check the Table 1 manifestations whether or not CTD symptoms are present. KR §Diagnosis 4
(R017, R019): every patient with ILD should have autoantibody testing (Table 2).

When/Then: active ILD, no defined CTD, at least one KR Table 2 test not done (or unreadable)
-> `info` card listing the missing tests, the KR Table 1 features to check (and those
already recorded), with suggestions: draft ServiceRequests for the missing tests and a
rheumatology referral (selectionBehavior ``any``).

Decisions left open: see panel.py (any earlier result counts as done).
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.record import PatientRecord

from .. import evidence
from ..derived import Derived
from ..evidence import cite
from ..facts import condition_fact, unique_facts
from ..findings import Action, Finding, Indicator, Suggestion
from ..shared_rules import R009, R077
from ..suggestions.workup import TEMPLATES_BY_CONCEPT, lab_request, rheumatology_referral
from ..text import bullets, condition_text
from .panel import R017, R019, panel_status
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


#: anti-synthetase syndrome is often ANA-negative (JP §Anti-ARS Abs, R077: 24% of IIP patients
#: without Jo-1 and ANA had non-Jo-1 anti-ARS antibodies)
ANA_NEGATIVE = ("ana_presence", "ana_pattern", "ana_titer", "ana_units")


def ana_caveat(record: PatientRecord) -> str:
    """The caveat beside the antibody list: a negative ANA does not exclude anti-synthetase
    syndrome, so the anti-synthetase antibodies are tested whatever the ANA."""
    negative = any(
        (r := record.antibody(c)) is not None and r.status == "negative" for c in ANA_NEGATIVE
    )
    lead = "ANA negative: this does not exclude" if negative else "A negative ANA would not exclude"
    return (
        f"{lead} anti-synthetase syndrome, which is often ANA-negative (24% of IIP patients "
        "without Jo-1 and ANA had other anti-synthetase antibodies): test Jo-1, PL-7, PL-12, EJ "
        "and OJ whatever the ANA."
    )


def ctd_workup(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    ild = ild_without_ctd(record)
    if ild is None:
        return
    statuses = panel_status(record)
    missing = [s for s in statuses if not s.done]
    if not missing:
        return
    done = [s for s in statuses if s.done]
    features = [record.condition(c) for c in TABLE1_FEATURES]
    present = [f for f in features if f is not None]
    labels = ", ".join(s.test.label for s in missing)
    summary = (
        f"ILD without a CTD diagnosis: {len(missing)} of {len(statuses)} KR Table 2 tests missing."
    )
    reason = "CTD work-up of interstitial lung disease (KR Table 2)"
    actions = tuple(
        Action(
            "create",
            f"Order {s.test.label}",
            lab_request(TEMPLATES_BY_CONCEPT[s.test.order_concept], record.patient_id, reason),
        )
        for s in missing
    )
    suggestions = (
        Suggestion(
            f"Order missing KR Table 2 tests ({len(missing)})", actions, is_recommended=True
        ),
        Suggestion(
            "Refer to rheumatology",
            (
                Action(
                    "create",
                    "Rheumatology referral for CTD work-up of ILD",
                    rheumatology_referral(record.patient_id, reason),
                ),
            ),
        ),
    )
    parts = [
        f"ILD recorded ({condition_text(ild)}) and no connective tissue disease "
        "diagnosis. CTD-ILD and idiopathic ILD differ in treatment and prognosis, so every ILD "
        "patient is examined for an underlying CTD.",
        f"**Missing KR Table 2 tests ({len(missing)}):** {labels}.",
        bullets(f"{s.test.label}: {s.text}" for s in missing if s.text != "not tested") or "",
    ]
    if done:
        parts.append("**Done:** " + "; ".join(f"{s.test.label}: {s.text}" for s in done))
    parts.append(ana_caveat(record))
    parts.append(
        "**Check KR Table 1 features:** Raynaud phenomenon; sclerodactyly, digital ulcers or "
        "scars, telangiectasia, Gottron's sign, heliotrope rash, photosensitivity, mechanic's "
        "hands; joint pain or swelling, morning stiffness over 60 minutes; muscle aches or "
        "weakness; dry mouth or eyes. Mechanic's hands or Gottron's papules make DM highly likely."
    )
    if present:
        parts.append("Recorded: " + "; ".join(condition_text(f) for f in present) + ".")
    parts.append(cite(*[R002, R007, R008, R017, R019, R009, R077]))
    facts = [condition_fact(ild)] + [condition_fact(f) for f in present]
    yield Finding(
        topic=TOPIC,
        indicator=Indicator.INFO,
        summary=summary,
        detail="\n\n".join(p for p in parts if p),
        rules=("R002", "R007", "R008", "R017", "R019", "R009", "R077"),
        facts=unique_facts(facts),
        suggestions=suggestions,
        selection_behavior="any",
        override_reasons=OVERRIDE_REASONS,
        priority=60,
    )
