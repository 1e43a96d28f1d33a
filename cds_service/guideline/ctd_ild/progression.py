"""The three ATS/ERS 2022 progression domains in the past 12 months (B03), shared by the PPF
card and the RA-ILD progression check.

1. Worsening respiratory symptoms: a ``dyspnea_worsening`` record dated in the window.
2. Physiological progression: **absolute** decline of FVC >=5 points or DLCO >=10 points of %
   predicted, the latest value (in the window) against the highest earlier value that is
   also in the window, i.e. in [today - 365 d, latest) (B03 "within the past year": both
   points inside it; ``physiology.decline_from_peak``). Never INBUILD's relative criteria.
   A censored value (comparator) decides only when its bound settles the threshold.
3. Radiological progression: a ``ct_ild_progression`` finding dated in the window.

A domain the record has no data for is "not shown" (None) and is not counted; it is never
read as "no progression" in card text. ``unknown`` lists the domains whose data set could not
be had for this call (``respiratory`` for physiology; ``imaging``/``imaging_reports`` for
radiology) or whose values cannot decide, so a caller can say "could not be assessed" instead
of a silent no.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from fhir_mappings.lung_volumes import volumes_without_percent
from fhir_mappings.record import PatientRecord

from ..data_gaps import IMAGING, LUNG_FUNCTION, gap_text
from ..evidence import Threshold, fmt_number, rule
from ..facts import condition_fact, measurement_fact
from ..findings import Fact
from ..text import day, measured_quantity, measurement_text
from .physiology import decline_from_peak

WINDOW = timedelta(days=365)

B03 = rule(
    "B03",
    "ATS/ERS 2022 PPF",
    "Table 4 (PPF definition); nintedanib recommendation",
    "PPF: in non-IPF ILD with radiological fibrosis, at least 2 of 3 within the past year: "
    "worse respiratory symptoms; absolute FVC decline >=5% or DLCO decline >=10% predicted; "
    "radiological progression. Nintedanib conditionally recommended",
    "FVC >=5% predicted; DLCO >=10% predicted (absolute, within 1 year)",
    ("progressive-pulmonary-fibrosis", "ra-ild-management", "ctd-ild-initial-treatment"),
)

FVC_POINTS = Threshold("fvc_pct_pred_absolute_decline", ">=", 5.0, "points", B03)
DLCO_POINTS = Threshold("dlco_pct_pred_absolute_decline", ">=", 10.0, "points", B03)


@dataclass
class Domains:
    symptoms: bool | None = None
    physiology: bool | None = None
    radiology: bool | None = None
    lines: list[str] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    #: domains that could not be assessed (data set unavailable, or values that cannot
    #: decide), with the reason: never counted as "not met"
    unknown: dict[str, str] = field(default_factory=dict)

    @property
    def met(self) -> int:
        return sum(1 for d in (self.symptoms, self.physiology, self.radiology) if d)

    @property
    def could_meet(self) -> int:
        """The most domains that could be met once the unknown ones are known."""
        return self.met + sum(1 for name in self.unknown if not getattr(self, name))


def progression_domains(record: PatientRecord) -> Domains:
    out = Domains()
    since = record.today - WINDOW
    dyspnea = record.condition("dyspnea_worsening", since=since)
    if dyspnea is not None and dyspnea.when is not None:
        out.symptoms = True
        out.lines.append(f"Worsening dyspnea recorded {dyspnea.when.isoformat()}")
        out.facts.append(condition_fact(dyspnea))
    else:
        out.lines.append("Worsening symptoms: none recorded in the past 12 months")
    physiology: list[bool | None] = []
    for concept, label, threshold in (
        ("fvc_pct_pred", "FVC", FVC_POINTS),
        ("dlco_pct_pred", "DLCO", DLCO_POINTS),
    ):
        change = decline_from_peak(record, concept, latest_within=WINDOW, peak_since=since)
        if change is None:
            volumes = volumes_without_percent(record, concept, since=since)
            if len(volumes) >= 2:  # the absolute criterion needs % predicted: not assessable
                physiology.append(None)
                out.unknown["physiology"] = f"{label} % predicted cannot be computed"
                out.lines.append(
                    f"{label}: % predicted cannot be computed (no predicted value charted); "
                    f"volumes {measured_quantity(volumes[0])} ({day(volumes[0].when)}) and "
                    f"{measured_quantity(volumes[-1])} ({day(volumes[-1].when)}): not assessable"
                )
                out.facts.extend((measurement_fact(volumes[0]), measurement_fact(volumes[-1])))
                continue
            out.lines.append(f"{label}: no pair of values to compare in the past 12 months")
            continue
        hit = change.decide(threshold, change.absolute_points)
        physiology.append(hit)
        out.facts.extend((measurement_fact(change.latest), measurement_fact(change.peak)))
        verdict = {True: "meets", False: "below", None: "censored value: cannot decide"}[hit]
        out.lines.append(
            f"{measurement_text(change.latest)} vs 12-month peak "
            f"{measured_quantity(change.peak)} ({day(change.peak.when)}): "
            f"{fmt_number(change.absolute_points)} points ({verdict} {threshold.text})"
        )
    if any(physiology):
        out.physiology = True
    elif None in physiology:
        out.unknown.setdefault("physiology", "a censored lung-function value cannot decide")
    elif physiology:
        out.physiology = False
    lung_gaps = record.missing_data(*LUNG_FUNCTION)
    if lung_gaps and not out.physiology:
        out.unknown["physiology"] = gap_text(lung_gaps)
        out.lines.append(f"Lung function: not assessed in full: {gap_text(lung_gaps)}")
    progression = record.condition("ct_ild_progression", since=since)
    if progression is not None and progression.when is not None:
        out.radiology = True
        out.lines.append(f"HRCT progression recorded {progression.when.isoformat()}")
        out.facts.append(condition_fact(progression))
    else:
        out.lines.append("Radiological progression: none recorded in the past 12 months")
        imaging_gaps = record.missing_data(*IMAGING)
        if imaging_gaps:
            out.unknown["radiology"] = gap_text(imaging_gaps)
            out.lines.append(f"Imaging: not assessed in full: {gap_text(imaging_gaps)}")
    return out
