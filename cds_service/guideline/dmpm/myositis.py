"""Who the DM/PM-ILD algorithm is for, and the type of myositis.

JP §DM, PM, and amyopathic DM (R063–R065): "DM = myositis plus skin lesions; PM = myositis
without skin inflammation; amyopathic DM (ADM) = hallmark cutaneous DM with no clinical
weakness and no muscle-enzyme abnormality." The type decides the management branch of
JP Figure 3 (DM: GC + CsA/IVCY; PM: GC) and ADM is poor-risk factor 1).

When/Then: ILD recorded (active) and DM, ADM, PM, anti-synthetase syndrome or "lung disease
with polymyositis" recorded -> the patient is in scope of the DM/PM-ILD algorithm.

Decisions left open by the source, taken here:
- The myositis type is read only from recorded diagnoses (ADM over DM). PM recorded together
  with DM or ADM is a contradiction: the type stays unknown and the cards name it as a
  contradiction to resolve. Anti-synthetase syndrome or "lung disease with polymyositis"
  alone leaves the type unknown.
- "Symptom onset" of the ILD is the earliest onset date of an active ILD diagnosis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fhir_mappings.record import ConditionEntry, PatientRecord

from .. import evidence
from ..diseases import ADM_CONCEPTS, DM_CONCEPTS, DMPM_CONCEPTS, PM_CONCEPTS, has_ild

MyositisType = Literal["ADM", "DM", "PM"]

R063 = evidence.rule(
    "R063",
    "JP",
    "§DM, PM, and amyopathic DM",
    "DM = myositis plus skin lesions (heliotrope rash, Gottron's papules); PM = myositis "
    "without skin inflammation.",
    topics=("dmpm-ild-acute-subacute", "dmpm-ild-chronic", "dmpm-ild-risk-incomplete"),
)
R064 = evidence.rule(
    "R064",
    "JP",
    "§DM, PM, and amyopathic DM",
    "Amyopathic DM = biopsy-confirmed hallmark cutaneous DM lasting >=6 months with no "
    "clinical proximal weakness and no serum muscle-enzyme abnormality.",
    figure=">=6 months",
    topics=("dmpm-ild-poor-prognosis", "dmpm-ild-risk-incomplete"),
)


def is_dmpm_ild(record: PatientRecord) -> bool:
    """Is this ILD in DM, ADM, PM (or anti-synthetase syndrome)?"""
    return has_ild(record) and record.has_condition(*DMPM_CONCEPTS)


@dataclass(frozen=True)
class TypeAnswer:
    type: MyositisType | None
    entry: ConditionEntry | None
    why_unknown: str = ""
    #: the contradictory diagnoses (e.g. "ADM and PM both recorded"), when that is the reason
    contradiction: str = ""
    #: the types the record names (e.g. ("ADM", "PM") for a contradiction)
    recorded: tuple[MyositisType, ...] = ()


def myositis_type(record: PatientRecord) -> TypeAnswer:
    """ADM / DM / PM from the recorded diagnoses; None (with the reason) when unknown."""
    adm = record.condition(*ADM_CONCEPTS)
    dm = record.condition(*DM_CONCEPTS)
    pm = record.condition(*PM_CONCEPTS)
    if pm is not None and (adm is not None or dm is not None):
        other: MyositisType = "ADM" if adm is not None else "DM"
        why = f"{other} and PM both recorded"
        return TypeAnswer(None, None, why, contradiction=why, recorded=(other, "PM"))
    if adm is not None:
        return TypeAnswer("ADM", adm)
    if dm is not None:
        return TypeAnswer("DM", dm)
    if pm is not None:
        return TypeAnswer("PM", pm)
    return TypeAnswer(None, None, "no DM, ADM or PM diagnosis is recorded")
