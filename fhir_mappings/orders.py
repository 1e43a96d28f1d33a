"""Draft orders (CDS Hooks ``draftOrders``) mapped to concepts, for the order checks.

The orders issue fills in ``map_draft_orders``; the shapes below are the seam between the
mapping and the order rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .record import MedicationEntry


@dataclass(frozen=True)
class ServiceOrder:
    """A drafted ServiceRequest mapped to a concept (e.g. ``cbc_panel``)."""

    concept: str | None
    status: str
    source_id: str | None = None
    text: str | None = None


@dataclass
class OrderSet:
    """The draft orders of one call.

    ``medications`` are drafted MedicationRequests (``is_draft=True``), mapped like the
    record's medications; ``focus`` holds the ids ("MedicationRequest/x") the call is about:
    ``context.selections`` at order-select, every draft at order-sign.
    """

    medications: list[MedicationEntry] = field(default_factory=list)
    services: list[ServiceOrder] = field(default_factory=list)
    focus: set[str] = field(default_factory=set)
    #: drafts that could not be mapped: (reference, reason)
    unreadable: list[tuple[str, str]] = field(default_factory=list)

    def focused_medications(self) -> list[MedicationEntry]:
        return [m for m in self.medications if m.source_id in self.focus]


def map_draft_orders(
    draft_orders: dict[str, object],
    selections: list[str] | None,
    record: object,
) -> OrderSet:
    """Map ``context.draftOrders`` (strict R4 or sandbox-shaped) to an OrderSet.

    Placeholder until the order-checks issue: returns an empty set.
    """
    return OrderSet()
