"""Cyclosporine blood level and renal function on cyclosporine (JP R094-R096, R110, R111;
conflict note Z4).

Recommendation (JP §Cyclosporine): maintain the CsA concentration; a low level or delay in
reaching it lets ILD progress (R094). Kotani: C2 kept >1,000 ng/mL, monitor trough and C2
(R095). IV CsA: infuse over 12 h daily from 200 mg/day, adjusted to a trough of 200-250 ng/mL
(R096). Triple therapy (Kameda): trough 150-250 ng/mL (R110). Z4: IV trough 200-250; oral C2
>1,000 with trough monitoring; below 150 ng/mL is sub-therapeutic in all contexts. JP
§Importance of monitoring: nephrotoxicity of CsA (R111).

When: cyclosporine active, and no level (trough, C2, or untimed) in the last 14 days once
3 days have passed since the start; or the latest level is off target for its context:
- IV cyclosporine: trough outside 200-250 ng/mL;
- oral: C2 not >1,000 ng/mL;
- any route: a trough >250 ng/mL (above every trough target the seeds give: IV 200-250,
  triple therapy 150-250; nephrotoxicity);
- route not recorded: the level is judged against both contexts and the card says which
  target applies to which route (an IV trough of 180 is flagged "if IV");
- any context and **any timing**: a level <150 ng/mL (Z4). A level whose timing is not
  recorded (the untimed LOINC code) is at least the trough, so <150 is sub-therapeutic
  whatever its timing; an untimed level >=150 is shown, not compared with a target;
- renal function: creatinine >=30% above its pre-treatment value, or above the laboratory's
  range when no pre-treatment value exists (``cni_renal``).
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
from datetime import date, timedelta

from fhir_mappings.record import Measurement, MedicationEntry, PatientRecord

from ..compose import finding
from ..data_gaps import LABS, gap_text
from ..derived import Derived
from ..evidence import Threshold
from ..facts import measurement_fact, medication_fact
from ..findings import Action, Fact, Finding, Indicator, Suggestion
from ..shared_rules import R094, R095, R096, R110, R111, R141
from ..suggestions.labs import LAB_TEMPLATES, lab_request
from ..text import measurement_text, medication_text, number, threshold_text, unreadable_text
from .cni_renal import creatinine_check

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


def route_context(m: MedicationEntry) -> str:
    """ "iv", "oral", or "unknown" (route not recorded or another route)."""
    return {"intravenous": "iv", "oral": "oral"}.get(m.route or "", "unknown")


IV_TARGET = f"{number(IV_TROUGH_LOW.value)}-{number(IV_TROUGH_HIGH.value)} ng/mL"
C2_TEXT = threshold_text(C2_TARGET)
SUB_TEXT = threshold_text(SUBTHERAPEUTIC)


def _iv_trough(v: float, comparator: str | None) -> str | None:
    low, high = IV_TROUGH_LOW.decide(v, comparator), IV_TROUGH_HIGH.decide(v, comparator)
    if low:
        return f"trough below the IV target {IV_TARGET}"
    if high:
        return f"trough above the IV target {IV_TARGET}: nephrotoxicity risk"
    if low is None or high is None:
        return f"trough bound cannot be compared with the IV target {IV_TARGET}"
    return None


def _oral_c2(v: float, comparator: str | None) -> str | None:
    on_target = C2_TARGET.decide(v, comparator)
    if on_target is False:
        return f"C2 not {C2_TEXT} (oral target)"
    if on_target is None:
        return f"C2 bound cannot be compared with the oral target {C2_TEXT}"
    return None


def _trough(v: float, cmp: str | None, context: str) -> str | None:
    sub = SUBTHERAPEUTIC.decide(v, cmp)
    if sub:
        return f"trough {SUB_TEXT}: sub-therapeutic"
    if context != "iv" and IV_TROUGH_HIGH.decide(v, cmp):
        return (
            f"trough {threshold_text(IV_TROUGH_HIGH)}, above every trough target (IV "
            f"{IV_TARGET}, triple therapy 150-250 ng/mL): nephrotoxicity risk"
        )
    iv_why = _iv_trough(v, cmp)
    if context == "iv":
        return iv_why
    if context == "unknown" and iv_why:
        return f"route not recorded: if IV, {iv_why}; if oral, the C2 target applies"
    if sub is None:
        return f"trough bound cannot be compared with {SUB_TEXT}"
    return None


def off_target(level: Measurement, context: str) -> str | None:
    """Why the level is off target for its context ("iv", "oral", "unknown"), or None (on
    target / not judged)."""
    v, cmp = level.value, level.comparator
    if v is None:
        return None
    if level.concept == "cyclosporine_trough":
        return _trough(v, cmp, context)
    if level.concept in ("cyclosporine", "cyclosporine_post_dose"):
        # untimed or post-dose: at least the trough, so <150 is sub-therapeutic (Z4)
        if SUBTHERAPEUTIC.decide(v, cmp):
            return f"level {SUB_TEXT} (timing not recorded): sub-therapeutic whatever the timing"
        return None
    if level.concept == "cyclosporine_c2" and context != "iv":
        if SUBTHERAPEUTIC.decide(v, cmp):
            return f"C2 {SUB_TEXT}: sub-therapeutic"
        why = _oral_c2(v, cmp)
        if why and context == "unknown":
            return f"route not recorded: if oral, {why}; if IV, the trough target applies"
        return why
    return None


TARGETS = {
    "iv": f"IV: trough {IV_TARGET}",
    "oral": f"oral: C2 {C2_TEXT} with trough monitoring",
    "unknown": (
        f"route not recorded, so both: IV trough {IV_TARGET}; oral C2 {C2_TEXT} with trough "
        "monitoring"
    ),
}
ORDERS = {
    "iv": ("cyclosporine_trough",),
    "oral": ("cyclosporine_c2",),
    "unknown": ("cyclosporine_trough", "cyclosporine_c2"),
}


def _no_recent_level(record: PatientRecord, since: date, lines: list[str]) -> str:
    """Why there is no recent level to judge: unreadable, not assessable, or none."""
    unreadable = sorted(
        (m for c in LEVEL_CONCEPTS for m in record.uninterpretable(c, since=since)),
        key=lambda m: m.when,
    )
    if unreadable:
        lines.extend(unreadable_text(m) for m in unreadable)
        last = unreadable[-1]
        return (
            f"level present but unreadable ({last.original_unit or 'no unit'}, "
            f"{last.when.isoformat()})"
        )
    gaps = record.missing_data(*LABS)
    if gaps:
        lines.append(f"Cyclosporine level: not assessed: {gap_text(gaps)}")
        return "cyclosporine level not checked (laboratory data unavailable)"
    lines.append(f"Cyclosporine level: none in the last {RECENT.days} days since the start")
    return f"no cyclosporine level in the last {RECENT.days} days"


def _levels(
    record: PatientRecord, med: MedicationEntry, context: str
) -> tuple[list[str], list[str], list[Fact]] | None:
    """(problems, lines, facts) of the recent levels; None while the start grace runs."""
    since = max(record.today - RECENT, med.start) if med.start else record.today - RECENT
    recent = [m for c in LEVEL_CONCEPTS if (m := record.latest(c)) is not None and m.when >= since]
    problems: list[str] = []
    lines: list[str] = []
    facts: list[Fact] = []
    if not recent:
        if med.start is not None and record.today - med.start < START_GRACE:
            return None
        problems.append(_no_recent_level(record, since, lines))
    for level in sorted(recent, key=lambda m: m.when):
        facts.append(measurement_fact(level))
        why = off_target(level, context)
        timing = {"cyclosporine_trough": "trough", "cyclosporine_c2": "C2"}.get(
            level.concept, "timing not recorded"
        )
        lines.append(f"{measurement_text(level)} [{timing}]" + (f": {why}" if why else ""))
        if why:
            problems.append(why)
    return problems, lines, facts


def _suggestion(record: PatientRecord, context: str) -> Suggestion:
    orders = (*ORDERS[context], "creatinine")
    return Suggestion(
        label="Order " + " and ".join(LAB_TEMPLATES[o].text for o in orders),
        actions=tuple(
            Action(
                "create",
                LAB_TEMPLATES[o].text,
                lab_request(o, record.patient_id, "Cyclosporine monitoring"),
            )
            for o in orders
        ),
    )


def _summary(problem: str, target: str) -> str:
    with_target = f"Cyclosporine: {problem}; target {target}."
    return with_target if len(with_target) < 140 else f"Cyclosporine: {problem}."


def cyclosporine_level(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    meds = record.active_medications(("cyclosporine",), include_drafts=False)
    if not meds:
        return
    med = meds[0]
    context = route_context(med)
    levels = _levels(record, med, context)
    renal = creatinine_check(record, med)
    problems, lines, facts = levels if levels is not None else ([], [], [])
    if renal.problem:
        problems.append(renal.problem)
    if not problems:
        return
    shown = {"iv": "IV", "oral": "oral", "unknown": "route not recorded (IV and oral targets)"}
    short_target = (
        f"IV trough {IV_TARGET}, oral C2 {C2_TEXT}"
        if context == "unknown"
        else TARGETS[context].replace(" with trough monitoring", "")
    )
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=_summary(problems[0], short_target),
        why=[f"{medication_text(med)}; targets for: {shown[context]}", *lines, *renal.lines],
        body=(
            f"Target for this context: {TARGETS[context]}. Below {SUB_TEXT[1:]} is "
            "sub-therapeutic in every context and at any timing. Check creatinine with each "
            "level (cyclosporine nephrotoxicity).",
        ),
        rules=(R094, R095, R096, R110, R111, R141),
        facts=(medication_fact(med), *facts, *renal.facts),
        suggestions=(_suggestion(record, context),),
        priority=11,
    )
