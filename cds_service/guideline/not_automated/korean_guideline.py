"""Korean CTD-ILD guideline (KR) rules no card applies, with the reason."""

from __future__ import annotations

from functools import partial

from .declare import POPULATION, not_automated

_kr = partial(not_automated, "KR")

_kr(
    "R004",
    "§Diagnosis 1-2)",
    "ILD is the first manifestation of CTD most often in IIM, sometimes in RA, very rarely in SSc",
    POPULATION,
    figure="IIM ≈10-30%",
)
_kr(
    "R010",
    "§Diagnosis 1-2)",
    "Systemic features suggesting CTD occur most often in women under age 50",
    "Age and sex do not change what the work-up asks for: every ILD without a CTD "
    "diagnosis gets the same antibody panel and feature check (KR Tables 1-2).",
    figure="women <50 years",
)
_kr(
    "R011",
    "§Diagnosis 2",
    "HRCT cannot separate IIP from CTD-ILD; CTD-ILD often shows NSIP, OP or (rarely) LIP; if "
    "typical UIP is absent CTD is likely; UIP is the commonest pattern in RA-ILD and is often "
    "seen in SSc-ILD",
    "The absence of a UIP pattern is not used to suggest a CTD: the rule's own exceptions "
    "(RA-ILD, SSc-ILD) make it unsafe on a record, and every ILD without a CTD diagnosis "
    "already gets the work-up card. NSIP and OP patterns on HRCT count in the IPAF "
    "morphologic domain (ERS/ATS 2015).",
)
_kr(
    "R012",
    "§Diagnosis 2",
    "Radiologic pattern by CTD: RA UIP most common; SSc NSIP most common; MCTD NSIP; PM/DM "
    "NSIP, OP, UIP or DAD",
    POPULATION,
    figure="RA UIP 50-60%; SSc NSIP 80-90%, UIP 10-20%",
)
_kr(
    "R013",
    "§Diagnosis 2",
    "In RA-ILD a UIP pattern carries a poorer prognosis than non-UIP",
    "A prognostic statement without a figure or an action: the RA-ILD card decides on "
    "documented progression, whatever the pattern.",
)
_kr(
    "R014",
    "§Diagnosis 3",
    "Surgical lung biopsy to confirm CTD-ILD is controversial: decide after weighing pros and "
    "cons; BAL can exclude infection and give cell counts",
    "Whether to biopsy (or to do BAL) weighs procedural risk against what the result would "
    "change: a judgement the record cannot make.",
)
_kr(
    "R015",
    "§Diagnosis 3",
    "NSIP on pathology: look for an underlying CTD",
    "Lung pathology reports are free text in most records and the service reads no coded "
    "histology pattern; an NSIP pattern on HRCT counts in the IPAF morphologic domain, and "
    "every ILD without a CTD diagnosis already gets the CTD work-up card.",
)
_kr(
    "R016",
    "§Diagnosis 3",
    "UIP with germinal centres, lymphoid hyperplasia and plasma cells, and fewer fibroblastic "
    "foci and less honeycombing than IIP-UIP: examine for CTD",
    "These are histology findings the service does not read (no coded pathology); every "
    "ILD without a CTD diagnosis already gets the CTD work-up card.",
)
_kr(
    "R020",
    "Abstract; §Classification",
    "ILD frequency by CTD: SSc > IIM > RA > SLE > Sjogren's",
    POPULATION,
)
_kr(
    "R021",
    "§Classification 1",
    "RA-ILD: prevalence 19-44% on prospective HRCT; HRCT more sensitive than PFT; male:female "
    "≈2:1; risk factors age, smoking, RF, anti-CCP; UIP the commonest pathology",
    "Population figures; RA risk factors for screening come from the ACR/CHEST 2023 "
    "screening guideline, which the screening card applies.",
    figure="19-44%",
)
_kr(
    "R022",
    "§Classification 2",
    "SSc-ILD: PFT abnormal in up to 70% of SSc, one third clinically significant; HRCT "
    "essential; anti-Scl-70 with ILD in 85%",
    "Population figures; SSc risk factors for screening come from the ACR/CHEST 2023 "
    "screening guideline, which the screening card applies.",
    figure="70%; anti-Scl-70 85%",
)
_kr(
    "R025",
    "§Classification 2",
    "SSc with ILD and PAH has 5 times the mortality of SSc with PAH alone",
    "Pulmonary hypertension is outside the service's scope (no PAH data is read); the "
    "figure drives no decision.",
    figure="5x mortality",
)
_kr(
    "R026",
    "§Classification 3",
    "Sjogren's: pulmonary infiltration 9-24%; 10-year mortality more than 4-fold with "
    "pulmonary involvement; NSIP 28-61%, LIP 17%",
    POPULATION,
    figure="9-24%",
)
_kr(
    "R027",
    "§Classification 4",
    "MCTD: anti-U1 RNP positive; pulmonary involvement 47-78%; severe ILD ≈19%, associated "
    "with anti-Ro-52",
    "Population figures; anti-RNP and anti-Ro-52 are in the work-up panel (KR Table 2), "
    "and the autoantibody-positive card names MCTD for anti-RNP.",
    figure="47-78%; ≈19%",
)
_kr(
    "R029",
    "§Classification 6",
    "SLE: pulmonary involvement 33-50%, ILD pattern 1-15%; risk higher with SLE >10 years, "
    "Raynaud's, anti-U1 RNP, sclerodactyly",
    "SLE is outside the ACR/CHEST 2023 screening scope the service applies; population "
    "figures only.",
    figure="1-15%",
)
_kr(
    "R035",
    "§Treatment 2",
    "The fundamental treatment of CTD-ILD is to treat the primary CTD",
    "A principle with no condition a record can test: treating the underlying disease is "
    "the rheumatologist's plan; the treatment cards list ILD options per CTD (KR Table 5).",
)
_kr(
    "R039",
    "§Treatment 2-1)",
    "In IIM-ILD prednisolone 1 mg/kg/day (the COP dose) is often used; response is low except "
    "in COP-like OP",
    "A usual dose, not a limit: no order check rests on it (outside SSc the service does "
    "not check glucocorticoid doses), and the OP response depends on a pattern judgement.",
    figure="prednisolone 1 mg/kg/day",
)
_kr(
    "R044",
    "§Treatment 2-1)",
    "An RCT of CYC vs rituximab in rapidly progressive CTD-ILD was under way",
    "A trial in progress at the time of writing: no result to act on.",
)
_kr(
    "R048",
    "§Treatment 2-2)",
    "After stopping CYC the FVC and TLC benefit lasted 6 months and was lost by 24 months; "
    "larger effect when FVC <70%",
    "Trial follow-up figures; the cyclophosphamide cards apply the decision they support "
    "(a finite course, KR §Treatment 2-2)).",
    figure="benefit lost by 24 months",
)
_kr(
    "R050",
    "§Treatment 2-2)",
    "A steroid (printed 0.5-1 kg/kg, meaning mg/kg) may slow decline in SSc-ILD, but its "
    "effect is controversial",
    "Never suggested: ACR/CHEST 2023 recommends strongly against glucocorticoids as SSc-ILD "
    "treatment (Z13); the SSc glucocorticoid cards warn instead.",
    figure="0.5-1 mg/kg",
)
_kr(
    "R059",
    "§Treatment 2-3",
    "MMF in 18 CTD-ILD patients (some RA-ILD): lung function stabilised and the prednisolone "
    "maintenance dose fell",
    "Small-series evidence; the RA-ILD card lists mycophenolate from ACR/CHEST 2023 and "
    "KR's recommendation instead.",
    figure="18 patients, median 2.5 years",
)
_kr(
    "R062",
    "§Prognosis",
    "Prognosis: RA-ILD 10-20% of RA deaths; SSc-ILD 10-year survival 29-69%; Sjogren's 5-year "
    "survival 84%; transplant outcomes in CTD-ILD resemble IIP",
    POPULATION,
    figure="SSc-ILD 10-year survival 29-69%",
)
_kr(
    "R028",
    "§Classification 5",
    "IIM = PM, DM and clinically amyopathic DM, ILD prevalence 20-78%; antisynthetase "
    "syndrome = antisynthetase antibody with ILD plus some of fever, joint pain, Raynaud's, "
    "mechanic's hands; ≈50% develop acute respiratory failure",
    "The same definition is applied in the Japanese review's wording (JP §Anti-ARS Abs), "
    "which the autoantibody-positive card cites when it names anti-synthetase syndrome; "
    "the service does not diagnose the syndrome itself.",
    figure="≈50% acute respiratory failure",
)
