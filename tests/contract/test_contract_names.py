"""The public names of shared/design/contract.md are the names the code uses.

The contract lives beside the repository (``../shared/design/contract.md``) on developer
machines and in CI; the test is skipped where it is absent (e.g. an installed package).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cds_service.guideline.topics import ORDER_TOPICS, PATIENT_VIEW_TOPICS
from cds_service.services import REGISTRY

CONTRACT = Path(__file__).resolve().parents[2].parent / "shared" / "design" / "contract.md"


def _contract_text() -> str:
    if not CONTRACT.exists():
        pytest.skip("shared/design/contract.md not beside the repository")
    return CONTRACT.read_text(encoding="utf-8")


def _table_codes(text: str, heading: str) -> list[str]:
    section = text.split(heading, 1)[1]
    section = re.split(r"\n#{2,3} ", section, maxsplit=1)[0]
    return re.findall(r"^\| `([a-z0-9-]+)` \|", section, flags=re.M)


def test_patient_view_topics_match_contract() -> None:
    codes = _table_codes(_contract_text(), "### patient-view")
    assert codes and set(codes) == set(PATIENT_VIEW_TOPICS)


def test_order_topics_match_contract() -> None:
    codes = _table_codes(_contract_text(), "### order-select and order-sign")
    assert codes and set(codes) == set(ORDER_TOPICS)


def test_service_ids_and_hooks_match_contract() -> None:
    text = _contract_text()
    rows = re.findall(r"^\| `(ctd-ild-[a-z-]+)` \| `([a-z-]+)` \|", text, flags=re.M)
    assert rows
    assert {sid: hook for sid, hook in rows} == {s.id: s.hook for s in REGISTRY.values()}
