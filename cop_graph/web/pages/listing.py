"""Class pages: every class with its number of instances, and the instances of one class,
paged and sorted by label or by date."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rdflib import Literal, URIRef

from cop_graph.errors import ParameterError
from cop_graph.rdf.labels import display_name, distinct_name, short
from cop_graph.sparql.evaluate import run_named, select
from cop_graph.sparql.library import named
from cop_graph.store.dataset import CopDataset
from cop_graph.web.pages.values import Link, format_date

SORTS = ("label", "date")
PAGE_SIZE = 50


@dataclass(frozen=True)
class ClassEntry:
    iri: str
    name: str  # prefixed name (org:Membership) or the IRI
    label: str
    instances: int
    url: str


@dataclass(frozen=True)
class ClassIndex:
    classes: list[ClassEntry]


@dataclass(frozen=True)
class Instance:
    iri: str
    label: str
    date: str | None  # ISO form, at the data's precision, for sorting and machines
    when: str | None  # the same date as people write it
    url: str


@dataclass(frozen=True)
class ClassPage:
    iri: str
    name: str
    label: str
    total: int
    sort: str
    page: int
    pages: int
    instances: list[Instance]
    class_url: str


def class_index(loaded: CopDataset, link: Link, class_link: Link) -> ClassIndex:
    query = named(loaded, "instances-per-class")
    base = loaded.config.base
    entries = [ClassEntry(str(row["class"]), short(row["class"], base),
                          display_name(loaded.dataset, row["class"], base),
                          int(row["instances"]), class_link(str(row["class"])))
               for row in run_named(loaded, query, {})]
    return ClassIndex(entries)


def class_page(loaded: CopDataset, iri: str, sort: str | None, page: int, link: Link) -> ClassPage:
    """One page of a class's instances; a class with no instances is an empty listing.
    Without a ``sort``, dated things (sessions, developments) come in date order, others
    by name."""
    if sort is not None and sort not in SORTS:
        raise ParameterError(f"parameter 'sort' must be one of: {', '.join(SORTS)}; got {sort!r}")
    base = loaded.config.base
    instances = loaded.memo("class instances", iri, keep=16, build=lambda: [
        _instance(loaded, row, link) for row in select(loaded, "class-instances", **{"class": iri})])
    if sort is None:
        sort = "date" if any(i.date for i in instances) else "label"
    if sort == "date":
        instances = sorted(instances, key=lambda i: (i.date is None, i.date or "", i.label.casefold()))
    else:
        instances = sorted(instances, key=lambda i: (i.label.casefold(), i.iri))
    pages = max(1, math.ceil(len(instances) / PAGE_SIZE))
    if page < 1 or page > pages:
        raise ParameterError(f"parameter 'page' must be between 1 and {pages}; got {page}")
    start = (page - 1) * PAGE_SIZE
    node = URIRef(iri)
    return ClassPage(iri, short(node, base), display_name(loaded.dataset, node, base), len(instances), sort,
                     page, pages, instances[start:start + PAGE_SIZE], link(iri))


def _instance(loaded: CopDataset, row: dict, link: Link) -> Instance:
    node = row["instance"]
    date = str(row["date"]) if row.get("date") else None
    when = format_date(_typed(date)) if date else None
    return Instance(str(node), distinct_name(loaded.dataset, node, loaded.config.base), date, when or date,
                    link(str(node)))


def _typed(text: str) -> Literal:
    """The string of a date back as a typed literal of the precision its length shows."""
    from rdflib.namespace import XSD

    kind = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}.get(len(text), XSD.dateTime)
    return Literal(text, datatype=kind)
