"""The patient record the guideline reads: concepts, canonical units, dates.

Nothing here knows a LOINC, SNOMED CT, ICD-10-CM or RxNorm code: the builder in
``fhir_mappings.builder`` turns FHIR resources into these objects, and the rules in
``cds_service.guideline`` ask the record clinical questions ("latest ferritin within 30
days", "is systemic sclerosis active", "active glucocorticoids with their daily dose").

Conventions
- Every date is a ``datetime.date`` (the effective/onset/authored date of the source
  resource, in the resource's own calendar day).
- Quantities are in the concept's canonical unit (see ``fhir_mappings.units``). A value the
  builder could not interpret is kept with ``value=None`` and ``interpretable=False``; such a
  value is never returned by ``latest()``/``series()`` (which return interpretable values
  only) but is reported by ``uninterpretable()`` so a rule can say what it could not assess.
- Unknown is never normal: a question the record cannot answer returns ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import attrgetter
from typing import Literal

AntibodyStatus = Literal["positive", "negative", "unknown"]
_by_when = attrgetter("when")  # the sort key of the series (C-level, no lambda per item)
#: results of one concept within this many days of its latest result are one episode: any
#: positive among them counts (a positive and a negative weeks apart are discordant, not a
#: negative)
ANTIBODY_EPISODE = timedelta(days=90)


@dataclass(frozen=True)
class Measurement:
    """One quantitative result of a concept, normalized to the concept's canonical unit."""

    concept: str
    value: float | None
    unit: str | None
    when: date
    interpretable: bool = True
    original_value: float | str | None = None
    original_unit: str | None = None
    reason: str | None = None  # why it is uninterpretable
    source_id: str | None = None  # "Observation/123"
    #: Quantity.comparator when the lab gave a bound ("<", "<=", ">=", ">"): ``value`` is then
    #: the bound, not the exact value
    comparator: str | None = None
    #: referenceRange low/high converted to the canonical unit, when given
    ref_low: float | None = None
    ref_high: float | None = None
    #: interpretation flag from the lab: "high", "low", "normal", "abnormal"
    flag: str | None = None

    def above_range(self) -> bool | None:
        """True/False against the lab's upper limit or its H flag; None when neither known."""
        if self.value is not None and self.ref_high is not None:
            return self.value > self.ref_high
        if self.flag in ("high", "low", "normal"):
            return self.flag == "high"
        return None


@dataclass(frozen=True)
class AntibodyResult:
    """A qualitative (or semi-quantitative) antibody result."""

    concept: str
    status: AntibodyStatus
    when: date
    titer: float | None = None  # reciprocal titre, "1:320" -> 320.0
    value: float | None = None  # a quantitative result, in ``unit``
    unit: str | None = None
    text: str | None = None  # e.g. ANA pattern text when given
    source_id: str | None = None
    #: Observation.issued (its day), a tie-breaker between results of the same date
    issued: date | None = None
    #: False for a ``preliminary`` result: pending, never counted as the result
    final: bool = True


def _result_order(r: AntibodyResult) -> tuple[date, date, bool, str, str]:
    """Results in a fixed order whatever the order of the resources: by date, then issued,
    then final after preliminary (the final one is the later statement), then status and
    resource id (a same-day positive and negative: both kept, any positive counts)."""
    return (r.when, r.issued or r.when, r.final, r.status, r.source_id or "")


@dataclass(frozen=True)
class ConditionEntry:
    """A diagnosis, finding or symptom from a Condition, an Observation (``valueBoolean`` or a
    present/absent ``valueCodeableConcept``) or a report's conclusion; an explicit "absent"
    is an inactive entry, never the finding."""

    concept: str
    active: bool  # clinicalStatus active/recurrence/relapse, or finding present
    when: date | None  # onset (or recorded/effective date when no onset)
    recorded: date | None = None
    source: Literal["Condition", "Observation", "DiagnosticReport"] = "Condition"
    source_id: str | None = None


@dataclass(frozen=True)
class StudyEntry:
    """A study that was done (HRCT, PFT), independent of its result values."""

    concept: str  # "hrct_chest", "ct_chest", "pft"
    when: date
    source_id: str | None = None


@dataclass(frozen=True)
class ReportEntry:
    """A DiagnosticReport of a study (imaging, PFT): what it codes, and whether it is final."""

    studies: frozenset[str]  # study concepts of its code ("hrct_chest", "ct_chest", "pft")
    when: date
    status: str  # final / amended / corrected / appended; preliminary / registered / partial
    #: concepts coded in ``conclusionCode``
    findings: frozenset[str]
    #: the result Observations it references ("Observation/x")
    results: tuple[str, ...]
    source_id: str

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES


@dataclass(frozen=True)
class PendingEntry:
    """A result or study ordered but not yet final (``registered`` or ``preliminary``)."""

    concept: str
    ordered: date | None  # the effective (or issued) date of the pending resource
    status: str
    source_id: str


#: result statuses whose content is the final statement
FINAL_STATUSES = frozenset({"final", "amended", "corrected", "appended"})
#: result statuses that mean "ordered, not yet resulted"
PENDING_STATUSES = frozenset({"registered", "preliminary", "partial"})


