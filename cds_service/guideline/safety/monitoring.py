"""Monitoring during intensive immunosuppression (JP R111; derived R141).

Recommendation (JP §Importance of monitoring): watch adverse events including opportunistic
infection: plasma beta-D-glucan (Pneumocystis and fungi), CMV antigenemia (CMV
reactivation), nephrotoxicity and hepatotoxicity of CsA, hepatotoxicity of CY; "clinical
status can deteriorate to mechanical ventilation within a few days, so monitoring must be
tight".

When: an intensive regimen (``regimen.assess_regimen``) and any monitoring item overdue, or a
monitoring result of the interval abnormal (beta-D-glucan or CMV positive / flagged;
creatinine, ALT or AST above the reference range or flagged high). Then: warning card listing
each item with its last date and due date, with ServiceRequest suggestions for what is due.

On tacrolimus, a creatinine >=30% above its pre-treatment value counts as an abnormal result
(``cni_renal``; on cyclosporine the ``cyclosporine-level`` card says it).

When whether the regimen is intensive cannot be decided (``intensive is None``: a
glucocorticoid dose unreadable beside a second immunosuppressant), the same checks run and
the card is ``info`` with the reason (never silence). With ``labs`` unavailable for this call
an item without a result is "not assessed", not "none on record".

Decisions (JP gives no interval): every item is due **14 days** after its last result (a
service default for the intensive phase; "tight" monitoring). CMV = pp65 antigenemia or CMV
DNA. Liver tests = ALT or AST (either counts). "Abnormal" is read from the result's own
interpretation flag or reference range; a bare number without either is shown, not judged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from fhir_mappings.record import PatientRecord

from ..compose import finding
from ..data_gaps import LABS, gap_text
from ..derived import Derived
from ..evidence import Threshold
from ..facts import medication_fact
from ..findings import Fact, Finding, Indicator
from ..shared_rules import R111, R141
from .cni_renal import creatinine_check
from .regimen import RegimenAssessment, assess_regimen
from .results import lab_order_suggestions, last_result

_REGIMEN_CLASSES = frozenset({"glucocorticoid", "calcineurin_inhibitor", "cyclophosphamide"})

TOPIC = "immunosuppression-monitoring"

INTERVAL = Threshold("monitoring_age_days", ">", 14.0, "days", R141)


@dataclass(frozen=True)
class Item:
    label: str
    concepts: tuple[str, ...]  # results that count
    order: str  # lab template to suggest


ITEMS = (
    Item("beta-D-glucan", ("beta_d_glucan",), "beta_d_glucan"),
    Item("CMV antigenemia / CMV DNA", ("cmv_pp65", "cmv_dna"), "cmv_pp65"),
    Item("creatinine", ("creatinine",), "creatinine"),
    Item("liver tests (ALT/AST)", ("alt", "ast"), "liver_panel"),
)


@dataclass
class _Review:
    """What the card says, gathered check by check (order kept: it is the card's order)."""

    lines: list[str]
    facts: list[Fact]
    due: list[Item] = field(default_factory=list)
    abnormal: list[str] = field(default_factory=list)


def immunosuppression_monitoring(
    record: PatientRecord, derived: Derived | None = None
) -> Iterator[Finding]:
    regimen = derived.regimen if derived is not None else assess_regimen(record)
    if regimen.intensive is False:
        return
    undecided = regimen.intensive is None
    review = _Review(lines=_regimen_lines(regimen), facts=_regimen_facts(record))
    _overdue_and_abnormal_tests(record, review)
    _tacrolimus_creatinine_rise(record, review)
    if not review.due and not review.abnormal:
        return
    review.lines += [f"Abnormal: {a}" for a in review.abnormal]
    suggestions = lab_order_suggestions(
        record, [i.order for i in review.due], "Intensive immunosuppression"
    )
    yield finding(
        topic=TOPIC,
        indicator=Indicator.INFO if undecided else Indicator.WARNING,
        summary=_summary(review, undecided),
        why=review.lines,
        body=(
            "Japanese review: beta-D-glucan, cytomegalovirus (CMV) antigenemia, renal and "
            "hepatic function during intensive therapy; deterioration can happen within days. "
            f"Each item {INTERVAL.text} old is overdue.",
        ),
        rules=(R111, R141),
        facts=tuple(review.facts),
        suggestions=suggestions,
        selection_behavior="any" if suggestions else None,
        priority=9,
    )


def _regimen_lines(regimen: RegimenAssessment) -> list[str]:
    """Why the regimen is intensive, or why that cannot be decided."""
    undecided = regimen.intensive is None
    return [
        ("Whether the regimen is intensive cannot be decided: " if undecided else "Regimen: ")
        + reason
        for reason in regimen.reasons
    ]


def _regimen_facts(record: PatientRecord) -> list[Fact]:
    """The regimen the monitoring is for: active glucocorticoid, CNI, cyclophosphamide."""
    return [
        medication_fact(m)
        for m in record.active_medications(include_drafts=False)
        if m.classes & _REGIMEN_CLASSES
    ]


def _overdue_and_abnormal_tests(record: PatientRecord, review: _Review) -> None:
    """Which monitoring tests are overdue (>14 days or none), and which recent ones abnormal?"""
    lab_gaps = record.missing_data(*LABS)
    window_start = record.today - timedelta(days=int(INTERVAL.value))
    for item in ITEMS:
        last = last_result(record, item.concepts)
        if last is None:
            if lab_gaps:
                review.lines.append(f"{item.label}: not assessed ({gap_text(lab_gaps)})")
                continue
            review.lines.append(f"{item.label}: none on record (due now)")
            review.due.append(item)
            continue
        review.facts.append(last.fact)
        age = (record.today - last.when).days
        due_on = last.when + timedelta(days=int(INTERVAL.value))
        if last.abnormal and last.when >= window_start:
            review.abnormal.append(f"{last.text}: positive / above the reference range")
        if INTERVAL.holds(age):
            review.due.append(item)
            review.lines.append(f"{item.label}: last {last.text}, due {due_on.isoformat()}")
        else:
            review.lines.append(f"{item.label}: last {last.text}")


def _tacrolimus_creatinine_rise(record: PatientRecord, review: _Review) -> None:
    """On tacrolimus, has creatinine risen from its pre-treatment value?"""
    for cni in record.active_medications(("tacrolimus",), include_drafts=False)[:1]:
        renal = creatinine_check(record, cni)  # cyclosporine: the cyclosporine-level card
        if renal.risen:
            review.abnormal.append(f"on tacrolimus, {renal.problem}")
            review.lines += renal.lines
            review.facts += renal.facts


def _summary(review: _Review, undecided: bool) -> str:
    parts = []
    if review.due:
        parts.append(", ".join(i.label for i in review.due) + " overdue")
    if review.abnormal:
        parts.append("abnormal result")
    if undecided:
        return (
            f"Immunosuppression (intensity cannot be decided: a glucocorticoid dose is "
            f"unreadable): {'; '.join(parts)}."
        )
    return f"Intensive immunosuppression: {'; '.join(parts)}."
