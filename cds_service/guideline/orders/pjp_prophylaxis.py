"""Pneumocystis prophylaxis with an intensive regimen (topic ``order-pjp-prophylaxis``).

Sources: JP §Importance of monitoring (R111(c)): "prophylactic trimethoprim-sulfamethoxazole
for Pneumocystis pneumonia" during DM/PM-ILD treatment; derived intensive-immunosuppression
bundle R141 (GC with CsA/TAC and/or CY: check TMP-SMX prophylaxis). Clinical anchor B15
(EULAR 2022): prophylaxis when prednisolone-equivalent ≥15 mg/day is combined with a second
immunosuppressant, or after a GC pulse; regimen TMP-SMX 480 mg daily.

When a focused draft is a glucocorticoid or a second immunosuppressant, the record is projected
as if the drafts were signed (``common.projected_record``: a draft replaces the active order of
the same drug) and asked the patient-view question (``safety.regimen.assess_regimen``):
intensive = prednisolone-equivalent ≥15 mg/day plus CsA, TAC, CYC, mycophenolate,
azathioprine, rituximab or a JAK inhibitor, or a GC pulse (≥250 mg/day prednisolone-eq) in
the last 28 days. Then, with no TMP-SMX, atovaquone, dapsone or pentamidine active or drafted:
- intensive → warning, with a recommended ``create`` of TMP-SMX 480 mg once daily
  (the ``suggestions.medications`` template, RxNorm 198334);
- cannot decide (a GC dose unreadable next to a second immunosuppressant) → info saying so.
When the active medications could not be had for this call (``PatientRecord.missing_data``:
``medications``/``medication_statements``), "no prophylaxis is active" and "not intensive" cannot
be concluded (an unseen active TMP-SMX, or an unseen second agent, may exist):
- intensive with the drafts alone → info; the TMP-SMX ``create`` is offered but **not**
  recommended, and the card says active prophylaxis could not be checked (a possible duplicate);
- not intensive with what is seen → info: whether the regimen is intensive could not be decided.
Using the patient-view definition means signing the drafts never produces a
``pjp-prophylaxis`` patient-view card that this order check did not announce.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fhir_mappings.record import MedicationEntry, PatientRecord

from ..compose import finding
from ..data_gaps import MEDICATIONS, gap_text
from ..findings import Fact, Finding, Indicator, Suggestion
from ..safety.pjp_prophylaxis import has_pjp_prophylaxis
from ..safety.regimen import GC_INTENSIVE, PULSE_LOOKBACK, RegimenAssessment, assess_regimen
from ..shared_rules import B15, R111, R141
from ..suggestions.orders import tmp_smx_prophylaxis
from ..text import label, threshold_text
from . import common
from .common import dose_text

if TYPE_CHECKING:
    from fhir_mappings.orders import OrderSet

TOPIC = "order-pjp-prophylaxis"


_AGENTS = common.GLUCOCORTICOIDS | common.SECOND_IMMUNOSUPPRESSANTS


_RULES = (R111, R141, B15)
INDICATION = (
    f"prednisolone-equivalent {threshold_text(GC_INTENSIVE)} with a second immunosuppressant, "
    f"or a glucocorticoid pulse in the last {PULSE_LOOKBACK.days} days, calls for "
    "trimethoprim-sulfamethoxazole "
    "(TMP-SMX) prophylaxis."
)


def check(record: PatientRecord, orders: OrderSet) -> Iterator[Finding]:
    drafts = common.focused(orders, _AGENTS)
    if not drafts or not common.in_scope(record):
        return
    projected = common.projected_record(record, orders)
    if has_pjp_prophylaxis(projected):
        return
    assessment = assess_regimen(projected)
    gaps = record.missing_data(*MEDICATIONS)
    if assessment.intensive is False and not gaps:
        return
    agents = common.of_class(common.regimen(record, orders), _AGENTS)
    agent_lines = _agent_lines(agents)
    facts = tuple(common.dose_fact(m, record) for m in agents)
    if assessment.intensive is not True:
        yield _intensity_undecided(assessment, agent_lines, facts, gaps)
        return
    yield _prophylaxis_missing(record, assessment, agent_lines, facts, gaps)


def _agent_lines(agents: list[MedicationEntry]) -> list[str]:
    """Each glucocorticoid / second immunosuppressant with its dose, draft or active."""
    return [
        f"{label(m.concept)} {dose_text(m)}{' (draft)' if m.is_draft else ' (active)'}"
        for m in agents
    ]


def _medications_not_checked(gaps: dict[str, str]) -> list[str]:
    """Why lines: the active medications that could not be had for this call."""
    if not gaps:
        return []
    return [
        "Active medications: "
        + gap_text(gaps)
        + "; an active Pneumocystis prophylaxis or immunosuppressant may not be shown"
    ]


def _intensity_undecided(
    assessment: RegimenAssessment,
    agent_lines: list[str],
    facts: tuple[Fact, ...],
    gaps: dict[str, str],
) -> Finding:
    """Info: whether the regimen is intensive could not be decided (dose or medications)."""
    unreadable = assessment.intensive is None
    return finding(
        topic=TOPIC,
        indicator=Indicator.INFO,
        summary="Whether this regimen needs Pneumocystis prophylaxis could not be decided: "
        + (
            "a glucocorticoid dose is unreadable."
            if unreadable
            else "active medications unavailable."
        ),
        why=[
            *(assessment.reasons or ("Not intensive with the drafts and the medications seen",)),
            *agent_lines,
        ],
        what_to_do=(
            ("Check the glucocorticoid dose: " if unreadable else "Check the active medications: ")
            + INDICATION,
        ),
        not_assessed=_medications_not_checked(gaps),
        rules=_RULES,
        facts=facts,
        override_reasons=common.OVERRIDE_REASONS,
    )


def _tmp_smx_suggestions(record: PatientRecord, gaps: dict[str, str]) -> tuple[Suggestion, ...]:
    """Order TMP-SMX: recommended only when active prophylaxis could be checked."""
    if record.patient_id is None:
        return ()
    return (
        Suggestion(
            label="Order TMP-SMX 480 mg once daily (Pneumocystis prophylaxis)"
            + (": first check no prophylaxis is already active" if gaps else ""),
            actions=(tmp_smx_prophylaxis(record.patient_id),),
            is_recommended=not gaps,
        ),
    )


def _no_prophylaxis_texts(gaps: dict[str, str]) -> tuple[str, str]:
    """(summary, why line): no prophylaxis seen, or active prophylaxis not checkable."""
    if gaps:
        return (
            "Intensive immunosuppression ordered: active Pneumocystis prophylaxis could not be "
            "checked (medications unavailable).",
            "No Pneumocystis prophylaxis is drafted; whether one is already **active could not be "
            "checked**: " + gap_text(gaps) + ". Check before ordering TMP-SMX (a possible "
            "duplicate).",
        )
    return (
        "Intensive immunosuppression ordered without Pneumocystis prophylaxis: consider TMP-SMX.",
        "No Pneumocystis prophylaxis (TMP-SMX, atovaquone, dapsone, pentamidine) is "
        "active or drafted.",
    )


def _prophylaxis_missing(
    record: PatientRecord,
    assessment: RegimenAssessment,
    agent_lines: list[str],
    facts: tuple[Fact, ...],
    gaps: dict[str, str],
) -> Finding:
    """Intensive with the drafts and no prophylaxis seen: warning (info when unchecked)."""
    summary, prophylaxis_line = _no_prophylaxis_texts(gaps)
    suggestions = _tmp_smx_suggestions(record, gaps)
    return finding(
        topic=TOPIC,
        indicator=Indicator.INFO if gaps else Indicator.WARNING,
        summary=summary,
        why=[
            "With the draft order(s) the regimen is intensive: " + "; ".join(assessment.reasons),
            *agent_lines,
            prophylaxis_line,
        ],
        body=(
            "The Japanese review lists prophylactic trimethoprim-sulfamethoxazole (TMP-SMX) in "
            "intensive DM/PM-ILD treatment; EULAR 2022: 480 mg daily (or 3 × 480 mg weekly); "
            "glucocorticoid ≥30 mg/day for ≥4 weeks: hazard ratio 0.07 for Pneumocystis "
            "pneumonia.",
        ),
        rules=_RULES,
        facts=facts,
        suggestions=suggestions,
        selection_behavior="at-most-one" if suggestions else None,
        override_reasons=common.OVERRIDE_REASONS,
    )