@dataclass(frozen=True)
class MedicationEntry:
    """A medication order or statement mapped to its ingredient concept(s).

    ``daily_dose_mg`` is the ingredient amount per day (mg/day) when the dosage could be
    read; ``None`` with ``dose_problem`` set otherwise (PRN, unparseable, unknown unit).
    ``pred_eq_mg_per_day`` is set for systemic glucocorticoids only.
    """

    concept: str  # ingredient concept id, e.g. "prednisone", "cyclosporine"
    status: str  # FHIR status: active, on-hold, completed, stopped, draft, ...
    start: date | None
    end: date | None = None
    ingredients: tuple[str, ...] = ()
    route: str | None = None  # "oral", "intravenous", "subcutaneous", ...
    dose_mg: float | None = None  # amount per administration, mg
    doses_per_day: float | None = None
    period_days: float | None = None  # for regimens like "every 4 weeks" (28.0)
    daily_dose_mg: float | None = None
    #: (low, high) mg/day when the order gives a dose range (``daily_dose_mg`` is then None)
    daily_dose_range_mg: tuple[float, float] | None = None
    #: drug classes of the ingredient (glucocorticoid, calcineurin_inhibitor, ...)
    classes: frozenset[str] = frozenset()
    dose_per_kg: float | None = None  # mg/kg per administration when dosed by weight
    dose_per_m2: float | None = None  # mg/m2 per administration when dosed by BSA
    pred_eq_mg_per_day: float | None = None
    prn: bool = False
    dose_problem: str | None = None
    dose_text: str | None = None
    is_draft: bool = False
    source_id: str | None = None  # "MedicationRequest/abc"


ACTIVE_MED_STATUSES = frozenset({"active", "on-hold", "draft", "intended"})


