"""Findings -> CDS Hooks 2.0 cards, in one place.

What every card gets: a fresh ``uuid`` (and one per suggestion), ``summary`` (<= 139
characters, enforced), ``indicator``, ``source`` with the contract topic Coding, GitHub
Markdown ``detail`` (raw HTML refused), ``selectionBehavior`` whenever there are suggestions,
``overrideReasons`` as Codings with ``display`` from the CodeSystem
``urn:ctd-ild-cds:override-reason`` (``codesystems/override-reason.json``; every code when
the finding names none), links, and the ``extension`` account of rules and facts (contract).
Optional fields without a value are omitted, never ``null`` or empty (CDS Hooks 2.0 §JSON).

A finding that cannot become a valid card (summary too long, raw HTML, delete action without
``resource_id``...) raises ``CardError``: a programming error the rule tests must catch.
"""

from __future__ import annotations

import json
import re
import uuid
from functools import cache
from importlib import resources
from typing import Any

from .guideline.evidence import CATALOG, documents
from .guideline.findings import Action, Finding, Link, Suggestion
from .guideline.topics import ALL_TOPICS, TOPIC_SYSTEM

#: the service's public base URL when the caller's is not known (the CLI, tests): links to
#: the rules page are absolute, so a card read elsewhere still resolves them
DEFAULT_BASE_URL = "http://localhost:8080"
#: ``source.label`` of a card that cites no catalogued rule (never expected)
SERVICE_LABEL = "CTD-ILD CDS rules"
OVERRIDE_REASON_SYSTEM = "urn:ctd-ild-cds:override-reason"
MAX_SUMMARY = 139
_RAW_HTML = re.compile(r"<(/?[A-Za-z][A-Za-z0-9-]*)(\s[^<>]*)?/?>|<!--")


class CardError(ValueError):
    """A finding that cannot be serialized as a valid CDS Hooks card."""


@cache
def override_reasons() -> dict[str, str]:
    """code -> display of the override-reason CodeSystem (in its order)."""
    text = (
        resources.files("cds_service")
        .joinpath("codesystems", "override-reason.json")
        .read_text(encoding="utf-8")
    )
    data = json.loads(text)
    if data.get("url") != OVERRIDE_REASON_SYSTEM:
        raise CardError("override-reason CodeSystem has the wrong url")
    return {c["code"]: c["display"] for c in data["concept"]}


def prune(value: Any) -> Any:
    """Drop ``None``, empty strings, lists and objects, recursively (keeps False and 0);
    tuples become lists."""
    if isinstance(value, dict):
        pruned = ((k, prune(v)) for k, v in value.items())
        return {k: v for k, v in pruned if not _empty(v)}
    if isinstance(value, list | tuple):
        return [v for v in map(prune, value) if not _empty(v)]
    return value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def _action_json(a: Action) -> dict[str, Any]:
    if not a.description:
        raise CardError("action without description (cds-resp-5)")
    if a.type == "delete":
        if not a.resource_id or a.resource is not None:
            raise CardError("a delete action names resource_id and no resource (cds-resp-2)")
        return {"type": "delete", "description": a.description, "resourceId": a.resource_id}
    if not a.resource or "resourceType" not in a.resource:
        raise CardError(f"a {a.type} action needs a FHIR resource")
    if a.resource_id is not None:
        raise CardError(f"a {a.type} action carries its resource, not resource_id")
    return {"type": a.type, "description": a.description, "resource": a.resource}


def _suggestion_json(s: Suggestion) -> dict[str, Any]:
    if not s.actions:
        raise CardError(f"suggestion {s.label!r} has no actions")
    out: dict[str, Any] = {
        "label": s.label,
        "uuid": str(uuid.uuid4()),
        "actions": [_action_json(a) for a in s.actions],
    }
    if s.is_recommended:
        out["isRecommended"] = True
    return out


def _link_json(link: Link) -> dict[str, Any]:
    if not re.match(r"^https?://\S+$", link.url):
        raise CardError(f"link {link.label!r} needs an absolute http(s) URL")
    return {"label": link.label, "url": link.url, "type": link.type}


def _override_reason_json(codes: tuple[str, ...]) -> list[dict[str, str]]:
    table = override_reasons()
    chosen = codes or tuple(table)
    unknown = [c for c in chosen if c not in table]
    if unknown:
        raise CardError(f"unknown override reason codes {unknown}")
    return [{"system": OVERRIDE_REASON_SYSTEM, "code": c, "display": table[c]} for c in chosen]


def rules_page(base_url: str) -> str:
    """The absolute URL of the service's ``/rules`` page under ``base_url``."""
    return base_url.rstrip("/") + "/rules"


def _source_json(f: Finding, base_url: str) -> dict[str, Any]:
    """``source``: the document the card rests on (its first rule's), and that rule's entry
    on the rules page."""
    primary = next((CATALOG[r] for r in f.rules if r in CATALOG), None)
    label = documents([primary])[0][0].name if primary else SERVICE_LABEL
    url = rules_page(base_url) + (f"#{primary.id}" if primary else "")
    topic = {"system": TOPIC_SYSTEM, "code": f.topic, "display": ALL_TOPICS[f.topic]}
    return {"label": label, "url": url, "topic": topic}


def card_links(f: Finding, base_url: str) -> list[Link]:
    """The finding's own links, then one per cited document with a DOI or page; the rules
    page (full references) when no document has one, so every card has a link."""
    links = list(f.links)
    cited = [CATALOG[r] for r in f.rules if r in CATALOG]
    for src, _sections in documents(cited):
        if src.url and all(link.url != src.url for link in links):
            links.append(Link(label=src.name, url=src.url))
    if not links:
        links.append(Link(label="Rules and full references", url=rules_page(base_url)))
    return links


def card_from_finding(f: Finding, base_url: str = DEFAULT_BASE_URL) -> dict[str, Any]:
    if f.topic not in ALL_TOPICS:
        raise CardError(f"unknown card topic {f.topic!r}")
    summary = f.summary.strip()
    if not summary or len(summary) > MAX_SUMMARY:
        raise CardError(f"summary of {f.topic} must be 1..{MAX_SUMMARY} characters")
    if _RAW_HTML.search(f.detail or "") or _RAW_HTML.search(summary):
        raise CardError(f"raw HTML in the card text of {f.topic}")
    suggestions = [_suggestion_json(s) for s in f.suggestions]
    behavior = f.selection_behavior or ("at-most-one" if suggestions else None)
    if behavior == "at-most-one" and sum(bool(s.is_recommended) for s in f.suggestions) > 1:
        raise CardError("at most one recommended suggestion with at-most-one (cds-resp-1)")
    card: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "summary": summary,
        "indicator": f.indicator.value,
        "detail": f.detail,
        "source": _source_json(f, base_url),
        "suggestions": suggestions,
        "selectionBehavior": behavior if suggestions else None,
        "overrideReasons": _override_reason_json(f.override_reasons),
        "links": [_link_json(link) for link in card_links(f, base_url)],
        "extension": {
            "ctd-ild-cds": {"rules": list(f.rules), "facts": [x.as_json() for x in f.facts]}
        },
    }
    pruned: dict[str, Any] = prune(card)
    return pruned
