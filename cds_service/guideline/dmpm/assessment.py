"""One DM/PM-ILD assessment per record: type, course, subtype group, poor-risk factors.

The topic modules (acute_subacute, poor_prognosis, risk_incomplete, chronic) read this
object, so the classification is computed the same way for every card.
"""

from __future__ import annotations

from dataclasses import dataclass

from fhir_mappings.record import PatientRecord

from ..diseases import first_ild_entry
from ..facts import condition_fact
from ..findings import Fact
from ..text import day
from .course import Course, classify_course
from .myositis import TypeAnswer, is_dmpm_ild, myositis_type
from .readers import entries, entry_text
from .risk import Factor, RiskAssessment, assess_risk
from .ssc_overlap import CAVEAT, ssc_overlap
from .subtypes import GroupAnswer, subtype_group


@dataclass
class DmpmAssessment:
    kind: TypeAnswer
    course: Course
    group: GroupAnswer | None
    risk: RiskAssessment | None  # only for A/S-ILD and an undetermined course
    onset_fact: Fact | None
    #: the patient also has systemic sclerosis (``ssc_overlap``): glucocorticoid caveat
    ssc: bool = False

    @property
    def type_text(self) -> str:
        return self.kind.type or "DM/PM (type unknown)"

    @property
    def disease(self) -> str:
        """``DM-ILD``, ``ADM-ILD``, ``PM-ILD`` or ``DM/PM-ILD`` (type unknown)."""
        return f"{self.kind.type or 'DM/PM'}-ILD"

    def base_facts(self) -> list[Fact]:
        out = [self.onset_fact] if self.onset_fact else []
        if self.kind.entry is not None:
            out.append(condition_fact(self.kind.entry))
        return out + list(self.course.facts)


def assess(record: PatientRecord) -> DmpmAssessment | None:
    """None when the patient is not in scope (no DM/PM/ADM with ILD)."""
    if not is_dmpm_ild(record):
        return None
    kind = myositis_type(record)
    course = classify_course(record)
    ild = first_ild_entry(record)
    onset_fact = condition_fact(ild) if ild is not None else None
    known = course.kind if course.kind in ("acute_subacute", "chronic") else None
    group = subtype_group(record, known, kind) if known else None
    # the poor-risk factors matter for A/S-ILD, and for a course that could not be
    # determined (any factor present is then named: R140)
    risk = (
        assess_risk(record, kind, course.onset)
        if course.kind in ("acute_subacute", "undetermined")
        else None
    )
    return DmpmAssessment(kind, course, group, risk, onset_fact, ssc_overlap(record))


def course_lines(a: DmpmAssessment) -> list[str]:
    onset = day(a.course.onset)
    return [f"ILD onset {onset}; myositis type {a.type_text}"] + a.course.criteria


def with_names(head: str, factors: list[Factor], tail: str, limit: int = 139) -> str:
    """``head`` + the factors' short names + ``tail``, as many names as fit in ``limit``
    (the rest counted: ``anti-MDA5+, ADM and 2 more``)."""
    names = [f.short for f in factors]
    for shown in range(len(names), 0, -1):
        rest = len(names) - shown
        listed = names[:shown] + ([f"{rest} more"] if rest else [])
        text = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
        summary = f"{head}{text}{tail}"
        if len(summary) <= limit:
            return summary
    return f"{head}{len(names)} poor-risk factors{tail}"


def prognostic_context(record: PatientRecord, a: DmpmAssessment) -> tuple[list[str], list[Fact]]:
    """JP §Other prognostic factors (R088) in A/S-ILD, named as context (not Figure 3
    triggers): fever recorded since the ILD began."""
    since = a.course.onset or record.today
    fever = entries(record, "fever", since=since)
    if not fever:
        return [], []
    return (
        [
            f"Also a poor prognostic sign in acute/subacute ILD (context, not a trigger): "
            f"{entry_text(fever[-1])}"
        ],
        [condition_fact(fever[-1])],
    )


def group_line(a: DmpmAssessment) -> str:
    if a.group is None:
        return "Subtype group: not determined"
    if a.group.group is None:
        return f"Subtype group (JP Table 1): not determined, {a.group.why_unknown}"
    return a.group.group.text


def group_short(a: DmpmAssessment) -> str:
    """The subtype group in one short clause (the full line is the A/S card's)."""
    group = a.group.group if a.group else None
    if group is None:
        return group_line(a)
    return f"JP Table 1 group **{group.name}**: ILD prognosis {group.prognosis}"


def ssc_caveat_for(a: DmpmAssessment) -> str | None:
    """The SSc-overlap glucocorticoid caveat (``ssc_overlap``), when it applies."""
    return CAVEAT if a.ssc else None
