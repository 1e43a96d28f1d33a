"""docs/decisions.md holds every conflict note (Z1-Z21) the code and the docs cite, in the
project's own words: each section names the conflict, the figure used, why, and what applies
it. A note cited anywhere in ``cds_service/``, ``fhir_mappings/`` or ``docs/`` without a
section here fails; so does a section naming a card topic or a module that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cds_service.guideline.topics import ALL_TOPICS

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "decisions.md"
GUIDELINE = ROOT / "cds_service" / "guideline"
SCANNED = ("cds_service", "fhir_mappings", "docs")
#: a note id: Z and one or two digits as a word; not an ICD-10 code such as Z79.624
NOTE_ID = re.compile(r"\bZ(\d{1,2})\b(?!\.\d)")
SUFFIXES = {".py", ".md", ".csv", ".json"}
HEADING = re.compile(r"^## (Z\d+): \S", re.MULTILINE)
PARTS = ("- **Conflict.**", "- **Figure used.**", "- **Why.**", "- **Applied by.**")


def sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    heads = list(HEADING.finditer(text))
    ends = [h.start() for h in heads[1:]] + [len(text)]
    return {h.group(1): text[h.start() : end] for h, end in zip(heads, ends, strict=True)}


def cited_ids() -> dict[str, set[str]]:
    """Note id -> files (relative to the repository) that cite it."""
    cited: dict[str, set[str]] = {}
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if not path.is_file() or path == DOC or path.suffix not in SUFFIXES:
                continue
            for m in NOTE_ID.finditer(path.read_text(encoding="utf-8")):
                cited.setdefault(f"Z{m.group(1)}", set()).add(str(path.relative_to(ROOT)))
    return cited


def test_notes_z1_to_z21_in_order_each_with_its_four_parts() -> None:
    found = sections()
    assert list(found) == [f"Z{n}" for n in range(1, 22)]
    for note, body in found.items():
        missing = [p for p in PARTS if p not in body]
        assert not missing, f"{note} lacks {missing}"


def test_every_note_cited_in_code_and_docs_has_a_section() -> None:
    cited = cited_ids()
    assert len(cited) >= 15  # the scan finds the citations (Z2-Z7, Z9-Z13, Z15-Z17, Z19-Z21)
    missing = {note: sorted(files) for note, files in cited.items() if note not in sections()}
    assert not missing, f"cited without a section in docs/decisions.md: {missing}"


@pytest.mark.parametrize("note", [f"Z{n}" for n in range(1, 22)])
def test_applied_by_names_real_topics_and_modules(note: str) -> None:
    body = sections()[note]
    applied = body[body.index("- **Applied by.**") :]
    for name in re.findall(r"`([^`]+)`", applied):
        if name.endswith((".py", ".csv")):
            assert (GUIDELINE / name).is_file() or (ROOT / name).is_file(), f"{note}: {name}"
        elif re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", name):
            assert name in ALL_TOPICS, f"{note}: unknown card topic {name}"
