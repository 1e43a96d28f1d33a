"""SSc on glucocorticoids: scleroderma renal crisis risk (KR R051; Steen 1998, B12; Z2).

Recommendation (KR §Treatment 2-2)): "High-dose steroid is not recommended in SSc, because
renal crisis can develop rapidly if the daily prednisolone dose is over 10 mg." Steen 1998:
>=15 mg/day prednisone in the prior 6 months, OR 4.37 (95% CI 2.03-9.43).

When: SSc (any form, with or without ILD) and active systemic glucocorticoids totalling
prednisolone-equivalent >10 mg/day. Then: ``warning``; at >=15 mg/day ``critical`` (contract,
Z2). Suggest blood pressure and creatinine monitoring (B12), tapering, and state that GC is
not an SSc-ILD treatment (ACR/CHEST 2023 strong against).
When a GC's daily dose cannot be read and the known doses do not already exceed 10 mg/day:
``info`` card saying the risk cannot be assessed (an unknown dose is never treated as low).
When the medication data sets could not be had for this call (``medications`` or
``medication_statements`` unavailable) and the doses seen do not already exceed 10 mg/day:
``info`` card saying the glucocorticoid dose could not be checked (never silence: a missing
medication list is not "no glucocorticoid").

Decisions: doses of all active systemic GCs are summed; anti-RNA polymerase III and diffuse
cutaneous SSc (B12 risk markers) are named when present; they do not change the indicator.
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.record import PatientRecord

from ..compose import finding
from ..data_gaps import MEDICATIONS, gap_text
from ..derived import Derived
from ..diseases import CTD_CONCEPTS, has_ctd
from ..evidence import Threshold, fmt_number
from ..facts import antibody_fact, condition_fact, prednisolone_equivalent_fact
from ..findings import Action, Fact, Finding, Indicator, Suggestion
from ..safety.regimen import GlucocorticoidDose, glucocorticoid_dose
from ..shared_rules import B02, B12, R051
from ..suggestions.labs import lab_request
from ..text import day, steen_1998, threshold_text

TOPIC = "ssc-glucocorticoid-risk"


GC_WARNING = Threshold("pred_eq_mg_per_day", ">", 10.0, "mg/day", R051)
GC_CRITICAL = Threshold("pred_eq_mg_per_day", ">=", 15.0, "mg/day", B12)


_RULES = (R051, B12, B02)
_TO_DO = (
    "Check blood pressure (also at home) and serum creatinine.",
    "Taper to the lowest effective dose; glucocorticoids are not an SSc-ILD treatment.",
)


def ssc_glucocorticoid_risk(
    record: PatientRecord, derived: Derived | None = None
) -> Iterator[Finding]:
    if not has_ctd(record, "ssc"):
        return
    gc = glucocorticoid_dose(record)
    gaps = record.missing_data(*MEDICATIONS)
    if not gc.any and not gaps:
        return
    over = gc.meets(GC_WARNING)
    if over is False and not gaps:
        return
    facts = _dose_and_diagnosis_facts(record, gc)
    lines = gc.describe()
    if gaps:
        lines.append(f"Medications: not assessed in full: {gap_text(gaps)}")
    _renal_crisis_markers(record, lines, facts)
    indicator = Indicator.INFO
    if over is True:  # warning over 10 mg/day; critical at 15 mg/day or more
        critical = gc.meets(GC_CRITICAL) is True
        indicator = Indicator.CRITICAL if critical else Indicator.WARNING
        level = "critical" if critical else "warning"
        if gaps and not critical:
            level += "; medication data incomplete, the total may be higher"
        lines.append(f"Total prednisolone-equivalent: {fmt_number(gc.known_mg)} mg/day ({level})")
        summary = (
            f"SSc on prednisolone-equivalent {fmt_number(gc.known_mg)} mg/day "
            f"({threshold_text(GC_CRITICAL if critical else GC_WARNING)}): scleroderma renal "
            "crisis risk; check BP and creatinine."
        )
    elif gaps:  # below the threshold as far as known, the medications not all had
        summary = (
            "SSc: glucocorticoid dose could not be checked (medication data unavailable); "
            f"renal-crisis risk ({threshold_text(GC_WARNING)}) not assessed."
        )
    else:  # below the threshold as far as known, a daily dose unreadable
        summary = (
            "SSc on a glucocorticoid whose daily dose cannot be read: renal-crisis risk "
            f"({threshold_text(GC_WARNING)}) cannot be assessed."
        )
    creatinine = Action(
        "create",
        "Serum creatinine",
        lab_request("creatinine", record.patient_id, "SSc on glucocorticoids"),
    )
    yield finding(
        topic=TOPIC,
        indicator=indicator,
        summary=summary,
        why=lines,
        body=(_BODY,),
        what_to_do=_TO_DO,
        rules=_RULES,
        facts=tuple(facts),
        suggestions=(Suggestion("Order serum creatinine (renal crisis watch)", (creatinine,)),),
        priority=10 if over is True else 12,
    )


def _dose_and_diagnosis_facts(record: PatientRecord, gc: GlucocorticoidDose) -> list[Fact]:
    """The SSc diagnosis the card rests on, then the summed dose when one was read."""
    # a summed dose is a fact only when a dose was read (never "0 mg/day" from missing data)
    facts = [prednisolone_equivalent_fact(gc.known_mg, record.today)] if gc.known else []
    ssc = record.condition(*CTD_CONCEPTS["ssc"])
    if ssc is not None:  # the card always names the diagnosis it rests on
        facts.insert(0, condition_fact(ssc))
    return facts


def _renal_crisis_markers(record: PatientRecord, lines: list[str], facts: list[Fact]) -> None:
    """Anti-RNA polymerase III positive or diffuse cutaneous SSc (named, not graded)."""
    markers = []
    rnap3 = record.antibody("anti_rnap3")
    if rnap3 is not None and rnap3.status == "positive":
        markers.append(f"anti-RNA polymerase III positive ({rnap3.when.isoformat()})")
        facts.append(antibody_fact(rnap3))
    diffuse = record.condition("ssc_diffuse")
    if diffuse is not None:
        markers.append(f"diffuse cutaneous SSc ({day(diffuse.when)})")
        facts.append(condition_fact(diffuse))
    if markers:
        lines.append("Renal-crisis risk markers: " + "; ".join(markers))


_BODY = (
    f"In systemic sclerosis (SSc), prednisolone {threshold_text(GC_WARNING)} risks "
    f"scleroderma renal crisis (Korean guideline); "
    f"{steen_1998(B12, threshold_text(GC_CRITICAL))}."
)
