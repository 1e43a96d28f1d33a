"""Code -> concept lookup: the standard tables plus a site's ConceptMaps.

``Terminology.concepts_for(system, code)`` is a dictionary lookup (plus, for ICD-10-CM, a walk
up the code's parents for rows whose table says their children match). Build it once at
start-up: ``build_terminology(settings.site_conceptmap)`` (``CDS_SITE_CONCEPTMAP``);
``default_terminology()`` holds the standard codes only.

Site ConceptMaps (FHIR R4): each ``group`` maps ``source`` system codes to ``target`` system
``urn:ctd-ild-cds:concept`` ids. ``equivalence`` equivalent / equal / wider / narrower (and
relatedto/specializes/subsumes/inexact are NOT accepted: they do not say the site code means
the concept) maps the code; ``unmatched`` / ``disjoint`` are ignored. A malformed map raises
``SiteMapError`` naming the file and the problem.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .tables import CONCEPT_SYSTEM, ICD10CM, USABLE_CONFIDENCE, code_rows, concept_rows

SITE_CONCEPTMAP_ENV = "CDS_SITE_CONCEPTMAP"
_MAX_CACHED = 20_000

ACCEPTED_EQUIVALENCE = frozenset({"equivalent", "equal", "wider", "narrower"})
IGNORED_EQUIVALENCE = frozenset({"unmatched", "disjoint"})
ALL_EQUIVALENCE = (
    ACCEPTED_EQUIVALENCE
    | IGNORED_EQUIVALENCE
    | frozenset({"relatedto", "specializes", "subsumes", "inexact"})
)


class SiteMapError(ValueError):
    """A site ConceptMap that cannot be used; the message names the file and the problem."""


_SYSTEM_ALIASES = {
    "urn:oid:2.16.840.1.113883.6.1": "http://loinc.org",
    "urn:oid:2.16.840.1.113883.6.96": "http://snomed.info/sct",
    "urn:oid:2.16.840.1.113883.6.90": ICD10CM,
    "urn:oid:2.16.840.1.113883.6.88": "http://www.nlm.nih.gov/research/umls/rxnorm",
}


def normalize_system(system: str | None) -> str:
    """Canonical form of a code system URI (trailing slash dropped; common aliases)."""
    if not system:
        return ""
    s = system.strip().rstrip("/")
    return _SYSTEM_ALIASES.get(s, s)


def normalize_code(system: str, code: str | None) -> str:
    if code is None:
        return ""
    c = code.strip()
    if system == ICD10CM:
        c = c.upper()
        if "." not in c and len(c) > 3:
            c = c[:3] + "." + c[3:]
    return c


@dataclass
class Terminology:
    """Standard code tables plus site maps: ``(system, code) -> {concept ids}``."""

    exact: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    icd_parents: dict[str, frozenset[str]] = field(default_factory=dict)
    #: (system, code) as written in a resource -> concepts (``_compute`` with an LRU cache:
    #: records carry the same few hundred codings thousands of times)
    _lookup_cached: Callable[[str, str], frozenset[str]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self._lookup_cached = lru_cache(maxsize=_MAX_CACHED)(self._compute)

    @classmethod
    def standard(cls) -> Terminology:
        exact: dict[tuple[str, str], set[str]] = {}
        parents: dict[str, set[str]] = {}
        for row in code_rows():
            if row.confidence not in USABLE_CONFIDENCE or not row.code:
                continue
            system = normalize_system(row.system)
            code = normalize_code(system, row.code)
            exact.setdefault((system, code), set()).add(row.concept_id)
            if system == ICD10CM and row.icd_children:
                parents.setdefault(code, set()).add(row.concept_id)
        # A resource may be coded directly in the service's own CodeSystem (the identity
        # map): an integrator that has no standard code for, say, an HRCT finding can send
        # {"system": "urn:ctd-ild-cds:concept", "code": "ct_ground_glass"}.
        for concept_id in concept_rows():
            exact.setdefault((CONCEPT_SYSTEM, concept_id), set()).add(concept_id)
        return cls(
            exact={k: frozenset(v) for k, v in exact.items()},
            icd_parents={k: frozenset(v) for k, v in parents.items()},
        )

    def with_site_maps(self, site: Mapping[tuple[str, str], Iterable[str]]) -> Terminology:
        """A new Terminology with site codes added on top of the standard codes."""
        exact = dict(self.exact)
        for key, concepts in site.items():
            exact[key] = exact.get(key, frozenset()) | frozenset(concepts)
        return Terminology(exact, self.icd_parents)

    def concepts_for(self, system: str | None, code: str | None) -> set[str]:
        return set(self._lookup(system, code))

    def _lookup(self, system: str | None, code: str | None) -> frozenset[str]:
        if isinstance(system, str) and isinstance(code, str):
            return self._lookup_cached(system, code)
        return self._compute(system, code)

    def _compute(self, system: str | None, code: str | None) -> frozenset[str]:
        s = normalize_system(system)
        c = normalize_code(s, code)
        if not c:
            return frozenset()
        found = set(self.exact.get((s, c), ()))
        if s == ICD10CM and self.icd_parents:
            # walk up: M05.111 -> M05.11 -> M05.1 -> M05
            candidate = c
            while len(candidate) > 3:
                candidate = candidate[:-1].rstrip(".")
                found.update(self.icd_parents.get(candidate, ()))
        return frozenset(found)

    def concepts_for_codeable(self, concept: Mapping[str, Any] | None) -> set[str]:
        """Union of the concepts of every coding of a CodeableConcept."""
        if not isinstance(concept, (dict, Mapping)):
            return set()
        out: set[str] = set()
        codings = concept.get("coding")
        if isinstance(codings, list):
            for coding in codings:
                if isinstance(coding, (dict, Mapping)):
                    system, code = coding.get("system"), coding.get("code")
                    if isinstance(system, str) and isinstance(code, str):
                        out |= self._lookup(system, code)
        return out


@lru_cache(maxsize=1)
def default_terminology() -> Terminology:
    """The standard code tables, without site maps (cached)."""
    return Terminology.standard()


# --------------------------------------------------------------------------- site maps
def _fail(path: Path, problem: str) -> SiteMapError:
    return SiteMapError(f"{SITE_CONCEPTMAP_ENV} {path}: {problem}")


def _parse_conceptmap(path: Path, data: Any) -> dict[tuple[str, str], set[str]]:
    known = concept_rows()
    if not isinstance(data, dict) or data.get("resourceType") != "ConceptMap":
        raise _fail(path, "not a FHIR ConceptMap (resourceType must be 'ConceptMap')")
    groups = data.get("group")
    if not isinstance(groups, list) or not groups:
        raise _fail(path, "ConceptMap has no 'group'")
    mapped: dict[tuple[str, str], set[str]] = {}
    for gi, group in enumerate(groups):
        where = f"group[{gi}]"
        if not isinstance(group, dict):
            raise _fail(path, f"{where} is not an object")
        source = group.get("source")
        target = group.get("target")
        if not isinstance(source, str) or not source.strip():
            raise _fail(path, f"{where} has no 'source' code system")
        if target != CONCEPT_SYSTEM:
            raise _fail(path, f"{where} target must be '{CONCEPT_SYSTEM}', got {target!r}")
        elements = group.get("element")
        if not isinstance(elements, list) or not elements:
            raise _fail(path, f"{where} has no 'element'")
        system = normalize_system(source)
        for ei, element in enumerate(elements):
            ewhere = f"{where}.element[{ei}]"
            if not isinstance(element, dict):
                raise _fail(path, f"{ewhere} is not an object")
            code = element.get("code")
            if not isinstance(code, str) or not code.strip():
                raise _fail(path, f"{ewhere} has no 'code'")
            targets = element.get("target")
            if not isinstance(targets, list) or not targets:
                raise _fail(path, f"{ewhere} ({code}) has no 'target'")
            for ti, tgt in enumerate(targets):
                twhere = f"{ewhere}.target[{ti}]"
                if not isinstance(tgt, dict):
                    raise _fail(path, f"{twhere} is not an object")
                equivalence = tgt.get("equivalence")
                if equivalence not in ALL_EQUIVALENCE:
                    raise _fail(path, f"{twhere} ({code}) has invalid equivalence {equivalence!r}")
                if equivalence not in ACCEPTED_EQUIVALENCE:
                    continue
                concept = tgt.get("code")
                if not isinstance(concept, str) or concept not in known:
                    raise _fail(path, f"{twhere} ({code}) maps to unknown concept id {concept!r}")
                mapped.setdefault((system, normalize_code(system, code)), set()).add(concept)
    return mapped


def load_site_conceptmap(path: str | os.PathLike[str]) -> dict[tuple[str, str], set[str]]:
    """Read a ConceptMap JSON file, or every ``*.json`` in a folder, into ``(system, code) ->
    concepts``. Raises ``SiteMapError`` (file + problem) on anything malformed."""
    root = Path(path)
    if root.is_dir():
        files = sorted(root.glob("*.json"))
        if not files:
            raise _fail(root, "folder holds no *.json ConceptMap")
    elif root.is_file():
        files = [root]
    else:
        raise _fail(root, "no such file or folder")
    merged: dict[tuple[str, str], set[str]] = {}
    for file in files:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise _fail(file, f"cannot be read ({exc.__class__.__name__})") from exc
        except json.JSONDecodeError as exc:
            raise _fail(file, f"is not valid JSON (line {exc.lineno}: {exc.msg})") from exc
        for key, concepts in _parse_conceptmap(file, data).items():
            merged.setdefault(key, set()).update(concepts)
    return merged


def build_terminology(site_conceptmap: str | os.PathLike[str] | None = None) -> Terminology:
    """Standard tables plus, if given, the site ConceptMap file/folder (validated)."""
    base = default_terminology()
    if not site_conceptmap:
        return base
    return base.with_site_maps(load_site_conceptmap(site_conceptmap))
