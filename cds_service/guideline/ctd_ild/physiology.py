"""Lung-function change from the recent peak: the one definition behind SSc-ILD decline
(Z11), PPF physiological progression (B03) and RA-ILD progression.

The contract fixes the comparison: the **latest** % predicted value against the **highest
value of the 12 months before it** (the latest value's own date excluded). Both the absolute
change (percentage points of predicted) and the relative change (% of the peak) are computed;
each caller decides on the one its source uses and shows the other beside it.

Decisions
- "12 months" = 365 days before the latest value's date (inclusive of that day 365).
- The latest value must itself be no older than ``latest_within_days`` (365) before today,
  or the comparison answers None (stale: the monitoring-due card covers it).
- A censored value (FHIR ``Quantity.comparator``: FVC "<50") bounds the change instead of
  fixing it: ``PeakDecline.bound`` says which way, and ``decide`` lets the threshold answer
  only when every value the bounds allow falls on one side (else None, never "no decline").
- ``peak_since`` narrows the peak window for a caller whose source needs both points inside
  a fixed period (ATS/ERS 2022 PPF: "within the past year" = [today - 365 d, latest)).
- Differences are rounded to 6 decimals before comparison so that float noise cannot move a
  value across a boundary (80 - 75.1 is 4.900000000000006 in binary floating point).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from fhir_mappings.record import Measurement, PatientRecord

from ..evidence import Threshold

PEAK_WINDOW = timedelta(days=365)
LATEST_WITHIN = timedelta(days=365)


@dataclass(frozen=True)
class PeakDecline:
    """Decline of the latest value from the highest value of the preceding 12 months."""

    latest: Measurement
    peak: Measurement

    @property
    def absolute_points(self) -> float:
        """Peak minus latest, in points of the unit (% predicted); positive = decline."""
        assert self.peak.value is not None and self.latest.value is not None
        return round(self.peak.value - self.latest.value, 6)

    @property
    def relative_percent(self) -> float | None:
        """(peak - latest) / peak x 100; None when the peak is not positive."""
        assert self.peak.value is not None and self.latest.value is not None
        if self.peak.value <= 0:
            return None
        return round(100.0 * (self.peak.value - self.latest.value) / self.peak.value, 6)

    @property
    def bound(self) -> str | None:
        """How the computed decline relates to the true one when a value is censored: None
        (both exact), ">"/">=" (true decline above / at least this: peak ">x" and/or latest
        "<y"), "<"/"<=" (below / at most this), or "?" (bounds pull both ways)."""
        peak, latest = self.peak.comparator or None, self.latest.comparator or None
        if peak is None and latest is None:
            return None
        if peak in (None, ">", ">=") and latest in (None, "<", "<="):
            return ">" if peak == ">" or latest == "<" else ">="
        if peak in (None, "<", "<=") and latest in (None, ">", ">="):
            return "<" if peak == "<" or latest == ">" else "<="
        return "?"

    def decide(self, threshold: Threshold, value: float) -> bool | None:
        """``threshold`` applied to a change ``value`` computed from these two values:
        True/False, or None when a censored value leaves it open."""
        return threshold.decide(value, self.bound)


def decline_from_peak(
    record: PatientRecord,
    concept: str,
    latest_within: timedelta = LATEST_WITHIN,
    peak_since: date | None = None,
) -> PeakDecline | None:
    """None when there is no recent latest value or no earlier value in its 12-month window
    (and on/after ``peak_since`` when given)."""
    latest = record.latest(concept, within=latest_within)
    if latest is None:
        return None
    since = latest.when - PEAK_WINDOW
    if peak_since is not None:
        since = max(since, peak_since)
    earlier = [
        m for m in record.series(concept, since=since, until=latest.when) if m.when < latest.when
    ]
    if not earlier:
        return None
    peak = max(earlier, key=lambda m: (m.value or 0.0, m.when))
    return PeakDecline(latest, peak)
