"""Rules that several packages apply (patient-view cards and order checks), declared once.

A rule applied by more than one package is declared here so the catalog has one text per
rule id and one list of the topics that apply it; each package imports the object from here.
Rules used by one package stay beside their code (``evidence.rule`` refuses a second
declaration of an id).
"""

from __future__ import annotations

from . import evidence

R049 = evidence.rule(
    "R049",
    "KR",
    "§Treatment 2-2)",
    (
        "CYC adverse effects (hematuria, leukopenia, neutropenia, anemia, pneumonia): regular"
        " blood tests, mesna against hemorrhagic cystitis, long-term use not recommended"
    ),
    figure="bladder cancer and other malignancy with long-term use",
    topics=(
        "ssc-ild-treatment-indicated",
        "ssc-ild-decline",
        "cyclophosphamide-safety",
        "order-cyclophosphamide-bundle",
    ),
)

R051 = evidence.rule(
    "R051",
    "KR",
    "§Treatment 2-2)",
    (
        "High-dose steroid is not recommended in SSc because renal crisis can develop rapidly"
        " if the daily prednisolone dose is over 10 mg"
    ),
    figure="prednisolone >10 mg/day",
    topics=(
        "ssc-glucocorticoid-risk",
        "order-ssc-glucocorticoid-dose",
    ),
)

R094 = evidence.rule(
    "R094",
    "JP",
    "§Cyclosporine",
    (
        "Maintain the CsA concentration: a low concentration, or delay in reaching a proper "
        "concentration, lets ILD progress"
    ),
    topics=(
        "cyclosporine-level",
        "order-cyclosporine-monitoring",
    ),
)

R095 = evidence.rule(
    "R095",
    "JP",
    "§Cyclosporine",
    (
        "Kotani: GC-CsA with the 2-hour post-dose concentration (C2) kept >1,000 ng/mL is "
        "effective; monitor both trough and C2"
    ),
    figure="C2 >1,000 ng/mL; 1-year survival 89%",
    topics=(
        "cyclosporine-level",
        "order-cyclosporine-monitoring",
    ),
)

R096 = evidence.rule(
    "R096",
    "JP",
    "§Cyclosporine",
    (
        "IV CsA (authors' institute): infuse over 12 hours every day, start at 200 mg/day, "
        "adjust to a pre-dose (trough) concentration of 200-250 ng/mL; switch to oral when "
        "ILD is controlled and respiration is stable."
    ),
    figure="200 mg/day IV over 12 h; pre-dose 200-250 ng/mL",
    topics=(
        "dmpm-ild-poor-prognosis",
        "cyclosporine-level",
        "order-cyclosporine-monitoring",
    ),
)

R109 = evidence.rule(
    "R109",
    "JP",
    "§Initial combination therapy",
    (
        "For A/S-ILD with poor prognostic factors, consider initial combination therapy "
        "rather than step-up."
    ),
    figure=(
        "Nagasaka 5-year survival 69% vs 39% (GC alone; 32% in §Cyclosporine); Kotani 1-year "
        "survival 89% vs 43% (step-up); Takada 5-year survival 74% vs 54% (step-up)"
    ),
    topics=(
        "dmpm-ild-poor-prognosis",
        "order-as-ild-monotherapy",
    ),
)

R110 = evidence.rule(
    "R110",
    "JP",
    "§Triple therapy",
    (
        "Triple therapy (Kameda): CsA + IVCY + high-dose GC for A/S-ILD with poor prognostic "
        "factors such as anti-MDA5."
    ),
    figure=(
        "GC + one immunosuppressant: 3/12 (25%) survived; triple therapy (CsA trough 150-250 "
        "ng/mL + IVCY 10-30 mg/kg every 3-4 weeks + high-dose GC): 50% of 10 survived"
    ),
    topics=(
        "dmpm-ild-poor-prognosis",
        "order-cyclophosphamide-bundle",
        "cyclosporine-level",
    ),
)

R111 = evidence.rule(
    "R111",
    "JP",
    "§Importance of monitoring",
    (
        "Monitoring in DM/PM-ILD, three kinds: (a) disease activity (serum ferritin, "
        "anti-MDA5 titre, skin rash); (b) respiratory condition (dyspnea, cough, A-aDO2, "
        "GGO/consolidation on HRCT, KL-6 and SP-D); (c) adverse events: plasma beta-D-glucan,"
        " CMV antigenemia, prophylactic TMP-SMX for Pneumocystis, CsA nephro- and "
        "hepatotoxicity, CY hepatotoxicity."
    ),
    topics=(
        "dmpm-ild-activity-rising",
        "pjp-prophylaxis",
        "immunosuppression-monitoring",
        "order-pjp-prophylaxis",
        "cyclosporine-level",
        "order-cyclosporine-monitoring",
        "dmpm-ild-poor-prognosis",
        "order-as-ild-monotherapy",
    ),
)

