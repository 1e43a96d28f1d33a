"""RA-ILD progressing: management options (Korean guideline §Treatment 2-3), R056-R061;
ACR/CHEST 2023, B02; conflict note Z7).

Recommendation (KR): "in clinically severe cases, the use of the steroid, MMF, and rituximab
may be considered in consultation with an expert" (expert opinion); no consensus on when to
start (R056). ACR/CHEST 2023 (conditional): mycophenolate (preferred by the panel),
azathioprine, rituximab, cyclophosphamide; conditionally against abatacept, TNF inhibitors,
methotrexate and leflunomide as ILD treatment. The tocilizumab review's preferences (R130) are
shown labelled as regional / expert opinion (Z7). Lung transplant referral when the ILD
worsens despite drug therapy (R037, all CTD-ILD).

When: RA-ILD (R001: ILD with RA, in either order) with progression in the past 12 months:
- any ATS/ERS 2022 domain (B03): worse symptoms; absolute FVC decline >=5 or DLCO decline
  >=10 points of % predicted; radiological progression;
- or a **relative** FVC decline >=10% (the INBUILD progression criterion, B04): at a low FVC a
  relative fall of 10% is less than 5 points (41 -> 36.5% = 4.5 points, 11% relative).
Both lung-function comparisons are the latest value of the past 12 months against the highest
earlier value inside the same 12 months (``physiology.decline_from_peak``); a censored value
decides only when its bound settles the threshold.

Decisions: KR gives no definition of "severe"; the service fires on documented progression
only (no severity score is invented). Two or more domains in non-IPF fibrotic ILD also
produce the PPF card (nintedanib), which this card points to.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from fhir_mappings.lung_volumes import volume_concept
from fhir_mappings.record import PatientRecord

from ..compose import finding
from ..ctd_ild.physiology import PeakDecline, decline_from_peak
from ..ctd_ild.progression import B03, DLCO_POINTS, FVC_POINTS, WINDOW, progression_domains
from ..derived import Derived
from ..diseases import has_ctd_ild
from ..evidence import Threshold, rule
from ..facts import measurement_fact
from ..findings import Fact, Finding, Indicator
from ..shared_rules import B02, R037
from ..text import day, measured_quantity, number, threshold_text

TOPIC = "ra-ild-management"

R056 = rule(
    "R056",
    "KR",
    "§Treatment 2-3",
    "In clinically severe RA-ILD the steroid, MMF and rituximab may be considered in "
    "consultation with an expert; no consensus on when to start",
    "expert opinion",
    (TOPIC,),
)
R057 = rule(
    "R057",
    "KR",
    "§Treatment 2-3",
    "RA-ILD deteriorating despite DMARDs and TNF inhibitors: high-dose prednisolone is "
    "conventional",
    "",
    (TOPIC,),
)
R058 = rule(
    "R058",
    "KR",
    "§Treatment 2-3",
    "Prednisolone 1 mg/kg/day for 6 weeks then taper to 10 mg/day with a DMARD improved FVC",
    "40 patients, 6-8 months",
    (TOPIC,),
)
R060 = rule(
    "R060",
    "KR",
    "§Treatment 2-3",
    "Rituximab 1,000 mg day 1 and 15, again at weeks 24 and 26, with methotrexate maintained "
    "FVC in RA-ILD",
    "6 of 7 patients at 48 weeks",
    (TOPIC,),
)
R061 = rule(
    "R061",
    "KR",
    "§Treatment 2-3",
    "Case reports: stabilisation with azathioprine, abatacept, tocilizumab and infliximab",
    "",
    (TOPIC,),
)
R130 = rule(
    "R130",
    "TC",
    "§2",
    "TC: GC plus immunotherapy (e.g. cyclosporine) remains the primary treatment of RA-ILD, "
    "which generally prefers abatacept and rituximab; TNF, B-cell and JAK inhibitors also used",
    "regional / expert opinion (Z7)",
    (TOPIC,),
)

B04 = rule(
    "B04",
    "INBUILD 2019",
    "inclusion criteria",
    "Progressive fibrosing ILD other than IPF: relative FVC decline >=10% (or >=5 to <10% with "
    "worse symptoms or more fibrosis on HRCT) within 24 months despite management",
    "relative FVC decline >=10%",
    (TOPIC,),
)

FVC_RELATIVE = Threshold("fvc_pct_pred_relative_decline", ">=", 10.0, "%", B04)

WHAT_TO_DO = (
    "ACR/CHEST 2023: **mycophenolate** (preferred by the panel), azathioprine, "
    "rituximab or cyclophosphamide; **against** abatacept, tumour necrosis factor inhibitors, "
    "methotrexate and leflunomide for the ILD.",
    "Korean guideline (expert opinion): prednisolone 1 mg/kg/day for 6 weeks, tapered.",
    "Regional / expert opinion (tocilizumab review): glucocorticoid with cyclosporine, "
    "abatacept or rituximab.",
    "Worse despite drug therapy: refer for lung-transplant assessment.",
)

RULES = (R056, R057, R058, R060, R061, B02, B03, B04, R130, R037)
UNDECIDED = {True: "", False: "", None: " (censored value: cannot decide)"}


@dataclass
class LungFunction:
    """The FVC and DLCO comparisons: what decided (for the summary), lines and facts."""

    reasons: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)


def _change_line(label: str, change: PeakDecline) -> str:
    return (
        f"{label} {measured_quantity(change.latest)} ({day(change.latest.when)}) from "
        f"{measured_quantity(change.peak)} ({day(change.peak.when)}): "
        f"-{number(change.absolute_points)} points"
    )


def _fvc(change: PeakDecline, out: LungFunction, *, litres: bool = False) -> None:
    """FVC in % predicted: the absolute points or the relative fall. FVC charted as volumes
    only (``litres``): the relative fall is judged from the volumes (the same fraction as in %
    predicted); the absolute points criterion needs % predicted, so it is named as not
    assessable, never skipped silently."""
    relative = change.relative_percent
    rel_hit = None if relative is None else change.decide(FVC_RELATIVE, relative)
    rel = f", {number(relative)}% relative" if relative is not None else ""
    if litres:
        hit = rel_hit
        out.lines.append(
            f"FVC {measured_quantity(change.latest)} ({day(change.latest.when)}) from "
            f"{measured_quantity(change.peak)} ({day(change.peak.when)}){rel} (counts at "
            f"{threshold_text(FVC_RELATIVE)}){UNDECIDED[hit]}; the fall in points of % "
            "predicted is not assessable (no predicted value charted)"
        )
    else:
        absolute = change.decide(FVC_POINTS, change.absolute_points)
        hit = True if (absolute or rel_hit) else (None if None in (absolute, rel_hit) else False)
        counts = f" (counts at {threshold_text(FVC_POINTS)} or {threshold_text(FVC_RELATIVE)})"
        out.lines.append(_change_line("FVC", change) + rel + counts + UNDECIDED[hit])
    if hit:
        out.reasons.append(
            f"FVC {measured_quantity(change.peak)} to {measured_quantity(change.latest)}{rel}"
        )


def _dlco(change: PeakDecline, out: LungFunction) -> None:
    hit = change.decide(DLCO_POINTS, change.absolute_points)
    counts = f" (counts at {threshold_text(DLCO_POINTS)})"
    out.lines.append(_change_line("DLCO", change) + counts + UNDECIDED[hit])
    if hit:
        out.reasons.append(f"DLCO down {number(change.absolute_points)} points")


def lung_function(record: PatientRecord) -> LungFunction:
    out = LungFunction()
    since = record.today - WINDOW
    for concept, label, judge in (("fvc_pct_pred", "FVC", _fvc), ("dlco_pct_pred", "DLCO", _dlco)):
        change = decline_from_peak(record, concept, latest_within=WINDOW, peak_since=since)
        volume = volume_concept(concept) if change is None else None
        litres = (
            decline_from_peak(record, volume, latest_within=WINDOW, peak_since=since)
            if volume == "fvc"
            else None
        )
        if litres is not None:
            _fvc(litres, out, litres=True)  # % predicted not computable: the relative fall
            out.facts.extend((measurement_fact(litres.latest), measurement_fact(litres.peak)))
            continue
        if change is None:
            out.lines.append(f"{label}: no two values of % predicted in the past 12 months")
            continue
        judge(change, out)
        out.facts.extend((measurement_fact(change.latest), measurement_fact(change.peak)))
    return out


def _volumes_instead(line: str, domain_lines: list[str]) -> str:
    """A "no two values" line replaced by the progression reader's account of volumes charted
    without a predicted value ("% predicted cannot be computed ..."), when it has one."""
    label = line.split(":")[0]
    if not line.endswith("no two values of % predicted in the past 12 months"):
        return line
    prefix = f"{label}: % predicted cannot be computed"
    return next((d for d in domain_lines if d.startswith(prefix)), line)


def ra_ild_management(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    if not has_ctd_ild(record, "ra"):
        return
    domains = progression_domains(record)
    lung = lung_function(record)
    if not (domains.symptoms or domains.radiology or lung.reasons):
        return
    reasons = list(lung.reasons)
    why = [_volumes_instead(line, domains.lines) for line in lung.lines]
    for met, text, prefix in (
        (domains.symptoms, "worse dyspnoea", "Worsening dyspnea recorded"),
        (domains.radiology, "HRCT progression", "HRCT progression recorded"),
    ):
        if met:
            reasons.append(text)
            why.extend(line for line in domains.lines if line.startswith(prefix))
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=(
            f"RA-ILD progressing ({', '.join(reasons[:2])}): review ILD treatment with an expert."
        ),
        why=why,
        what_to_do=WHAT_TO_DO,
        not_assessed=[f"{d}: {why}" for d, why in sorted(domains.unknown.items())],
        rules=RULES,
        facts=(*domains.facts, *lung.facts),
        priority=25,
    )
