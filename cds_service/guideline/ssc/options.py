"""SSc-ILD treatment options as card text, with their evidence (KR §Treatment 2-2), ATS 2023,
ACR/CHEST 2023). Glucocorticoids are never offered as an SSc-ILD treatment (Z13, B02 strong
recommendation against)."""

from __future__ import annotations

from ..evidence import rule
from ..shared_rules import B02

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
    "**Mycophenolate** (ATS 2023: strong for; ACR/CHEST 2023: conditional, preferred first "
    "line by the panel). SLS II: "
    "MMF 1,500 mg twice daily for 24 months matched CYC 2 mg/kg/day for 12 months, with fewer "
    "falls in leucocytes and platelets (KR R052).",
    "**Cyclophosphamide** (ACR/CHEST 2023 conditional), short course and with an expert "
    "(KR R046, weak recommendation). "
    "SLS I: oral 2 mg/kg/day for 1 year, FVC +2.53% predicted vs placebo (KR R047); benefit "
    "lost by 24 months. Mesna, blood counts and urinalysis; no long-term use (R049).",
    "**Rituximab** (ATS 2023 and ACR/CHEST 2023 conditional; KR R054: limited, for "
    "non-responders).",
    "**Tocilizumab** 162 mg SC once weekly (ATS 2023 conditional; US label for SSc-ILD).",
    "**Nintedanib** 150 mg twice daily, alone or with mycophenolate (ATS 2023 conditional).",
    "**Autologous HSCT** at an experienced centre when the ILD progresses despite "
    "immunosuppression (KR R053; ACR/CHEST 2023 Figure 4). External, not from KR and not "
    "verified here (Z19): the ASTIS/SCOT trials are known for higher early "
    "treatment-related mortality.",
    "**Lung transplantation** in drug-refractory disease (KR R055); proposed exclusions: "
    "uncontrolled myositis, active digital ulcers, severe SSc gastrointestinal disease, "
    "cardiac arrhythmia, unstable renal function in the last 3 months, high renal-crisis risk.",
)

NO_GLUCOCORTICOID_NOTE = (
    "Glucocorticoids are **not** an SSc-ILD treatment: ACR/CHEST 2023 recommends strongly "
    "against them, and a prednisolone dose over 10 mg/day risks scleroderma renal crisis "
    "(KR R051)."
)
