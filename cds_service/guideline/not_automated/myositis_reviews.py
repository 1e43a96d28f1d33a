"""Japanese DM/PM-ILD review (JP) and Kuwana lecture (KW) rules no card applies, with the
reason."""

from __future__ import annotations

from ..evidence import rule
from .korean_guideline import POPULATION

STUDY = (
    "Study or cohort figures; the DM/PM cards apply the recommendations this evidence "
    "supports (Figure 3, Table 1) and cite those."
)

R065 = rule(
    "R065",
    "JP",
    "§DM, PM, and amyopathic DM",
    "Hypomyopathic DM = no clinical weakness but subclinical muscle involvement on laboratory, "
    "electrophysiologic or imaging tests; CADM = ADM + hypomyopathic DM",
    not_automated=(
        "Subclinical muscle involvement needs EMG, MRI or biopsy results the service does not "
        "read; the cards use ADM and DM as charted, and CK <500 U/L for DM with low CK "
        "elevation (JP §Assessment)."
    ),
)
R066 = rule(
    "R066",
    "JP",
    "§Epidemiology",
    "ILD prevalence in DM/PM 20-65% by method; 32-78% by HRCT",
    "20-65%",
    not_automated=POPULATION,
)
R067 = rule(
    "R067",
    "JP",
    "§Onset and progression",
    "ILD precedes muscle or skin disease in 10-30%, commonly with anti-ARS antibodies",
    "10-30%",
    not_automated=(
        "Population figure; its consequence (antibody-positive ILD is not idiopathic) is "
        "applied by the autoantibody-positive card."
    ),
)
R070 = rule(
    "R070",
    "JP",
    "§Onset and progression",
    "A/S-ILD prevalence: Japan 20-34% of DM; Chiba 83% of DM/PM-ILD; outside Japan 17-33%",
    "83%",
    not_automated=POPULATION,
)
R071 = rule(
    "R071",
    "JP",
    "§Anti-MDA5 Ab",
    "Anti-MDA5 (anti-CADM-140) is found exclusively in DM/ADM: 9-26% of DM with muscle "
    "symptoms, 50-85% of ADM",
    "50-85% of ADM",
    not_automated=(
        "Used as context, not as a classifier: the autoantibody-positive card already names "
        "DM/clinically amyopathic DM for anti-MDA5 (KR Table 2), and anti-MDA5 positivity is "
        "a poor-risk factor in its own right (Figure 3); the service never re-labels a charted "
        "myositis from the antibody."
    ),
)
R072 = rule(
    "R072",
    "JP",
    "§Anti-MDA5 Ab",
    "Japanese anti-MDA5 cohorts (Nakashima, Gono, Koga): ILD 92-94%, A/S-ILD 54-71%, "
    "mortality 36-41%",
    "A/S-ILD 54-71%",
    not_automated=STUDY,
)
R073 = rule(
    "R073",
    "JP",
    "§Anti-MDA5 Ab",
    "Anti-MDA5 outside Japan: 9-50% of DM; meta-analysis sensitivity 77%, specificity 86% for "
    "A/S-ILD",
    "sensitivity 77%, specificity 86%",
    not_automated=STUDY,
)
R075 = rule(
    "R075",
    "JP",
    "§Anti-ARS Abs",
    "The 8 anti-ARS antibodies: Jo-1, PL-7, PL-12, EJ, OJ, KS, Zo, HA",
    not_automated=(
        "A list of names, used as data rather than as a rule: all eight are read as anti-ARS "
        "concepts by the record and counted by the autoantibody and DM/PM cards."
    ),
)
R076 = rule(
    "R076",
    "JP",
    "§Anti-ARS Abs",
    "30-40% of myositis patients carry one anti-ARS; anti-Jo-1 ≈20%; each non-Jo-1 1-5%",
    "30-40%",
    not_automated=POPULATION,
)
R079 = rule(
    "R079",
    "JP",
    "§Impact",
    "Mortality of A/S-ILD: 42% within 6 months (Nawata); 75% within 3 months (Kameda)",
    "42-75%",
    not_automated=STUDY,
)
R080 = rule(
    "R080",
    "JP",
    "§Predictive factors",
    "DM is worse than PM: 6-month survival DM 50% vs PM 91% (Nawata)",
    "50% vs 91%",
    not_automated=STUDY,
)
R081 = rule(
    "R081",
    "JP",
    "§Predictive factors",
    "CADM / DM with no or low CK elevation has the poorer prognosis: 82% of DM-ILD without CK "
    "elevation GC-resistant; CADM-ILD mortality 45% vs 6%",
    "82% vs 22% GC-resistant",
    not_automated=(
        "The evidence behind the CK <500 U/L poor-risk factor (JP §Assessment), which the DM/PM "
        "poor-prognosis card applies and cites; this paragraph sets no cut-off of its own."
    ),
)
R082 = rule(
    "R082",
    "JP",
    "§Predictive factors",
    "A/S-ILD itself is a poor prognostic factor: 6-month survival 62.7% vs 100% (Gono)",
    "62.7% vs 100%",
    not_automated=STUDY,
)
R084 = rule(
    "R084",
    "JP",
    "§Histopathology",
    "Histopathology: NSIP ≈80% of DM/PM-ILD; DAD means A/S-ILD and poor short-term prognosis; "
    "OP responds well to GC",
    "NSIP ≈80%",
    not_automated="Histology is not read by the service (no coded pathology pattern).",
)
R085 = rule(
    "R085",
    "JP",
    "§Radiographic findings",
    "HRCT in DM/PM-ILD; lower consolidation/GGO pattern independently predicts 90-day "
    "mortality (Tanizawa)",
    "OR 23.1",
    not_automated=(
        "The evidence behind the 'GGO + lower consolidation' poor-risk factor of Figure 3, which "
        "the DM/PM cards apply from the coded HRCT findings; the Hayashi HRCT groups need a "
        "reading of chronic fibrosis the record does not code."
    ),
)
R091 = rule(
    "R091",
    "JP",
    "§Glucocorticoids",
    "≈50% of DM/PM-ILD (mainly chronic ILD) responds to GC alone; good responders are young, "
    "PM rather than DM, OP/NSIP rather than UIP, anti-ARS positive",
    "≈50%",
    not_automated=(
        "Describes who tends to respond; the service does not predict response. Its decisions "
        "are applied by the subtype cards (Table 1: GC for PM and anti-ARS chronic ILD) and the "
        "GC-resistance card (worse within 2 or not improved within 4 weeks)."
    ),
)
R092 = rule(
    "R092",
    "JP",
    "§Glucocorticoids",
    "GC-alone efficacy: 37.5% of PM-ILD vs 8.3% of DM-ILD (Fujisawa); not strong enough for "
    "A/S-ILD",
    "37.5% vs 8.3%",
    not_automated=STUDY,
)
R093 = rule(
    "R093",
    "JP",
    "§Cyclosporine",
    "CsA outcomes: 5-year survival 69% with CsA within 2 weeks of GC vs 32% GC alone "
    "(Nagasaka); 42-73% on CsA + GC",
    "69% vs 32%",
    not_automated=STUDY,
)
R097 = rule(
    "R097",
    "JP",
    "§Cyclosporine",
    "CsA has also helped chronic ILD, including refractory cases",
    not_automated=STUDY,
)
R098 = rule(
    "R098",
    "JP",
    "§Tacrolimus",
    "Tacrolimus efficacy in refractory DM/PM-ILD similar to CsA",
    not_automated=(
        "Case-series evidence; the cards accept tacrolimus wherever they accept a calcineurin "
        "inhibitor."
    ),
)
R100 = rule(
    "R100",
    "JP",
    "§Azathioprine",
    "Azathioprine: common second-line agent, often effective for NSIP in DM/PM; efficacy in "
    "A/S-ILD unknown",
    not_automated=STUDY,
)
R101 = rule(
    "R101",
    "JP",
    "§MMF",
    "MMF: case reports and series show stabilisation or improvement in NSIP with DM/PM",
    not_automated=STUDY,
)
R102 = rule(
    "R102",
    "JP",
    "§IVIG",
    "IVIG: second-line for refractory myositis; usefulness in ILD uncertain",
    not_automated=(
        "The salvage card cites the IVIG study itself (Suzuki 2009) when it offers IVIG."
    ),
)
R103 = rule(
    "R103",
    "JP",
    "§Rituximab",
    "Rituximab: limited data, mostly anti-ARS ILD (7/11 stabilised or improved); effect in "
    "anti-MDA5 ILD unclear",
    "7/11",
    not_automated=STUDY,
)
R105 = rule(
    "R105",
    "JP",
    "§Treatment principles",
    "Goals: survival in A/S-ILD, maintenance of lung function in chronic ILD; assess the ILD, "
    "determine the subtype, treat by subtype, severity and other organ involvement",
    not_automated=(
        "A statement of goals, not a condition: the DM/PM cards carry it out by classifying the "
        "course and subtype (JP Table 1, Figure 3) and citing those rules."
    ),
)
R114 = rule(
    "R114",
    "JP",
    "§Lessons learned; Abstract",
    "≈20-50% of A/S-ILD fails initial CsA + CY; the combination rescues 50-80%",
    "20-50%",
    not_automated=STUDY,
)
R118 = rule(
    "R118",
    "KW",
    "Lecture abstract",
    "The IIM spectrum includes DM, PM/IMNM, anti-synthetase syndrome and overlap myositis; ILD "
    "is most frequent in DM and anti-synthetase syndrome",
    not_automated=(
        "The service reads the myositis type as charted and does not re-classify it (no muscle "
        "biopsy or classification scoring is read); DM, PM and ADM drive the JP algorithm."
    ),
)
R119 = rule(
    "R119",
    "KW",
    "Lecture abstract",
    "Myositis-specific autoantibodies, especially anti-synthetase and anti-MDA5, stratify "
    "behaviour, response and prognosis: order an MSA panel in IIM-ILD",
    not_automated=(
        "Asked for where a decision needs it rather than as a general reminder: the DM/PM "
        "risk-incomplete card names a missing anti-MDA5, and the ILD work-up card orders the "
        "anti-synthetase and anti-MDA5 antibodies of KR Table 2."
    ),
)
R120 = rule(
    "R120",
    "KW",
    "Lecture abstract",
    "Imaging most often shows NSIP, OP or a combination",
    not_automated=POPULATION,
)
R121 = rule(
    "R121",
    "KW",
    "Lecture abstract",
    "Interferons: IFN-α/β in DM skin disease, IFN-γ in ASyS, IFN-λ3 in anti-MDA5 RP-ILD",
    not_automated="Mechanism, not a clinical rule; interferon levels are not routine tests.",
)
R123 = rule(
    "R123",
    "KW",
    "Lecture abstract",
    "Short-term mortality remains high in anti-MDA5 RP-ILD",
    not_automated=(
        "No figure; the poor-prognosis card acts on anti-MDA5 positivity under JP Figure 3."
    ),
)
