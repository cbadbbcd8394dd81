"""Ranking Digital Rights' 2022 Big Tech Scorecard on the explorer's pages: a scored
company's chart (its total, categories and the indicators on the COP's topics in each index
year), an indicator's text, scores and links, and the comparison of COP members with the
other companies on G4, G5 and G6 (``/rdr``).

The scores are RDR's, read from the Data Cube of ``data/imports/rdr-2022.ttl`` with the
queries ``queries/pages/rdr-*.rq``; not applicable (NA) is no observation and is shown as
such, never as 0. RDR's texts carry HTML markup: pages show them as plain text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser

from rdflib import URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from cop_graph.rdf.labels import distinct_name
from cop_graph.sparql.evaluate import select
from cop_graph.store.dataset import CopDataset
from cop_graph.web.pages.document import anchor
from cop_graph.web.pages.values import Link
from cop_graph.web.prepared import prepared

RDR = "https://w3id.org/b-tech-cop/import/rdr-2022/"
SCORECARD = RDR + "scorecard"
TOTAL = RDR + "indicator/total"
# The governance indicators on the COP's own topics: due diligence, stakeholders, remedy.
COP_TOPICS = ("G4", "G5", "G6")
CATEGORY_ORDER = ("G", "F", "P")
# RDR's texts as stored, shown as plain text in the indicator's section instead of raw.
SHOWN_AS_TEXT = (str(SKOS.definition), str(SKOS.scopeNote))
NOT_APPLICABLE = "NA"  # RDR's mark for a text or score that does not apply
MEMBERS, OTHERS = "COP members", "Other companies"
RELATIONS = {str(SKOS.exactMatch): "exact match", str(SKOS.closeMatch): "close match",
             str(SKOS.relatedMatch): "related match", str(SKOS.broadMatch): "broader match",
             str(SKOS.narrowMatch): "narrower match"}


@dataclass(frozen=True)
class Attribution:
    """Where the scores come from and under which licence, as every RDR section states it."""

    text: str = "Ranking Digital Rights, 2022 Big Tech Scorecard"
    url: str = ""  # the scorecard's page here
    licence: str = "MIT licence"
    licence_url: str = "http://spdx.org/licenses/MIT"
    note: str = ("RDR's scores measure what a company discloses in its published policies, "
                 "not what it does in practice.")


@dataclass(frozen=True)
class YearScore:
    """A score out of 100 in one index year; ``score`` None where RDR marks it not applicable."""

    year: str
    score: float | None
    text: str


@dataclass(frozen=True)
class Measure:
    """One row of a company's chart: the total, a category or an indicator, per index year."""

    key: str  # "total", "G", "G4", "G4a"
    notation: str  # "" for the total
    label: str
    kind: str  # "total", "category", "indicator" or "sub-indicator"
    iri: str
    url: str
    scores: list[YearScore]
    highlight: bool = False  # one of the indicators on the COP's topics


@dataclass(frozen=True)
class CompanyScorecard:
    """RDR's scores of one company, for its page (the RDR company's or the COP member's)."""

    company: str  # the RDR company
    name: str
    url: str  # the RDR company's page
    member: str | None  # the COP organisation it is linked to, when there is one
    member_url: str | None
    years: list[str]  # oldest first
    measures: list[Measure]  # the total, the categories, then G4, G5, G6
    sub_indicators: list[Measure]
    rank: int | None  # the overall rank in the latest index year, where RDR gives one
    rank_text: str | None  # "3rd"
    rank_year: str | None
    ranked: int  # how many companies that year's ranking has
    source: Attribution
    link_status: str | None = None  # the link to the COP member: "confirmed" or "for review"


@dataclass(frozen=True)
class Concept:
    """Another concept of RDR's scheme named on an indicator's page, with its text as plain text."""

    iri: str
    notation: str
    label: str
    url: str
    definition: str = ""