R113 = evidence.rule(
    "R113",
    "JP",
    "Figure 3",
    (
        "Management algorithm for DM/PM-ILD: A/S-ILD with any poor-risk factor -> GC + "
        "CsA(iv) + IVCY, no improvement -> add IVIG, PMX-DHP; without -> DM: GC + CsA/IVCY, "
        "PM: GC; chronic ILD symptomatic, VC decrease or GGO increase -> GC, otherwise "
        "observation. (Text: CK <500 U/L is also a poor-risk factor, R108.)"
    ),
    figure=(
        "1) ADM 2) a-MDA5 Ab (+) 3) Ferritin >1,000 ng/mL 4) HRCT: GGO + lower consolidation "
        "5) PaO2 <60 mm Hg; either of 1)-5)"
    ),
    topics=(
        "dmpm-ild-poor-prognosis",
        "dmpm-ild-risk-incomplete",
        "dmpm-ild-acute-subacute",
        "dmpm-ild-chronic",
        "dmpm-ild-salvage",
        "order-as-ild-monotherapy",
    ),
)

R115 = evidence.rule(
    "R115",
    "JP",
    "§Lessons learned",
    (
        "Drug-induced ILD is unusually frequent in Japanese patients: leflunomide causes "
        "fatal A/S-ILD; gefitinib and bleomycin ILD are more frequent"
    ),
    figure="leflunomide fatal A/S-ILD 1.2% in Japan",
    topics=(
        "drug-induced-ild-caution",
        "order-leflunomide-ild",
    ),
)

R141 = evidence.rule(
    "R141",
    "JP",
    "§Importance of monitoring (derived)",
    (
        "Intensive immunosuppression bundle (GC with CsA/TAC and/or CY): TMP-SMX prophylaxis,"
        " beta-D-glucan, CMV antigenemia, renal and hepatic function, CsA levels, CBC"
    ),
    figure=(
        "TMP-SMX prophylaxis; beta-D-glucan; CMV antigenemia; renal and hepatic function; CsA "
        "levels; CBC"
    ),
    topics=(
        "pjp-prophylaxis",
        "immunosuppression-monitoring",
        "cyclosporine-level",
        "cyclophosphamide-safety",
        "order-pjp-prophylaxis",
    ),
)

R142 = evidence.rule(
    "R142",
    "KR",
    "§Treatment 2-2) (derived)",
    (
        "CYC order bundle: mesna, regular blood counts, urinalysis for haematuria, liver "
        "tests, a planned finite duration"
    ),
    figure="SLS: 12 months",
    topics=(
        "cyclophosphamide-safety",
        "order-cyclophosphamide-bundle",
    ),
)

B02 = evidence.rule(
    "B02",
    "ACR/CHEST 2023 treatment",
    "first-line and progression recommendations (Figure 4)",
    (
        "SARD-ILD treatment: mycophenolate preferred first-line; strong recommendation "
        "against glucocorticoids in SSc-ILD"
    ),
    # neutral across diseases: B02 is cited on RA, other CTD-ILD and order cards too
    figure=(
        "conditional recommendations (MMF preferred first line by the panel), except two "
        "strong against GC in SSc-ILD"
    ),
    topics=(
        "ssc-ild-treatment-indicated",
        "ssc-ild-decline",
        "ssc-glucocorticoid-risk",
        "ra-ild-management",
        "ctd-ild-initial-treatment",
        "order-leflunomide-ild",
        "order-ssc-glucocorticoid-dose",
        "drug-induced-ild-caution",
    ),
)

B12 = evidence.rule(
    "B12",
    "Steen 1998",
    "case-control study of 110 SRC",
    (
        "Prednisone >=15 mg/day (or equivalent) in the prior 6 months is associated with "
        "scleroderma renal crisis; monitor blood pressure and creatinine"
    ),
    figure="OR 4.37 (95% CI 2.03-9.43)",
    topics=(
        "ssc-glucocorticoid-risk",
        "order-ssc-glucocorticoid-dose",
    ),
)

B15 = evidence.rule(
    "B15",
    "EULAR 2022 infections",
    "PJP prophylaxis recommendation and evidence table",
    (
        "Consider PJP prophylaxis with prednisolone-equivalent >15-30 mg/day for >2-4 weeks, "
        "especially combined with other immunosuppressants, or after GC pulse"
    ),
    figure="TMP-SMX 480 mg daily or 3 x 480 mg weekly; GC >=30 mg/day >=4 weeks: HR 0.07",
    topics=(
        "pjp-prophylaxis",
        "immunosuppression-monitoring",
        "order-pjp-prophylaxis",
    ),
)

