"""A/S DM/PM-ILD with poor-risk factors: initial combination therapy, not step-up.

JP Figure 3 (R113): "poor risk factors, either of 1)–5) -> GC + CsA(iv) + IVCY ->
improvement? No -> add IVIG, PMX-DHP." JP §Initial combination therapy (R109): "For A/S-ILD
with poor prognostic factors, consider initial combination therapy" (Nagasaka 5-year
survival 69% vs 32–39% GC alone (Z9); Kotani 1-year 89% vs 43% step-up; Takada 5-year 74%
vs 54%). JP §Triple therapy (R110, Kameda): GC + one immunosuppressant saved 3/12 (25%);
triple therapy CsA (trough 150–250 ng/mL) + IVCY 10–30 mg/kg every 3–4 weeks + high-dose
GC: 50% of 10 survived. JP §Cyclosporine (R096): IV CsA over 12 hours daily, start 200
mg/day, adjust to a pre-dose concentration of 200–250 ng/mL.

When/Then: A/S-ILD (R068) in DM/PM/ADM with at least one factor of the union (Z20) ->
`critical` card: the factors with their values, the regimen and its figures. Factors that
could not be assessed are named too. The summary says what the source says ("JP Figure 3
calls for initial GC + IV CsA + IVCY (not step-up)"), not an imperative; with SSc the
glucocorticoid caveat of ``ssc_overlap`` leads the detail.

Decisions left open: the IV cyclophosphamide dose is given as the seed's regimens (Kameda,
Yamasaki), labelled by source; never as a cyclosporine dose (Z3).
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.record import PatientRecord

from ..compose import finding
from ..derived import Derived
from ..findings import Finding, Indicator
from ..shared_rules import R096, R109, R110, R113
from ..text import bullets, measurement_text
from .acute_subacute import R106
from .assessment import assess, course_lines, group_line, ssc_caveat_for
from .course import R068
from .risk import FERRITIN_VERY_HIGH, R086, R108, R140
from .ssc_overlap import SSC_RULES
from .subtypes import R089

TOPIC = "dmpm-ild-poor-prognosis"
#: the summary's wording follows the source (R109 "consider initial combination therapy")
CALLS_FOR = "JP Figure 3 calls for initial GC + IV CsA + IVCY (not step-up)"


REGIMEN = (
    "JP Figure 3 regimen: **glucocorticoid** at high dose, together with:",
    "**IV cyclosporine** (R096): 200 mg/day infused over 12 hours every day, adjusted to a "
    "pre-dose (trough) concentration of 200–250 ng/mL; switch to oral when the ILD is "
    "controlled and respiration is stable.",
    "**IV cyclophosphamide** (R110, Kameda triple therapy): 10–30 mg/kg every 3–4 weeks.",
    "Initial combination, **not step-up** (R109). No improvement: add **IVIG** and/or "
    "**PMX-DHP** (R113).",
)
EVIDENCE = (
    "Nagasaka: 5-year survival 69% with CsA within 2 weeks of GC vs 32–39% with GC alone "
    "(the review quotes both 32% and 39%).",
    "Kotani: 1-year survival 89% initial combination vs 43% step-up.",
    "Takada: 5-year survival 74% primary intensive vs 54% step-up.",
    "Kameda: GC + one immunosuppressant 3/12 (25%) survived; triple therapy 50% of 10.",
)


def poor_prognosis(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    a = derived.dmpm if derived is not None else assess(record)
    if a is None or a.course.kind != "acute_subacute" or a.risk is None or not a.risk.present:
        return
    risk = a.risk
    present = risk.present
    names = ", ".join(f.name for f in present)
    summary = f"A/S DM/PM-ILD, poor-risk factor(s) {names}: {CALLS_FOR}."
    if len(summary) > 139:
        summary = f"A/S DM/PM-ILD with {len(present)} poor-risk factors: {CALLS_FOR}."
    caveat = ssc_caveat_for(a)
    body: list[str] = [caveat] if caveat else []
    very_high = risk.ferritin_very_high
    if very_high is not None:
        body.append(
            f"Ferritin {FERRITIN_VERY_HIGH.text} ({measurement_text(very_high)}): very "
            "high (Gono): 6-month survival 29% above 1,500 ng/mL vs 83% below (R086)."
        )
    if risk.missing:
        body.append(
            "Not assessed: " + "; ".join(f"{f.name} ({f.evidence_text})" for f in risk.missing)
        )
    body.append(group_line(a))
    yield finding(
        topic=TOPIC,
        indicator=Indicator.CRITICAL,
        summary=summary,
        patient_data_title="Acute/subacute ILD and poor-risk factors (JP Figure 3 and text, "
        "any one suffices)",
        patient_data=course_lines(a)
        + [f"poor-risk factor {f.name}: {f.evidence_text}" for f in present],
        body=body,
        options_title="Management (JP Figure 3)",
        options=REGIMEN,
        notes=("**Why initial combination**\n\n" + bullets(EVIDENCE),),
        rules=[R068, R113, R108, R089, R109, R110, R096, R106, R140]
        + ([R086] if very_high is not None else [])
        + (list(SSC_RULES) if caveat else []),
        facts=a.base_facts() + risk.facts,
        priority=10,
    )