@dataclass(frozen=True)
class Scored:
    """One company's scores on one measure, in the years a table shows (latest first)."""

    company: str
    name: str
    url: str  # the COP member's page for a member, else the RDR company's
    member: bool
    scores: list[YearScore]
    cop: str | None = None  # the COP organisation, for a member


@dataclass(frozen=True)
class GroupMean:
    """The mean score of a group (COP members, other companies) per year shown, and of how
    many companies: those RDR marks not applicable do not count."""

    group: str
    member: bool  # the COP members' group
    size: int
    scores: list[YearScore]
    counted: list[int]


@dataclass(frozen=True)
class IndicatorLink:
    """A COP topic or Guiding Principle linked to the indicator: RDR's own statement (with the
    sentence of its guidance it rests on) or a curated mapping (with the curators' note)."""

    how: str  # "stated" or "curated"
    kind: str  # "Guiding Principle", "COP topic" or the scheme's name
    target: str
    label: str
    url: str
    relation: str  # "cites", "close match", "related match", …
    property: str
    via: Concept | None  # the sub-indicator the link is made on, when not the indicator itself
    note: str | None = None
    quote: str | None = None
    quote_url: str | None = None  # the quoted sentence marked in its document


@dataclass(frozen=True)
class IndicatorSection:
    """An RDR indicator (or category, or the total) on its page: RDR's text as plain text,
    every company's scores, and the links to the COP topics and the Guiding Principles."""

    iri: str
    notation: str
    label: str
    definition: list[str]  # paragraphs, markup removed
    guidance: list[str]
    raw: list[tuple[str, str]]  # (property, RDR's text as stored), for linked-data users
    broader: Concept | None
    narrower: list[Concept]
    narrower_name: str  # "indicators" (of a category) or "sub-indicators"
    years: list[str]  # latest first
    companies: list[Scored]  # by the latest year's score, highest first
    means: list[GroupMean]
    stated: list[IndicatorLink]
    curated: list[IndicatorLink]
    source: Attribution


@dataclass(frozen=True)
class YearChoice:
    year: str
    url: str
    current: bool


@dataclass(frozen=True)
class Comparison:
    """COP members and other companies on one indicator in one index year."""

    notation: str
    label: str
    iri: str
    url: str
    means: list[GroupMean]
    companies: list[Scored]  # highest score first


@dataclass(frozen=True)
class ComparisonPage:
    """``/rdr``: the COP's members and the other companies of RDR's scorecard on G4, G5, G6."""

    year: str | None
    years: list[YearChoice]
    members: int
    others: int
    indicators: list[Comparison] = field(default_factory=list)
    source: Attribution = field(default_factory=Attribution)


# --- text ----------------------------------------------------------------------------------------

class _Text(HTMLParser):
    """RDR's HTML as paragraphs of plain text: block elements end a paragraph, every tag
    is dropped (link texts stay, their targets go), entities become characters."""

    BLOCKS = frozenset({"p", "br", "li", "ul", "ol", "div", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
                        "blockquote"})
    SKIPPED = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.end_paragraph()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.end_paragraph()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.current.append(data)

    def end_paragraph(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.current)).strip()
        if text:
            self.paragraphs.append(text)
        self.current = []


def plain_paragraphs(markup: str | None) -> list[str]:
    """RDR's text as plain paragraphs; nothing for no text or RDR's "NA"."""
    if not markup or markup.strip() == NOT_APPLICABLE:
        return []
    parser = _Text()
    parser.feed(markup)
    parser.close()
    parser.end_paragraph()
    return parser.paragraphs


# --- numbers -------------------------------------------------------------------------------------

def _number(value: Node) -> float:
    return float(str(value))


