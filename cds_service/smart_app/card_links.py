"""``smart`` links on the cards that rest on a time course (CDS Hooks 2.0 Link).

A card whose topic is about a course (decline, rising markers, A/S vs chronic course, GC
response, monitoring) gets a link to the app's launch URL with ``appContext`` = the card's
topic, so the app opens on the plot of that course. Added only when the app is deployed.
"""

from __future__ import annotations

from typing import Any

from .timeline import TOPIC_PLOTS

LABEL = "Show the course over time (FVC, DLCO, KL-6, ferritin, CK, PaO2, treatment)"


def add_smart_links(cards: list[dict[str, Any]], launch_url: str) -> None:
    """Append the app link, in place, to each card whose topic rests on a time course."""
    for card in cards:
        topic = card.get("source", {}).get("topic", {}).get("code")
        if topic in TOPIC_PLOTS:
            link = {"label": LABEL, "url": launch_url, "type": "smart", "appContext": topic}
            card.setdefault("links", []).append(link)
