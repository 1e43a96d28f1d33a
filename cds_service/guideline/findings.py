"""What a rule returns: a Finding, with the facts it used, its evidence and suggestions.

Findings are plain data. ``cds_service.cards`` turns them into CDS Hooks cards in one place;
rules never build card JSON themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Literal


class Indicator(StrEnum):
    """Card urgency. Policy (docs/card-policy.md): ``critical`` only for A/S-ILD with
    poor-risk factors and for safety limits the contract marks critical; ``warning`` for
    findings needing action soon; ``info`` otherwise."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return {"critical": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True)
class Fact:
    """A patient value a finding used, in the concept's canonical unit, with its date."""

    concept: str
    value: float | str | bool | None
    unit: str | None = None
    date: date | None = None
    #: FHIR ``Quantity.comparator`` when the lab reported a bound (">" with value 1000 means
    #: "above 1,000"); None for an exact value
    comparator: str | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"concept": self.concept, "value": self.value}
        if self.comparator:
            out["comparator"] = self.comparator
        if self.unit:
            out["unit"] = self.unit
        if self.date:
            out["date"] = self.date.isoformat()
        return out


@dataclass(frozen=True)
class Action:
    """A CDS Hooks action (create/update/delete) with a FHIR R4 resource."""

    type: Literal["create", "update", "delete"]
    description: str
    resource: dict[str, Any] | None = None
    resource_id: str | None = None  # for delete: "MedicationRequest/123"


@dataclass(frozen=True)
class Suggestion:
    label: str
    actions: tuple[Action, ...]
    is_recommended: bool = False


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    type: Literal["absolute", "smart"] = "absolute"


@dataclass(frozen=True)
class Layout:
    """The sections of a card's detail, kept so the detail can be laid out again (a note on
    data unavailable for the call, facts already shown by an earlier card of the response).
    ``text.render`` turns it into the Markdown ``detail``."""

    why: tuple[str, ...] = ()
    why_title: str | None = None
    body: tuple[str, ...] = ()
    what_to_do: tuple[str, ...] = ()
    what_to_do_title: str | None = None
    notes: tuple[str, ...] = ()
    not_assessed: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One guideline finding about one topic (a contract card topic code)."""

    topic: str
    indicator: Indicator
    summary: str  # one sentence, <= 139 characters
    detail: str  # GitHub-flavoured Markdown, no raw HTML; cites its sources
    rules: tuple[str, ...]  # R### / B## ids the finding rests on
    facts: tuple[Fact, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    selection_behavior: Literal["at-most-one", "any"] | None = None
    #: override reason codes from urn:ctd-ild-cds:override-reason (see cds_service.cards)
    override_reasons: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    #: a number used to order findings of the same indicator (lower first)
    priority: int = 100
    #: the sections ``detail`` was rendered from (None for a detail built another way)
    layout: Layout | None = None
