"""The state of one record being built, and the helpers every resource reader shares.

``RecordBuilder`` holds the PatientRecord under construction and answers the questions each
reader asks (does this resource belong to the patient, what is its effective date, which
concept rows do these concepts have) and records what they find (a study, a finding, a
warning). The readers are ``observation_reader`` and ``clinical_reader``; the driver that
hands each resource to its reader is ``builder``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from .fhir_read import codings, concept_texts, effective_date, ref_label, reference_id
from .record import ConditionEntry, PatientRecord, PendingEntry, StudyEntry
from .tables import ConceptRow, concept_rows
from .terminology import Terminology

#: statuses that exclude an Observation/DiagnosticReport from the record
RESULT_EXCLUDED = frozenset({"entered-in-error", "cancelled", "registered"})


class Invalid(Exception):
    """A selected resource that cannot be read; the message is the warning reason."""


def coding_codes(concept: Any) -> list[str]:
    """The string codes of a CodeableConcept's codings (none when it is malformed)."""
    return [c["code"] for c in codings(concept) if isinstance(c.get("code"), str)]


@lru_cache(maxsize=4096)
def rows_of(concepts: frozenset[str]) -> tuple[ConceptRow, ...]:
    """The concept rows of ``concepts``, sorted by concept id (the concept table is fixed)."""
    table = concept_rows()
    return tuple(table[c] for c in sorted(concepts) if c in table)


class RecordBuilder:
    """One PatientRecord under construction, evaluated on ``today`` for ``patient_id``."""

    def __init__(self, today: date, patient_id: str | None, terminology: Terminology) -> None:
        self.today = today
        self.patient_id = patient_id
        self.terms = terminology
        self.concepts: dict[str, ConceptRow] = concept_rows()
        self.record = PatientRecord(today=today, patient_id=patient_id)
        self.study_keys: set[tuple[str, date]] = set()

    def warn(self, resource: Mapping[str, Any], reason: str) -> None:
        self.record.warnings.append((ref_label(resource), reason))

    def kinds(self, concepts: Collection[str]) -> tuple[ConceptRow, ...]:
        return rows_of(frozenset(concepts))

    def add_study(self, concept: str, when: date, source_id: str) -> None:
        if (concept, when) not in self.study_keys:
            self.study_keys.add((concept, when))
            self.record.studies.append(StudyEntry(concept, when, source_id))
        if concept == "hrct_chest":
            self.add_study("ct_chest", when, source_id)  # an HRCT is a CT of the chest

    def result_date(self, resource: Mapping[str, Any], kind: str) -> date | None:
        """The effective date of an Observation/DiagnosticReport of this patient, or None
        when it is excluded (entered-in-error, cancelled, another patient). A missing status
        or date makes the resource invalid (dropped with a warning by the caller)."""
        status = resource.get("status")
        if not isinstance(status, str):
            raise Invalid(f"{kind}.status missing")
        if status in RESULT_EXCLUDED:
            return None
        when = effective_date(resource)
        if when is None:
            raise Invalid("no effective date (effective[x] or issued)")
        if not self.belongs(resource):
            return None
        return when

    def belongs(self, resource: Mapping[str, Any]) -> bool:
        if self.patient_id is None:
            return True
        ref = resource.get("subject") or resource.get("patient")
        ref_id = reference_id(ref, "Patient")
        if ref_id is None:
            self.warn(resource, "no subject/patient reference")
            return False
        if ref_id != self.patient_id:
            self.warn(resource, "belongs to another patient")
            return False
        return True

    def add_finding(
        self,
        concept: str,
        present: bool,
        when: date | None,
        source: Any,
        source_id: str,
        resource: Mapping[str, Any],
        recorded: date | None = None,
    ) -> None:
        implied = None
        if concept == "ct_consolidation" and present and lower_zone(resource):
            implied = "ct_lower_consolidation"
        elif concept == "ct_lower_consolidation" and present:
            implied = "ct_consolidation"  # a lower-zone consolidation is a consolidation
        for name in (concept, implied) if implied else (concept,):
            self.record.conditions.append(
                ConditionEntry(
                    concept=name,
                    active=present if name == concept else True,
                    when=when,
                    recorded=recorded,
                    source=source,
                    source_id=source_id,
                )
            )

    def hrct_from_text(self, concept: str, code: Any, when: date, source_id: str) -> None:
        """A CT chest study named high-resolution is also an HRCT (no HRCT code exists)."""
        if concept == "ct_chest" and named_hrct(code):
            self.add_study("hrct_chest", when, source_id)

    def add_pending(
        self, concepts: Collection[str], when: date | None, status: str, source_id: str
    ) -> None:
        for concept in sorted(concepts):
            self.record.pending.append(PendingEntry(concept, when, status, source_id))


def named_hrct(code: Any) -> bool:
    """A code whose text or display names a high-resolution CT."""
    return any(
        "high resolution" in t or "high-resolution" in t or "hrct" in t for t in concept_texts(code)
    )


def result_reference(ref: Any) -> str | None:
    """ "Observation/x" for a reference to an Observation (relative, absolute or versioned)."""
    text = ref.get("reference") if isinstance(ref, dict) else None
    if not isinstance(text, str):
        return None
    if text.startswith("urn:uuid:"):
        return "Observation/" + text[len("urn:uuid:") :]
    parts = text.split("/_history/")[0].split("/")
    return f"Observation/{parts[-1]}" if len(parts) >= 2 and parts[-2] == "Observation" else None


def lower_zone(resource: Mapping[str, Any]) -> bool:
    """A body site whose text names the lower lobe/zone (contract: ct_consolidation with a
    lower-lobe body site means ct_lower_consolidation)."""
    sites = resource.get("bodySite")
    listed = sites if isinstance(sites, list) else [sites]
    return any("lower" in text for site in listed for text in concept_texts(site))
