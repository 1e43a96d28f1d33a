"""Build a Finding from its parts, one way for every rule package.

The card a clinician reads in ten seconds (``text.render``):

- ``summary``: one sentence, at most 139 characters, naming what decided;
- **Why**: the patient facts used, with value, unit and date (``why``, at most ~5 lines),
  then any short explanation (``body``);
- **What to do**: at most ~5 lines (``what_to_do``), then ``notes``;
- **Not assessed**: only when something was (``not_assessed``);
- **Sources**: one short line per document, derived from ``rules`` ("Japanese DM/PM-ILD
  review (2014), Figure 3 and §Assessment"); the full reference lives once, in the catalog.

The finding's rule ids are exactly the rules it cites; its facts are de-duplicated in
order. Rules decide *whether* and *what*; this module only assembles. No rule id, concept id
or resource id goes into the text: they belong in ``rules`` and ``facts``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Literal

from .evidence import Rule, source_lines
from .facts import unique_facts
from .findings import Fact, Finding, Indicator, Layout, Suggestion
from .text import clip, render


def finding(
    *,
    topic: str,
    indicator: Indicator,
    summary: str,
    rules: Sequence[Rule],
    priority: int = 100,
    why: Iterable[str] = (),
    why_title: str | None = None,
    body: Iterable[str] = (),
    what_to_do: Iterable[str] = (),
    what_to_do_title: str | None = None,
    notes: Iterable[str] = (),
    not_assessed: Iterable[str] = (),
    facts: Iterable[Fact] = (),
    suggestions: Sequence[Suggestion] = (),
    selection_behavior: Literal["at-most-one", "any"] | None = None,
    override_reasons: Sequence[str] = (),
) -> Finding:
    """One finding, laid out the one way. ``rules`` are the rules the card rests on (the
    first is the card's own entry on the rules page); ``why_title`` and ``what_to_do_title``
    are the subtitles of those sections."""
    layout = Layout(
        why=tuple(why),
        why_title=why_title,
        body=tuple(body),
        what_to_do=tuple(what_to_do),
        what_to_do_title=what_to_do_title,
        notes=tuple(notes),
        not_assessed=tuple(not_assessed),
        sources=tuple(source_lines(rules)),
    )
    return Finding(
        topic=topic,
        indicator=indicator,
        summary=clip(summary),
        detail=render(layout),
        rules=tuple(dict.fromkeys(r.id for r in rules)),
        facts=unique_facts(facts),
        suggestions=tuple(suggestions),
        selection_behavior=selection_behavior,
        override_reasons=tuple(override_reasons),
        priority=priority,
        layout=layout,
    )


def with_not_assessed(f: Finding, lines: Iterable[str]) -> Finding:
    """``f`` with more **Not assessed** lines (e.g. data unavailable for this call)."""
    added = tuple(lines)
    if not added:
        return f
    if f.layout is None:  # a detail built another way: append the section
        note = "**Not assessed**\n\n" + "\n".join(f"- {line}" for line in added)
        return replace(f, detail=f"{f.detail}\n\n{note}")
    layout = replace(f.layout, not_assessed=(*f.layout.not_assessed, *added))
    return replace(f, detail=render(layout), layout=layout)


def with_why(f: Finding, why: Sequence[str]) -> Finding:
    """``f`` with its Why lines replaced (e.g. facts an earlier card already showed, said
    briefly); unchanged when its detail was not built by this module."""
    if f.layout is None:
        return f
    layout = replace(f.layout, why=tuple(why))
    return replace(f, detail=render(layout), layout=layout)