# Case-finding in ILD without a CTD diagnosis (KR §Diagnosis 1-2)): applied by the work-up card.
R005 = evidence.rule(
    "R005",
    "KR",
    "§Diagnosis 1-2)",
    (
        "Consider CTD-ILD when a patient with no notable history develops dyspnea over several "
        "weeks to months, reaching respiratory failure, with gradually progressing GGO on HRCT"
    ),
    figure="dyspnea over several weeks to several months",
    topics=("ild-ctd-workup",),
)

R006 = evidence.rule(
    "R006",
    "KR",
    "§Diagnosis 1-2)",
    "In that setting raised muscle enzymes (CPK, aldolase): suspect IIM",
    topics=("ild-ctd-workup",),
)

R009 = evidence.rule(
    "R009",
    "KR",
    "§Diagnosis 1-2)",
    (
        "Raynaud's, dry eye or mouth and muscle weakness have low specificity; mechanic's hands "
        "or Gottron's papules have high specificity: DM is highly likely"
    ),
    topics=("ild-ctd-workup",),
)

# DM/PM-ILD prognosis (JP): applied by the DM/PM cards.
R083 = evidence.rule(
    "R083",
    "JP",
    "§Predictive factors",
    (
        "Anti-MDA5 is a poor prognostic factor, anti-ARS is not; anti-MDA5+ chronic ILD exists "
        "and is not associated with poor prognosis; recurrence frequent with anti-ARS, rare in "
        "anti-MDA5 survivors"
    ),
    figure="anti-MDA5 A/S-ILD 50-71%, mortality 36-46% (Japan)",
    topics=("dmpm-ild-chronic",),
)

R088 = evidence.rule(
    "R088",
    "JP",
    "§Other prognostic factors",
    (
        "Other poor prognostic factors: older age, symptomatic ILD, lower VC and DLCO, UIP, "
        "neutrophil alveolitis; in A/S-ILD, CD8 T-cell activation in BAL (poor GC response), "
        "cardiac involvement and fever >38 °C"
    ),
    figure="fever >38 °C",
    topics=("dmpm-ild-poor-prognosis", "dmpm-ild-acute-subacute"),
)

R116 = evidence.rule(
    "R116",
    "JP",
    "§Conclusion",
    (
        "Consider initial combination therapy with CsA/CY when poor prognostic factors are "
        "present: ADM, DM with low CK elevation, anti-MDA5, serum ferritin elevation, or "
        "consolidation with GGO on HRCT"
    ),
    topics=("order-as-ild-monotherapy",),
)

# Worsening despite treatment, any CTD-ILD (KR §Treatment 2; §Prognosis).
R037 = evidence.rule(
    "R037",
    "KR",
    "§Treatment 2",
    (
        "Lung transplantation may be considered if the patient does not respond to drug "
        "therapy and ILD worsens"
    ),
    topics=(
        "ra-ild-management",
        "ssc-ild-decline",
        "progressive-pulmonary-fibrosis",
        "dmpm-ild-salvage",
    ),
)

# The definition of CTD-ILD (KR Abstract; §Introduction): the scope of the CTD-ILD checks.
R001 = evidence.rule(
    "R001",
    "KR",
    "§Introduction",
    (
        "CTD-ILD is diagnosed when ILD is present on chest HRCT and diagnostic criteria for a "
        "CTD are met, in either order (ILD in CTD, or CTD found in ILD)"
    ),
    topics=("order-tocilizumab-regimen",),
)

# Anti-synthetase syndrome and ARS-ILD (JP): the autoantibody card, and the work-up card's
# caveat that anti-synthetase syndrome is often ANA-negative.
R077 = evidence.rule(
    "R077",
    "JP",
    "§Anti-ARS Abs",
    "Anti-synthetase syndrome = ILD, myositis, arthritis, fever, Raynaud's, mechanic's hands; "
    "20-30% have ILD without DM/PM signs or ILD preceding myositis, clinically "
    "indistinguishable from IIP; Fischer: 24% of IIP patients without Jo-1 and ANA had non-Jo-1 "
    "anti-ARS antibodies.",
    figure=">75% of anti-ARS+ patients develop ILD; 20-30% ILD without DM/PM signs",
    topics=("ild-autoantibody-positive", "ild-ctd-workup", "ipaf-criteria"),
)

# The tocilizumab review on methotrexate and leflunomide (TC §2): beside the leflunomide
# cautions and the methotrexate schedule check.
R131 = evidence.rule(
    "R131",
    "TC",
    "§2",
    "MTX and leflunomide are not clearly associated with ILD onset, but use them with caution.",
    "",
    topics=(
        "order-leflunomide-ild",
        "drug-induced-ild-caution",
        "order-immunosuppressant-dose",
    ),
)
