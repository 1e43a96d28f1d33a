"""docs/card-policy.md lists every contract topic once, with the priorities its rule module
uses (``priority=`` of the findings it builds; the Finding default when it sets none)."""

from __future__ import annotations

import ast
import re
from dataclasses import fields
from pathlib import Path

from cds_service.guideline.findings import Finding
from cds_service.guideline.topics import ORDER_TOPICS, PATIENT_VIEW_TOPICS

ROOT = Path(__file__).resolve().parents[2]
GUIDELINE = ROOT / "cds_service" / "guideline"
DOC = ROOT / "docs" / "card-policy.md"
DEFAULT_PRIORITY = next(f.default for f in fields(Finding) if f.name == "priority")


def documented() -> dict[str, set[int]]:
    rows: dict[str, set[int]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| `([a-z0-9-]+)` \| ([0-9 /]+) \|", line)
        if m:
            assert m.group(1) not in rows, f"{m.group(1)} listed twice"
            rows[m.group(1)] = {int(p) for p in m.group(2).split("/")}
    return rows


def in_code() -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for path in GUIDELINE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        topic = next(
            (
                n.value.value
                for n in tree.body
                if isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "TOPIC" for t in n.targets)
                and isinstance(n.value, ast.Constant)
            ),
            None,
        )
        if topic is None:
            continue
        values = [
            k.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Call)
            for k in n.keywords
            if k.arg == "priority"
        ]
        # ``priority=20 if undecided else 8`` uses both
        values += [v for x in values if isinstance(x, ast.IfExp) for v in (x.body, x.orelse)]
        priorities = {int(v.value) for v in values if isinstance(v, ast.Constant)}
        out[topic] = priorities or {int(DEFAULT_PRIORITY)}
    return out


def test_every_contract_topic_is_in_the_table_once() -> None:
    assert set(documented()) == set(PATIENT_VIEW_TOPICS) | set(ORDER_TOPICS)


def test_the_table_gives_the_priorities_the_code_uses() -> None:
    code, doc = in_code(), documented()
    assert set(code) == set(doc)
    for topic, priorities in code.items():
        assert doc[topic] == priorities, topic
