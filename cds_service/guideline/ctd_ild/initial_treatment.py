"""Initial treatment of CTD-ILD other than SSc (KR §Treatment 2, Tables 4-5, R036/R038/R045;
ACR/CHEST 2023 treatment, B02).

Recommendation (KR): start a steroid or immunosuppressant when clinical features are severe,
symptoms have recently started to progress, or the systemic disease is of short duration
(R036). Table 4 (not SSc-ILD): prednisolone 0.5-1 mg/kg, maintenance 10 mg/day or lower,
steroid-tapering oral/IV cyclophosphamide or azathioprine. Table 5 per disease.
ACR/CHEST 2023 (conditional): mycophenolate (preferred by the panel), azathioprine, rituximab,
cyclophosphamide;
short-term glucocorticoids; conditionally against leflunomide, methotrexate, TNF inhibitors
and abatacept as ILD treatment.

When: ILD with Sjögren's disease, MCTD or SLE (RA-ILD has its own card, DM/PM-ILD the
DM/PM-ILD cards, SSc-ILD never gets GC), no ILD treatment active, and recent progression:
worse dyspnea in the last 90 days, or an ATS 2022 progression domain (radiological, or
physiological) in the last 12 months. Then: warning card with the options.

With ``medications``/``medication_statements`` unavailable for this call the treatment status
is unknown: the card is ``info`` and says so (never "no ILD treatment active").

Decisions: "severe" and "short duration" have no definition in KR and are not computed; the
card names them for the clinician. The prednisolone range is computed in mg/day only from a
body weight of the last 12 months.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from fhir_mappings.record import PatientRecord

from .. import drug_classes
from ..compose import finding
from ..data_gaps import MEDICATIONS, gap_text
from ..derived import Derived
from ..diseases import CTD_NAMES, has_ctd_ild, ild_entry
from ..evidence import fmt_number, rule
from ..facts import condition_fact, unique_facts
from ..findings import Finding, Indicator
from ..shared_rules import B02
from .progression import B03, progression_domains

TOPIC = "ctd-ild-initial-treatment"

R036 = rule(
    "R036",
    "KR",
    "§Treatment 2",
    "Start a steroid or immunosuppressive drug when clinical features are severe, symptoms "
    "have recently started to progress, or the systemic disease is of short duration",
    "",
    (TOPIC,),
)
R038 = rule(
    "R038",
    "KR",
    "Table 4",
    "Initial treatment for most CTD-ILD except SSc-ILD: prednisolone 0.5-1 mg/kg, taper to "
    "10 mg/day or lower; steroid-tapering oral or IV cyclophosphamide or azathioprine",
    "prednisolone 0.5-1 mg/kg; maintenance <=10 mg/day",
    (TOPIC,),
)
R045 = rule(
    "R045",
    "KR",
    "Table 5",
    "Treatment by CTD-ILD: SSc-ILD CYC, MMF, rituximab; RA-ILD steroid, MMF, rituximab; "
    "DM/PM-ILD steroid, MMF, AZA, tacrolimus, rituximab; other CTD-ILD steroid with CYC or AZA",
    "",
    (TOPIC, "ra-ild-management"),
)

GROUPS = ("sjd", "mctd", "sle")
RECENT_SYMPTOMS = timedelta(days=90)


def prednisolone_range(record: PatientRecord) -> str:
    weight = record.latest_weight_kg()
    if weight is None or weight.value is None:
        return "prednisolone 0.5-1 mg/kg/day (no body weight in the last 12 months)"
    low, high = 0.5 * weight.value, 1.0 * weight.value
    return (
        f"prednisolone 0.5-1 mg/kg/day = {fmt_number(round(low))}-{fmt_number(round(high))} "
        f"mg/day for {fmt_number(weight.value)} kg ({weight.when.isoformat()})"
    )


def ctd_ild_initial_treatment(
    record: PatientRecord, derived: Derived | None = None
) -> Iterator[Finding]:
    groups = [g for g in GROUPS if has_ctd_ild(record, g)]
    if not groups or has_ctd_ild(record, "ssc"):
        return
    if record.active_medications(drug_classes.ILD_TREATMENTS, include_drafts=False):
        return
    domains = progression_domains(record)
    recent_dyspnea = record.condition("dyspnea_worsening", since=record.today - RECENT_SYMPTOMS)
    if not (recent_dyspnea or domains.radiology or domains.physiology):
        return
    diseases = ", ".join(CTD_NAMES[g] for g in groups)
    gaps = record.missing_data(*MEDICATIONS)
    if gaps:
        status = f"ILD treatment status not checked: {gap_text(gaps)}"
        summary = (
            f"ILD with {diseases} and recent progression: consider treatment if none is "
            "active (medications could not be checked)."
        )
    else:
        status = "no ILD treatment active"
        summary = (
            f"Untreated ILD with {diseases} and recent progression: consider starting treatment."
        )
    rules = (R036, R038, R045, B02, B03)
    options = [
        f"Korean guideline Table 4: {prednisolone_range(record)}, tapering to 10 mg/day or lower; "
        "steroid-tapering oral or IV cyclophosphamide or azathioprine.",
        "ACR/CHEST 2023 (conditional): **mycophenolate** (preferred by the panel), "
        "azathioprine, rituximab or cyclophosphamide; glucocorticoids short term (bridging).",
        "ACR/CHEST 2023: conditionally **against** leflunomide, methotrexate, TNF inhibitors "
        "and abatacept as ILD treatment.",
    ]
    if "mctd" in groups:
        options.append("MCTD-ILD: tocilizumab is a conditional ACR/CHEST 2023 option.")
    if "sle" in groups:
        options.append("SLE-ILD is outside ACR/CHEST 2023 (ERS/EULAR 2025 covers it).")
    ild = ild_entry(record)
    facts = [*domains.facts, *(condition_fact(c) for c in (recent_dyspnea, ild) if c is not None)]
    yield finding(
        topic=TOPIC,
        indicator=Indicator.INFO if gaps else Indicator.WARNING,
        facts=tuple(unique_facts(facts)),
        summary=summary,
        why=[f"Diagnosis: ILD with {diseases}; {status}", *domains.lines],
        body=(
            "Korean guideline: treat when features are severe, symptoms recently progress, or "
            "the systemic disease is of short duration (for the clinician to judge).",
        ),
        what_to_do=options,
        rules=rules,
        priority=30,
    )
