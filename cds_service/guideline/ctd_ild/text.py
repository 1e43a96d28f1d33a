"""Small helpers that build card text (Markdown without raw HTML) from facts and rules."""

from __future__ import annotations

from collections.abc import Iterable

from ..evidence import Rule, cite


def bullets(lines: Iterable[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def detail(
    *,
    facts: Iterable[str],
    body: Iterable[str] = (),
    options_title: str | None = None,
    options: Iterable[str] = (),
    notes: Iterable[str] = (),
    rules: Iterable[Rule],
) -> str:
    """``**Patient data**`` bullets, body paragraphs, an options list, notes, the citation."""
    parts = ["**Patient data**", bullets(facts)]
    parts.extend(body)
    opts = list(options)
    if opts:
        parts.append(f"**{options_title or 'Options'}**")
        parts.append(bullets(opts))
    for note in notes:
        parts.append(note)
    parts.append(cite(*rules))
    return "\n\n".join(parts)


def clip(summary: str, limit: int = 139) -> str:
    """Summaries are one sentence of at most 139 characters (CDS Hooks <140)."""
    if len(summary) <= limit:
        return summary
    return summary[: limit - 1].rstrip() + "…"