def score_text(score: float | None, decimals: bool = False) -> str:
    """A score as RDR publishes it (whole numbers), a mean to one decimal."""
    if score is None:
        return "not applicable"
    if decimals:
        return f"{score:.1f}"
    return str(int(score)) if score == int(score) else f"{score:.1f}"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st …"""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def mean(values: Iterable[float | None]) -> float | None:
    """The mean of the scores RDR gives; not applicable ones do not count."""
    given = [v for v in values if v is not None]
    return sum(given) / len(given) if given else None


# --- what a resource is --------------------------------------------------------------------------

def rdr_sections(loaded: CopDataset, iri: str, link: Link) -> tuple[CompanyScorecard | None,
                                                                   IndicatorSection | None]:
    """The RDR sections of a resource's page: a company RDR scores (its own record or the COP
    organisation linked to it) gets its chart, an indicator of RDR's scheme its section."""
    rows = select(loaded, "rdr-resource", resource=iri)
    kinds = {str(r["kind"]) for r in rows}
    companies = sorted(str(r["company"]) for r in rows if str(r["kind"]) == "company" and "company" in r)
    scorecard = company_scorecard(loaded, companies[0], link) if companies else None
    indicator = indicator_section(loaded, iri, link) if "indicator" in kinds else None
    return scorecard, indicator


# --- scores, read once per data version ----------------------------------------------------------

@dataclass(frozen=True)
class _Row:
    """A company's scores on one concept, by year, as the memo keeps them (no links)."""

    company: str
    name: str
    member: str | None
    scores: dict[str, float]


def _scores(loaded: CopDataset, concept: str) -> list[_Row]:
    """Every company's scores on one concept, by name; read once per data version, since the
    indicator's page, /rdr and the company charts (the rank's field size) share them."""
    def build() -> list[_Row]:
        found: dict[str, _Row] = {}
        for row in select(loaded, "rdr-scores", concept=concept):
            company = str(row["company"])
            kept = found.setdefault(company, _Row(company, str(row["name"]),
                                                  str(row["member"]) if "member" in row else None, {}))
            if "year" in row and "score" in row:
                kept.scores[str(row["year"])] = _number(row["score"])
        return sorted(found.values(), key=lambda r: r.name.casefold())
    return prepared(loaded, "rdr scores", concept, keep=256, build=build)


def index_years(loaded: CopDataset) -> list[str]:
    """The index years the scorecard in the data covers, oldest first."""
    return sorted({year for row in _scores(loaded, TOTAL) for year in row.scores})


def _scored(rows: list[_Row], years: list[str], link: Link) -> list[Scored]:
    """The companies' rows for a table: highest score in the first year shown first, those
    RDR marks not applicable last, ties by name."""
    def order(row: _Row) -> tuple:
        first = row.scores.get(years[0]) if years else None
        return (first is None, -(first or 0), row.name.casefold())

    return [Scored(r.company, r.name, link(r.member or r.company), r.member is not None,
                   [YearScore(y, r.scores.get(y), score_text(r.scores.get(y))) for y in years], r.member)
            for r in sorted(rows, key=order)]


def _means(rows: list[_Row], years: list[str]) -> list[GroupMean]:
    found = []
    for group, member in ((MEMBERS, True), (OTHERS, False)):
        chosen = [r for r in rows if bool(r.member) == member]
        if not chosen:
            continue
        values = [mean(r.scores.get(y) for r in chosen) for y in years]
        found.append(GroupMean(group, member, len(chosen), [YearScore(y, v, score_text(v, decimals=True))
                                                            for y, v in zip(years, values, strict=True)],
                               [sum(1 for r in chosen if y in r.scores) for y in years]))
    return found


# --- a company's chart ---------------------------------------------------------------------------

