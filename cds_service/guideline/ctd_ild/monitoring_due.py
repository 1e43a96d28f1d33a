"""CTD-ILD lung-function monitoring due (2023 ACR/CHEST screening and monitoring, B01).

Recommendation (ACR/CHEST 2023 Table 4, conditional): monitor SARD-ILD with PFTs; in the
first year every 3-6 months for IIM-ILD and SSc-ILD, every 3-12 months for RA-, SjD- and
MCTD-ILD; less often once stable. KR R023: SSc-ILD progresses most in the first 3-4 years,
so PFT regularly.

When: established ILD with SSc, IIM, RA, SjD or MCTD, and the last PFT older than the
interval (or none on record). Then: info card with the last PFT date and the due date.

Decisions (explicit day counts; the guideline gives ranges):
- First year after the ILD diagnosis (ILD onset within 365 days, or onset unknown):
  IIM/SSc **183 days** (the 6-month upper bound), RA/SjD/MCTD **365 days** (12-month bound).
- After the first year the guideline says "less often once stable" with no number: the
  service reminds at **365 days** for every disease.
- Overlap: the shortest applicable interval. Not shown during an acute presentation
  (``ctd-ild-acute-exacerbation`` leads; card policy). Due when the PFT is **older than**
  the interval
  (age in days > interval days). SLE-ILD is outside ACR/CHEST: no card.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from fhir_mappings.record import PatientRecord

from ..compose import finding
from ..derived import Derived
from ..diseases import CTD_NAMES, has_ctd_ild, ild_onset, last_pft
from ..evidence import Threshold, rule
from ..facts import present
from ..findings import Fact, Finding, Indicator
from .acute_exacerbation import acute_presentation
from .screening import B01

TOPIC = "sard-ild-monitoring-due"

R023 = rule(
    "R023",
    "KR",
    "§Classification 2",
    "SSc-ILD carries its greatest risk of progression in the first 3-4 years, so PFT should be "
    "performed on a regular basis",
    "progression in 45-55% in the first 3-4 years",
    (TOPIC,),
)

FIRST_YEAR_SHORT = Threshold("pft_age_days", ">", 183.0, "days", B01)  # IIM, SSc
FIRST_YEAR_LONG = Threshold("pft_age_days", ">", 365.0, "days", B01)  # RA, SjD, MCTD
AFTER_FIRST_YEAR = Threshold("pft_age_days", ">", 365.0, "days", B01)
FIRST_YEAR = timedelta(days=365)

SHORT_GROUPS = ("iim", "ssc")
LONG_GROUPS = ("ra", "sjd", "mctd")


def monitoring_interval(record: PatientRecord, groups: list[str]) -> Threshold:
    onset = ild_onset(record)
    first_year = onset is None or record.today - onset <= FIRST_YEAR
    if not first_year:
        return AFTER_FIRST_YEAR
    if any(g in SHORT_GROUPS for g in groups):
        return FIRST_YEAR_SHORT
    return FIRST_YEAR_LONG


def sard_ild_monitoring_due(
    record: PatientRecord, derived: Derived | None = None
) -> Iterator[Finding]:
    groups = [g for g in (*SHORT_GROUPS, *LONG_GROUPS) if has_ctd_ild(record, g)]
    if not groups:
        return
    if acute_presentation(record):
        return  # card policy: during an acute presentation that card leads
    interval = monitoring_interval(record, groups)
    days = int(interval.value)
    last = last_pft(record)
    onset = ild_onset(record)
    diseases = ", ".join(CTD_NAMES[g] for g in groups)
    lines = [
        f"Diagnosis: ILD with {diseases}"
        + (f" (ILD since {onset.isoformat()})" if onset else " (ILD onset date unknown)"),
        f"Interval applied: every {days} days"
        + (" (first year)" if interval is not AFTER_FIRST_YEAR else " (after the first year)"),
    ]
    facts: list[Fact] = [present("ild", onset)]
    if last is None:
        lines.append("Last PFT: none on record")
        summary = f"ILD with {diseases}: no PFT on record; lung-function monitoring is due."
    else:
        age = (record.today - last).days
        if not interval.holds(age):
            return
        due = last + timedelta(days=days)
        lines.append(f"Last PFT: {last.isoformat()} ({age} days ago); due {due.isoformat()}")
        facts.append(present("pft", last))
        summary = (
            f"ILD with {diseases}: last PFT {last.isoformat()}, due since "
            f"{due.isoformat()}; repeat PFTs."
        )
    yield finding(
        topic=TOPIC,
        indicator=Indicator.INFO,
        summary=summary,
        why=lines,
        body=(
            "ACR/CHEST 2023 (conditional): pulmonary function tests (PFTs) every 3-6 months "
            "in the first year for myositis and SSc-ILD, every 3-12 months for other CTD-ILD, "
            "then less often once stable.",
        ),
        rules=(B01, R023) if "ssc" in groups else (B01,),
        facts=tuple(facts),
        priority=70,
    )
