"""Every seed rule R001-R144 is in the catalog with its kind and where it acts.

The list of rules comes from ``shared/reference/seed-rules.md`` beside the repository when it
is there, else from the committed copy ``data/seed-rule-ids.txt`` (a clean clone in CI has no
``../shared``); when both are present they must agree.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cds_service.guideline.catalog import catalog_html, catalog_text
from cds_service.guideline.evidence import CATALOG
from cds_service.guideline.rule_groups import (
    AUTOMATED,
    GROUPS,
    KINDS,
    NOT_AUTOMATED,
    SEED_RULE_COUNT,
    SHOWN_AS_EVIDENCE,
    group,
    grouped,
    kind,
    where,
)
from cds_service.guideline.topics import ALL_TOPICS as TOPICS

REPO = Path(__file__).resolve().parents[2]
COPY = Path(__file__).with_name("data") / "seed-rule-ids.txt"
LIVE = [p / "shared" / "reference" / "seed-rules.md" for p in (REPO.parent, REPO.parents[1])]

TAG_KINDS = {
    "CLASS": "classification",
    "DECIDE": "decision",
    "THRESH": "threshold",
    "DOSE": "dose",
    "MONITOR": "monitoring",
    "EVID": "evidence",
}

#: the rules of issue "all 144 seed rules": the 26 that carry a decision, classification,
#: threshold or dose and were missing from the catalog
DECISION_BEARING = [
    "R001",
    "R005",
    "R006",
    "R009",
    "R011",
    "R014",
    "R015",
    "R016",
    "R023",
    "R028",
    "R035",
    "R037",
    "R039",
    "R065",
    "R071",
    "R081",
    "R085",
    "R088",
    "R091",
    "R105",
    "R116",
    "R118",
    "R119",
    "R130",
    "R135",
    "R137",
]


def _parse_live(text: str) -> dict[str, list[str]]:
    rows = re.findall(r"\*\*(R\d{3}) ((?:\[[A-Z]+\])+)", text)
    return {rid: re.findall(r"\[([A-Z]+)\]", tags) for rid, tags in rows}


def _parse_copy() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in COPY.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            rid, *tags = line.split()
            out[rid] = tags
    return out


def seed_rules() -> dict[str, list[str]]:
    """Seed rule id -> its type tags, from the live reference when present."""
    for path in LIVE:
        if path.is_file():
            return _parse_live(path.read_text(encoding="utf-8"))
    return _parse_copy()


def test_the_committed_copy_matches_the_reference_when_present() -> None:
    live = [p for p in LIVE if p.is_file()]
    if not live:
        pytest.skip("no ../shared/reference/seed-rules.md beside this clone")
    assert _parse_live(live[0].read_text(encoding="utf-8")) == _parse_copy()


def test_every_seed_rule_is_catalogued() -> None:
    seeds = seed_rules()
    assert len(seeds) == SEED_RULE_COUNT
    missing = sorted(set(seeds) - set(CATALOG))
    assert not missing, f"seed rules missing from the catalog: {missing}"
    text = catalog_text()
    assert f"Seed rules: {SEED_RULE_COUNT} of {SEED_RULE_COUNT}" in text
    html = catalog_html()
    for rid in seeds:
        assert f"  {rid} (" in text, rid
        assert f'<tr id="{rid}">' in html, rid


def test_every_rule_has_a_kind_that_matches_its_tags() -> None:
    seeds = seed_rules()
    for r in CATALOG.values():
        assert kind(r), r.id
        if r.id not in seeds:
            continue
        tags = seeds[r.id]
        allowed = {TAG_KINDS[t] for t in tags if t in TAG_KINDS}
        decisive = {TAG_KINDS[t] for t in tags if t in TAG_KINDS and t != "EVID"}
        if "LIST" in tags:
            continue  # a table: its kind is what it is used for
        assert kind(r) in allowed, (r.id, kind(r), tags)
        if decisive:  # [EVID][DECIDE] etc.: the decision-bearing tag wins
            assert kind(r) in decisive, (r.id, kind(r), tags)
    assert set(KINDS) >= set(CATALOG), sorted(set(CATALOG) - set(KINDS))


def test_each_rule_is_in_exactly_one_group_and_says_where_it_acts() -> None:
    groups = grouped()
    assert sum(len(rules) for rules in groups.values()) == len(CATALOG)
    for g in GROUPS:
        for r in groups[g]:
            assert group(r) == g
            if g == NOT_AUTOMATED:
                assert not r.topics and len(r.not_automated) >= 40, r.id
                assert where(r).startswith("not automated: ")
            else:
                assert r.topics and not r.not_automated, r.id
                assert set(r.topics) <= set(TOPICS), (r.id, r.topics)
                for topic in r.topics:
                    assert topic in where(r)
            if g == SHOWN_AS_EVIDENCE:
                assert kind(r) == "evidence" and where(r).startswith("evidence shown in ")


@pytest.mark.parametrize("rid", DECISION_BEARING)
def test_decision_bearing_rule_is_applied_or_says_why_not(rid: str) -> None:
    r = CATALOG[rid]
    assert kind(r) != "evidence", rid
    assert group(r) in (AUTOMATED, NOT_AUTOMATED)
    if group(r) == NOT_AUTOMATED:
        assert r.not_automated.endswith(".") and len(r.not_automated) >= 60, rid


def test_the_catalog_shows_the_three_groups_with_counts() -> None:
    text = catalog_text()
    html = catalog_html()
    groups = grouped()
    for g in GROUPS:
        assert f"({len(groups[g])}):" in text
        assert f'<h2 id="{g.replace(" ", "-")}">' in html
    assert text.index("Automated: ") < text.index("Shown as evidence") < text.index("Not auto")
    assert "R014 (decision)" in text
    assert "a judgement the record cannot make" in text


def test_the_anchors_the_cards_use_are_catalogued() -> None:
    for bid in ("B01", "B02", "B03", "B04", "B05", "B07", "B11", "B12", "B15", "B16"):
        assert bid in CATALOG and group(CATALOG[bid]) == AUTOMATED, bid


def _rules_used_in_code() -> set[str]:
    """Rule ids the guideline code uses (a rule object loaded, or an id in a ``rules=`` tuple),
    outside the declarations themselves."""
    import ast

    used: set[str] = set()
    for path in (REPO / "cds_service" / "guideline").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
            ctx = getattr(node, "ctx", None)
            if name and re.fullmatch(r"[RB]\d{2,3}", name) and isinstance(ctx, ast.Load):
                used.add(name)
        for tuple_text in re.findall(r"rules=\(([^)]*)\)", text):
            used |= set(re.findall(r'"([RB]\d{2,3})"', tuple_text))
    return used


def test_every_rule_said_to_act_in_a_card_is_used_by_card_code() -> None:
    """A rule listed as applied (or shown) in a card is cited by some card's code: the
    catalog never claims a card for a rule no card uses."""
    used = _rules_used_in_code()
    claimed = [r.id for r in CATALOG.values() if group(r) != NOT_AUTOMATED]
    assert sorted(set(claimed) - used) == []
