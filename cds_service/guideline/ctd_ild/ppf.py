"""Progressive pulmonary fibrosis (ATS/ERS/JRS/ALAT 2022, B03; KW R122).

Recommendation (ATS/ERS 2022 Table 4): in a patient with ILD of known or unknown aetiology
other than IPF, with radiological evidence of pulmonary fibrosis, PPF is at least two of three
criteria within the past year (worse symptoms; physiological progression: absolute FVC decline
>=5% predicted or DLCO >=10% predicted; radiological progression), with no alternative
explanation. Nintedanib is conditionally recommended (after standard management). KW: "Antifibrotic
agents may be considered in PPF."

When: ILD, no IPF diagnosis, radiological fibrosis on record, and >=2 domains met (see
``progression``). Then: card (warning) naming the domains and suggesting nintedanib
150 mg twice daily (INBUILD dose) after excluding alternative explanations; when an
antifibrotic is already active, the card says the ILD progresses on it.

Decisions: radiological fibrosis = a recorded reticular pattern, honeycombing, traction
bronchiectasis, UIP pattern/UIP, pulmonary fibrosis, or an HRCT fibrosis extent >0%.
INBUILD's relative criteria are never used here. Not shown during an acute presentation: ATS/ERS
2022 requires "no alternative explanation", which the acute work-up must settle first.
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.record import PatientRecord

from .. import drug_classes
from ..compose import finding
from ..diseases import has_ild, has_ipf
from ..evidence import rule
from ..findings import Finding, Indicator
from .acute_exacerbation import acute_presentation
from .progression import B03, DLCO_POINTS, FVC_POINTS, progression_domains

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
    return extent is not None and extent.value is not None and extent.value > 0


def progressive_pulmonary_fibrosis(record: PatientRecord) -> Iterator[Finding]:
    if not has_ild(record) or has_ipf(record) or not has_radiological_fibrosis(record):
        return
    if acute_presentation(record):
        return  # card policy: during an acute presentation that card leads
    domains = progression_domains(record)
    if domains.met < 2:
        return
    on_antifibrotic = record.active_medications(drug_classes.ANTIFIBROTICS, include_drafts=False)
    rules = (B03, R122)
    if on_antifibrotic:
        names = ", ".join(sorted({m.concept for m in on_antifibrotic}))
        summary = f"ILD meets {domains.met} of 3 PPF criteria on {names}: review management."
        options = [
            "Progression despite an antifibrotic: review adherence and dose, alternative "
            "explanations, and refer for lung-transplant assessment where appropriate.",
        ]
    else:
        summary = (
            f"Non-IPF fibrotic ILD meets {domains.met} of 3 PPF criteria in the past year: "
            "consider nintedanib."
        )
        options = [
            "**Nintedanib** 150 mg twice daily (ATS/ERS 2022 conditional recommendation for "
            "PPF after failure of standard management; INBUILD dose).",
            "Pirfenidone: ATS/ERS 2022 asks for further research; not suggested.",
        ]
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=summary,
        patient_data=domains.lines,
        body=(
            "ATS/ERS 2022 PPF: at least 2 of 3 in the past year: worse symptoms; absolute "
            f"decline of FVC {FVC_POINTS.text} or DLCO {DLCO_POINTS.text} of predicted "
            "(latest vs highest of the preceding 12 months); radiological progression. "
            "Exclude alternative explanations (infection, heart failure, pulmonary "
            "embolism), especially when only symptoms or DLCO support it.",
        ),
        options_title="Next steps",
        options=options,
        rules=rules,
        facts=tuple(domains.facts),
        priority=40,
    )
