"""The page of one resource: what it is, every statement about it and pointing at it,
the passages that support it, and its identifiers elsewhere."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDFS, SDO, SKOS
from rdflib.term import Node

from cop_graph.publish.description import Linkset, linksets
from cop_graph.rdf.labels import distinct_name, short, term_name
from cop_graph.rdf.namespaces import bind_prefixes
from cop_graph.sparql.evaluate import run_named, select
from cop_graph.sparql.library import named
from cop_graph.sparql.sources import Support, statement_sources
from cop_graph.store.dataset import CopDataset
from cop_graph.web.pages.document import DocumentText, anchor, document_text
from cop_graph.web.pages.rdr import SHOWN_AS_TEXT, CompanyScorecard, IndicatorSection, rdr_sections
from cop_graph.web.pages.values import Link, Value, show
from cop_graph.web.prepared import prepared

DESCRIPTIONS = (SKOS.definition, SDO.description, DCTERMS.description, RDFS.comment)
# Links to the same thing in other datasets: shown as outbound identifiers.
SHOWN = 100  # values listed per property and direction; the rest are counted
IDENTITY = (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch, SKOS.relatedMatch, SDO.sameAs, SDO.url, FOAF.homepage,
            RDFS.seeAlso)
# Identifier codes (literals): the scheme's name, where a code's public record is, and the
# form a code must have to be looked up there (GLEIF's search shows any LEI's record).
CODES = {SDO.leiCode: ("LEI", "https://search.gleif.org/#/record/", re.compile(r"[A-Z0-9]{18}[0-9]{2}"))}
# Datasets known by their IRI space, for links no linkset in the data describes.
KNOWN_SPACES = (("http://www.wikidata.org/entity/", "Wikidata"),)


@dataclass(frozen=True)
class Group:
    """The values of one property, with the property's human label; ``total`` counts them
    all when only the first :data:`SHOWN` are listed."""

    property: str
    label: str
    short: str
    values: list[Value]
    total: int
    refs: list[list[int]] = field(default_factory=list)  # per value: the numbers of its sources below


@dataclass(frozen=True)
class Supported:
    """One statement a source supports, as the page shows it."""

    property: str  # the property's human label
    value: Value


@dataclass(frozen=True)
class Passage:
    """What supports some of the resource's statements: a passage of a source, quoted, with
    its place in the document; a document cited as a whole; or a curated mapping (``kind``
    "curated", no quote: its note says why). ``number`` is its footnote in the statements."""

    iri: str
    quote: str | None
    document: str
    document_label: str
    url: str  # the passage within its document's page, the document, or the mapping's description
    kind: str = "passage"
    note: str | None = None
    number: int = 0
    statements: list[Supported] = field(default_factory=list)


@dataclass(frozen=True)
class Identifier:
    """The resource elsewhere: an IRI of another dataset (``owl:sameAs``, a SKOS match, …) or
    an identifier code (an LEI), named by the dataset it belongs to and its id there, with
    the sources and notes of the link's own description (an ``owl:Axiom``) where the data has one."""

    text: str  # "Wikidata: Q160229", "LEI: HWUPKR0MPOU8FGXBT394", or the IRI itself
    value: str  # the IRI or the code
    url: str | None  # the IRI, or the code's public record; None when it cannot be looked up
    property: str  # the link property, shortened (owl:sameAs)
    dataset: str | None  # the label of the dataset linked to, when known
    linkset: str | None  # the void:Linkset the link belongs to, when the data says
    sources: list[Value]
    notes: list[str]
    status: str | None = None  # the link's adms:status: "confirmed" or "for review"


@dataclass(frozen=True)
class ResourcePage:
    iri: str
    label: str
    types: list[Value]
    descriptions: list[Value]
    outgoing: list[Group]
    incoming: list[Group]  # the resources that point here, by property
    passages: list[Passage]
    identifiers: list[Identifier]  # "Elsewhere": links out of this graph and identifier codes
    graphs: list[str]
    document: DocumentText | None = None  # a source's text with its passages marked (documents only)
    scorecard: CompanyScorecard | None = None  # Ranking Digital Rights' scores of a company it scores
    indicator: IndicatorSection | None = None  # an RDR indicator's text, scores and links


def property_label(graph: Graph, prop: Node, base: str) -> str:
    """The property's name for people (:func:`cop_graph.rdf.labels.term_name`)."""
    return term_name(graph, prop, base)


def is_known(loaded: CopDataset, iri: str) -> bool:
    query = named(loaded, "resource-known", "pages")
    return bool(run_named(loaded, query, {"resource": iri}).askAnswer)


