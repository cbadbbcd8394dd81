"""How one RDF term is shown on a page: resources with their label and link, literals
with their language, and dates at the precision the data gives (a year stays a year)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from cop_graph.rdf.labels import display_name, short

Link = Callable[[str], str]

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


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


def format_date(value: Literal) -> str | None:
    """A date as people write it, at its own precision; None when the literal is not a date."""
    text = str(value)
    try:
        if value.datatype == XSD.date:
            day = datetime.date.fromisoformat(text[:10])
            return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
        if value.datatype == XSD.gYearMonth:
            year, month = text[:7].split("-")
            return f"{MONTHS[int(month) - 1]} {year}"
        if value.datatype == XSD.gYear:
            return text[:4] if not text.startswith("-") else text
        if value.datatype == XSD.dateTime:
            moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"
    except (ValueError, IndexError):
        return None
    return None


def show(node: Node, graph: Graph, base: str, link: Link, known: Callable[[URIRef], bool],
         depth: int = 0) -> Value:
    """The display form of any term; blank nodes carry their own statements (one level)."""
    if isinstance(node, Literal):
        datatype = short(node.datatype, base) if node.datatype and node.datatype != XSD.string else None
        return Value("literal", format_date(node) or str(node), lang=node.language, datatype=datatype)
    if isinstance(node, URIRef):
        inside = known(node)
        text = display_name(graph, node, base)
        url = link(str(node)) if inside else (str(node) if str(node).lower().startswith(("http://", "https://"))
                                              else None)
        return Value("iri", text, iri=str(node), url=url, outside=not inside)
    if isinstance(node, BNode) and depth < 2:
        inner: dict[str, list[Value]] = {}
        for prop, obj in sorted(graph.predicate_objects(node)):
            inner.setdefault(short(prop, base), []).append(show(obj, graph, base, link, known, depth + 1))
        return Value("blank", "", inner=sorted(inner.items()))
    return Value("blank", "…")

