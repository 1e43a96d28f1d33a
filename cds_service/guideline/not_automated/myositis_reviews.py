"""Japanese DM/PM-ILD review (JP) and Kuwana lecture (KW) rules no card applies, with the
reason."""

from __future__ import annotations

from functools import partial

from .declare import POPULATION, not_automated

STUDY = (
    "Study or cohort figures; the DM/PM cards apply the recommendations this evidence "
    "supports (Figure 3, Table 1) and cite those."
)
_jp = partial(not_automated, "JP")
_kw = partial(not_automated, "KW")

_jp(
    "R065",
    "§DM, PM, and amyopathic DM",
    "Hypomyopathic DM = no clinical weakness but subclinical muscle involvement on laboratory, "
    "electrophysiologic or imaging tests; CADM = ADM + hypomyopathic DM",
    "Subclinical muscle involvement needs EMG, MRI or biopsy results the service does not "
    "read; the cards use ADM and DM as charted, and CK <500 U/L for DM with low CK "
    "elevation (JP §Assessment).",
)
_jp(
    "R066",
    "§Epidemiology",
    "ILD prevalence in DM/PM 20-65% by method; 32-78% by HRCT",
    POPULATION,
    figure="20-65%",
)
_jp(
    "R067",
    "§Onset and progression",
    "ILD precedes muscle or skin disease in 10-30%, commonly with anti-ARS antibodies",
    "Population figure; its consequence (antibody-positive ILD is not idiopathic) is "
    "applied by the autoantibody-positive card.",
    figure="10-30%",
)
_jp(
    "R070",
    "§Onset and progression",
    "A/S-ILD prevalence: Japan 20-34% of DM; Chiba 83% of DM/PM-ILD; outside Japan 17-33%",
    POPULATION,
    figure="83%",
)
_jp(
    "R071",
    "§Anti-MDA5 Ab",
    "Anti-MDA5 (anti-CADM-140) is found exclusively in DM/ADM: 9-26% of DM with muscle "
    "symptoms, 50-85% of ADM",
    "Used as context, not as a classifier: the autoantibody-positive card already names "
    "DM/clinically amyopathic DM for anti-MDA5 (KR Table 2), and anti-MDA5 positivity is "
    "a poor-risk factor in its own right (Figure 3); the service never re-labels a charted "
    "myositis from the antibody.",
    figure="50-85% of ADM",
)
_jp(
    "R072",
    "§Anti-MDA5 Ab",
    "Japanese anti-MDA5 cohorts (Nakashima, Gono, Koga): ILD 92-94%, A/S-ILD 54-71%, "
    "mortality 36-41%",
    STUDY,
    figure="A/S-ILD 54-71%",
)
_jp(
    "R073",
    "§Anti-MDA5 Ab",
    "Anti-MDA5 outside Japan: 9-50% of DM; meta-analysis sensitivity 77%, specificity 86% for "
    "A/S-ILD",
    STUDY,
    figure="sensitivity 77%, specificity 86%",
)
_jp(
    "R075",
    "§Anti-ARS Abs",
    "The 8 anti-ARS antibodies: Jo-1, PL-7, PL-12, EJ, OJ, KS, Zo, HA",
    "A list of names, used as data rather than as a rule: all eight are read as anti-ARS "
    "concepts by the record and counted by the autoantibody and DM/PM cards.",
)
_jp(
    "R076",
    "§Anti-ARS Abs",
    "30-40% of myositis patients carry one anti-ARS; anti-Jo-1 ≈20%; each non-Jo-1 1-5%",
    POPULATION,
    figure="30-40%",
)
_jp(
    "R079",
    "§Impact",
    "Mortality of A/S-ILD: 42% within 6 months (Nawata); 75% within 3 months (Kameda)",
    STUDY,
    figure="42-75%",
)
_jp(
    "R080",
    "§Predictive factors",
    "DM is worse than PM: 6-month survival DM 50% vs PM 91% (Nawata)",
    STUDY,
    figure="50% vs 91%",
)
_jp(
    "R081",
    "§Predictive factors",
    "CADM / DM with no or low CK elevation has the poorer prognosis: 82% of DM-ILD without CK "
    "elevation GC-resistant; CADM-ILD mortality 45% vs 6%",
    "The evidence behind the CK <500 U/L poor-risk factor (JP §Assessment), which the DM/PM "
    "poor-prognosis card applies and cites; this paragraph sets no cut-off of its own.",
    figure="82% vs 22% GC-resistant",
)
_jp(
    "R082",
    "§Predictive factors",
    "A/S-ILD itself is a poor prognostic factor: 6-month survival 62.7% vs 100% (Gono)",
    STUDY,
    figure="62.7% vs 100%",
)
_jp(
    "R084",
    "§Histopathology",
    "Histopathology: NSIP ≈80% of DM/PM-ILD; DAD means A/S-ILD and poor short-term prognosis; "
    "OP responds well to GC",
    "Histology is not read by the service (no coded pathology pattern).",
    figure="NSIP ≈80%",
)
_jp(
    "R085",
    "§Radiographic findings",
    "HRCT in DM/PM-ILD; lower consolidation/GGO pattern independently predicts 90-day "
    "mortality (Tanizawa)",
    "The evidence behind the 'GGO + lower consolidation' poor-risk factor of Figure 3, which "
    "the DM/PM cards apply from the coded HRCT findings; the Hayashi HRCT groups need a "
    "reading of chronic fibrosis the record does not code.",
    figure="OR 23.1",
)
_jp(
    "R091",
    "§Glucocorticoids",
    "≈50% of DM/PM-ILD (mainly chronic ILD) responds to GC alone; good responders are young, "
    "PM rather than DM, OP/NSIP rather than UIP, anti-ARS positive",
    "Describes who tends to respond; the service does not predict response. Its decisions "
    "are applied by the subtype cards (Table 1: GC for PM and anti-ARS chronic ILD) and the "
    "GC-resistance card (worse within 2 or not improved within 4 weeks).",
    figure="≈50%",
)
_jp(
    "R092",
    "§Glucocorticoids",
    "GC-alone efficacy: 37.5% of PM-ILD vs 8.3% of DM-ILD (Fujisawa); not strong enough for "
    "A/S-ILD",
    STUDY,
    figure="37.5% vs 8.3%",
)
_jp(
    "R093",
    "§Cyclosporine",
    "CsA outcomes: 5-year survival 69% with CsA within 2 weeks of GC vs 32% GC alone "
    "(Nagasaka); 42-73% on CsA + GC",
    STUDY,
    figure="69% vs 32%",
)
_jp("R097", "§Cyclosporine", "CsA has also helped chronic ILD, including refractory cases", STUDY)
_jp(
    "R098",
    "§Tacrolimus",
    "Tacrolimus efficacy in refractory DM/PM-ILD similar to CsA",
    "Case-series evidence; the cards accept tacrolimus wherever they accept a calcineurin "
    "inhibitor.",
)
_jp(
    "R100",
    "§Azathioprine",
    "Azathioprine: common second-line agent, often effective for NSIP in DM/PM; efficacy in "
    "A/S-ILD unknown",
    STUDY,
)
_jp(
    "R101",
    "§MMF",
    "MMF: case reports and series show stabilisation or improvement in NSIP with DM/PM",
    STUDY,
)
_jp(
    "R102",
    "§IVIG",
    "IVIG: second-line for refractory myositis; usefulness in ILD uncertain",
    "The salvage card cites the IVIG study itself (Suzuki 2009) when it offers IVIG.",
)
_jp(
    "R103",
    "§Rituximab",
    "Rituximab: limited data, mostly anti-ARS ILD (7/11 stabilised or improved); effect in "
    "anti-MDA5 ILD unclear",
    STUDY,
    figure="7/11",
)
_jp(
    "R105",
    "§Treatment principles",
    "Goals: survival in A/S-ILD, maintenance of lung function in chronic ILD; assess the ILD, "
    "determine the subtype, treat by subtype, severity and other organ involvement",
    "A statement of goals, not a condition: the DM/PM cards carry it out by classifying the "
    "course and subtype (JP Table 1, Figure 3) and citing those rules.",
)
_jp(
    "R114",
    "§Lessons learned; Abstract",
    "≈20-50% of A/S-ILD fails initial CsA + CY; the combination rescues 50-80%",
    STUDY,
    figure="20-50%",
)
_kw(
    "R118",
    "Lecture abstract",
    "The IIM spectrum includes DM, PM/IMNM, anti-synthetase syndrome and overlap myositis; ILD "
    "is most frequent in DM and anti-synthetase syndrome",
    "The service reads the myositis type as charted and does not re-classify it (no muscle "
    "biopsy or classification scoring is read); DM, PM and ADM drive the JP algorithm.",
)
_kw(
    "R119",
    "Lecture abstract",
    "Myositis-specific autoantibodies, especially anti-synthetase and anti-MDA5, stratify "
    "behaviour, response and prognosis: order an MSA panel in IIM-ILD",
    "Asked for where a decision needs it rather than as a general reminder: the DM/PM "
    "risk-incomplete card names a missing anti-MDA5, and the ILD work-up card orders the "
    "anti-synthetase and anti-MDA5 antibodies of KR Table 2.",
)
_kw("R120", "Lecture abstract", "Imaging most often shows NSIP, OP or a combination", POPULATION)
_kw(
    "R121",
    "Lecture abstract",
    "Interferons: IFN-α/β in DM skin disease, IFN-γ in ASyS, IFN-λ3 in anti-MDA5 RP-ILD",
    "Mechanism, not a clinical rule; interferon levels are not routine tests.",
)
_kw(
    "R123",
    "Lecture abstract",
    "Short-term mortality remains high in anti-MDA5 RP-ILD",
    "No figure; the poor-prognosis card acts on anti-MDA5 positivity under JP Figure 3.",
)
