"""A/S DM/PM-ILD with poor-risk factors: initial combination therapy, not step-up.

JP Figure 3 (R113): "poor risk factors, either of 1)–5) -> GC + CsA(iv) + IVCY ->
improvement? No -> add IVIG, PMX-DHP." JP §Initial combination therapy (R109): "For A/S-ILD
with poor prognostic factors, consider initial combination therapy" (Kotani 1-year survival
89% vs 43% step-up; Takada 5-year 74% vs 54%). JP §Triple therapy (R110, Kameda): CsA
(trough 150–250 ng/mL) + IVCY 10–30 mg/kg every 3–4 weeks + high-dose GC. JP §Cyclosporine
(R096): IV CsA over 12 hours daily, start 200 mg/day, pre-dose concentration 200–250 ng/mL.
JP §Other prognostic factors (R088): fever >38 °C and cardiac involvement also mark a poor
prognosis in A/S-ILD (named as context, never a trigger).

When/Then: A/S-ILD (R068) in DM/PM/ADM with at least one factor of the union (Z20) present
-> `critical` card whose summary names the factors that decided ("A/S DM-ILD with anti-MDA5+
and ferritin 1,800 ng/mL: JP Figure 3 calls for initial GC + IV CsA + IVCY."). Factors not
assessed and contradictions to resolve are named too. Never for a chronic or undetermined
course (the course decides first). With SSc the glucocorticoid caveat of ``ssc_overlap``.

Decisions left open: the IV cyclophosphamide dose is the seed's (Kameda), labelled by
source; never a cyclosporine dose (Z3).
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.record import PatientRecord

from ..compose import finding
from ..derived import Derived
from ..findings import Finding, Indicator
from ..shared_rules import R088, R096, R109, R110, R111, R113
from ..text import threshold_text
from .assessment import (
    assess,
    course_lines,
    group_short,
    prognostic_context,
    ssc_caveat_for,
    with_names,
)
from .course import R068
from .risk import FERRITIN_VERY_HIGH, R086, R108, R140
from .ssc_overlap import SSC_RULES
from .subtypes import R089

TOPIC = "dmpm-ild-poor-prognosis"
#: the summary's wording follows the source (R109 "consider initial combination therapy")
CALLS_FOR = ": JP Figure 3 calls for initial GC + IV CsA + IVCY."

REGIMEN = (
    "Together, not step-up: high-dose glucocorticoid (GC) + intravenous cyclosporine (CsA) "
    "200 mg/day over 12 hours, trough 200–250 ng/mL",
    "+ intravenous cyclophosphamide (IVCY) 10–30 mg/kg every 3–4 weeks, with co-trimoxazole "
    "Pneumocystis prophylaxis",
    "No improvement: add intravenous immunoglobulin (IVIG) or polymyxin-B hemoperfusion (PMX-DHP)",
)
EVIDENCE = (
    "Initial combination vs step-up, survival: 89% vs 43% at 1 year (Kotani), 74% vs 54% at "
    "5 years (Takada), 69% vs 32–39% (Nagasaka); one agent 3/12, triple 50% of 10 (Kameda)."
)


def poor_prognosis(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    a = derived.dmpm if derived is not None else assess(record)
    if a is None or a.course.kind != "acute_subacute" or a.risk is None or not a.risk.present:
        return
    risk = a.risk
    present = risk.present
    named = [f for f in present if not (f.key == "adm" and a.kind.type == "ADM")] or present
    summary = with_names(f"A/S {a.disease} with ", named, CALLS_FOR)
    context, context_facts = prognostic_context(record, a)
    caveat = ssc_caveat_for(a)
    body: list[str] = [caveat] if caveat else []
    if risk.contradictions:
        body.append("**Resolve:** " + "; ".join(risk.contradictions) + ".")
    very_high = risk.ferritin_very_high
    if very_high is not None:
        body.append(
            f"Ferritin very high (Gono) {threshold_text(FERRITIN_VERY_HIGH)}: 6-month survival "
            "29% vs 83% below it."
        )
    body.append(group_short(a))
    yield finding(
        topic=TOPIC,
        indicator=Indicator.CRITICAL,
        summary=summary,
        why_title="acute/subacute (A/S) ILD, poor-risk factors",
        why=course_lines(a)[1:]
        + [f.line for f in present]
        + [f"{f.name}: {f.evidence_text}" for f in risk.not_applicable]
        + context,
        body=body,
        what_to_do=REGIMEN,
        notes=(EVIDENCE,),
        not_assessed=[f"{f.name}: {f.evidence_text}" for f in risk.missing],
        rules=[R113, R108, R068, R089, R109, R110, R096, R111]
        + ([R140] if risk.missing else [])
        + ([R086] if very_high is not None else [])
        + ([R088] if context else [])
        + (list(SSC_RULES) if caveat else []),
        facts=a.base_facts() + risk.facts + context_facts,
        priority=10,
    )
