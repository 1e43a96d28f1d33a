"""HRCT studies as units: ``hrct_studies(record)`` returns every chest CT/HRCT report as one
dated ``HrctStudy`` (its coded conclusion plus the findings of its result Observations), final
and pending; ``latest_hrct(record, since)`` returns the latest final one.

A final report is the radiologist's complete coded statement for that study: a finding it
does not code was not seen on it (``HrctStudy.shows`` answers False), and a finding a result
Observation codes as absent was looked for and not seen. A ``registered``, ``preliminary`` or
``partial`` report is pending: it answers nothing yet (``shows`` gives None).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .record import FINAL_STATUSES, PatientRecord, ReportEntry

#: the report codes that make it a chest CT study
CHEST_CT = frozenset({"hrct_chest", "ct_chest"})
#: HRCT findings and patterns a study may code, in the order a card names them
_LABELS = {
    "ct_ground_glass": "ground glass",
    "ct_reticular": "reticulation",
    "ct_consolidation": "consolidation",
    "ct_lower_consolidation": "lower-zone consolidation",
    "ct_honeycombing": "honeycombing",
    "ct_traction_bronchiectasis": "traction bronchiectasis",
    "ct_uip_pattern": "UIP pattern",
    "ct_nsip_pattern": "NSIP pattern",
    "ct_op_pattern": "organizing pneumonia pattern",
    "ct_ild_progression": "progression versus the previous HRCT",
}


@dataclass(frozen=True)
class HrctStudy:
    """One chest CT/HRCT study, from its report."""

    when: date
    source_id: str  # the DiagnosticReport
    status: str
    #: findings coded present (conclusion codes and result Observations)
    findings: frozenset[str]
    #: findings a result Observation codes as absent
    absent: frozenset[str]
    #: findings a result Observation names but whose presence could not be read
    unread: frozenset[str]
    #: the resources it was read from (report first, then its result Observations)
    sources: tuple[str, ...]

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES

    def shows(self, concept: str) -> bool | None:
        """True when coded present; False when a final study does not code it (or codes it
        absent on a result Observation); None while the study is pending or when its result
        Observation could not be read."""
        if not self.final or (concept in self.unread and concept not in self.findings):
            return None
        return concept in self.findings

    def describe(self) -> str:
        """ "HRCT 2026-02-24: ground glass, reticulation; no consolidation coded"."""
        head = f"HRCT {self.when.isoformat()}"
        if not self.final:
            return f"{head}: report {self.status} (pending)"
        seen = [label for c, label in _LABELS.items() if c in self.findings]
        text = f"{head}: {', '.join(seen) if seen else 'no ILD finding coded'}"
        unsure = self.unread & {"ct_consolidation", "ct_lower_consolidation"}
        if "ct_consolidation" not in self.findings and not unsure:
            text += "; no consolidation coded"
        unread = [label for c, label in _LABELS.items() if c in self.unread]
        if unread:
            text += f"; {', '.join(unread)} could not be read"
        return text


def _study(record: PatientRecord, report: ReportEntry) -> HrctStudy:
    linked = {*report.results, report.source_id}  # (the report: implied findings)
    present = set(report.findings)
    absent: set[str] = set()
    sources = [report.source_id]
    for entry in record.conditions:
        if entry.source_id in linked:
            (present if entry.active else absent).add(entry.concept)
            if entry.source_id not in sources:
                sources.append(entry.source_id)
    return HrctStudy(
        when=report.when,
        source_id=report.source_id,
        status=report.status,
        findings=frozenset(present),
        absent=frozenset(absent - present),
        unread=frozenset(c for c, source in record.unread_findings if source in linked),
        sources=tuple(sources),
    )


def hrct_studies(record: PatientRecord) -> list[HrctStudy]:
    """Every chest CT/HRCT report of the record as a study, oldest first (ties by id)."""
    studies = [_study(record, r) for r in record.reports if r.studies & CHEST_CT]
    return sorted(studies, key=lambda s: (s.when, s.source_id))


def latest_hrct(
    record: PatientRecord, since: date | None = None, until: date | None = None
) -> HrctStudy | None:
    """The latest final study dated in [since, until] (until defaults to today), or None."""
    last = until or record.today
    final = [
        s
        for s in hrct_studies(record)
        if s.final and s.when <= last and (since is None or s.when >= since)
    ]
    return final[-1] if final else None


def pending_hrct(record: PatientRecord) -> list[HrctStudy]:
    """Chest CT/HRCT reports not yet final, oldest first."""
    return [s for s in hrct_studies(record) if not s.final]
