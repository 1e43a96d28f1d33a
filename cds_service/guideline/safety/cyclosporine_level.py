"""Cyclosporine blood level: missing or off target (JP R094-R096; conflict note Z4).

Recommendation (JP §Cyclosporine): maintain the CsA concentration; a low level or delay in
reaching it lets ILD progress (R094). Kotani: C2 kept >1,000 ng/mL, monitor trough and C2
(R095). IV CsA: infuse over 12 h daily from 200 mg/day, adjusted to a trough of 200-250 ng/mL
(R096). Z4: IV trough 200-250; oral C2 >1,000 with trough monitoring; below 150 ng/mL is
sub-therapeutic in all contexts.

When: cyclosporine active, and no level (trough, C2, or untimed) in the last 14 days once
3 days have passed since the start; or the latest level is off target for its context:
- IV cyclosporine: trough outside 200-250 ng/mL;
- oral: C2 not >1,000 ng/mL;
- route not recorded: the level is judged against both contexts and the card says which
  target applies to which route (an IV trough of 180 is flagged "if IV");
- any context: trough <150 ng/mL (sub-therapeutic).
An untimed level is shown but not judged against a target (timing decides the target).
A censored level (FHIR comparator: C2 ">1000", trough ">250") is judged by its bound
(``Threshold.decide``); one whose bound cannot settle a target is named as "cannot decide".
A recent level that is present but unreadable (unknown unit) is named as such with its unit,
never as "no level".
Then: warning card with the level, its date and the target, and a suggestion to order the
level and a creatinine.

Decisions: 14-day recency and the 3-day start grace are service defaults (JP gives none).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from fhir_mappings.record import Measurement, MedicationEntry, PatientRecord

from ..compose import finding
from ..data_gaps import LABS, gap_text, missing
from ..derived import Derived
from ..evidence import Threshold
from ..facts import measurement_fact
from ..findings import Action, Fact, Finding, Indicator, Suggestion
from ..shared_rules import R094, R095, R096, R141
from ..suggestions.labs import LAB_TEMPLATES, lab_request
from ..text import measurement_text, medication_text, unreadable_text

TOPIC = "cyclosporine-level"


IV_TROUGH_LOW = Threshold("cyclosporine_trough", "<", 200.0, "ng/mL", R096)
IV_TROUGH_HIGH = Threshold("cyclosporine_trough", ">", 250.0, "ng/mL", R096)
SUBTHERAPEUTIC = Threshold("cyclosporine_trough", "<", 150.0, "ng/mL", R094)
C2_TARGET = Threshold("cyclosporine_c2", ">", 1000.0, "ng/mL", R095)

RECENT = timedelta(days=14)
START_GRACE = timedelta(days=3)
LEVEL_CONCEPTS = (
    "cyclosporine_trough",
    "cyclosporine_c2",
    "cyclosporine",
    "cyclosporine_post_dose",
)


def is_iv(m: MedicationEntry) -> bool:
    return m.route == "intravenous"


def route_context(m: MedicationEntry) -> str:
    """ "iv", "oral", or "unknown" (route not recorded or another route)."""
    if is_iv(m):
        return "iv"
    return "oral" if m.route == "oral" else "unknown"


def _iv_trough(v: float, comparator: str | None) -> str | None:
    low, high = IV_TROUGH_LOW.decide(v, comparator), IV_TROUGH_HIGH.decide(v, comparator)
    if low:
        return "trough below the IV target 200-250 ng/mL (R096)"
    if high:
        return "trough above the IV target 200-250 ng/mL (R096): nephrotoxicity risk"
    if low is None or high is None:
        return "trough bound cannot be compared with the IV target 200-250 ng/mL (R096)"
    return None


def _oral_c2(v: float, comparator: str | None) -> str | None:
    on_target = C2_TARGET.decide(v, comparator)
    if on_target is False:
        return f"C2 not {C2_TARGET.text} (oral target, R095)"
    if on_target is None:
        return f"C2 bound cannot be compared with the oral target {C2_TARGET.text} (R095)"
    return None


def off_target(level: Measurement, context: str | bool) -> str | None:
    """Why the level is off target for its context ("iv", "oral", "unknown"; a bool is read
    as IV yes/no), or None (on target / not judged)."""
    if isinstance(context, bool):
        context = "iv" if context else "oral"
    v, cmp = level.value, level.comparator
    if v is None:
        return None
    if level.concept == "cyclosporine_trough":
        sub = SUBTHERAPEUTIC.decide(v, cmp)
        if sub:
            return f"trough {SUBTHERAPEUTIC.text}: sub-therapeutic (Z4)"
        iv_why = _iv_trough(v, cmp)
        if context == "iv":
            return iv_why
        if context == "unknown" and iv_why:
            return f"route not recorded: if IV, {iv_why}; if oral, the C2 target applies (R095)"
        if sub is None:
            return f"trough bound cannot be compared with {SUBTHERAPEUTIC.text} (Z4)"
        return None
    if level.concept == "cyclosporine_c2" and context != "iv":
        why = _oral_c2(v, cmp)
        if why and context == "unknown":
            return f"route not recorded: if oral, {why}; if IV, the trough target applies (R096)"
        return why
    return None


TARGETS = {
    "iv": "IV: trough 200-250 ng/mL (R096)",
    "oral": "oral: C2 >1,000 ng/mL with trough monitoring (R095)",
    "unknown": (
        "route not recorded, so both: IV trough 200-250 ng/mL (R096); oral C2 >1,000 "
        "ng/mL with trough monitoring (R095)"
    ),
}
ORDERS = {
    "iv": ("cyclosporine_trough",),
    "oral": ("cyclosporine_c2",),
    "unknown": ("cyclosporine_trough", "cyclosporine_c2"),
}


def cyclosporine_level(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    meds = record.active_medications(("cyclosporine",), include_drafts=False)
    if not meds:
        return
    med = meds[0]
    context = route_context(med)
    shown = {"iv": "IV", "oral": "oral", "unknown": "route not recorded (IV and oral targets)"}
    lines = [f"{medication_text(med)}; targets for: {shown[context]}"]
    since = max(record.today - RECENT, med.start) if med.start else record.today - RECENT
    recent = [m for c in LEVEL_CONCEPTS if (m := record.latest(c)) is not None and m.when >= since]
    facts: list[Fact] = []
    problems: list[str] = []
    if not recent:
        started_long_enough = med.start is None or record.today - med.start >= START_GRACE
        if not started_long_enough:
            return
        unreadable = sorted(
            (m for c in LEVEL_CONCEPTS for m in record.uninterpretable(c, since=since)),
            key=lambda m: m.when,
        )
        if unreadable:
            last = unreadable[-1]
            problems.append(
                f"level present but unreadable ({last.original_unit or 'no unit'}, "
                f"{last.when.isoformat()})"
            )
            lines.extend(unreadable_text(m) for m in unreadable)
        else:
            gaps = missing(record, LABS)
            if gaps:
                problems.append("cyclosporine level not checked (laboratory data unavailable)")
                lines.append(f"Cyclosporine level: not assessed: {gap_text(gaps)}")
            else:
                problems.append("no cyclosporine level in the last 14 days")
                lines.append("Cyclosporine level: none in the last 14 days since the start")
    for level in sorted(recent, key=lambda m: m.when):
        facts.append(measurement_fact(level))
        why = off_target(level, context)
        timing = {"cyclosporine_trough": "trough", "cyclosporine_c2": "C2"}.get(
            level.concept, "timing not recorded: not compared with a target"
        )
        lines.append(f"{measurement_text(level)} [{timing}]" + (f": {why}" if why else ""))
        if why:
            problems.append(why)
    if not problems:
        return
    target = TARGETS[context]
    rules = (R094, R095, R096, R141)
    actions = tuple(
        Action(
            "create",
            LAB_TEMPLATES[order].text,
            lab_request(order, record.patient_id, "Cyclosporine monitoring"),
        )
        for order in ORDERS[context]
    )
    short_target = (
        "IV trough 200-250, oral C2 >1,000 ng/mL" if context == "unknown" else target.split(" (")[0]
    )
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=(f"Cyclosporine: {problems[0]}; target {short_target}."),
        patient_data=lines,
        body=(
            f"Target for this context: {target}. Below 150 ng/mL is sub-therapeutic in "
            "every context (Z4). Check creatinine with each level (CsA nephrotoxicity, "
            "R111).",
        ),
        rules=rules,
        facts=tuple(facts),
        suggestions=(
            Suggestion(
                label=(
                    "Order "
                    + " and ".join(LAB_TEMPLATES[o].text for o in ORDERS[context])
                    + " and creatinine"
                ),
                actions=(
                    *actions,
                    Action(
                        "create",
                        "Serum creatinine",
                        lab_request("creatinine", record.patient_id, "Cyclosporine monitoring"),
                    ),
                ),
            ),
        ),
        priority=11,
    )
