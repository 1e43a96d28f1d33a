"""Every fixture's cards as a clinician sees them: each card's Markdown rendered to HTML
(the ``markdown`` library, as EHR viewers do) and laid out in headless Chromium (Debian's
``chromium``, driven by Playwright; no browser is downloaded) at 800 px wide, the width of a
CDS Hooks sandbox card column. Each card must fit in 900 px of height."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import markdown
import pytest

from tests.browser import chromium

from .fixture_cards import prefetch_cards

WIDTH = 800
MAX_CARD_HEIGHT = 900
STYLE = """
body { font-family: sans-serif; font-size: 14px; line-height: 1.4; margin: 0; width: 800px; }
.card { border: 1px solid #ccc; border-left: 6px solid #888; margin: 8px; padding: 8px 12px; }
.card.warning { border-left-color: #e8a317; } .card.critical { border-left-color: #c00; }
.summary { font-weight: bold; font-size: 16px; } .source, .links { font-size: 12px; }
"""


def card_html(card: dict[str, Any]) -> str:
    """One card as the sandbox shows it: summary, the detail's Markdown, source and links."""
    links = " · ".join(
        f'<a href="{html.escape(x["url"])}">{html.escape(x["label"])}</a>'
        for x in card.get("links", [])
    )
    source = card["source"]
    return (
        f'<div class="card {card["indicator"]}">'
        f'<div class="summary">{html.escape(card["summary"])}</div>'
        f'<div class="detail">{markdown.markdown(card.get("detail", ""))}</div>'
        f'<div class="source">Source: <a href="{html.escape(source["url"])}">'
        f"{html.escape(source['label'])}</a></div>"
        f'<div class="links">{links}</div></div>'
    )


def page(cards: list[dict[str, Any]]) -> str:
    body = "".join(card_html(c) for c in cards)
    return f"<!doctype html><html><head><style>{STYLE}</style></head><body>{body}</body></html>"


@pytest.fixture(scope="module")
def browser_page() -> Iterator[Any]:
    with chromium() as browser:
        yield browser.new_page(viewport={"width": WIDTH, "height": 1000})


def test_markdown_renders_lists_and_bold() -> None:
    out = markdown.markdown("**Why**\n\n- ferritin 1,800 ng/mL\n- anti-MDA5 positive")
    assert "<strong>Why</strong>" in out and out.count("<li>") == 2


def test_every_card_fits_in_900_px(browser_page: Any, tmp_path: Path) -> None:
    cards = prefetch_cards(tmp_path)
    heights: dict[str, list[float]] = {}
    for name, fixture_cards in cards.items():
        if not fixture_cards:
            continue
        browser_page.set_content(page(fixture_cards))
        boxes = browser_page.eval_on_selector_all(
            ".card", "els => els.map(e => e.getBoundingClientRect().height)"
        )
        assert len(boxes) == len(fixture_cards)
        heights[name] = boxes
    assert heights, "no cards rendered"
    too_tall = {
        (name, c["source"]["topic"]["code"]): round(h)
        for name, hs in heights.items()
        for c, h in zip(cards[name], hs, strict=True)
        if h > MAX_CARD_HEIGHT
    }
    assert not too_tall, too_tall


def test_the_height_check_can_fail(browser_page: Any) -> None:
    tall = {
        "indicator": "info",
        "summary": "A long card",
        "detail": "\n".join(f"- line {i}" for i in range(80)),
        "source": {"label": "x", "url": "http://localhost/rules#R001"},
    }
    browser_page.set_content(page([tall]))
    (height,) = browser_page.eval_on_selector_all(
        ".card", "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert height > MAX_CARD_HEIGHT
