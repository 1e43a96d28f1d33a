"""Goh staging of SSc-ILD (Goh 2008, B11), shown as context only (Z12: the KR rule decides).

Goh: HRCT extent clearly under 20% -> limited, clearly over 20% -> extensive; in the
indeterminate band (10-30%) FVC decides (>=70% predicted limited, <70% extensive).
Decision: with a numeric extent, "clearly" means outside 10-30%; inside it FVC decides, and
without an FVC the stage is "indeterminate".
"""

from __future__ import annotations

from ..evidence import Threshold, rule

B11 = rule(
    "B11",
    "Goh 2008",
    "staging algorithm",
    "SSc-ILD staging: HRCT extent 20% separates limited from extensive disease; in "
    "indeterminate extent (10-30%) FVC 70% predicted decides",
    "extensive vs limited: mortality HR 3.46 (95% CI 2.19-5.46)",
    ("ssc-ild-treatment-indicated",),
)

GOH_INDETERMINATE_LOW = Threshold("hrct_fibrosis_extent", ">=", 10.0, "%", B11)
GOH_INDETERMINATE_HIGH = Threshold("hrct_fibrosis_extent", "<=", 30.0, "%", B11)
GOH_FVC_EXTENSIVE = Threshold("fvc_pct_pred", "<", 70.0, "%", B11)


def goh_stage(extent: float | None, fvc: float | None) -> str | None:
    """ "limited", "extensive", "indeterminate" (FVC needed), or None without an extent."""
    if extent is None:
        return None
    if not GOH_INDETERMINATE_LOW.holds(extent):
        return "limited"
    if not GOH_INDETERMINATE_HIGH.holds(extent):
        return "extensive"
    if fvc is None:
        return "indeterminate"
    return "extensive" if GOH_FVC_EXTENSIVE.holds(fvc) else "limited"
