"""Build a Finding from its parts, one way for every rule package.

The summary is clipped to 139 characters, the detail has the one layout of ``text.detail``
(patient data, body, options, notes, sources), the finding's rule ids are exactly the rules
its detail cites, and its facts are de-duplicated in order. Rules decide *whether* and *what*;
this module only assembles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from .evidence import Rule
from .facts import unique_facts
from .findings import Fact, Finding, Indicator, Link, Suggestion
from .text import clip, detail


def finding(
    *,
    topic: str,
    indicator: Indicator,
    summary: str,
    patient_data: Iterable[str],
    rules: Sequence[Rule],
    priority: int,
    patient_data_title: str = "Patient data",
    body: Iterable[str] = (),
    options_title: str | None = None,
    options: Iterable[str] = (),
    notes: Iterable[str] = (),
    facts: Iterable[Fact] = (),
    suggestions: Sequence[Suggestion] = (),
    selection_behavior: Literal["at-most-one", "any"] | None = None,
    override_reasons: Sequence[str] = (),
    links: Sequence[Link] = (),
    extra: dict[str, Any] | None = None,
) -> Finding:
    return Finding(
        topic=topic,
        indicator=indicator,
        summary=clip(summary),
        detail=detail(
            facts=patient_data,
            facts_title=patient_data_title,
            body=body,
            options_title=options_title,
            options=options,
            notes=notes,
            rules=rules,
        ),
        rules=tuple(dict.fromkeys(r.id for r in rules)),
        facts=unique_facts(facts),
        suggestions=tuple(suggestions),
        selection_behavior=selection_behavior,
        override_reasons=tuple(override_reasons),
        links=tuple(links),
        priority=priority,
        extra=dict(extra or {}),
    )
