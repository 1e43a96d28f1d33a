"""Rules that several clinical areas rest on, declared once here.

A rule applied by more than one package (DM/PM-ILD management, immunosuppression safety,
order checks) is declared in this module so the catalog has one text per rule id; each
package imports the object from here. Rules used by one package stay beside their code.
"""

from __future__ import annotations

from . import evidence

R096 = evidence.rule(
    "R096",
    "JP",
    "§Cyclosporine",
    "IV CsA (authors' institute): infuse over 12 hours every day, start at 200 mg/day, adjust "
    "to a pre-dose (trough) concentration of 200-250 ng/mL; switch to oral when ILD is "
    "controlled and respiration is stable.",
    figure="200 mg/day IV over 12 h; pre-dose 200-250 ng/mL",
    topics=("dmpm-ild-poor-prognosis", "cyclosporine-level", "order-cyclosporine-monitoring"),
)

R111 = evidence.rule(
    "R111",
    "JP",
    "§Importance of monitoring",
    "Monitoring in DM/PM-ILD, three kinds: (a) disease activity (serum ferritin, anti-MDA5 "
    "titre, skin rash); (b) respiratory condition (dyspnea, cough, A-aDO2, GGO/consolidation "
    "on HRCT, KL-6 and SP-D); (c) adverse events: plasma beta-D-glucan, CMV antigenemia, "
    "prophylactic TMP-SMX for Pneumocystis, CsA nephro- and hepatotoxicity, CY hepatotoxicity.",
    figure="",
    topics=(
        "dmpm-ild-activity-rising",
        "pjp-prophylaxis",
        "immunosuppression-monitoring",
    ),
)
