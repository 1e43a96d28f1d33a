"""Cyclophosphamide safety (KR §Treatment 2-2), R049; derived R142).

Recommendation (KR): CYC causes hematuria (hemorrhagic cystitis), leukopenia, neutropenia,
anemia and pneumonia: perform blood tests regularly, use mesna to prevent hemorrhagic
cystitis; long-term use is not recommended (bladder cancer, malignancy). SLS used 12 months.

When: cyclophosphamide active and any of: no blood count (WBC or CBC) in the last 14 days;
no urinalysis (urine blood) in the last 30 days; no mesna active with **IV** cyclophosphamide
(mesna belongs to the IV pulse regimen; oral CYC is not asked for it; a route not recorded is
asked "if given IV"); the course (earliest CYC
start on record) longer than 12 months (>365 days); or haematuria / low WBC flagged in the
last 30 days. Then: warning card with each item and ServiceRequest suggestions.

Decisions: 14-day blood count and 30-day urinalysis intervals are service defaults (KR says
"regularly"); a course is continuous from the earliest CYC entry ending on/after the last year.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from fhir_mappings.record import MedicationEntry, PatientRecord

from .. import drug_classes
from ..compose import finding
from ..derived import Derived
from ..evidence import Threshold
from ..facts import condition_fact, medication_fact
from ..findings import Fact, Finding, Indicator
from ..shared_rules import R049, R142
from ..text import medication_text
from .results import below_range, lab_order_suggestions, last_result

TOPIC = "cyclophosphamide-safety"


CBC_INTERVAL = Threshold("cbc_age_days", ">", 14.0, "days", R049)
UA_INTERVAL = Threshold("urinalysis_age_days", ">", 30.0, "days", R049)
COURSE_LIMIT = Threshold("cyclophosphamide_course_days", ">", 365.0, "days", R142)


@dataclass
class _Review:
    """What the card says, gathered check by check (order kept: it is the card's order)."""

    lines: list[str]
    facts: list[Fact] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)  # lab templates to suggest


def cyclophosphamide_safety(
    record: PatientRecord, derived: Derived | None = None
) -> Iterator[Finding]:
    meds = record.active_medications(drug_classes.CYCLOPHOSPHAMIDE, include_drafts=False)
    if not meds:
        return
    review = _Review(
        lines=[
            medication_text(m) if m.route else f"{medication_text(m)} (route not recorded)"
            for m in meds
        ]
    )
    _blood_count(record, review)
    _urinalysis_and_haematuria(record, review)
    _mesna(record, meds, review)
    _course_length(record, review)
    if not review.problems:
        return
    suggestions = lab_order_suggestions(record, review.orders, "Cyclophosphamide monitoring")
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=(
            f"Cyclophosphamide: {', '.join(review.problems)} (blood tests, mesna with IV pulses, "
            "no long-term use)."
        ),
        why=review.lines,
        body=(
            "Haematuria, leukopenia, neutropenia, anaemia and pneumonia: regular blood tests; "
            "mesna with IV pulses; long-term use not recommended (bladder cancer). The "
            "Scleroderma Lung Study courses lasted 12 months. Liver tests also.",
        ),
        rules=(R049, R142),
        facts=tuple(review.facts),
        suggestions=suggestions,
        selection_behavior="any" if suggestions else None,
        priority=13,
    )


def _blood_count(record: PatientRecord, review: _Review) -> None:
    """Is a blood count overdue (>14 days), and is the white count low in the last 30 days?"""
    wbc = last_result(record, ("wbc",))
    if wbc is None or CBC_INTERVAL.holds((record.today - wbc.when).days):
        review.problems.append("blood count overdue")
        review.orders.append("cbc_panel")
        review.lines.append(
            f"Blood count: {wbc.text if wbc else 'none on record'} "
            f"(due every {int(CBC_INTERVAL.value)} days)"
        )
    else:
        review.lines.append(f"Blood count: {wbc.text}")
    low_wbc = record.latest("wbc", within=timedelta(days=30))
    if wbc is not None:
        review.facts.append(wbc.fact)
    if low_wbc is not None and below_range(low_wbc):
        review.problems.append("leukopenia")


def _urinalysis_and_haematuria(record: PatientRecord, review: _Review) -> None:
    """Is a urinalysis overdue (>30 days), and is there haematuria in the last 30 days?"""
    today = record.today
    ua = last_result(record, ("urine_blood",))
    if ua is None or UA_INTERVAL.holds((today - ua.when).days):
        review.problems.append("urinalysis overdue")
        review.orders.append("urinalysis_panel")
        review.lines.append(
            f"Urinalysis: {ua.text if ua else 'none on record'} "
            f"(due every {int(UA_INTERVAL.value)} days)"
        )
    else:
        review.lines.append(f"Urinalysis: {ua.text}")
    if ua is not None:
        review.facts.append(ua.fact)
        if today - ua.when <= timedelta(days=30) and ua.abnormal:
            review.problems.append("haematuria")
    hematuria = record.condition("hematuria", since=today - timedelta(days=30))
    if hematuria is not None and "haematuria" not in review.problems:
        review.problems.append("haematuria")
        review.facts.append(condition_fact(hematuria))


def _mesna(record: PatientRecord, meds: list[MedicationEntry], review: _Review) -> None:
    """Is mesna missing with IV (or route-unknown) cyclophosphamide?"""
    routes = {m.route for m in meds}
    if routes != {"oral"} and not record.active_medications(("mesna",), include_drafts=True):
        iv = "intravenous" in routes
        review.problems.append("no mesna" if iv else "no mesna if given IV")
        review.lines.append(
            "Mesna: none active (mesna protects against haemorrhagic cystitis with IV pulses"
            + (")" if iv else "; the route is not recorded)")
        )


def _course_length(record: PatientRecord, review: _Review) -> None:
    """Has the course (earliest cyclophosphamide start on record) run over 12 months?"""
    today = record.today
    starts = [
        m.start
        for m in record.medications_since(
            drug_classes.CYCLOPHOSPHAMIDE, today - timedelta(days=365)
        )
        if m.start is not None
    ]
    if not starts:
        return
    first = min(starts)
    course = (today - first).days
    review.lines.append(f"Course: since {first.isoformat()} ({course} days)")
    review.facts += [
        medication_fact(m, m.start)
        for m in record.medications_since(drug_classes.CYCLOPHOSPHAMIDE, first)
        if m.start == first
    ][:1]
    if COURSE_LIMIT.holds(course):
        review.problems.append("course over 12 months")
