"""Progressive pulmonary fibrosis (ATS/ERS/JRS/ALAT 2022, B03; KW R122).

Recommendation (ATS/ERS 2022 Table 4): in a patient with ILD of known or unknown aetiology
other than IPF, with radiological evidence of pulmonary fibrosis, PPF is at least two of three
criteria within the past year (worse symptoms; physiological progression: absolute FVC decline
>=5% predicted or DLCO >=10% predicted; radiological progression), with no alternative
explanation. Nintedanib is conditionally recommended (after standard management). KW: "Antifibrotic
agents may be considered in PPF."

When: ILD, no IPF diagnosis, radiological fibrosis on record, and >=2 domains met (see
``progression``). Then: card (warning) naming the domains; when an antifibrotic is already
active, the card says the ILD progresses on it. Otherwise what it suggests depends on the
CTD-ILD treatment so far (ATS/ERS 2022: nintedanib "in PPF patients who have failed standard
management"; KW R122: immunosuppression is the cornerstone; ACR/CHEST 2023, B02):
- no CTD, or SSc-ILD (nintedanib an ACR/CHEST first-line option): nintedanib 150 mg twice
  daily (INBUILD dose) after excluding alternative explanations;
- other CTD-ILD with a CTD-ILD treatment (not an antifibrotic) given now or before:
  nintedanib if it progresses despite standard management;
- other CTD-ILD never treated (or treatment unknown: medications unavailable): "treat the
  underlying CTD-ILD first; nintedanib if it progresses despite standard management", and for
  IIM/SjD/MCTD ACR/CHEST 2023 conditionally against nintedanib first line.
When fewer than 2 domains are met but the domains that could not be assessed (data set
unavailable, censored values) could make 2: ``info`` card saying PPF is not excluded.

Decisions: radiological fibrosis = a recorded reticular pattern, honeycombing, traction
bronchiectasis, UIP pattern/UIP, pulmonary fibrosis, or an HRCT fibrosis extent >0%.
INBUILD's relative criteria are never used here. Not shown during an acute presentation: ATS/ERS
2022 requires "no alternative explanation", which the acute work-up must settle first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from fhir_mappings.record import PatientRecord

from .. import drug_classes
from ..compose import finding
from ..data_gaps import MEDICATIONS, gap_text
from ..derived import Derived
from ..diseases import CTD_NAMES, ctd_groups, has_ild, has_ipf
from ..evidence import rule
from ..findings import Finding, Indicator
from ..shared_rules import B02, R037
from ..text import label, threshold_text
from .acute_exacerbation import acute_presentation
from .progression import B03, DLCO_POINTS, FVC_POINTS, Domains, progression_domains

TOPIC = "progressive-pulmonary-fibrosis"

R122 = rule(
    "R122",
    "KW",
    "abstract",
    "Immunosuppression is the cornerstone; aggressive combination regimens for rapidly "
    "progressive disease; antifibrotic agents may be considered in progressive pulmonary "
    "fibrosis",
    "",
    (TOPIC,),
)

FIBROSIS_FINDINGS = (
    "ct_reticular",
    "ct_honeycombing",
    "ct_traction_bronchiectasis",
    "ct_uip_pattern",
    "uip",
    "pulmonary_fibrosis",
)


def has_radiological_fibrosis(record: PatientRecord) -> bool:
    if record.has_condition(*FIBROSIS_FINDINGS):
        return True
    extent = record.latest("hrct_fibrosis_extent")
    if extent is None or extent.value is None:
        return False
    if extent.comparator in ("<", "<="):
        return False  # "<5%" may be 0%: fibrosis not shown
    return extent.value > 0


#: CTD groups for which ACR/CHEST 2023 recommends conditionally against nintedanib first line
#: (B02: SjD-, IIM- and MCTD-ILD)
AGAINST_FIRST_LINE_NINTEDANIB = ("iim", "sjd", "mctd")

#: statuses of a medication entry that never count as "given"
NOT_GIVEN = frozenset({"cancelled", "entered-in-error", "draft", "not-taken", "intended"})


def ctd_ild_treatment_given(record: PatientRecord) -> bool:
    """True when a CTD-ILD treatment other than an antifibrotic is or was given."""
    agents = drug_classes.ILD_TREATMENTS - drug_classes.ANTIFIBROTICS
    return any(
        not m.is_draft and m.status not in NOT_GIVEN
        for m in record.medications_since(agents, date.min)
    )


def _treatment_options(record: PatientRecord, groups: set[str]) -> tuple[str, list[str]]:
    """(summary tail, options) for a PPF card without an active antifibrotic (B02, B03, KW)."""
    nintedanib = (
        "**Nintedanib** 150 mg twice daily (ATS/ERS 2022: conditional, for progressive "
        "pulmonary fibrosis after failure of standard management)."
    )
    pirfenidone = "Pirfenidone: ATS/ERS 2022 asks for further research; not suggested."
    if not groups or "ssc" in groups:
        # no CTD: ATS/ERS 2022 PPF; SSc-ILD: nintedanib is an ACR/CHEST 2023 first-line option
        extra = (
            ["SSc-ILD: nintedanib is also an ACR/CHEST 2023 (conditional) first-line option."]
            if "ssc" in groups
            else []
        )
        return "consider nintedanib", [nintedanib, *extra, pirfenidone]
    gaps = record.missing_data(*MEDICATIONS)
    if ctd_ild_treatment_given(record):
        return "nintedanib if it progresses despite standard management", [nintedanib, pirfenidone]
    lines = [
        "Treat the underlying CTD-ILD first (Kuwana: immunosuppression is the cornerstone); "
        "nintedanib if the ILD progresses despite standard management (ATS/ERS 2022).",
    ]
    if gaps:
        lines.append(
            f"Whether a CTD-ILD treatment has been given could not be checked: {gap_text(gaps)}."
        )
    against = [CTD_NAMES[g] for g in AGAINST_FIRST_LINE_NINTEDANIB if g in groups]
    if against:
        lines.append(
            "ACR/CHEST 2023 recommends conditionally **against** nintedanib first line in "
            f"{' and '.join(against)} ILD."
        )
    lines.append(pirfenidone)
    return (
        "treat the underlying CTD-ILD first; nintedanib if it progresses despite standard "
        "management",
        lines,
    )


def progressive_pulmonary_fibrosis(
    record: PatientRecord, derived: Derived | None = None
) -> Iterator[Finding]:
    if not has_ild(record) or has_ipf(record) or not has_radiological_fibrosis(record):
        return
    if acute_presentation(record):
        return  # card policy: during an acute presentation that card leads
    domains = progression_domains(record)
    if domains.met < 2:
        if domains.could_meet >= 2:
            yield _not_assessed(record, domains)
        return
    on_antifibrotic = record.active_medications(drug_classes.ANTIFIBROTICS, include_drafts=False)
    groups = ctd_groups(record)
    rules = (B03, R122, B02) if groups else (B03, R122)
    lines = list(domains.lines)
    if on_antifibrotic:
        names = ", ".join(sorted({label(m.concept) for m in on_antifibrotic}))
        summary = f"ILD meets {domains.met} of 3 PPF criteria on {names}: review management."
        rules = (*rules, R037)
        options = [
            "Progression despite an antifibrotic: review adherence and dose, alternative "
            "explanations, and refer for lung-transplant assessment where appropriate.",
        ]
    else:
        tail, options = _treatment_options(record, groups)
        if groups and ctd_ild_treatment_given(record):  # worse despite drug therapy (R037)
            rules = (*rules, R037)
            options.append("Worse despite drug therapy: refer for lung-transplant assessment.")
        who = "CTD-ILD" if groups else "Non-IPF fibrotic ILD"
        summary = f"{who} meets {domains.met} of 3 PPF criteria (past year): {tail}."
    if groups:
        lines.insert(0, "CTD: " + ", ".join(CTD_NAMES[g] for g in sorted(groups)))
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=summary,
        why=lines,
        body=(BODY,),
        what_to_do=options,
        rules=rules,
        facts=tuple(domains.facts),
        priority=40,
    )


BODY = (
    "ATS/ERS 2022 progressive pulmonary fibrosis (PPF): 2 of 3 in the past year: worse "
    f"symptoms; FVC down {threshold_text(FVC_POINTS)} or DLCO {threshold_text(DLCO_POINTS)} "
    "of predicted (latest vs highest earlier value); radiological progression. Exclude "
    "infection, heart failure and pulmonary embolism."
)


def _not_assessed(record: PatientRecord, domains: Domains) -> Finding:
    """Fewer than 2 domains met, but the domains that could not be assessed could make 2."""
    reasons = "; ".join(f"{d}: {why}" for d, why in sorted(domains.unknown.items()))
    return finding(
        topic=TOPIC,
        indicator=Indicator.INFO,
        summary=(
            f"Fibrotic ILD meets {domains.met} of 3 PPF criteria; the others could not be "
            "assessed (data unavailable): PPF not excluded."
        ),
        why=[*domains.lines, f"Not assessed: {reasons}"],
        body=(BODY,),
        rules=(B03, R122),
        facts=tuple(domains.facts),
        priority=40,
    )
