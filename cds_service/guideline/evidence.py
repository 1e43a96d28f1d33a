"""The evidence catalog: source documents, rules with their exact figures, and thresholds.

Each guideline module declares the rules it implements with ``rule(...)`` beside the code
that applies them, and each numeric cut-off once as a ``Threshold`` so that the logic and
the card text are built from the same object. ``cds-service rules`` and ``GET /rules`` print
this catalog; a test proves every finding cites rules that exist here.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

# --------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class Source:
    """A source document. ``short`` and ``year`` name it on cards ("Japanese DM/PM-ILD
    review (2014)"); the full ``citation`` lives once, here and on the rules page; ``url`` is
    its DOI (as a doi.org URL) or its page, carried by every card that cites it."""

    key: str
    title: str
    citation: str
    file: str | None = None  # seed file name in shared/seeds, when the source is a seed
    url: str | None = None
    short: str = ""
    year: int | None = None

    @property
    def name(self) -> str:
        """How a card names the document: ``Japanese DM/PM-ILD review (2014)``."""
        base = self.short or self.title
        return f"{base} ({self.year})" if self.year else base


SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(
            "KR",
            "Korean Guidelines for Diagnosis and Management of ILD, Part 5: CTD-ILD",
            "Koo SM et al. Tuberc Respir Dis 2019;82:285-297",
            file="000_76827485c6402ad4.txt",
            url="https://pubmed.ncbi.nlm.nih.gov/?term=Koo+SM+2019+Korean+guidelines+CTD-ILD",
            short="Korean CTD-ILD guideline",
            year=2019,
        ),
        Source(
            "JP",
            "Optimal management of ILD associated with DM/PM: lessons from the Japanese experience",
            "Kurasawa K, Arai S. Orphan Drugs: Research and Reviews 2014;4:93-107. "
            "doi:10.2147/ODRR.S50355",
            file="001_c4766f044e9e3af3.txt",
            url="https://doi.org/10.2147/ODRR.S50355",
            short="Japanese DM/PM-ILD review",
            year=2014,
        ),
        Source(
            "KW",
            "Inflammatory myopathy-associated ILD: mechanisms, markers, and management",
            "Kuwana M. Lecture abstract",
            file="002_4beb0fc61675efe5.txt",
            short="Kuwana lecture on myositis-associated ILD",
        ),
        Source(
            "IV",
            "IVIG therapy for refractory ILD associated with PM/DM",
            "Suzuki Y et al. Lung 2009;187(3):201-6. doi:10.1007/s00408-009-9146-6",
            file="003_25ac91f2f5a0f765.txt",
            url="https://doi.org/10.1007/s00408-009-9146-6",
            short="Suzuki IVIG study",
            year=2009,
        ),
        Source(
            "TC",
            "Tocilizumab in CTD-ILD (review, Chinese with English abstract)",
            "Review of tocilizumab in CTD-ILD (authors, journal and year not given in the text)",
            file="004_76aaff7f1f531482.txt",
            short="Tocilizumab in CTD-ILD review",
        ),
        Source(
            "ACR/CHEST 2023 screening",
            "2023 ACR/CHEST guideline for screening and monitoring of ILD in SARDs",
            "Johnson SR et al. Arthritis Rheumatol 2024;76(8). doi:10.1002/art.42860",
            url="https://doi.org/10.1002/art.42860",
            short="ACR/CHEST screening and monitoring guideline",
            year=2023,
        ),
        Source(
            "ACR/CHEST 2023 treatment",
            "2023 ACR/CHEST guideline for the treatment of ILD in SARDs",
            "Johnson SR et al. Arthritis Care Res 2024;76(8):1051-1069. doi:10.1002/acr.25348",
            url="https://doi.org/10.1002/acr.25348",
            short="ACR/CHEST treatment guideline",
            year=2023,
        ),
        Source(
            "ATS/ERS 2022 PPF",
            "ATS/ERS/JRS/ALAT 2022 guideline: IPF and progressive pulmonary fibrosis",
            "Raghu G et al. Am J Respir Crit Care Med 2022;205(9):e18-e47. "
            "doi:10.1164/rccm.202202-0399ST",
            url="https://doi.org/10.1164/rccm.202202-0399ST",
            short="ATS/ERS/JRS/ALAT pulmonary fibrosis guideline",
            year=2022,
        ),
        Source(
            "ERS/ATS 2015 IPAF",
            "ERS/ATS research statement: interstitial pneumonia with autoimmune features",
            "Fischer A et al. Eur Respir J 2015;46:976-987",
            url="https://doi.org/10.1183/13993003.00150-2015",
            short="ERS/ATS IPAF statement",
            year=2015,
        ),
        Source(
            "ATS 2023 SSc-ILD",
            "ATS 2023 guideline: treatment of SSc-ILD",
            "Raghu G et al. Am J Respir Crit Care Med 2024;209(2):137-152",
            url="https://doi.org/10.1164/rccm.202306-1113ST",
            short="ATS SSc-ILD guideline",
            year=2023,
        ),
        Source(
            "Goh 2008",
            "Interstitial lung disease in systemic sclerosis: a simple staging system",
            "Goh NSL et al. Am J Respir Crit Care Med 2008;177(11):1248-1254",
            url="https://doi.org/10.1164/rccm.200706-877OC",
            short="Goh SSc-ILD staging study",
            year=2008,
        ),
        Source(
            "Steen 1998",
            "Case-control study of corticosteroids and other drugs that either precipitate or "
            "protect from the development of scleroderma renal crisis",
            "Steen VD, Medsger TA Jr. Arthritis Rheum 1998;41(9):1613-1619",
            url="https://pubmed.ncbi.nlm.nih.gov/?term=Steen+Medsger+1998+renal+crisis",
            short="Steen renal crisis study",
            year=1998,
        ),
        Source(
            "EULAR 2022 infections",
            "EULAR 2022 recommendations for screening and prophylaxis of chronic and "
            "opportunistic infections in AIIRD",
            "Fragoulis GE et al. Ann Rheum Dis 2022 (ard-2022-223335)",
            url="https://doi.org/10.1136/ard-2022-223335",
            short="EULAR infection screening recommendations",
            year=2022,
        ),
        Source(
            "FDA tocilizumab SSc-ILD",
            "Actemra (tocilizumab) SC label for SSc-ILD",
            "US FDA approval, 4 March 2021: 162 mg SC once weekly",
            url="https://www.accessdata.fda.gov/scripts/cder/daf/",
            short="FDA tocilizumab label",
            year=2021,
        ),
        Source(
            "INBUILD 2019",
            "Nintedanib in progressive fibrosing interstitial lung diseases (INBUILD)",
            "Flaherty KR et al. N Engl J Med 2019;381:1718-1727. doi:10.1056/NEJMoa1908681",
            url="https://doi.org/10.1056/NEJMoa1908681",
            short="INBUILD trial",
            year=2019,
        ),
    )
}


# ----------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    """A rule of ``shared/reference/seed-rules.md`` (R###) or ``clinical-anchors.md`` (B##)."""

    id: str
    source: str  # key of SOURCES
    section: str  # as printed in the source, e.g. "Figure 3" or "§Treatment 2-2)"
    statement: str  # what the rule says, in the source's terms
    figure: str = ""  # the exact figure(s) as printed, e.g. "ferritin >1,000 ng/mL"
    topics: tuple[str, ...] = ()  # card topics that apply this rule (or show its evidence)
    #: why no card applies the rule, in terms a clinician would accept ("" when a card does)
    not_automated: str = ""


CATALOG: dict[str, Rule] = {}


def rule(
    id: str,
    source: str,
    section: str,
    statement: str,
    figure: str = "",
    topics: tuple[str, ...] = (),
    *,
    not_automated: str = "",
) -> Rule:
    """Declare (register) a rule, once: a second declaration of the same id fails, even an
    identical one, so every rule has one place (beside the code that applies it, or
    ``shared_rules`` when several packages apply it)."""
    if source not in SOURCES:
        raise ValueError(f"rule {id}: unknown source {source!r}")
    if id in CATALOG:
        raise ValueError(f"rule {id} is already declared; import it from where it is declared")
    if bool(topics) == bool(not_automated):
        raise ValueError(f"rule {id}: give the topics that apply it, or why it is not automated")
    new = Rule(id, source, section, statement, figure, topics, not_automated)
    CATALOG[id] = new
    return new


def documents(rules: Iterable[Rule]) -> list[tuple[Source, list[str]]]:
    """The documents the rules rest on, in the order first cited, each with its sections
    (as printed, de-duplicated, in order)."""
    out: dict[str, list[str]] = {}
    for r in rules:
        sections = out.setdefault(r.source, [])
        if r.section and r.section not in sections:
            sections.append(r.section)
    return [(SOURCES[key], sections) for key, sections in out.items()]


#: sections shown per document on a card (the rest: "and N more"; all on the rules page)
SHOWN_SECTIONS = 3


def _short_section(section: str) -> str:
    """``Table 2 (risk factors); screening ...`` -> ``Table 2``; ``§Diagnosis 4 (derived,
    with ...)`` -> ``§Diagnosis 4``."""
    head = section.split(";")[0].split(" (derived")[0].strip()
    return head or section


def source_lines(rules: Iterable[Rule]) -> list[str]:
    """One short line per document: ``Japanese DM/PM-ILD review (2014), Figure 3 and
    §Assessment``. The full reference lives once, in the catalog (``/rules``)."""
    lines = []
    for src, full in documents(rules):
        sections = list(dict.fromkeys(_short_section(s) for s in full))
        if len(sections) > SHOWN_SECTIONS:
            more = len(sections) - SHOWN_SECTIONS + 1
            sections = [*sections[: SHOWN_SECTIONS - 1], f"{more} more sections"]
        if not sections:
            lines.append(src.name)
            continue
        shown = sections[0] if len(sections) == 1 else ", ".join(sections[:-1])
        if len(sections) > 1:
            shown += f" and {sections[-1]}"
        lines.append(f"{src.name}, {shown}")
    return lines


# ------------------------------------------------------------------------ thresholds

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
_OP_TEXT = {">": ">", ">=": "≥", "<": "<", "<=": "≤"}


@dataclass(frozen=True)
class Threshold:
    """A cut-off defined once: concept, comparison, value, canonical unit, and its rule."""

    concept: str
    op: str  # one of > >= < <=
    value: float
    unit: str
    rule: Rule

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise ValueError(f"bad operator {self.op!r}")

    def holds(self, x: float) -> bool:
        """For an exact value. Use ``decide`` for a measurement that may carry a comparator."""
        return _OPS[self.op](x, self.value)

    def decide(self, x: float, comparator: str | None = None) -> bool | None:
        """True/False when the (possibly censored) value settles the threshold, else None.

        A lab may report a bound instead of a value (FHIR ``Quantity.comparator``): ferritin
        ">1000" means the true value is above 1,000. Such a value decides the threshold only
        when every value the bound allows falls on the same side; otherwise the answer is
        None ("cannot decide"), never a guess. ``comparator=None`` is an exact value.
        """
        if comparator in (None, ""):
            return self.holds(x)
        if comparator not in _OPS:
            return None
        if self.op in ("<", "<="):  # "< t" is "not >= t": decide that one and negate it
            answer = replace(self, op=">=" if self.op == "<" else ">").decide(x, comparator)
            return None if answer is None else not answer
        t, strict_bound = self.value, comparator in (">", "<")
        if comparator in (">", ">="):  # the true value is above (or at) x
            return True if x > t or (x == t and (strict_bound or self.op == ">=")) else None
        # the true value is below (or at) x
        return False if x < t or (x == t and (strict_bound or self.op == ">")) else None

    @property
    def text(self) -> str:
        """E.g. ``ferritin >1,000 ng/mL``."""
        return f"{_OP_TEXT[self.op]}{fmt_number(self.value)} {self.unit}".strip()


def fmt_number(x: float) -> str:
    """Clinician-facing number: thousands separator, no float noise (1,000 / 59.9 / 0.5)."""
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")
