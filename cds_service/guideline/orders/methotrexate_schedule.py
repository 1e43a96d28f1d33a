"""Methotrexate scheduled more than once in 7 days (topic ``order-immunosuppressant-dose``).

Methotrexate for rheumatic disease is taken **once a week**; a daily schedule is the classic
methotrexate dosing error (5 mg once a day instead of once a week), with fatal bone-marrow
and mucosal toxicity. The contract makes it ``critical`` in ``order-immunosuppressant-dose``.
Seed context: the tocilizumab review's statement on methotrexate in ILD (TC §2, R131); the
weekly schedule itself comes from the drug's labelling, not from a seed or an anchor (a
decision of this service, named in docs/order-checks.md).

When methotrexate is drafted (focused) for a patient with ILD or a CTD and its schedule gives
more than one administration in 7 days (administrations per day x 7 > 1): critical card, with
a suggestion to change the draft to once weekly (same dose and route). A schedule that cannot
be read is said as such (info), never taken as weekly. A timing restricted to days of the week
(``repeat.dayOfWeek``, "once a day on Mondays") counts those days, not every day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fhir_mappings.record import MedicationEntry, PatientRecord

from ..evidence import Threshold
from ..findings import Suggestion
from ..shared_rules import R131
from ..suggestions.orders import update_timing
from ..text import number, threshold_text
from . import common
from .common import dose_text

if TYPE_CHECKING:
    from fhir_mappings.orders import OrderSet

WEEKLY = Threshold("methotrexate_administrations_per_7_days", ">", 1.0, "", R131)
ONCE_WEEKLY = {"frequency": 1, "period": 1, "periodUnit": "wk"}


@dataclass(frozen=True)
class Schedule:
    entry: MedicationEntry
    per_week: float | None  # administrations in 7 days; None = schedule not readable

    @property
    def too_often(self) -> bool:
        return self.per_week is not None and WEEKLY.holds(self.per_week)

    def text(self) -> str:
        if self.per_week is None:
            return f"methotrexate {dose_text(self.entry)}: schedule could not be read"
        times = "once" if self.per_week == 1 else f"{number(self.per_week)} times"
        return f"methotrexate {dose_text(self.entry)}: {times} in 7 days"


def _days_of_week(resource: dict[str, Any] | None) -> float | None:
    """Administrations in 7 days of a timing restricted to days of the week (FHIR
    ``repeat.dayOfWeek``: "once a day on Mondays" is once weekly), or None when none is."""
    dosages = (resource or {}).get("dosageInstruction")
    for dosage in dosages if isinstance(dosages, list) else []:
        timing = dosage.get("timing") if isinstance(dosage, dict) else None
        repeat = timing.get("repeat") if isinstance(timing, dict) else None
        days = repeat.get("dayOfWeek") if isinstance(repeat, dict) else None
        if isinstance(days, list) and days:
            frequency = repeat.get("frequency", 1) if isinstance(repeat, dict) else 1
            per_day = frequency if isinstance(frequency, (int, float)) and frequency > 0 else 1
            return float(len(set(days)) * per_day)
    return None


def schedules(record: PatientRecord, orders: OrderSet) -> list[Schedule]:
    drafts = common.focused(orders, frozenset({"methotrexate"}))
    if not drafts or not common.in_scope(record):
        return []
    out = []
    for d in drafts:
        weekly_days = _days_of_week(orders.resource(d.source_id))
        per_day = d.doses_per_day
        per_week = round(per_day * 7, 6) if per_day else None
        out.append(Schedule(d, weekly_days if weekly_days is not None else per_week))
    return out


def _weekly_text(entry: MedicationEntry) -> str:
    dose = f" {number(entry.dose_mg)} mg" if entry.dose_mg is not None else ""
    return f"Methotrexate{dose} once weekly (same dose and route)"


def weekly_suggestions(orders: OrderSet, too_often: list[Schedule]) -> list[Suggestion]:
    return [
        Suggestion(
            label="Change methotrexate to once weekly",
            actions=(update_timing(resource, ONCE_WEEKLY, _weekly_text(s.entry)),),
            is_recommended=True,
        )
        for s in too_often
        if (resource := orders.resource(s.entry.source_id)) is not None
    ]


RULE_TEXT = (
    "Methotrexate for rheumatic disease is taken once a week; a schedule of "
    f"{threshold_text(WEEKLY).strip()} administration in 7 days is the classic dosing error "
    "(daily instead of weekly), with fatal marrow and mucosal toxicity."
)
