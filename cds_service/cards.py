"""Findings -> CDS Hooks 2.0 cards, in one place. (The CDS Hooks issue completes this.)"""

from __future__ import annotations

import uuid
from typing import Any

from .guideline.findings import Finding
from .guideline.topics import ALL_TOPICS, TOPIC_SYSTEM

SOURCE_LABEL = "CTD-ILD CDS (KR 2019, JP 2014 guideline logic)"


def card_from_finding(f: Finding) -> dict[str, Any]:
    card: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "summary": f.summary,
        "indicator": f.indicator.value,
        "detail": f.detail,
        "source": {
            "label": SOURCE_LABEL,
            "topic": {"system": TOPIC_SYSTEM, "code": f.topic, "display": ALL_TOPICS[f.topic]},
        },
        "extension": {
            "ctd-ild-cds": {"rules": list(f.rules), "facts": [x.as_json() for x in f.facts]}
        },
    }
    return card
