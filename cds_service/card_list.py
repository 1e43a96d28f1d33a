"""The cards of one response, as a clinician reads them together (docs/card-policy.md).

- **At most four cards** (``MAX_CARDS``), the most urgent first (the findings arrive in the
  contract's order: ``guideline.policy``). When more topics fired, the last card shown says
  how many more there are and links to where they can be read (the rules page).
- **Facts shared by several cards are shown once at full length**: a later card names a
  patient fact an earlier card already showed in one short line, without repeating it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .cards import card_from_finding, rules_page
from .guideline.compose import with_why
from .guideline.findings import Finding, Link

MAX_CARDS = 4
#: a shared fact, said briefly, is cut to this many characters
_SHORT = 48


def _brief(line: str) -> str:
    """``ferritin 1,800 ng/mL (2026-11-16)`` -> ``ferritin 1,800 ng/mL``."""
    head = line.split(" (", 1)[0]
    return head if len(head) <= _SHORT else head[: _SHORT - 1].rstrip() + "…"


def shared_facts_once(findings: Sequence[Finding]) -> list[Finding]:
    """Each Why line at full length in the first card that shows it; later cards list the
    ones already shown in a single short line."""
    seen: set[str] = set()
    out: list[Finding] = []
    for f in findings:
        if f.layout is None:
            out.append(f)
            continue
        new = [line for line in f.layout.why if line not in seen]
        repeated = [line for line in f.layout.why if line in seen]
        seen.update(f.layout.why)
        if repeated:
            brief = "; ".join(_brief(line) for line in repeated)
            f = with_why(f, [*new, f"As in the card above: {brief}"])
        out.append(f)
    return out


def at_most(findings: Sequence[Finding], base_url: str) -> list[Finding]:
    """The first ``MAX_CARDS`` findings; the last of them says what was left out, with a link."""
    if len(findings) <= MAX_CARDS:
        return list(findings)
    kept, hidden = list(findings[:MAX_CARDS]), len(findings) - MAX_CARDS
    page = rules_page(base_url)
    count = f"{hidden} more finding" + ("s" if hidden > 1 else "")
    note = f"**More findings:** {count} not shown here; see the [rules page]({page})."
    last = kept[-1]
    kept[-1] = replace(
        last,
        detail=f"{last.detail}\n\n{note}",
        links=(*last.links, Link(label="More findings: the rules page", url=page)),
    )
    return kept


def response_cards(findings: Sequence[Finding], base_url: str) -> list[dict[str, Any]]:
    """The CDS Hooks cards of one response, from findings in the contract's order."""
    return [card_from_finding(f, base_url) for f in at_most(shared_facts_once(findings), base_url)]
