"""RA-ILD progressing: management options (KR §Treatment 2-3), R056-R061; ACR/CHEST 2023, B02;
conflict note Z7).

Recommendation (KR): "in clinically severe cases, the use of the steroid, MMF, and rituximab
may be considered in consultation with an expert" (expert opinion); no consensus on when to
start (R056). Prednisolone 1 mg/kg/day for 6 weeks then taper to 10 mg/day with a DMARD
(R058); rituximab 1,000 mg days 1 and 15 (R060). ACR/CHEST 2023 (conditional): mycophenolate
(preferred by the panel),
azathioprine, rituximab, cyclophosphamide; conditionally against abatacept, TNF inhibitors,
methotrexate and leflunomide as ILD treatment; no consensus on nintedanib first line.

When: RA-ILD with progression in the past 12 months (any ATS/ERS 2022 domain: worse
symptoms, absolute FVC >=5 / DLCO >=10 points decline, radiological progression). Then:
warning card with ACR/CHEST options first and the TC statements labelled as regional /
expert opinion (Z7).

Decisions: KR gives no definition of "severe"; the service fires on documented progression
only (no severity score is invented). Two or more domains in non-IPF fibrotic ILD also
produce the PPF card (nintedanib), which this card points to.
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir_mappings.record import PatientRecord

from ..compose import finding
from ..ctd_ild.progression import B03, progression_domains
from ..derived import Derived
from ..diseases import has_ctd_ild
from ..evidence import rule
from ..findings import Finding, Indicator
from ..shared_rules import B02, R001, R037

TOPIC = "ra-ild-management"

R056 = rule(
    "R056",
    "KR",
    "§Treatment 2-3)",
    "In clinically severe RA-ILD the steroid, MMF and rituximab may be considered in "
    "consultation with an expert; no consensus on when to start",
    "expert opinion",
    (TOPIC,),
)
R057 = rule(
    "R057",
    "KR",
    "§Treatment 2-3)",
    "RA-ILD deteriorating despite DMARDs and TNF inhibitors: high-dose prednisolone is "
    "conventional",
    "",
    (TOPIC,),
)
R058 = rule(
    "R058",
    "KR",
    "§Treatment 2-3)",
    "Prednisolone 1 mg/kg/day for 6 weeks then taper to 10 mg/day with a DMARD improved FVC",
    "40 patients, 6-8 months",
    (TOPIC,),
)
R060 = rule(
    "R060",
    "KR",
    "§Treatment 2-3)",
    "Rituximab 1,000 mg day 1 and 15, again at weeks 24 and 26, with methotrexate maintained "
    "FVC in RA-ILD",
    "6 of 7 patients at 48 weeks",
    (TOPIC,),
)
R061 = rule(
    "R061",
    "KR",
    "§Treatment 2-3)",
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

OPTIONS = (
    "ACR/CHEST 2023 (conditional): **mycophenolate** (preferred by the panel), "
    "azathioprine, rituximab or cyclophosphamide; glucocorticoids short term.",
    "KR (R056, expert opinion): steroid, MMF or rituximab with an expert; prednisolone "
    "1 mg/kg/day for 6 weeks then taper to 10 mg/day with a DMARD (R058); rituximab 1,000 mg "
    "on days 1 and 15 (R060).",
    "ACR/CHEST 2023: conditionally **against** abatacept, TNF inhibitors, methotrexate and "
    "leflunomide as ILD treatment (they may still treat the arthritis).",
    "Regional / expert opinion (TC review, Z7): GC with cyclosporine, abatacept or rituximab "
    "preferred; not ACR/CHEST guidance.",
    "Nintedanib: no ACR/CHEST consensus first line in RA-ILD; see the PPF card when 2 of 3 "
    "PPF criteria are met.",
)


def ra_ild_management(record: PatientRecord, derived: Derived | None = None) -> Iterator[Finding]:
    if not has_ctd_ild(record, "ra"):
        return
    domains = progression_domains(record)
    if domains.met < 1:
        return
    rules = (R056, R057, R058, R060, R061, B02, B03, R001, R130, R037)
    yield finding(
        topic=TOPIC,
        indicator=Indicator.WARNING,
        summary=(
            "RA-ILD progressing in the past year: review ILD treatment (ACR/CHEST 2023: "
            "mycophenolate, azathioprine, rituximab, cyclophosphamide)."
        ),
        patient_data=domains.lines,
        body=(
            "Progression = any ATS/ERS 2022 domain in the past 12 months (absolute % "
            "predicted change, latest vs highest of the preceding 12 months).",
        ),
        options_title="Options (in consultation with an expert)",
        options=OPTIONS,
        rules=rules,
        facts=tuple(domains.facts),
        priority=25,
    )