def resource_page(loaded: CopDataset, iri: str, link: Link) -> ResourcePage | None:
    """The page's data, or None when the IRI is not in the graph."""
    if not is_known(loaded, iri):
        return None
    graph, base, node = loaded.dataset, loaded.config.base, URIRef(iri)

    def known(other: URIRef) -> bool:
        """Whether the IRI has a page here worth following (ours, or described here); others,
        such as a Wikidata item or a schema.org term, link out to where they are described."""
        return other == node or str(other).startswith(base) or (other, None, None) in graph

    shown: dict[Node, Value] = {}

    def display(term: Node) -> Value:
        """A term as shown, once per page: the statements and their sources show the same values."""
        if term not in shown:
            shown[term] = show(term, graph, base, link, known)
        return shown[term]

    out_rows = select(loaded, "resource-outgoing", resource=iri)
    in_rows = select(loaded, "resource-incoming", resource=iri)
    passages, refs = _passages(loaded, iri, link, display)
    outgoing = _groups(graph, base, display, [(r["property"], r["value"]) for r in out_rows], refs)
    incoming = _groups(graph, base, display, [(r["property"], r["subject"]) for r in in_rows])
    grouped: dict[Node, list[Node]] = {}
    for row in out_rows:
        grouped.setdefault(row["property"], []).append(row["value"])
    # a source's text with its passages marked: tens of ms for the review, so kept per version;
    # only a resource with a text is a document (others never wait behind the page builders)
    document = prepared(loaded, "document text", iri, keep=64, build=lambda: document_text(loaded, iri, link)) \
        if SDO.text in grouped else None
    scorecard, indicator = rdr_sections(loaded, iri, link)
    descriptions = [display(d) for p in DESCRIPTIONS for d in grouped.get(p, [])]
    if indicator is not None:  # RDR's definition carries HTML markup: shown as plain text
        descriptions = [Value("literal", " ".join(indicator.definition), lang="en")] if indicator.definition else []
    return ResourcePage(
        iri=iri, label=distinct_name(graph, node, base),
        types=[show(t, graph, base, link, lambda _: True) for t in sorted(grouped.get(RDF.type, []))],
        descriptions=descriptions,
        outgoing=[g for g in outgoing if g.property != str(RDF.type)
                  and not (g.property == str(SDO.text) and document is not None)  # shown as the text itself
                  and not (g.property in SHOWN_AS_TEXT and indicator is not None)],  # in the indicator's section
        incoming=incoming,
        passages=passages,
        identifiers=_identifiers(loaded, iri, grouped, display, known),
        graphs=sorted({str(r["graph"]) for r in out_rows}),
        document=document,
        scorecard=scorecard,
        indicator=indicator,
    )


def _groups(graph: Graph, base: str, display, pairs: list[tuple[Node, Node]],
            refs: dict[tuple[Node, Node], list[int]] | None = None) -> list[Group]:
    """Values grouped by property, properties in reading order, values by their text; a
    hub's thousands of links show the first :data:`SHOWN` of each property and the count.
    ``refs`` gives each statement the numbers of the sources that support it."""
    values: dict[Node, dict[Node, None]] = {}
    for prop, value in pairs:
        values.setdefault(prop, {})[value] = None
    groups = []
    for prop in sorted(values, key=_property_order):
        terms = sorted(values[prop], key=str)[:SHOWN]
        shown = sorted(((display(v), (refs or {}).get((prop, v), [])) for v in terms),
                       key=lambda pair: pair[0].text.casefold())
        groups.append(Group(str(prop), property_label(graph, prop, base), short(prop, base), [v for v, _ in shown],
                            len(values[prop]), [r for _, r in shown]))
    return groups


def _identifiers(loaded: CopDataset, iri: str, grouped: dict[Node, list[Node]], display: Callable[[Node], Value],
                 known: Callable[[URIRef], bool]) -> list[Identifier]:
    """The links to IRIs this graph does not describe, and the identifier codes, each named
    by its dataset: the target of its linkset (``void:objectsTarget``, labelled), found by
    the link's description or by the target's ``void:uriSpace``, else a well-known IRI space."""
    wanted = [(p, v) for p in IDENTITY for v in grouped.get(p, []) if _linkable(v) and not known(v)]
    wanted += [(p, v) for p in CODES for v in grouped.get(p, []) if isinstance(v, Literal)]
    if not wanted:
        return []
    described: dict[tuple[Node, Node], list[dict[str, Node]]] = {}
    for row in select(loaded, "resource-links", resource=iri):
        described.setdefault((row["property"], row["target"]), []).append(row)
    sets = linksets(loaded)
    found = []
    for prop, value in wanted:
        rows = described.get((prop, value), [])
        linkset = _linkset_of(sets, prop, value, {r["linkset"] for r in rows if "linkset" in r})
        found.append(_identifier(prop, value, linkset, loaded.config.base,
                                 [display(s) for s in dict.fromkeys(r["source"] for r in rows if "source" in r)],
                                 list(dict.fromkeys(str(r["note"]) for r in rows if "note" in r)),
                                 next((str(r["status"]) for r in rows if "status" in r), None)))
    return found


