"""How one RDF term is shown on a page: resources with their label and link, literals
with their language, and dates at the precision the data gives (a year stays a year)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from cop_graph.rdf.labels import distinct_name, format_date, term_name

Link = Callable[[str], str]

@dataclass(frozen=True)
class Value:
    """One displayed term. ``url`` is the explorer page of a resource, or for an IRI this
    graph does not describe (``outside``) the IRI itself when it is a web address; None for
    literals and for other IRIs (``urn:``, ``javascript:``…), which are shown, never linked."""

    kind: str  # "iri", "literal" or "blank"
    text: str
    iri: str | None = None
    url: str | None = None
    lang: str | None = None
    datatype: str | None = None
    outside: bool = False
    inner: list[tuple[str, list[Value]]] = field(default_factory=list)  # a blank node's own statements


def show(node: Node, graph: Graph, base: str, link: Link, known: Callable[[URIRef], bool],
         depth: int = 0) -> Value:
    """The display form of any term; blank nodes carry their own statements (one level)."""
    if isinstance(node, Literal):
        datatype = term_name(graph, node.datatype, base) if node.datatype and node.datatype != XSD.string else None
        return Value("literal", format_date(node) or str(node), lang=node.language, datatype=datatype)
    if isinstance(node, URIRef):
        inside = known(node)
        text = distinct_name(graph, node, base)
        url = link(str(node)) if inside else (str(node) if str(node).lower().startswith(("http://", "https://"))
                                              else None)
        return Value("iri", text, iri=str(node), url=url, outside=not inside)
    if isinstance(node, BNode) and depth < 2:
        inner: dict[str, list[Value]] = {}
        for prop, obj in sorted(graph.predicate_objects(node)):
            inner.setdefault(term_name(graph, prop, base), []).append(show(obj, graph, base, link, known, depth + 1))
        return Value("blank", "", inner=sorted(inner.items()))
    return Value("blank", "…")

