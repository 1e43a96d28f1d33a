"""Tocilizumab review (TC) statements no card applies, with the reason."""

from __future__ import annotations

from functools import partial

from .declare import POPULATION, not_automated

_tc = partial(not_automated, "TC")

_tc(
    "R125",
    "§1",
    "Tocilizumab is an IL-6 receptor antagonist",
    "Pharmacology background, not a clinical rule.",
)
_tc(
    "R126",
    "§1",
    "CTD-ILD incidence 12.4-34%; symptoms dyspnea, cough, fatigue, chest pain",
    POPULATION,
    figure="12.4-34%",
)
_tc(
    "R127",
    "§1",
    "Usual CTD-ILD strategies: immunosuppression, supportive care, antifibrotics (printed as "
    "cytosine, nimodipine, captopril), antioxidants",
    "Never encoded: the review's antifibrotic names are an error (the antifibrotics are "
    "nintedanib and pirfenidone, Z17); the other items are general care.",
)
_tc(
    "R128",
    "§1",
    "Foreign literature and a Chinese expert consensus are said to recommend tocilizumab for "
    "CTD-ILD",
    "An unreferenced claim; the tocilizumab order check uses the FDA label (SSc-ILD) and the "
    "regimens studied per indication.",
)
_tc(
    "R129",
    "§2",
    "RA-ILD: prevalence ≈20%, 10-20% of RA mortality, mean survival 5-8 years; risk factors "
    "include sex, age, RF, erosions, disease activity, anti-CarP, MUC5B",
    POPULATION,
    figure="≈20%",
)
_tc(
    "R133",
    "§3",
    "SSc-ILD in 35-52% of SSc, 15-33% of SSc deaths; progression risk: diffuse cutaneous SSc, "
    "male sex, African-American race, anti-Scl-70",
    "Population figures; SSc risk factors for screening come from the ACR/CHEST 2023 "
    "screening guideline, which the screening card applies.",
    figure="35-52%",
)
_tc(
    "R138",
    "§4",
    "SLE: ILD 8-10%; small series of tocilizumab in SLE",
    "SLE data of uncertain origin (the cited mRSS outcomes look like SSc data, Z18); no "
    "decision rests on it.",
    figure="8-10%",
)