def company_scorecard(loaded: CopDataset, company: str, link: Link) -> CompanyScorecard | None:
    """The company's chart: total, categories and G4, G5, G6 (their sub-indicators apart),
    each index year; None when RDR gives the company no score at all."""
    rows = prepared(loaded, "rdr company chart", company, keep=64,
                    build=lambda: select(loaded, "rdr-company-chart", company=company))
    scored = [r for r in rows if str(r["kind"]) != "rank"]
    if not scored:
        return None
    years = sorted({str(r["year"]) for r in scored})
    by_concept: dict[str, dict] = {}
    for row in scored:
        concept = str(row["concept"])
        entry = by_concept.setdefault(concept, {"row": row, "scores": {}})
        entry["scores"][str(row["year"])] = _number(row["score"])

    def measure(concept: str, entry: dict) -> Measure:
        row, notation = entry["row"], str(entry["row"].get("notation", ""))
        kind = str(row["kind"])
        if kind == "indicator" and str(row.get("family", "")) != concept:
            kind = "sub-indicator"
        return Measure(notation or kind, notation, str(row.get("label", notation)), kind, concept, link(concept),
                       [YearScore(y, entry["scores"].get(y), score_text(entry["scores"].get(y))) for y in years],
                       highlight=notation in COP_TOPICS)

    measures = [measure(c, e) for c, e in by_concept.items()]

    def order(m: Measure) -> tuple:
        kinds = ("total", "category", "indicator", "sub-indicator")
        category = CATEGORY_ORDER.index(m.notation) if m.notation in CATEGORY_ORDER else 0
        return (kinds.index(m.kind), category, _natural(m.notation))

    measures.sort(key=order)
    ranks = {str(r["year"]): int(_number(r["score"])) for r in rows if str(r["kind"]) == "rank"}
    rank_year = max(ranks) if ranks else None
    ranked = sum(1 for r in _scores(loaded, TOTAL) if rank_year in r.scores) if rank_year else 0
    name, member = _company(loaded, company)
    return CompanyScorecard(
        company, name, link(company), member, link(member) if member else None, years,
        [m for m in measures if m.kind != "sub-indicator"], [m for m in measures if m.kind == "sub-indicator"],
        ranks.get(rank_year) if rank_year else None, ordinal(ranks[rank_year]) if rank_year else None, rank_year,
        ranked, Attribution(url=link(SCORECARD)), _link_status(loaded, company, member))


def _link_status(loaded: CopDataset, company: str, member: str | None) -> str | None:
    """The status of the RDR company's link to the COP member (its adms:status), if linked."""
    if member is None:
        return None
    rows = select(loaded, "resource-links", resource=company)
    return next((str(r["status"]) for r in rows if str(r["target"]) == member and "status" in r), None)


def _company(loaded: CopDataset, company: str) -> tuple[str, str | None]:
    """The RDR company's name and the COP member it is linked to."""
    for row in _scores(loaded, TOTAL):
        if row.company == company:
            return row.name, row.member
    return distinct_name(loaded.dataset, URIRef(company), loaded.config.base), None


def _natural(notation: str) -> tuple:
    """G4 before G10, G4 before G4a."""
    return tuple(int(part) if part.isdigit() else part for part in re.findall(r"\d+|\D+", notation))


# --- an indicator's section ----------------------------------------------------------------------

def indicator_section(loaded: CopDataset, iri: str, link: Link) -> IndicatorSection | None:
    """An indicator's text, every company's scores and its links; None outside RDR's scheme."""
    rows = prepared(loaded, "rdr indicator", iri, keep=256,
                    build=lambda: select(loaded, "rdr-indicator", indicator=iri))
    own = next((r for r in rows if str(r["role"]) == "self"), None)
    if own is None:
        return None

    def concept(row: dict) -> Concept:
        text = " ".join(plain_paragraphs(str(row["definition"]) if "definition" in row else None))
        return Concept(str(row["concept"]), str(row.get("notation", "")), str(row.get("label", "")),
                       link(str(row["concept"])), text)

    broader = next((concept(r) for r in rows if str(r["role"]) == "broader"), None)
    narrower = sorted((concept(r) for r in rows if str(r["role"]) == "narrower"), key=lambda c: _natural(c.notation))
    raw = [(name, str(own[key])) for name, key in (("skos:definition", "definition"), ("skos:scopeNote", "guidance"))
           if key in own and str(own[key]).strip() != NOT_APPLICABLE]
    years = sorted(index_years(loaded), reverse=True)
    scores = _scores(loaded, iri)
    has_scores = any(r.scores for r in scores)
    stated, curated = _links(loaded, iri, narrower, link)
    return IndicatorSection(
        iri, str(own.get("notation", "")), str(own.get("label", "")),
        plain_paragraphs(str(own["definition"]) if "definition" in own else None),
        plain_paragraphs(str(own["guidance"]) if "guidance" in own else None), raw, broader, narrower,
        "indicators" if broader is None else "sub-indicators",
        years, _scored(scores, years, link) if has_scores else [], _means(scores, years) if has_scores else [],
        stated, curated, Attribution(url=link(SCORECARD)))


