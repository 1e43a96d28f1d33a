"""Tocilizumab regimen in CTD-ILD, per indication (topic ``order-tocilizumab-regimen``).

Sources: TC §3 (R136, focuSSced: 162 mg SC weekly; R137, Kudsi: 162 mg SC every 2 weeks;
R135, Mihai: 8 mg/kg IV every 4 weeks); TC §2 (R132: tocilizumab in RA-ILD); TC §5 (R139:
the optimal regimen in CTD-ILD is undetermined). Clinical anchor B16: the US label for SSc-ILD
is 162 mg SC once weekly and the IV formulation is not approved for SSc-ILD. Conflict note
Z15: weekly SC → no alert; every 2 weeks or IV → an informational note, not an error.

Per indication (CTD-ILD = an ILD with the CTD, or the CTD's own lung code; R001):
- **SSc-ILD**: 162 mg SC every 7 days → no card; anything else → info naming how it differs
  from the label, and the case reports that used 162 mg SC every 2 weeks or 8 mg/kg IV every
  4 weeks (informational, not an error);
- **RA-ILD**: the rheumatoid arthritis regimens → no card: IV 4-8 mg/kg every 4 weeks, or
  162 mg SC weekly or every other week (US prescribing information for RA; not a seed or anchor
  figure, a decision of this service); anything else → info;
- SSc and RA both recorded: a regimen of either indication → no card;
- **another CTD-ILD** (myositis, MCTD, Sjögren's, a CTD-ILD code without the CTD): no label
  regimen to compare with → ``info`` saying the indication decides the regimen and naming the
  regimen drafted;
- route, dose or interval not readable → info saying the regimen could not be checked.
No suggestion: the seeds do not say the other regimens are wrong (case reports used them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fhir_mappings.record import MedicationEntry, PatientRecord

from ..compose import finding
from ..diseases import has_ctd_ild
from ..evidence import rule
from ..findings import Finding, Indicator
from ..shared_rules import R001
from ..text import number
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
RA_IV_MG_PER_KG = (4.0, 8.0)
WEEK = 7.0
#: the SSc-ILD label regimen as card text, from ``LABEL_DOSE_MG`` (B16)
LABEL_SC = f"{number(LABEL_DOSE_MG)} mg SC"
#: the rheumatoid arthritis IV regimen as card text, from ``RA_IV_MG_PER_KG``
RA_IV = f"IV {number(RA_IV_MG_PER_KG[0])}-{number(RA_IV_MG_PER_KG[1])} mg/kg every 4 weeks"


@dataclass(frozen=True)
class Regimen:
    """A drafted tocilizumab order as route, dose and interval (None = not readable)."""

    entry: MedicationEntry
    route: str | None
    dose_mg: float | None
    per_kg: float | None
    interval_days: float | None

    def text(self) -> str:
        route = {"subcutaneous": "SC", "intravenous": "IV"}.get(self.route or "", "route ?")
        if self.per_kg is not None and self.route == "intravenous":
            dose = f"{number(self.per_kg)} mg/kg"
        else:
            dose = f"{number(self.dose_mg)} mg" if self.dose_mg is not None else "dose ?"
        every = f"every {number(self.interval_days)} days" if self.interval_days else "interval ?"
        return f"tocilizumab {dose} {route} {every}"

    @property
    def unreadable(self) -> list[str]:
        out = []
        if self.route is None:
            out.append("route not given")
        if self.dose_mg is None and self.per_kg is None:
            out.append(f"dose not readable ({self.entry.dose_problem or 'unknown'})")
        if self.interval_days is None:
            out.append("dosing interval not given")
        return out


def _interval_days(m: MedicationEntry) -> float | None:
    if m.period_days is not None and (m.doses_per_day or 0) <= 1 / m.period_days + 1e-9:
        return m.period_days
    if m.doses_per_day:
        return 1.0 / m.doses_per_day
    return None


def regimen(m: MedicationEntry, record: PatientRecord) -> Regimen:
    per_kg = m.dose_per_kg
    weight = common.weight_kg(record)
    if per_kg is None and m.dose_mg is not None and weight:
        per_kg = m.dose_mg / weight
    return Regimen(m, m.route, m.dose_mg, per_kg, _interval_days(m))


def _same(a: float | None, b: float, tolerance: float) -> bool:
    return a is not None and abs(a - b) <= tolerance


def ssc_label(r: Regimen) -> bool:
    """162 mg SC once weekly (B16)."""
    return (
        r.route == "subcutaneous"
        and _same(r.dose_mg, LABEL_DOSE_MG, 0.5)
        and _same(r.interval_days, WEEK, 0.01)
    )


def ra_regimen(r: Regimen) -> bool:
    """IV 4-8 mg/kg every 4 weeks, or 162 mg SC weekly or every other week."""
    if r.route == "subcutaneous":
        return _same(r.dose_mg, LABEL_DOSE_MG, 0.5) and (
            _same(r.interval_days, WEEK, 0.01) or _same(r.interval_days, 2 * WEEK, 0.01)
        )
    if r.route == "intravenous" and r.per_kg is not None:
        low, high = RA_IV_MG_PER_KG
        return low - 0.05 <= r.per_kg <= high + 0.05 and _same(r.interval_days, 4 * WEEK, 0.01)
    return False


def label_differences(r: Regimen) -> list[str]:
    """How a regimen differs from the SSc-ILD label (162 mg SC once weekly)."""
    out = []
    if r.route is not None and r.route != "subcutaneous":
        out.append(f"route {r.route} (the IV formulation is not approved for SSc-ILD)")
    if r.dose_mg is not None and not _same(r.dose_mg, LABEL_DOSE_MG, 0.5):
        out.append(f"dose {number(r.dose_mg)} mg (label {number(LABEL_DOSE_MG)} mg)")
    if r.interval_days is not None and not _same(r.interval_days, WEEK, 0.01):
        out.append(f"every {number(r.interval_days)} days (label: weekly)")
    return out


SSC_NOTE = (
    f"SSc-ILD label: **{LABEL_SC} once weekly**; the IV formulation is not approved for SSc-ILD. "
    "Case reports used 162 mg SC every 2 weeks and 8 mg/kg IV every 4 weeks: informational, "
    "not an error."
)
RA_NOTE = (
    f"Rheumatoid arthritis regimens: {RA_IV}, or {LABEL_SC} weekly or every "
    "other week. In rheumatoid arthritis ILD, small series saw lung function stable or better "
    "in most patients."
)
OTHER_NOTE = (
    f"Tocilizumab has a label regimen for SSc-ILD ({LABEL_SC} weekly) and regimens for "
    "rheumatoid arthritis; for this CTD-ILD no regimen is established (the optimal regimen, "
    "dose and duration in CTD-ILD are undetermined): the indication decides."
)


def _has_ctd_ild(record: PatientRecord) -> bool:
    if record.has_condition(*common.CTD_ILD):
        return True
    return record.has_condition(*common.ILD) and record.has_condition(*common.CTD)


def check(record: PatientRecord, orders: OrderSet) -> Iterator[Finding]:
    drafts = common.focused(orders, frozenset({"tocilizumab"}))
    if not drafts or not _has_ctd_ild(record):
        return
    indications = {g for g in ("ssc", "ra") if has_ctd_ild(record, g)}
    regimens = [regimen(d, record) for d in drafts]
    unread = [x for r in regimens for x in r.unreadable]
    accepted = [
        ("ssc" in indications and ssc_label(r)) or ("ra" in indications and ra_regimen(r))
        for r in regimens
    ]
    if all(accepted) and not unread and indications:
        return
    names = {"ssc": "SSc-ILD", "ra": "rheumatoid arthritis ILD"}
    shown = " and ".join(names[i] for i in sorted(indications)) or "CTD-ILD (not SSc or RA)"
    if unread:
        summary = f"Tocilizumab order in {shown}: the regimen could not be checked."
    elif not indications:
        summary = (
            "Tocilizumab in a CTD-ILD other than SSc or RA: no established regimen; the "
            "indication decides."
        )
    elif indications == {"ra"}:
        summary = "Tocilizumab regimen differs from the rheumatoid arthritis regimens."
    else:
        summary = f"Tocilizumab regimen differs from the SSc-ILD label of {LABEL_SC} once weekly."
    notes = [n for i, n in (("ssc", SSC_NOTE), ("ra", RA_NOTE)) if i in indications]
    rules = [R136, B16, R137, R135] if "ssc" in indications else []
    rules += [R132] if "ra" in indications else []
    rules += [R139, R134, R001] if not indications else [R139, R001]
    yield finding(
        topic=TOPIC,
        indicator=Indicator.INFO,
        summary=summary,
        why=[
            f"Indication: {shown}",
            *(f"Drafted: {r.text()}" for r in regimens),
            *(
                "Differs from the SSc-ILD label: " + "; ".join(diff)
                for r in regimens
                if "ssc" in indications and (diff := label_differences(r))
            ),
            *unread,
        ],
        body=notes or [OTHER_NOTE],
        rules=rules,
        facts=tuple(common.dose_fact(d, record) for d in drafts),
        override_reasons=common.OVERRIDE_REASONS,
    )
