"""Tocilizumab review (TC) statements no card applies, with the reason."""

from __future__ import annotations

from ..evidence import rule
from .korean_guideline import POPULATION

R125 = rule(
    "R125",
    "TC",
    "§1",
    "Tocilizumab is an IL-6 receptor antagonist",
    not_automated="Pharmacology background, not a clinical rule.",
)
R126 = rule(
    "R126",
    "TC",
    "§1",
    "CTD-ILD incidence 12.4-34%; symptoms dyspnea, cough, fatigue, chest pain",
    "12.4-34%",
    not_automated=POPULATION,
)
R127 = rule(
    "R127",
    "TC",
    "§1",
    "Usual CTD-ILD strategies: immunosuppression, supportive care, antifibrotics (printed as "
    "cytosine, nimodipine, captopril), antioxidants",
    not_automated=(
        "Never encoded: the review's antifibrotic names are an error (the antifibrotics are "
        "nintedanib and pirfenidone, Z17); the other items are general care."
    ),
)
R128 = rule(
    "R128",
    "TC",
    "§1",
    "Foreign literature and a Chinese expert consensus are said to recommend tocilizumab for "
    "CTD-ILD",
    not_automated=(
        "An unreferenced claim; the tocilizumab order check uses the FDA label (SSc-ILD) and the "
        "regimens studied per indication."
    ),
)
R129 = rule(
    "R129",
    "TC",
    "§2",
    "RA-ILD: prevalence ≈20%, 10-20% of RA mortality, mean survival 5-8 years; risk factors "
    "include sex, age, RF, erosions, disease activity, anti-CarP, MUC5B",
    "≈20%",
    not_automated=POPULATION,
)
R133 = rule(
    "R133",
    "TC",
    "§3",
    "SSc-ILD in 35-52% of SSc, 15-33% of SSc deaths; progression risk: diffuse cutaneous SSc, "
    "male sex, African-American race, anti-Scl-70",
    "35-52%",
    not_automated=(
        "Population figures; SSc risk factors for screening come from the ACR/CHEST 2023 "
        "screening guideline, which the screening card applies."
    ),
)
R138 = rule(
    "R138",
    "TC",
    "§4",
    "SLE: ILD 8-10%; small series of tocilizumab in SLE",
    "8-10%",
    not_automated=(
        "SLE data of uncertain origin (the cited mRSS outcomes look like SSc data, Z18); no "
        "decision rests on it."
    ),
)
