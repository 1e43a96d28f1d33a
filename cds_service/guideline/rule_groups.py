"""What each catalogued rule is (its kind) and where it acts (its group), for the rules page.

Kind follows the rule's type tags in ``shared/reference/seed-rules.md``: the first tag that is
not [EVID] (a [LIST] counts as what the table is used for), else ``evidence``. The anchors
(B##) have the kind of what the service takes from them.

Group:
- **automated**: a card decides on it; ``Rule.topics`` are the card topics that cite it;
- **shown as evidence**: an evidence statement (kind ``evidence``) that cards quote beside
  their decision (``Rule.topics`` are those cards); it never decides by itself;
- **not automated**: no card applies it; ``Rule.not_automated`` says why.
"""

from __future__ import annotations

from .evidence import CATALOG, Rule

CLASSIFICATION = "classification"
DECISION = "decision"
THRESHOLD = "threshold"
DOSE = "dose"
MONITORING = "monitoring"
EVIDENCE = "evidence"

_KIND_IDS = {
    CLASSIFICATION: (
        "R001 R008 R019 R028 R030 R063 R064 R065 R068 R069 R071 R075 R077 R085 R089 R090 R118"
        " B03 B07 B08 B09 B10 B11"
    ),
    DECISION: (
        "R002 R003 R005 R006 R007 R009 R011 R014 R015 R016 R017 R018 R023 R024 R034 R035 R036"
        " R037 R045 R046 R051 R053 R054 R055 R056 R057 R078 R091 R105 R106 R107 R108 R109"
        " R112 R113 R115 R116 R119 R122 R124 R130 R140 R141 R142 R143 R144 B02 B05 B15"
    ),
    THRESHOLD: "R081 R086 R087 R088 R095 B04 B12",
    DOSE: (
        "R031 R032 R038 R039 R040 R041 R042 R043 R052 R058 R060 R096 R099 R110 R135 R136 R137 B16"
    ),
    MONITORING: "R049 R074 R094 R111 B01",
    EVIDENCE: (
        "R004 R010 R012 R013 R020 R021 R022 R025 R026 R027 R029 R033 R044 R047 R048 R050 R059"
        " R061 R062 R066 R067 R070 R072 R073 R076 R079 R080 R082 R083 R084 R092 R093 R097"
        " R098 R100 R101 R102 R103 R104 R114 R117 R120 R121 R123 R125 R126 R127 R128 R129"
        " R131 R132 R133 R134 R138 R139 B06 B13 B14 B17"
    ),
}
KINDS: dict[str, str] = {rid: kind for kind, ids in _KIND_IDS.items() for rid in ids.split()}

#: rules R001-R144 of shared/reference/seed-rules.md; a test checks the count against it
SEED_RULE_COUNT = 144

AUTOMATED = "automated"
SHOWN_AS_EVIDENCE = "shown as evidence"
NOT_AUTOMATED = "not automated"
GROUPS = (AUTOMATED, SHOWN_AS_EVIDENCE, NOT_AUTOMATED)


def kind(r: Rule) -> str:
    return KINDS.get(r.id, "")


def group(r: Rule) -> str:
    if r.not_automated:
        return NOT_AUTOMATED
    return SHOWN_AS_EVIDENCE if kind(r) == EVIDENCE else AUTOMATED


def where(r: Rule) -> str:
    """Where the rule acts, as the rules page says it."""
    g = group(r)
    if g == NOT_AUTOMATED:
        return f"not automated: {r.not_automated}"
    cards = ", ".join(r.topics)
    return f"evidence shown in {cards}" if g == SHOWN_AS_EVIDENCE else f"applied in {cards}"


def rule_order(r: Rule) -> tuple[bool, int]:
    """Seed rules (R###) first, then anchors (B##), each by number."""
    return (r.id.startswith("B"), int(r.id[1:]) if r.id[1:].isdigit() else 0)


def grouped() -> dict[str, list[Rule]]:
    """Every catalogued rule by group, in id order (seed rules, then anchors)."""
    out: dict[str, list[Rule]] = {g: [] for g in GROUPS}
    for r in sorted(CATALOG.values(), key=rule_order):
        out[group(r)].append(r)
    return out


def seed_rule_ids() -> list[str]:
    return [r.id for rules in grouped().values() for r in rules if r.id.startswith("R")]