@dataclass
class PatientRecord:
    """A patient's data as concepts, with an explicit evaluation date ``today``."""

    today: date
    patient_id: str | None = None
    birth_date: date | None = None
    sex: str | None = None
    conditions: list[ConditionEntry] = field(default_factory=list)
    measurements: dict[str, list[Measurement]] = field(default_factory=dict)
    antibodies: dict[str, list[AntibodyResult]] = field(default_factory=dict)
    studies: list[StudyEntry] = field(default_factory=list)
    medications: list[MedicationEntry] = field(default_factory=list)
    #: study reports (imaging, PFT), final and pending (``fhir_mappings.hrct`` reads them)
    reports: list[ReportEntry] = field(default_factory=list)
    #: results ordered but not final (``fhir_mappings.pending`` reads them)
    pending: list[PendingEntry] = field(default_factory=list)
    #: what the builder dropped or could not read: (resource reference, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    #: findings whose presence could not be read ("equivocal"): (concept, Observation), never
    #: taken as present or absent
    unread_findings: list[tuple[str, str]] = field(default_factory=list)
    #: resources skipped because they could not be read, by resource type (their reasons
    #: are in ``warnings``): named on the cards ("1 Condition could not be read")
    unreadable: dict[str, int] = field(default_factory=dict)
    #: data sets that could not be had (prefetch key -> reason), filled by the service
    unavailable: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for series in self.measurements.values():
            series.sort(key=_by_when)
        for results in self.antibodies.values():
            results.sort(key=_result_order)

    def unreadable_text(self) -> str | None:
        """ "1 Condition and 2 Observations could not be read", or None."""
        if not self.unreadable:
            return None
        parts = [
            f"{n} {rtype}{'' if n == 1 else 's'}" for rtype, n in sorted(self.unreadable.items())
        ]
        verb = "could not be read"
        return (
            f"{', '.join(parts[:-1])} and {parts[-1]} {verb}"
            if len(parts) > 1
            else f"{parts[0]} {verb}"
        )

    # ------------------------------------------------------------- data sets
    def missing_data(self, *datasets: str) -> dict[str, str]:
        """The data sets (prefetch keys: ``labs``, ``antibodies``, ``respiratory``,
        ``imaging``, ``imaging_reports``, ``medications``, ``medication_statements``) that
        could not be had in full for this call, with the reason; all of them when no name
        is given. A rule whose decision depends on such a data set cannot decide "no"."""
        if not datasets:
            return dict(self.unavailable)
        return {k: v for k, v in self.unavailable.items() if k in datasets}

    # ----------------------------------------------------------------- conditions
    def has_condition(self, *concepts: str, since: date | None = None) -> bool:
        """True if any of ``concepts`` is active (optionally dated on/after ``since``)."""
        return self.condition(*concepts, since=since) is not None

    def condition(self, *concepts: str, since: date | None = None) -> ConditionEntry | None:
        """The most recent active entry of any of ``concepts``, or None."""
        wanted = set(concepts)
        hits = [
            c
            for c in self.conditions
            if c.concept in wanted
            and c.active
            and (since is None or (c.when is not None and c.when >= since))
        ]
        if not hits:
            return None
        return max(hits, key=lambda c: c.when or date.min)

    def condition_entries(self, *concepts: str) -> list[ConditionEntry]:
        """All entries (active or not) of the concepts, oldest first."""
        wanted = set(concepts)
        return sorted(
            (c for c in self.conditions if c.concept in wanted), key=lambda c: c.when or date.min
        )

    # -------------------------------------------------------------- measurements
    def series(
        self, concept: str, since: date | None = None, until: date | None = None
    ) -> list[Measurement]:
        """Interpretable values of ``concept`` in [since, until], oldest first."""
        return [
            m
            for m in self.measurements.get(concept, ())
            if m.interpretable
            and m.value is not None
            and (since is None or m.when >= since)
            and (until is None or m.when <= until)
        ]

    def latest(
        self, concept: str, within: timedelta | None = None, until: date | None = None
    ) -> Measurement | None:
        """The latest interpretable value, optionally no older than ``within`` before today."""
        since = self.today - within if within is not None else None
        values = self.series(concept, since=since, until=until or self.today)
        return values[-1] if values else None

    def uninterpretable(self, concept: str, since: date | None = None) -> list[Measurement]:
        """Values of ``concept`` the builder could not interpret (unknown unit, bad value)."""
        return [
            m
            for m in self.measurements.get(concept, ())
            if not m.interpretable and (since is None or m.when >= since)
        ]

    def highest(
        self, concept: str, since: date | None = None, until: date | None = None
    ) -> Measurement | None:
        values = self.series(concept, since=since, until=until)
        return max(values, key=lambda m: (m.value or 0.0, m.when)) if values else None

    # ---------------------------------------------------------------- antibodies
    def antibody_results(self, concept: str) -> list[AntibodyResult]:
        return list(self.antibodies.get(concept, ()))

    def antibody(self, concept: str) -> AntibodyResult | None:
        """The result that stands for ``concept``: within the episode of its latest final
        result of known status (``ANTIBODY_EPISODE``), the latest positive if any (any
        positive counts), else that latest result; else the latest final result (status
        unknown); None when never resulted (a preliminary result is pending, not a result).
        Independent of the order of the resources (see ``_result_order``)."""
        results = [r for r in self.antibodies.get(concept, []) if r.final]
        known = [r for r in results if r.status != "unknown"]
        if not known:
            return results[-1] if results else None
        episode = self.antibody_episode(concept)
        positives = [r for r in episode if r.status == "positive"]
        return positives[-1] if positives else known[-1]

    def antibody_episode(self, concept: str) -> list[AntibodyResult]:
        """The final results of known status in the episode of the latest one, oldest first."""
        known = [r for r in self.antibodies.get(concept, []) if r.final and r.status != "unknown"]
        if not known:
            return []
        start = known[-1].when - ANTIBODY_EPISODE
        return [r for r in known if r.when >= start]

    def discordant_results(self, concept: str) -> list[AntibodyResult]:
        """The episode's results when it holds both a positive and a negative (to be named
        together on the card), else none."""
        episode = self.antibody_episode(concept)
        return episode if len({r.status for r in episode}) > 1 else []

    def any_antibody_positive(self, concepts: Iterable[str]) -> list[AntibodyResult]:
        out = []
        for concept in concepts:
            result = self.antibody(concept)
            if result is not None and result.status == "positive":
                out.append(result)
        return out

    # ------------------------------------------------------------------ studies
    def studies_of(self, *concepts: str, since: date | None = None) -> list[StudyEntry]:
        wanted = set(concepts)
        return sorted(
            (s for s in self.studies if s.concept in wanted and (since is None or s.when >= since)),
            key=lambda s: s.when,
        )

    # -------------------------------------------------------------- medications
    def active_medications(
        self,
        concepts: Sequence[str] | frozenset[str] | set[str] | None = None,
        include_drafts: bool = True,
    ) -> list[MedicationEntry]:
        """Active (or on-hold, or draft when ``include_drafts``) medications, newest first."""
        wanted = set(concepts) if concepts is not None else None
        out = [
            m
            for m in self.medications
            if m.status in ACTIVE_MED_STATUSES
            and (include_drafts or not m.is_draft)
            and (m.end is None or m.end >= self.today)
            and (wanted is None or m.concept in wanted or wanted.intersection(m.ingredients))
        ]
        return sorted(out, key=lambda m: m.start or date.min, reverse=True)

    def medications_since(self, concepts: Iterable[str], since: date) -> list[MedicationEntry]:
        """Any medication of ``concepts`` active at some time on/after ``since`` (any status
        but entered-in-error, which the builder already drops)."""
        wanted = set(concepts)
        return [
            m
            for m in self.medications
            if (m.concept in wanted or wanted.intersection(m.ingredients))
            and (m.end is None or m.end >= since)
        ]

    # -------------------------------------------------------------- demographics
    def age_years(self) -> int | None:
        if self.birth_date is None:
            return None
        b, t = self.birth_date, self.today
        return t.year - b.year - ((t.month, t.day) < (b.month, b.day))

    def latest_weight_kg(self) -> Measurement | None:
        return self.latest("body_weight", within=timedelta(days=365))

    def latest_height_cm(self) -> Measurement | None:
        return self.latest("body_height")
