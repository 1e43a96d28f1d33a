"""How the DM/PM-ILD rules read the record: symptoms, HRCT studies and lung volumes.

One place, so the rules read the record the way the contract says ("How the record is read")
and can follow the record's API as it grows:
- symptoms and clinical features count whether charted as a Condition or as an Observation
  of any category; an explicit "absent" is not the feature;
- a final HRCT report is one study; the findings it codes are the complete statement for that
  study (a finding it does not code was not seen on it);
- lung volumes: VC, else FVC, in litres (or % predicted when only that is charted): a relative
  fall is the same in either unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from fhir_mappings.hrct import hrct_studies as record_hrct_studies
from fhir_mappings.record import ConditionEntry, Measurement, PatientRecord

from ..text import day, label

#: lung-volume concepts in the order they are preferred (VC first: JP Figure 3 says VC)
VOLUME_CONCEPTS = ("vital_capacity", "fvc", "vital_capacity_pct_pred", "fvc_pct_pred")

#: HRCT findings a study codes (the concepts its coded conclusion / result Observations map
#: to), and how a card names each
HRCT_LABELS = {
    "ct_ground_glass": "ground glass",
    "ct_lower_consolidation": "lower-zone consolidation",
    "ct_consolidation": "consolidation",
    "ct_reticular": "reticulation",
    "ct_honeycombing": "honeycombing",
    "ct_ild_progression": "progression",
    "ct_uip_pattern": "UIP pattern",
    "ct_nsip_pattern": "NSIP pattern",
    "ct_op_pattern": "organising pneumonia pattern",
}
HRCT_FINDINGS = tuple(HRCT_LABELS)


def name(concept: str) -> str:
    """A symptom or feature as a card names it (``text.label``, but "Gottron's papules")."""
    return "Gottron's papules" if concept == "gottron_papules" else label(concept)


SOURCE_TEXT = {
    "Condition": "problem list",
    "Observation": "observation",
    "DiagnosticReport": "imaging report",
}


def unavailable(record: PatientRecord, datasets: tuple[str, ...]) -> list[str]:
    """``labs unavailable (timeout)``: each data set of ``datasets`` the call could not have."""
    return [f"{k} unavailable ({why})" for k, why in sorted(record.missing_data(*datasets).items())]


def entries(
    record: PatientRecord,
    concept: str,
    since: date | None = None,
    until: date | None = None,
    present: bool = True,
) -> list[ConditionEntry]:
    """Dated entries of a symptom / finding (Condition or Observation), oldest first:
    recorded present (``present=True``) or recorded absent (``present=False``)."""
    return [
        c
        for c in record.condition_entries(concept)
        if c.active is present
        and c.when is not None
        and (since is None or c.when >= since)
        and (until is None or c.when <= until)
    ]


def entry_text(c: ConditionEntry) -> str:
    """``worsening dyspnea on exertion, 2026-10-03 (charted observation)``; absent entries
    say so."""
    state = "" if c.active else " recorded absent"
    return f"{name(c.concept)}{state}, {day(c.when)} ({SOURCE_TEXT.get(c.source, c.source)})"


@dataclass
class HrctStudy:
    """One HRCT study: its date and the findings it coded (concept -> present)."""

    when: date
    source_id: str | None
    findings: dict[str, bool] = field(default_factory=dict)
    #: True for a final imaging report (its coded findings are complete for the study)
    complete: bool = False

    def has(self, concept: str) -> bool | None:
        """Present / not seen on this study (complete report) / not stated (None)."""
        if concept in self.findings:
            return self.findings[concept]
        return False if self.complete else None

    def text(self) -> str:
        seen = [name for c, name in HRCT_LABELS.items() if self.findings.get(c)]
        return f"HRCT {self.when.isoformat()}: " + (", ".join(seen) or "no finding coded")


def hrct_studies(record: PatientRecord, since: date | None = None) -> list[HrctStudy]:
    """HRCT studies, oldest first: each final imaging report (the record's HRCT studies) is
    one complete study; findings charted elsewhere (problem list, observations not linked to
    a report) of one day form a partial study. Pending reports answer nothing yet."""
    out: list[HrctStudy] = []
    linked: set[str] = set()
    for s in record_hrct_studies(record):
        linked.update(s.sources)
        if not s.final or (since is not None and s.when < since):
            continue
        findings = {c: False for c in s.absent} | {c: True for c in s.findings}
        out.append(HrctStudy(s.when, s.source_id, findings, complete=True))
    partial: dict[date, HrctStudy] = {}
    for c in record.condition_entries(*HRCT_FINDINGS):
        if c.when is None or c.source_id in linked or (since is not None and c.when < since):
            continue
        study = partial.setdefault(c.when, HrctStudy(c.when, None))
        study.findings[c.concept] = study.findings.get(c.concept, False) or c.active
    return sorted([*out, *partial.values()], key=lambda s: (s.when, s.complete))


def volumes(
    record: PatientRecord, since: date | None = None, until: date | None = None
) -> list[Measurement]:
    """The lung-volume series of one concept (VC, else FVC, in litres; else % predicted),
    oldest first: the first concept with at least two values in the window, else the first
    with any."""
    found: list[Measurement] = []
    for concept in VOLUME_CONCEPTS:
        values = record.series(concept, since=since, until=until)
        if len(values) >= 2:
            return values
        found = found or values
    return found
