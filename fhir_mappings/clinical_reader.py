"""Condition, DiagnosticReport, Procedure and ImagingStudy -> findings and studies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .build_state import Invalid, RecordBuilder, coding_codes, items
from .fhir_read import parse_date, ref_label

_ACTIVE_CLINICAL = frozenset({"active", "recurrence", "relapse"})
_NOT_DONE = ("not-done", "cancelled", "preparation")


def _last_code(concept: Any, element: str) -> str | None:
    """The last coded status of a CodeableConcept element (None when not coded); an element
    that is present but not a CodeableConcept makes the resource unreadable."""
    if concept is not None and not isinstance(concept, Mapping):
        raise Invalid(f"Condition.{element} is not a CodeableConcept")
    codes = coding_codes(concept)
    return codes[-1] if codes else None


def read_condition(b: RecordBuilder, cond: Mapping[str, Any]) -> None:
    concepts = b.terms.concepts_for_codeable(cond.get("code"))
    rows = [r for r in b.kinds(concepts) if r.kind in ("condition", "finding")]
    if not rows:
        return
    vs = cond.get("verificationStatus")
    verification = _last_code(vs, "verificationStatus") if isinstance(vs, Mapping) else None
    if verification in ("refuted", "entered-in-error"):
        return
    if not b.belongs(cond):
        return
    clinical = _last_code(cond.get("clinicalStatus"), "clinicalStatus")
    abated = parse_date(cond.get("abatementDateTime"), allow_partial=True)
    active = (clinical in _ACTIVE_CLINICAL or clinical is None) and (
        abated is None or abated > b.today
    )
    onset = parse_date(cond.get("onsetDateTime"), allow_partial=True)
    period = cond.get("onsetPeriod")
    if onset is None and isinstance(period, Mapping):
        onset = parse_date(period.get("start"), allow_partial=True)
    recorded = parse_date(cond.get("recordedDate"), allow_partial=True)
    for row in rows:
        b.add_finding(
            row.concept_id,
            active,
            onset or recorded,
            "Condition",
            ref_label(cond),
            cond,
            recorded=recorded,
            verification=verification,
        )


def read_report(b: RecordBuilder, rep: Mapping[str, Any]) -> None:
    code_concepts = b.terms.concepts_for_codeable(rep.get("code"))
    conclusion_concepts: set[str] = set()
    for cc in items(rep.get("conclusionCode")):
        conclusion_concepts |= b.terms.concepts_for_codeable(cc)
    if not code_concepts and not conclusion_concepts:
        return
    when = b.result_date(rep, "DiagnosticReport")
    if when is None:
        return
    source_id = ref_label(rep)
    for row in b.kinds(code_concepts):
        if row.kind == "study":
            b.add_study(row.concept_id, when, source_id)
            b.hrct_from_text(row.concept_id, rep.get("code"), when, source_id)
    for row in b.kinds(conclusion_concepts):
        if row.kind in ("finding", "condition"):
            b.add_finding(row.concept_id, True, when, "DiagnosticReport", source_id, rep)


def read_procedure(b: RecordBuilder, proc: Mapping[str, Any]) -> None:
    key = "code" if proc.get("resourceType") == "Procedure" else "procedureCode"
    value = proc.get(key)
    concepts: set[str] = set()
    for cc in value if isinstance(value, list) else [value]:
        concepts |= b.terms.concepts_for_codeable(cc)
    rows = [r for r in b.kinds(concepts) if r.kind == "study"]
    if not rows or proc.get("status") in _NOT_DONE:
        return
    when = parse_date(proc.get("performedDateTime")) or parse_date(proc.get("started"))
    period = proc.get("performedPeriod")
    if when is None and isinstance(period, Mapping):
        when = parse_date(period.get("start"))
    if when is None:
        raise Invalid("no performed/started date")
    if not b.belongs(proc):
        return
    for row in rows:
        b.add_study(row.concept_id, when, ref_label(proc))
