"""How one RDF term is shown on a page: resources with their label and link, literals
with their language, and dates at the precision the data gives (a year stays a year)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from cop_graph.labels import label, short

Link = Callable[[str], str]

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


@dataclass(frozen=True)
class Value:
    """One displayed term. ``url`` is the explorer page of a resource (None for literals);
    ``outside`` marks IRIs that are not resources of this graph (links leave the site)."""

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
        return Value("literal", format_date(node) or printable(str(node)), lang=node.language, datatype=datatype)
    if isinstance(node, URIRef):
        inside = known(node)
        text = printable(label(graph, node) or short(node, base))
        return Value("iri", text, iri=str(node), url=link(str(node)) if inside else None, outside=not inside)
    if isinstance(node, BNode) and depth < 2:
        inner: dict[str, list[Value]] = {}
        for prop, obj in sorted(graph.predicate_objects(node)):
            inner.setdefault(short(prop, base), []).append(show(obj, graph, base, link, known, depth + 1))
        return Value("blank", "", inner=sorted(inner.items()))
    return Value("blank", "…")


def printable(text: str) -> str:
    """NUL cannot appear in an HTML page; it is shown as the replacement character."""
    return text.replace("\x00", "\ufffd")
