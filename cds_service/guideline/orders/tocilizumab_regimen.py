"""Tocilizumab regimen in CTD-ILD (topic ``order-tocilizumab-regimen``).

Sources: TC §3 (R136, focuSSced: 162 mg SC weekly; R137, Kudsi: 162 mg SC every 2 weeks;
R135, Mihai: 8 mg/kg IV every 4 weeks). Clinical anchor B16: the US label for SSc-ILD is
162 mg SC once weekly and the IV formulation is not approved for SSc-ILD. Conflict note Z15:
weekly SC → no alert; every 2 weeks or IV → an informational note, not an error.

When tocilizumab is drafted (focused) for a patient with CTD-ILD (an ILD diagnosis plus a CTD,
or a CTD-ILD diagnosis):
- 162 mg subcutaneous every 7 days → no card;
- IV, a dose other than 162 mg, an interval other than weekly → info (what differs);
- route, dose or interval not readable → info saying the regimen could not be checked.
No suggestion: the seeds do not say the other regimens are wrong (case reports used them).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fhir_mappings.record import MedicationEntry, PatientRecord

from ..evidence import cite, fmt_number, rule
from ..findings import Finding, Indicator
from . import common

if TYPE_CHECKING:
    from fhir_mappings.orders import OrderSet

TOPIC = "order-tocilizumab-regimen"

R136 = rule(
    "R136",
    "TC",
    "§3",
    "focuSSced (Khanna): placebo vs tocilizumab 162 mg SC weekly in diffuse SSc with elevated "
    "acute-phase reactants; FVC decline smaller with tocilizumab.",
    "162 mg SC weekly",
    (TOPIC,),
)
B16 = rule(
    "B16",
    "FDA tocilizumab SSc-ILD",
    "label (4 March 2021)",
    "Tocilizumab SC is approved to slow the decline in pulmonary function in SSc-ILD at 162 mg "
    "SC once weekly; the IV formulation is not approved for SSc-ILD.",
    "162 mg SC once weekly",
    (TOPIC,),
)

R132 = rule(
    "R132",
    "TC",
    "§2",
    "Tocilizumab in RA-ILD: monotherapy in 4 (Manfredi 2018) and 12 (Otsuji) patients with no "
    "ILD progression; 28 followed 30 months: lung function stable 56%, improved 20%, worse 24%",
    "stable 56%, improved 20%, worse 24% (28 patients, 30 months)",
    (TOPIC,),
)
R134 = rule(
    "R134",
    "TC",
    "§3",
    "Tocilizumab is approved (US label) to slow the decline in pulmonary function in SSc-ILD",
    "",
    (TOPIC,),
)
R135 = rule(
    "R135",
    "TC",
    "§3",
    "Mihai 2020: SSc-ILD with COVID-19 on tocilizumab 8 mg/kg IV every 4 weeks; joints and ILD "
    "controlled",
    "8 mg/kg IV every 4 weeks",
    (TOPIC,),
)
R137 = rule(
    "R137",
    "TC",
    "§3",
    "Kudsi: SSc-ILD (Rodnan score 18) on tocilizumab 162 mg SC every 2 weeks; Rodnan score fell "
    "after 4 weeks; stopped after 6 months with no side effects",
    "162 mg SC every 2 weeks",
    (TOPIC,),
)
R139 = rule(
    "R139",
    "TC",
    "§5",
    "The optimal tocilizumab regimen, dose and duration in CTD-ILD are undetermined",
    "",
    (TOPIC,),
)

LABEL_DOSE_MG = 162.0
LABEL_INTERVAL_DAYS = 7.0


def _interval_days(m: MedicationEntry) -> float | None:
    if m.period_days is not None:
        return m.period_days
    if m.doses_per_day:
        return 1.0 / m.doses_per_day
    return None


def _differences(m: MedicationEntry) -> tuple[list[str], list[str]]:
    """(how the regimen differs from the label, what could not be read)."""
    differs: list[str] = []
    unread: list[str] = []
    if m.route is None:
        unread.append("route not given")
    elif m.route != "subcutaneous":
        differs.append(f"route {m.route} (the IV formulation is not approved for SSc-ILD)")
    if m.dose_mg is None:
        unread.append(f"dose not readable ({m.dose_problem})")
    elif abs(m.dose_mg - LABEL_DOSE_MG) > 0.5:
        differs.append(f"dose {fmt_number(round(m.dose_mg, 1))} mg (label 162 mg)")
    interval = _interval_days(m)
    if interval is None:
        unread.append("dosing interval not given")
    elif abs(interval - LABEL_INTERVAL_DAYS) > 0.01:
        differs.append(f"every {fmt_number(round(interval, 1))} days (label: weekly)")
    return differs, unread


def _has_ctd_ild(record: PatientRecord) -> bool:
    if common.has_condition(record, common.CTD_ILD):
        return True
    return common.has_condition(record, common.ILD) and common.has_condition(record, common.CTD)


def check(record: PatientRecord, orders: OrderSet) -> Iterator[Finding]:
    drafts = common.focused(orders, frozenset({"tocilizumab"}))
    if not drafts or not _has_ctd_ild(record):
        return
    lines: list[str] = []
    any_unread = False
    for d in drafts:
        differs, unread = _differences(d)
        any_unread = any_unread or bool(unread)
        if differs or unread:
            lines.append("- drafted order: " + "; ".join(differs + unread))
    if not lines:
        return
    summary = (
        "Tocilizumab order: the regimen could not be checked against 162 mg SC weekly."
        if any_unread
        else "Tocilizumab regimen differs from the SSc-ILD label of 162 mg SC once weekly."
    )
    yield Finding(
        topic=TOPIC,
        indicator=Indicator.INFO,
        summary=summary,
        detail="\n".join(
            [
                "Tocilizumab is drafted for a patient with CTD-ILD:",
                *lines,
                "",
                "The US label for SSc-ILD is **162 mg SC once weekly** (focuSSced trial); the IV "
                "formulation is not approved for SSc-ILD. Case reports used 162 mg SC every 2 "
                "weeks (Kudsi) and 8 mg/kg IV every 4 weeks (Mihai): informational, not an "
                "error.",
                "",
                cite(R136, R137, R135, R139, B16),
            ]
        ),
        rules=(R136.id, R137.id, R135.id, R139.id, B16.id),
        facts=tuple(common.dose_fact(d, record) for d in drafts),
        override_reasons=common.OVERRIDE_REASONS,
    )
