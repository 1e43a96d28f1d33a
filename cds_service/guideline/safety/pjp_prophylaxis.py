"""Pneumocystis prophylaxis during intensive immunosuppression (JP R111; derived R141;
EULAR 2022, B15).

Recommendation: JP §Importance of monitoring lists "prophylactic trimethoprim-
sulfamethoxazole for Pneumocystis pneumonia" among the adverse-event measures of intensive
DM/PM-ILD therapy; EULAR 2022: consider prophylaxis with prednisolone-equivalent >15-30 mg/day
for >2-4 weeks, especially with other immunosuppressants (TMP-SMX 480 mg daily or 3 x 480 mg
weekly; GC >=30 mg/day >=4 weeks: HR 0.07).

When: an intensive regimen (``regimen.assess_regimen``: GC >=15 mg/day pred-eq plus a second
immunosuppressant, or a GC pulse in the last 28 days) and no PJP prophylaxis active or drafted
(TMP-SMX, trimethoprim + sulfamethoxazole, atovaquone, dapsone, pentamidine). Then: warning
card with a suggestion to create a TMP-SMX 480 mg daily MedicationRequest. When a GC dose
cannot be read (regimen undecidable): info card saying so, the same suggestion not marked as
recommended.

With ``medications``/``medication_statements`` unavailable for this call neither the regimen
nor the prophylaxis can be known. For a patient with a CTD-ILD (or an immunosuppressant seen
in the part that did arrive) and no prophylaxis seen: ``info`` card saying the check could not
be done, the suggestion not marked as recommended (never "no prophylaxis").
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.record import PatientRecord

from .. import drug_classes
from ..compose import finding
from ..data_gaps import MEDICATIONS, gap_text
from ..derived import Derived
from ..diseases import ctd_groups, has_ild, ild_entry
from ..evidence import fmt_number
from ..facts import condition_fact, medication_fact, prednisolone_equivalent_fact
from ..findings import Action, Finding, Indicator, Suggestion
from ..shared_rules import B15, R111, R141
from ..suggestions.medications import (
    TMP_SMX_REGIMEN_SOURCE,
    TMP_SMX_REGIMEN_TEXT,
    tmp_smx_prophylaxis_request,
)
from ..text import medication_text
from .regimen import GC_INTENSIVE, PULSE_LOOKBACK, RegimenAssessment, assess_regimen

TOPIC = "pjp-prophylaxis"
RULES = (R111, R141, B15)
INTENSIVE_DEFINITION = (
    "Service definition of an intensive regimen: prednisolone-equivalent "
    f"{GC_INTENSIVE.op}{fmt_number(GC_INTENSIVE.value)} {GC_INTENSIVE.unit} with a "
    f"second immunosuppressant, or a glucocorticoid pulse in the last {PULSE_LOOKBACK.days} days."
)


def has_pjp_prophylaxis(record: PatientRecord) -> bool:
    return bool(record.active_medications(drug_classes.PJP_PROPHYLAXIS, include_drafts=True))


def pjp_prophylaxis(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    regimen = derived.regimen if derived is not None else assess_regimen(record)
    if has_pjp_prophylaxis(record):
        return
    gaps = record.missing_data(*MEDICATIONS)
    if gaps:
        if regimen.intensive is not False or (has_ild(record) and ctd_groups(record)):
            yield _not_checked(record, regimen, gaps)
        return
    if regimen.intensive is False:
        return
    lines = list(regimen.gc.describe())
    lines += [medication_text(m) for m in regimen.partners]
    lines += [f"Regimen: {reason}" for reason in regimen.reasons]
    lines.append("PJP prophylaxis (TMP-SMX, atovaquone, dapsone, pentamidine): none active")
    facts = [prednisolone_equivalent_fact(regimen.gc.known_mg, record.today)]
    facts += [medication_fact(m) for m in regimen.partners]
    suggestion = Suggestion(
        label="Start TMP-SMX 480 mg once daily (PJP prophylaxis)",
        actions=(
            Action(
                "create",
                f"{TMP_SMX_REGIMEN_TEXT} ({TMP_SMX_REGIMEN_SOURCE})",
                tmp_smx_prophylaxis_request(record.patient_id),
            ),
        ),
        is_recommended=regimen.intensive is True,
    )
    undecided = regimen.intensive is None  # a glucocorticoid dose unreadable
    yield finding(
        topic=TOPIC,
        indicator=Indicator.INFO if undecided else Indicator.WARNING,
        summary=(
            "Immunosuppressant with a glucocorticoid of unreadable dose and no PJP "
            "prophylaxis: check whether TMP-SMX is indicated."
            if undecided
            else "Intensive immunosuppression without Pneumocystis prophylaxis: start TMP-SMX "
            "480 mg daily (EULAR 2022, JP)."
        ),
        why=lines,
        body=(
            f"Suggested regimen: {TMP_SMX_REGIMEN_TEXT} ({TMP_SMX_REGIMEN_SOURCE}); adjust for "
            "renal function; atovaquone, dapsone or pentamidine if TMP-SMX cannot be used.",
            INTENSIVE_DEFINITION,
        ),
        rules=RULES,
        facts=tuple(facts),
        suggestions=(suggestion,),
        priority=20 if undecided else 8,
    )


def _not_checked(
    record: PatientRecord, regimen: RegimenAssessment, gaps: dict[str, str]
) -> Finding:
    """Medication data unavailable: the regimen and the prophylaxis cannot be known."""
    lines = list(regimen.gc.describe()) + [medication_text(m) for m in regimen.partners]
    lines += [f"Regimen (data seen): {reason}" for reason in regimen.reasons]
    lines.append(f"Medications: not assessed: {gap_text(gaps)}")
    return finding(
        topic=TOPIC,
        indicator=Indicator.INFO,
        summary=(
            "Intensive immunosuppression seen, but medication data unavailable: Pneumocystis "
            "prophylaxis could not be checked."
            if regimen.intensive
            else "Medication data unavailable: whether an intensive regimen needs Pneumocystis "
            "prophylaxis could not be checked."
        ),
        why=lines,
        body=(
            f"Suggested regimen if indicated: {TMP_SMX_REGIMEN_TEXT} ({TMP_SMX_REGIMEN_SOURCE}).",
            INTENSIVE_DEFINITION,
        ),
        rules=RULES,
        facts=(
            *(medication_fact(m) for m in regimen.partners),
            *(condition_fact(c) for c in (ild_entry(record),) if c is not None),
        ),
        priority=20,
    )