def _links(loaded: CopDataset, iri: str, narrower: list[Concept], link: Link) -> tuple[list[IndicatorLink],
                                                                                      list[IndicatorLink]]:
    """RDR's own statements and the curated mappings of the indicator and its sub-indicators."""
    graph, base = loaded.dataset, loaded.config.base
    topics = base + "topics"
    found: dict[tuple, IndicatorLink] = {}
    for via in [None, *narrower]:
        source = via.iri if via else iri
        rows = prepared(loaded, "rdr indicator links", source, keep=256,
                        build=lambda source=source: select(loaded, "rdr-indicator-links", indicator=source))
        for row in rows:
            target, prop, how = str(row["target"]), str(row["property"]), str(row["how"])
            scheme = str(row["scheme"]) if "scheme" in row else None
            label = distinct_name(graph, URIRef(target), base)
            if "principle" in row and row["principle"].toPython() is True:
                kind = "Guiding Principle"
                if "number" in row:  # "Guiding Principle 16: Stating the policy commitment"
                    label = f"{kind} {row['number']}: {label}"
            elif scheme == topics:
                kind = "COP topic"
            else:
                kind = distinct_name(graph, URIRef(scheme), base) if scheme else "elsewhere"
            quote_url = None
            if "passage" in row and "document" in row:
                quote_url = link(str(row["document"])) + "#" + anchor(str(row["passage"]))
            key = (how, source, prop, target)
            if key in found:  # a second quote or note of the same link adds nothing new to show
                continue
            found[key] = IndicatorLink(
                how, kind, target, label, link(target),
                "cites" if how == "stated" else RELATIONS.get(prop, prop), prop, via,
                str(row["note"]) if "note" in row else None, str(row["quote"]) if "quote" in row else None,
                quote_url)
    links = sorted(found.values(), key=lambda x: (x.via.notation if x.via else "", x.kind, _natural(x.label)))
    return [x for x in links if x.how == "stated"], [x for x in links if x.how == "curated"]


# --- /rdr ----------------------------------------------------------------------------------------

def comparison_page(loaded: CopDataset, year: str | None, years: list[str], link: Link,
                    year_url: Link) -> ComparisonPage:
    """COP members and the other companies on G4, G5 and G6 in one index year, each company
    and each group's mean."""
    choices = [YearChoice(y, year_url(y), y == year) for y in sorted(years, reverse=True)]
    companies = _scores(loaded, TOTAL)
    members = sum(1 for r in companies if r.member)
    page = ComparisonPage(year, choices, members, len(companies) - members, source=Attribution(url=link(SCORECARD)))
    if year is None:
        return page
    for notation in COP_TOPICS:
        concept = RDR + "indicator/" + notation
        rows = _scores(loaded, concept)
        label = distinct_name(loaded.dataset, URIRef(concept), loaded.config.base)
        page.indicators.append(Comparison(notation, label, concept, link(concept), _means(rows, [year]),
                                          _scored(rows, [year], link)))
    return page
