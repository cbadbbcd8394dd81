"""What a citation of a resource says, read from the data (``queries/pages/resource-citation.rq``)
and named as the explorer names things; the formats themselves are written by
``cop_graph/publish/citation.py``.

A passage is cited as the document it is in, pointed at the passage's mark on the
document's page, with its quote, its character range and the dataset version it was read
in; a document as itself; anything else as an entry of the dataset. Nothing is added that
the data does not say: a document with no author, date or web address has none here."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS, SDO
from rdflib.term import Literal, Node

from cop_graph.publish.citation import Fields, citation_key
from cop_graph.rdf.labels import choose_label, distinct_name, label
from cop_graph.rdf.namespaces import COP, OA
from cop_graph.sparql.evaluate import select
from cop_graph.store.dataset import CopDataset
from cop_graph.web.pages.document import anchor
from cop_graph.web.pages.resource import is_known

BIBO = "http://purl.org/ontology/bibo/"
DOCUMENTS = {DCTERMS.BibliographicResource, SDO.Message, SDO.Report, URIRef(BIBO + "Report"), URIRef(BIBO + "Document")}
REPORTS = {SDO.Report, URIRef(BIBO + "Report")}
# When a document was issued, the first property the data gives (a letter has only its date).
ISSUED = (DCTERMS.issued, SDO.datePublished, SDO.dateCreated)
AUTHORS = (DCTERMS.creator, SDO.author, SDO.sender)
PUBLISHERS = (DCTERMS.publisher, SDO.publisher)

# A year, year-month or date, then perhaps a time or a timezone (which a citation leaves out).
_DATE = re.compile(r"(\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?)(?:T[\d:.]+)?(?:Z|[+-]\d{2}:\d{2})?")

Facts = dict[Node, list[Node]]


def citation_fields(loaded: CopDataset, iri: str, url: Callable[[str], str], today: datetime.date) -> Fields | None:
    """The fields of the resource's citation, or None when the graph does not hold it.
    ``url`` gives the absolute URL of a resource's page on this server."""
    if not is_known(loaded, iri):
        return None
    facts: dict[str, Facts] = {}
    for row in select(loaded, "resource-citation", resource=iri):
        facts.setdefault(str(row["about"]), {}).setdefault(row["property"], []).append(row["value"])
    own, source, selector = facts.get("resource", {}), facts.get("source", {}), facts.get("selector", {})
    dataset = choose_label([(DCTERMS.title, t) for t in facts.get("dataset", {}).get(DCTERMS.title, [])],
                           properties=(DCTERMS.title,))
    fields: Fields = {"key": citation_key(iri, loaded.config.base), "accessed": today.isoformat()}
    read_here: Fields = {"version": loaded.version, **({"archive": dataset} if dataset else {})}
    document = _first(own.get(OA.hasSource, []))
    if COP.Passage in own.get(RDF.type, []) and isinstance(document, URIRef):
        fields.update(_document(loaded, document, source))
        fields["url"] = f"{url(str(document))}#{anchor(iri)}"
        fields.update(read_here)
        quote = _first(selector.get(OA.exact, []))
        if quote is not None:
            fields["quote"] = str(quote)
        fields["passage"] = url(iri)
        start, end = _first(selector.get(OA.start, [])), _first(selector.get(OA.end, []))
        if start is not None and end is not None:
            fields["location"] = f"characters {start}\u2013{end}"
    elif DOCUMENTS & set(own.get(RDF.type, [])):
        fields.update(_document(loaded, URIRef(iri), own))
        web = _first(own.get(SDO.url, []))
        if web is not None:  # cited at its own web address, not as read here
            fields["url"] = str(web)
            return fields
        fields["url"] = url(iri)
        fields.update(read_here)
    else:
        fields.update({"kind": "dataset", "title": distinct_name(loaded.dataset, URIRef(iri), loaded.config.base),
                       "url": url(iri), "version": loaded.version})
        if dataset:
            fields["container"] = dataset
    if not fields["url"].startswith(iri):  # served elsewhere than at its IRI: the IRI identifies it
        fields["iri"] = iri
    return fields


def _document(loaded: CopDataset, document: URIRef, facts: Facts) -> Fields:
    """A document's own fields: what it is, its title, who wrote and published it, when it
    was issued (at the data's precision) and its bibliographic citation."""
    graph, base = loaded.dataset, loaded.config.base
    fields: Fields = {"kind": "report" if REPORTS & set(facts.get(RDF.type, [])) else "document",
                      "title": distinct_name(graph, document, base)}
    authors = [_name(loaded, agent) for prop in AUTHORS for agent in sorted(facts.get(prop, []))]
    if authors:
        fields["authors"] = list(dict.fromkeys(authors))
    publisher = next((_name(loaded, agent) for prop in PUBLISHERS for agent in sorted(facts.get(prop, []))), None)
    if publisher:
        fields["publisher"] = publisher
    issued = next((_iso(value) for prop in ISSUED for value in facts.get(prop, []) if _iso(value)), None)
    if issued:
        fields["issued"] = issued
    citation = choose_label([(DCTERMS.bibliographicCitation, c) for c in facts.get(DCTERMS.bibliographicCitation, [])],
                            properties=(DCTERMS.bibliographicCitation,))
    if citation:
        fields["citation"] = citation
    return fields


def _name(loaded: CopDataset, agent: Node) -> str:
    """An author's or publisher's name: its label, else (an agent the data does not name)
    its IRI as written, never a name made up for it."""
    if isinstance(agent, Literal):
        return str(agent)
    return label(loaded.dataset, agent) or str(agent)


def _iso(value: Node) -> str | None:
    """A date literal as ISO 8601 at its own precision (``xsd:gYear`` "2011", ``xsd:gYearMonth``
    "2022-11", ``xsd:date`` "2021-11-01"; a date-time as its date); None for anything else."""
    if not isinstance(value, Literal):
        return None
    match = _DATE.fullmatch(str(value).strip())
    return match.group(1) if match else None


def _first(values: list[Node]) -> Node | None:
    return sorted(values)[0] if values else None
