"""Condition, DiagnosticReport, Procedure and ImagingStudy -> findings and studies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .build_state import Invalid, RecordBuilder, coding_codes, named_hrct, result_reference
from .fhir_read import effective_date, items, parse_date, ref_label
from .record import PENDING_STATUSES, ReportEntry
from .tables import FINDING_KINDS

_ACTIVE_CLINICAL = frozenset({"active", "recurrence", "relapse"})
_NOT_DONE = ("not-done", "cancelled", "preparation")


def _last_code(concept: Any, element: str) -> str | None:
    """The last coded status of a CodeableConcept element (None when not coded); an element
    that is present but not a CodeableConcept makes the resource unreadable."""
    if concept is not None and not isinstance(concept, Mapping):
        raise Invalid(f"Condition.{element} is not a CodeableConcept")
    if isinstance(concept, Mapping) and not isinstance(concept.get("coding", []), list):
        raise Invalid(f"Condition.{element}.coding is not a list")
    codes = coding_codes(concept)
    return codes[-1] if codes else None


def read_condition(b: RecordBuilder, cond: Mapping[str, Any]) -> None:
    concepts = b.terms.concepts_for_codeable(cond.get("code"))
    rows = [r for r in b.kinds(concepts) if r.kind in FINDING_KINDS]
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
        )


def read_report(b: RecordBuilder, rep: Mapping[str, Any]) -> None:
    """A study report: the study (done when final), its conclusion findings (a final report's
    coded statement) and a ``ReportEntry``; a registered/preliminary/partial report is
    pending (``PendingEntry`` per study), its content not yet the result."""
    code = rep.get("code")
    code_concepts = b.terms.concepts_for_codeable(code)
    conclusion_concepts: set[str] = set()
    for cc in items(rep.get("conclusionCode")):
        conclusion_concepts |= b.terms.concepts_for_codeable(cc)
    if not code_concepts and not conclusion_concepts:
        return
    status = rep.get("status")
    if not isinstance(status, str):
        raise Invalid("DiagnosticReport.status missing")
    if status in ("entered-in-error", "cancelled"):
        return
    when = effective_date(rep)
    if when is None:
        raise Invalid("no effective date (effective[x] or issued)")
    if not b.belongs(rep):
        return
    source_id = ref_label(rep)
    studies = {row.concept_id for row in b.kinds(code_concepts) if row.kind == "study"}
    if "ct_chest" in studies and named_hrct(code):
        studies.add("hrct_chest")
    findings = frozenset(
        row.concept_id for row in b.kinds(conclusion_concepts) if row.kind in FINDING_KINDS
    )
    results = tuple(r for r in map(result_reference, items(rep.get("result"))) if r)
    if studies:
        b.record.reports.append(
            ReportEntry(frozenset(studies), when, status, findings, results, source_id)
        )
    if status in PENDING_STATUSES:
        b.add_pending(studies or findings, when, status, source_id)
        return
    for concept in sorted(studies):
        b.add_study(concept, when, source_id)
    for concept in sorted(findings):
        b.add_finding(concept, True, when, "DiagnosticReport", source_id, rep)


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
