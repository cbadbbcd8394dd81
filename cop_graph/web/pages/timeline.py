"""The timeline: sessions, series, developments, memberships and posts by date, each at
the precision the data gives, grouped by year."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF

from cop_graph.errors import ParameterError
from cop_graph.rdf.labels import distinct_name, short
from cop_graph.sparql.evaluate import select
from cop_graph.store.dataset import CopDataset
from cop_graph.web.pages.values import Link, format_date


@dataclass(frozen=True)
class Event:
    iri: str
    label: str
    type: str
    date: str  # ISO, at its own precision (2022, 2022-11, 2022-02-28)
    when: str  # as people write it
    end: str | None
    until: str | None
    url: str


@dataclass(frozen=True)
class Year:
    year: str
    events: list[Event]


@dataclass(frozen=True)
class Timeline:
    year: str | None
    years: list[str]
    groups: list[Year]


def timeline(loaded: CopDataset, link: Link, year: str | None = None) -> Timeline:
    base, graph = loaded.config.base, loaded.dataset
    events = []
    for row in select(loaded, "timeline"):
        node, date, end = row["resource"], row["date"], row.get("end")
        types = sorted(short(t, base) for t in graph.objects(node, RDF.type))
        own = [t for t in types if t.startswith("cop:")]
        events.append(Event(str(node), distinct_name(graph, node, base), (own or types or [""])[0],
                            str(date), format_date(date) or str(date), str(end) if end is not None else None,
                            (format_date(end) or str(end)) if end is not None else None, link(str(node))))
    years = sorted({e.date[:4] for e in events})
    if year is not None and year not in years:
        raise ParameterError(f"parameter 'year' must be a year with dated resources ({', '.join(years)}); "
                             f"got {year!r}")
    events.sort(key=lambda e: (e.date, e.end or "", e.type, e.label.casefold()))
    groups = [Year(y, [e for e in events if e.date[:4] == y]) for y in years if year in (None, y)]
    return Timeline(year, years, groups)
