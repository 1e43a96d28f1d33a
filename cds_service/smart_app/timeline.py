"""The timeline of one patient as plain data: plots, threshold lines, treatments, HRCT.

Built from the ``PatientRecord`` the cards use (same concepts, canonical units, site codes)
and the patient-view findings. Every threshold line comes from the guideline's own
``Threshold`` object (value, unit and rule), never a number typed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from fhir_mappings.hrct import hrct_studies as record_hrct_studies
from fhir_mappings.record import MedicationEntry, PatientRecord
from fhir_mappings.tables import concept_rows

from ..guideline.ctd_ild.physiology import decline_from_peak
from ..guideline.ctd_ild.progression import DLCO_POINTS, FVC_POINTS
from ..guideline.dmpm.course import VC_DECREASE
from ..guideline.dmpm.kl6_rising import BASELINE_BEFORE, KL6_RATIO, WINDOW_DAYS
from ..guideline.dmpm.risk import CK_LOW, FERRITIN_HIGH, PAO2_LOW
from ..guideline.dmpm.treatment import treated_dmpm_ild
from ..guideline.evidence import Threshold, fmt_number
from ..guideline.findings import Finding
from ..guideline.ssc.decline import DLCO_DECLINE, FVC_DECLINE
from ..guideline.ssc.treatment_indicated import FVC_LOW
from ..guideline.topics import ALL_TOPICS

MIN_AXIS_DAYS = 90  # the time axis covers at least the last 3 months


@dataclass(frozen=True)
class Point:
    when: date
    value: float
    comparator: str | None = None

    @property
    def text(self) -> str:
        return f"{self.comparator or ''}{fmt_number(round(self.value, 2))}"


@dataclass(frozen=True)
class Line:
    """A threshold drawn from ``start`` to ``end`` at ``value``, labelled."""

    label: str
    value: float
    start: date
    end: date
    threshold: Threshold
    short: str = ""  # the label printed on the line in the plot (the legend has ``label``)

    @property
    def rule_id(self) -> str:
        return self.threshold.rule.id


@dataclass(frozen=True)
class Plot:
    key: str
    title: str
    unit: str
    points: tuple[Point, ...]
    lines: tuple[Line, ...]
    empty_text: str
    #: values the record holds but could not read (unknown unit, bad value): named, not drawn
    unreadable: int = 0
    #: the data sets holding this concept that could not be read in full for this page
    gaps: tuple[str, ...] = ()


@dataclass(frozen=True)
class TreatmentBar:
    row: str  # "Glucocorticoid", "Cyclosporine", ... (the plot's row)
    drug: str
    start: date
    end: date
    ongoing: bool
    dose_text: str
    end_recorded: bool = True


@dataclass(frozen=True)
class HrctStudy:
    when: date
    findings: tuple[str, ...]
    extent_percent: float | None = None
    pending: bool = False  # report registered/preliminary: findings not final


@dataclass(frozen=True)
class FindingItem:
    topic: str
    topic_display: str
    indicator: str
    summary: str
    rule_id: str | None


@dataclass
class Timeline:
    today: date
    patient_id: str
    patient_name: str | None
    sex: str | None
    age: int | None
    plots: list[Plot]
    treatments: list[TreatmentBar]
    hrct: list[HrctStudy]
    findings: list[FindingItem]
    data_gaps: dict[str, str] = field(default_factory=dict)
    focus: str | None = None  # plot key the launch context asked for

    @property
    def treatment_gaps(self) -> list[str]:
        return [k for k in MEDICATION_DATASETS if k in self.data_gaps]

    @property
    def hrct_gaps(self) -> list[str]:
        return [k for k in IMAGING_DATASETS if k in self.data_gaps]

    @property
    def start(self) -> date:
        """The first date on the common time axis (at least MIN_AXIS_DAYS before today)."""
        dates = [p.when for plot in self.plots for p in plot.points]
        dates += [t.start for t in self.treatments] + [h.when for h in self.hrct]
        return min([*dates, self.today - timedelta(days=MIN_AXIS_DAYS)])


#: card topic (a card's ``appContext``) -> the plot the app opens on
TOPIC_PLOTS: dict[str, str] = {
    "ssc-ild-decline": "fvc_pct",
    "progressive-pulmonary-fibrosis": "fvc_pct",
    "sard-ild-monitoring-due": "fvc_pct",
    "dmpm-ild-acute-subacute": "fvc_l",
    "dmpm-ild-chronic": "fvc_l",
    "dmpm-ild-gc-resistance": "treatment",
    "dmpm-ild-salvage": "treatment",
    "kl6-rising": "kl6",
    "dmpm-ild-activity-rising": "ferritin",
}

MEDICATION_DATASETS = ("medications", "medication_statements")
IMAGING_DATASETS = ("imaging", "imaging_reports")
_RESP, _LABS = ("respiratory",), ("labs",)

_PLOTS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    # key, concept, title, empty state, the data sets (prefetch keys) holding the concept
    ("fvc_pct", "fvc_pct_pred", "FVC", "No FVC % predicted on record.", _RESP),
    ("fvc_l", "fvc", "FVC", "No FVC in litres on record.", _RESP),
    ("dlco_pct", "dlco_pct_pred", "DLCO", "No DLCO on record.", _RESP),
    ("kl6", "kl6", "KL-6", "No KL-6 on record.", _LABS),
    ("ferritin", "ferritin", "Ferritin", "No ferritin on record.", _LABS),
    ("ck", "creatine_kinase", "Creatine kinase (CK)", "No CK on record.", _LABS),
    ("pao2", "pao2", "PaO2 (arterial oxygen pressure)", "No PaO2 on record.", _RESP + _LABS),
)

_UNITS = {"%": "% predicted", "mm[Hg]": "mmHg", "L": "litres"}


def _unit(concept: str) -> str:
    unit = concept_rows()[concept].canonical_unit or ""
    return _UNITS.get(unit, unit)


def _line(t: Threshold, label: str, value: float, start: date, end: date, short: str) -> Line:
    return Line(label, round(value, 3), start, end, t, short)


def _full_range(record: PatientRecord, concept: str) -> tuple[date, date]:
    values = record.series(concept)
    earliest = record.today - timedelta(days=MIN_AXIS_DAYS)
    return min(values[0].when, earliest) if values else earliest, record.today


def _decline_lines(
    record: PatientRecord, concept: str, relative: Threshold | None, points: Threshold | None
) -> list[Line]:
    """Lines below the highest value of the 12 months before the latest, as the rules
    judge decline: relative (x% of the high) and absolute (points)."""
    change = decline_from_peak(record, concept)
    if change is None or change.peak.value is None:
        return []
    peak, start, end = change.peak.value, change.peak.when, change.latest.when
    out = []
    if relative is not None:
        out.append(
            _line(
                relative,
                f"{fmt_number(relative.value)}% below the 12-month high of {fmt_number(peak)}",
                peak * (1 - relative.value / 100.0),
                start,
                end,
                f"-{fmt_number(relative.value)}% of high",
            )
        )
    if points is not None:
        out.append(
            _line(
                points,
                f"{fmt_number(points.value)} points below the 12-month high",
                peak - points.value,
                start,
                end,
                f"-{fmt_number(points.value)} points",
            )
        )
    return out


def _kl6_lines(record: PatientRecord) -> list[Line]:
    """KL-6 x1.70 of the value at treatment start, over the 4 weeks after it (DM/PM-ILD)."""
    started = treated_dmpm_ild(record)
    if started is None:
        return []
    start, _med = started
    base = record.latest("kl6", until=start)
    if base is None or base.value is None or base.when < start - BASELINE_BEFORE:
        return []
    return [
        _line(
            KL6_RATIO,
            f"ratio {fmt_number(KL6_RATIO.value)} x the value at treatment start "
            f"({fmt_number(base.value)}), first 4 weeks",
            base.value * KL6_RATIO.value,
            start,
            start + timedelta(days=WINDOW_DAYS),
            f"x{fmt_number(KL6_RATIO.value)} of start",
        )
    ]


def _flat(record: PatientRecord, concept: str, t: Threshold, meaning: str) -> list[Line]:
    start, end = _full_range(record, concept)
    return [_line(t, f"{t.text}: {meaning}", t.value, start, end, t.text)]


def threshold_lines(record: PatientRecord, key: str) -> list[Line]:
    if key == "fvc_pct":
        return _flat(record, "fvc_pct_pred", FVC_LOW, "SSc-ILD treatment") + _decline_lines(
            record, "fvc_pct_pred", FVC_DECLINE, FVC_POINTS
        )
    if key == "fvc_l":
        return _decline_lines(record, "fvc", VC_DECREASE, None)
    if key == "dlco_pct":
        return _decline_lines(record, "dlco_pct_pred", DLCO_DECLINE, DLCO_POINTS)
    if key == "kl6":
        return _kl6_lines(record)
    if key == "ferritin":
        return _flat(record, "ferritin", FERRITIN_HIGH, "poor-risk factor")
    if key == "ck":
        return _flat(record, "creatine_kinase", CK_LOW, "poor-risk factor")
    if key == "pao2":
        return _flat(record, "pao2", PAO2_LOW, "poor-risk factor")
    return []


def plots(record: PatientRecord) -> list[Plot]:
    out = []
    for key, concept, title, empty, datasets in _PLOTS:
        points = tuple(
            Point(m.when, float(m.value), m.comparator)
            for m in record.series(concept)
            if m.value is not None
        )
        out.append(
            Plot(
                key,
                title,
                _unit(concept),
                points,
                tuple(threshold_lines(record, key)) if points else (),
                empty,
                unreadable=len(record.uninterpretable(concept)),
                gaps=tuple(record.missing_data(*datasets)),
            )
        )
    return out


# ------------------------------------------------------------------ treatments
_TREATMENT_ROWS: tuple[tuple[str, frozenset[str] | None, str | None], ...] = (
    # row label, concepts (None: by class), drug class
    ("Glucocorticoid", None, "glucocorticoid"),
    ("Cyclosporine", frozenset({"cyclosporine"}), None),
    ("Tacrolimus", frozenset({"tacrolimus"}), None),
    ("Cyclophosphamide", frozenset({"cyclophosphamide"}), None),
    ("Mycophenolate", frozenset({"mycophenolate_mofetil", "mycophenolic_acid"}), None),
    ("Azathioprine", frozenset({"azathioprine"}), None),
    ("Rituximab", frozenset({"rituximab"}), None),
    ("Tocilizumab", frozenset({"tocilizumab"}), None),
    ("IVIG", frozenset({"ivig"}), None),
    ("Antifibrotic", None, "antifibrotic"),
)


def _row_of(m: MedicationEntry) -> str | None:
    for label, concepts, drug_class in _TREATMENT_ROWS:
        if concepts is not None and (m.concept in concepts or concepts & set(m.ingredients)):
            return label
        if drug_class is not None and drug_class in m.classes:
            return label
    return None


def _dose_text(m: MedicationEntry) -> str:
    if "glucocorticoid" in m.classes:
        if m.pred_eq_mg_per_day is not None:
            return f"{fmt_number(round(m.pred_eq_mg_per_day, 1))} mg/day prednisolone-equivalent"
        return "dose not readable"
    if m.daily_dose_mg is not None:
        return f"{fmt_number(round(m.daily_dose_mg, 1))} mg/day"
    if m.dose_mg is not None and m.period_days:
        return f"{fmt_number(round(m.dose_mg, 1))} mg every {fmt_number(m.period_days)} days"
    return "dose not readable"


def treatments(record: PatientRecord) -> list[TreatmentBar]:
    order = {label: i for i, (label, _c, _k) in enumerate(_TREATMENT_ROWS)}
    bars = []
    for m in record.medications:
        row = _row_of(m)
        if row is None or m.start is None or m.is_draft:
            continue
        ongoing = m.status in ("active", "on-hold") and (m.end is None or m.end >= record.today)
        end = m.end or (record.today if ongoing else m.start)
        bars.append(
            TreatmentBar(
                row=row,
                drug=m.concept.replace("_", " "),
                start=m.start,
                end=min(end, record.today) if ongoing else end,
                ongoing=ongoing,
                dose_text=_dose_text(m),
                end_recorded=m.end is not None or ongoing,
            )
        )
    return sorted(bars, key=lambda b: (order[b.row], b.start))


# ------------------------------------------------------------------ HRCT
def hrct_studies(record: PatientRecord) -> list[HrctStudy]:
    """Each chest CT/HRCT report as one study (the record's reading: conclusion codes and
    result Observations; ``fhir_mappings.hrct``) with the extent of ILD given that day."""
    rows = concept_rows()
    extents = {m.when: m.value for m in record.series("hrct_fibrosis_extent")}
    out = []
    for study in record_hrct_studies(record):
        names = tuple(sorted(rows[c].display if c in rows else c for c in study.findings))
        out.append(HrctStudy(study.when, names, extents.get(study.when), not study.final))
    return sorted(out, key=lambda s: s.when)


# ------------------------------------------------------------------ findings
def finding_items(findings: list[Finding]) -> list[FindingItem]:
    return [
        FindingItem(
            topic=f.topic,
            topic_display=ALL_TOPICS.get(f.topic, f.topic),
            indicator=f.indicator.value,
            summary=f.summary,
            rule_id=f.rules[0] if f.rules else None,
        )
        for f in findings
    ]


def build_timeline(
    record: PatientRecord,
    findings: list[Finding],
    patient_name: str | None = None,
    app_context: str | None = None,
) -> Timeline:
    return Timeline(
        today=record.today,
        patient_id=record.patient_id or "",
        patient_name=patient_name,
        sex=record.sex,
        age=record.age_years(),
        plots=plots(record),
        treatments=treatments(record),
        hrct=hrct_studies(record),
        findings=finding_items(findings),
        data_gaps=dict(record.unavailable),
        focus=TOPIC_PLOTS.get(app_context or ""),
    )
