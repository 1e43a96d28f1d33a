"""SSc-ILD treatment options as card text, with their evidence (KR §Treatment 2-2), ATS 2023,
ACR/CHEST 2023). Glucocorticoids are never offered as an SSc-ILD treatment (Z13, B02 strong
recommendation against). The autologous HSCT mortality figures (ASTIS/SCOT) are external to
the seeds (Z19): the card says they are not verified here."""

from __future__ import annotations

from ..evidence import rule
from ..shared_rules import B02
from ..text import threshold_text
from .glucocorticoid_risk import GC_WARNING

TOPICS = ("ssc-ild-treatment-indicated", "ssc-ild-decline")

R046 = rule(
    "R046",
    "KR",
    "§Treatment 2-2)(2)",
    "CYC may be considered in consultation with an expert in some SSc-ILD patients with "
    "dyspnea and reduced pulmonary function; short-term CYC may be considered",
    "weak recommendation, low evidence",
    TOPICS,
)
R047 = rule(
    "R047",
    "KR",
    "§Treatment 2-2)",
    "Scleroderma Lung Study I: oral CYC 2 mg/kg/day for 1 year vs placebo in 158 patients",
    "FVC % predicted difference 2.53% (95% CI 0.28-4.79) at 1 year",
    TOPICS,
)
R052 = rule(
    "R052",
    "KR",
    "§Treatment 2-2)",
    "SLS II: MMF may be considered as initial and maintenance therapy in SSc-ILD",
    "MMF 1,500 mg bid for 24 months vs CYC 2 mg/kg/day for 12 months; similar FVC course",
    TOPICS,
)
R053 = rule(
    "R053",
    "KR",
    "§Treatment 2-2)",
    "HSCT may be considered when SSc-ILD does not respond to immunosuppression or progresses",
    "",
    TOPICS,
)
R054 = rule(
    "R054",
    "KR",
    "§Treatment 2-2)",
    "Rituximab may be tried in a limited manner in patients not responding to current "
    "immunosuppressants",
    "open-label RCT of 12 patients",
    TOPICS,
)
R055 = rule(
    "R055",
    "KR",
    "§Treatment 2-2)",
    "Lung transplantation is the only treatment that prolongs survival in drug-refractory "
    "SSc-ILD; proposed exclusion criteria",
    "unstable renal function over the last 3 months",
    TOPICS,
)
B05 = rule(
    "B05",
    "ATS 2023 SSc-ILD",
    "summary figure",
    "SSc-ILD: mycophenolate strong for; cyclophosphamide, rituximab, tocilizumab, nintedanib "
    "and nintedanib + mycophenolate conditional for",
    "",
    TOPICS,
)

OPTION_RULES = (R046, R047, R052, R053, R054, R055, B02, B05)

OPTIONS: tuple[str, ...] = (
    "**Mycophenolate** first (ATS 2023: strong for; ACR/CHEST 2023: conditional, preferred "
    "first line by the panel).",
    "**Cyclophosphamide** (ACR/CHEST 2023 conditional), a short course with mesna.",
    "**Rituximab**, **tocilizumab** or **nintedanib** (ATS 2023: conditional).",
    "**Stem-cell or lung transplantation** if it progresses (mortality figures: external, "
    "not from the Korean guideline and not verified here).",
)


NO_GLUCOCORTICOID = (
    "Glucocorticoids are **not** an SSc-ILD treatment (ACR/CHEST 2023: strong against); "
    f"prednisolone {threshold_text(GC_WARNING)} risks renal crisis."
)
