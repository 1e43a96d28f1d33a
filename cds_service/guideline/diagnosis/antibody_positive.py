"""ILD without a CTD diagnosis but with a CTD-associated autoantibody.

KR §Diagnosis 4 (R018): autoantibody positive but clinical features not meeting CTD criteria
-> continuous follow-up and rheumatology consultation, because CTD features may appear later.
JP §Anti-ARS Abs (R077): anti-synthetase syndrome = ILD, myositis, arthritis, fever,
Raynaud's, mechanic's hands; 20–30% have ILD without DM/PM signs, clinically
indistinguishable from IIP. Derived R144: flag the possible CTD; do not label the ILD
idiopathic without that work-up.

When/Then: active ILD, no defined CTD, one of the antibodies below positive -> `warning`
card naming the suspected CTD per antibody, with a rheumatology referral suggestion.

Decisions left open, taken here: ANA and RF are not triggers on their own (nonspecific,
KR Table 2); a high-titre ANA counts in the IPAF card instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.record import PatientRecord

from .. import evidence
from ..compose import finding
from ..derived import Derived
from ..diseases import ANTI_SYNTHETASE
from ..facts import antibody_fact, condition_fact
from ..findings import Action, Finding, Indicator, Suggestion
from ..shared_rules import R077
from ..suggestions.workup import rheumatology_referral
from ..text import antibody_text, condition_text, label
from .panel import R019
from .scope import ild_without_ctd
from .workup import OVERRIDE_REASONS

TOPIC = "ild-autoantibody-positive"

SUSPECTED: dict[str, str] = {
    **dict.fromkeys(ANTI_SYNTHETASE, "anti-synthetase syndrome"),
    "anti_mda5": "dermatomyositis / clinically amyopathic DM (risk of rapidly progressive ILD)",
    "anti_scl70": "systemic sclerosis",
    "anti_centromere": "systemic sclerosis",
    "anti_u1rnp": "mixed connective tissue disease",
    "anti_ssa_ro60": "Sjögren's syndrome",
    "anti_ssb_la": "Sjögren's syndrome",
    "anti_ccp": "rheumatoid arthritis",
    "anti_dsdna": "systemic lupus erythematosus",
    "anti_pmscl": "polymyositis-scleroderma overlap",
    "anti_mi2": "dermatomyositis",
    "anti_tif1g": "dermatomyositis",
    "anti_nxp2": "dermatomyositis",
    "anti_sae": "dermatomyositis",
    "anti_srp": "immune-mediated necrotising myopathy",
    "anti_hmgcr": "immune-mediated necrotising myopathy",
}

R018 = evidence.rule(
    "R018",
    "KR",
    "§Diagnosis 4",
    "Autoantibody positive but clinical features not meeting CTD criteria: continuous "
    "follow-up and rheumatology consultation, because CTD features may appear later.",
    topics=(TOPIC,),
)
R144 = evidence.rule(
    "R144",
    "KR",
    "§Diagnosis 4 (derived, with JP §Anti-ARS Abs)",
    "Antibody-positive ILD without a CTD diagnosis: flag the possible CTD, seek rheumatology "
    "consultation and continuous follow-up; do not label it idiopathic without that work-up.",
    topics=(TOPIC,),
)


def autoantibody_positive(
    record: PatientRecord, derived: Derived | None = None
) -> Iterator[Finding]:
    ild = ild_without_ctd(record)
    if ild is None:
        return
    positives = record.any_antibody_positive(SUSPECTED)
    if not positives:
        return
    suspected = list(dict.fromkeys(SUSPECTED[p.concept] for p in positives))
    first = label(positives[0].concept)
    disease = suspected[0].split(" (")[0]
    summary = (
        f"ILD with {first} positive, no CTD diagnosis: consider {disease}; refer to rheumatology."
    )
    if len(summary) > 139:
        summary = (
            "ILD with a CTD-associated autoantibody and no CTD diagnosis: refer to rheumatology."
        )
    lines = [f"{antibody_text(p)}: suggests {SUSPECTED[p.concept]}" for p in positives]
    discordant = [r for p in positives for r in record.discordant_results(p.concept)]
    if discordant:  # named together; any positive counts (contract)
        lines.append(
            "Discordant results: "
            + ", ".join(antibody_text(r) for r in discordant)
            + "; counted positive, confirm with a repeat test"
        )
    to_do = [
        "Refer to rheumatology and follow up.",
        "**Do not label this ILD idiopathic** before a rheumatology assessment: features of "
        "connective tissue disease (CTD) may appear later.",
    ]
    notes = []
    if any(SUSPECTED[p.concept] == "anti-synthetase syndrome" for p in positives):
        notes.append("Anti-synthetase syndrome: 20–30% present with ILD alone.")
    reason = "Autoantibody-positive ILD without a CTD diagnosis"
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=summary,
        why=[
            f"ILD recorded ({condition_text(ild)}), no connective tissue disease diagnosis",
            *lines,
        ],
        what_to_do=to_do,
        notes=notes,
        rules=(R018, R019, R077, R144),
        facts=[condition_fact(ild)]
        + [antibody_fact(p) for p in positives]
        + [antibody_fact(r) for r in discordant if r not in positives],
        suggestions=(
            Suggestion(
                "Refer to rheumatology",
                (
                    Action(
                        "create",
                        "Rheumatology referral",
                        rheumatology_referral(record.patient_id, reason),
                    ),
                ),
                is_recommended=True,
            ),
        ),
        selection_behavior="any",
        override_reasons=OVERRIDE_REASONS,
        priority=50,
    )