def _linkset_of(sets: list[Linkset], prop: Node, value: Node, named: set[Node]) -> Linkset | None:
    """The linkset a link belongs to: the one its description names, else the one with its
    property whose target's IRI space holds it, else (for a code) the only one with its property."""
    candidates = [s for s in sets if s.predicate == prop]
    for linkset in candidates:
        if linkset.iri in named:
            return linkset
    for linkset in candidates:
        if linkset.uri_space and isinstance(value, URIRef) and str(value).startswith(linkset.uri_space):
            return linkset
    return candidates[0] if isinstance(value, Literal) and len(candidates) == 1 else None


def _identifier(prop: Node, value: Node, linkset: Linkset | None, base: str, sources: list[Value],
                notes: list[str], status: str | None = None) -> Identifier:
    dataset = linkset.target_label if linkset else None
    text, url = str(value), str(value)
    if isinstance(value, Literal):
        scheme, record, form = CODES[prop]
        text, url = f"{scheme}: {value}", (record + str(value)) if form.fullmatch(str(value)) else None
    else:
        spaces = ([(linkset.uri_space, dataset)] if linkset and linkset.uri_space else []) + list(KNOWN_SPACES)
        space, name = next(((sp, n) for sp, n in spaces if str(value).startswith(sp)), (None, None))
        dataset = dataset or name
        if dataset:
            local = str(value)[len(space):] if space else re.split(r"[/#]", str(value).rstrip("/#"))[-1]
            text = f"{dataset}: {local}"
    return Identifier(text, str(value), url, short(prop, base), dataset, str(linkset.iri) if linkset else None,
                      sources, notes, status)


def _linkable(node: Node) -> bool:
    """Only web IRIs become outbound links: never javascript:, data: or file: ones."""
    return isinstance(node, URIRef) and str(node).lower().startswith(("http://", "https://"))


def _property_order(prop: Node) -> tuple[int, str]:
    first = (RDF.type, RDFS.label, SKOS.prefLabel, SKOS.altLabel, *DESCRIPTIONS)
    return (first.index(prop) if prop in first else len(first), str(prop))


KINDS = ("passage", "document", "curated")  # the order sources are listed in


def _passages(loaded: CopDataset, iri: str, link: Link, display: Callable[[Node], Value]
              ) -> tuple[list[Passage], dict[tuple[Node, Node], list[int]]]:
    """Each source of the resource's statements with the statements it supports (a statement's
    own description first, else its resource's sources: queries/statement-sources.rq), and
    each statement's footnote numbers."""
    graph, base = loaded.dataset, loaded.config.base
    by_source: dict[str, tuple[Support, list[tuple[Node, Node]]]] = {}
    for statement in statement_sources(loaded, iri):
        for support in statement.supports:
            by_source.setdefault(support.source, (support, []))[1].append((statement.property, statement.value))
    ordered = sorted(by_source.values(), key=lambda item: (KINDS.index(item[0].kind), item[0].document or "",
                                                           item[0].source))
    passages: list[Passage] = []
    refs: dict[tuple[Node, Node], list[int]] = {}
    for number, (support, statements) in enumerate(ordered, start=1):
        document = support.document or support.source
        url = link(document) + f"#{anchor(support.source)}" if support.kind == "passage" else link(support.source)
        label = support.document_label or short(URIRef(document), base)
        shown = [Supported(property_label(graph, prop, base), display(value))
                 for prop, value in sorted(statements, key=lambda pv: _property_order(pv[0]))]
        passages.append(Passage(support.source, support.quote, document, label, url, support.kind,
                                support.note, number, shown))
        for statement in statements:
            refs.setdefault(statement, []).append(number)
    return passages, refs


def description(loaded: CopDataset, iri: str) -> Graph:
    """What Linked Data clients get: the resource's statements, its blank nodes and backlinks."""
    query = named(loaded, "resource-description", "pages")
    graph = Graph()
    bind_prefixes(graph)
    for triple in run_named(loaded, query, {"resource": iri}).graph:
        graph.add(triple)
    return graph
