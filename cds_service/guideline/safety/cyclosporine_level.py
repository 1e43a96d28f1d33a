"""Cyclosporine blood level: missing or off target (JP R094-R096; conflict note Z4).

Recommendation (JP §Cyclosporine): maintain the CsA concentration; a low level or delay in
reaching it lets ILD progress (R094). Kotani: C2 kept >1,000 ng/mL, monitor trough and C2
(R095). IV CsA: infuse over 12 h daily from 200 mg/day, adjusted to a trough of 200-250 ng/mL
(R096). Z4: IV trough 200-250; oral C2 >1,000 with trough monitoring; below 150 ng/mL is
sub-therapeutic in all contexts.

When: cyclosporine active, and no level (trough, C2, or untimed) in the last 14 days once
3 days have passed since the start; or the latest level is off target for its context:
- IV cyclosporine: trough outside 200-250 ng/mL;
- oral (or route unknown): C2 not >1,000 ng/mL;
- any context: trough <150 ng/mL (sub-therapeutic).
An untimed level is shown but not judged against a target (timing decides the target).
Then: warning card with the level, its date and the target, and a suggestion to order the
level and a creatinine.

Decisions: 14-day recency and the 3-day start grace are service defaults (JP gives none).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from fhir_mappings.record import Measurement, MedicationEntry, PatientRecord

from ..compose import finding
from ..evidence import Threshold
from ..facts import measurement_fact
from ..findings import Action, Fact, Finding, Indicator, Suggestion
from ..shared_rules import R094, R095, R096, R141
from ..suggestions.labs import LAB_TEMPLATES, lab_request
from ..text import measurement_text, medication_text

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


def off_target(level: Measurement, iv: bool) -> str | None:
    """Why the level is off target for its context, or None (on target / not judged)."""
    v = level.value
    if v is None:
        return None
    if level.concept == "cyclosporine_trough":
        if SUBTHERAPEUTIC.holds(v):
            return f"trough {SUBTHERAPEUTIC.text}: sub-therapeutic (Z4)"
        if iv and IV_TROUGH_LOW.holds(v):
            return "IV trough below the 200-250 ng/mL target (R096)"
        if iv and IV_TROUGH_HIGH.holds(v):
            return "IV trough above the 200-250 ng/mL target (R096): nephrotoxicity risk"
        return None
    if level.concept == "cyclosporine_c2" and not iv and not C2_TARGET.holds(v):
        return f"oral C2 not {C2_TARGET.text} (R095)"
    return None


def cyclosporine_level(record: PatientRecord) -> Iterator[Finding]:
    meds = record.active_medications(("cyclosporine",), include_drafts=False)
    if not meds:
        return
    med = meds[0]
    iv = is_iv(med)
    context = (
        "IV" if iv else ("oral" if med.route == "oral" else "route not recorded (oral targets)")
    )
    lines = [f"{medication_text(med)}; targets for: {context}"]
    since = max(record.today - RECENT, med.start) if med.start else record.today - RECENT
    recent = [m for c in LEVEL_CONCEPTS if (m := record.latest(c)) is not None and m.when >= since]
    facts: list[Fact] = []
    problems: list[str] = []
    if not recent:
        started_long_enough = med.start is None or record.today - med.start >= START_GRACE
        if not started_long_enough:
            return
        problems.append("no cyclosporine level in the last 14 days")
        lines.append("Cyclosporine level: none in the last 14 days since the start")
    for level in sorted(recent, key=lambda m: m.when):
        facts.append(measurement_fact(level))
        why = off_target(level, iv)
        timing = {"cyclosporine_trough": "trough", "cyclosporine_c2": "C2"}.get(
            level.concept, "timing not recorded: not compared with a target"
        )
        lines.append(f"{measurement_text(level)} [{timing}]" + (f": {why}" if why else ""))
        if why:
            problems.append(why)
    if not problems:
        return
    target = (
        "IV: trough 200-250 ng/mL (R096)"
        if iv
        else "oral: C2 >1,000 ng/mL with trough monitoring (R095)"
    )
    rules = (R094, R095, R096, R141)
    order = "cyclosporine_trough" if iv else "cyclosporine_c2"
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=(f"Cyclosporine: {problems[0]}; target {target.split(' (')[0]}."),
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
                label=f"Order {LAB_TEMPLATES[order].text} and creatinine",
                actions=(
                    Action(
                        "create",
                        LAB_TEMPLATES[order].text,
                        lab_request(order, record.patient_id, "Cyclosporine monitoring"),
                    ),
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
