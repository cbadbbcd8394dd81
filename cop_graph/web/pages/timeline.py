"""The timeline: sessions, series, developments, memberships and posts by date, each at
the precision the data gives, grouped by year; the first events of each year, then each
year in pages."""

from __future__ import annotations

import math
from collections.abc import Callable
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
    events: list[Event]  # the ones shown: the first SHOWN, or one page of the year
    total: int  # how many the year has
    more_url: str | None  # the year's own pages, when not all are shown


@dataclass(frozen=True)
class Timeline:
    year: str | None
    years: list[str]
    groups: list[Year]
    page: int  # of the year's pages (1 when every year is shown)
    pages: int
    start: int = 1  # the number of the first event shown, in its year


SHOWN = 50  # events per year on the page of every year
PAGE_SIZE = 200  # events per page of one year


@dataclass(frozen=True)
class Events:
    """Every dated resource by year, in date order: computed once per data version."""

    by_year: dict[str, list[Event]]

    @property
    def years(self) -> list[str]:
        return list(self.by_year)


def events(loaded: CopDataset, link: Link) -> Events:
    base, graph = loaded.config.base, loaded.dataset
    found = []
    for row in select(loaded, "timeline"):
        node, date, end = row["resource"], row["date"], row.get("end")
        types = sorted(short(t, base) for t in graph.objects(node, RDF.type))
        own = [t for t in types if t.startswith("cop:")]
        found.append(Event(str(node), distinct_name(graph, node, base), (own or types or [""])[0],
                           str(date), format_date(date) or str(date), str(end) if end is not None else None,
                           (format_date(end) or str(end)) if end is not None else None, link(str(node))))
    found.sort(key=lambda e: (e.date, e.end or "", e.type, e.label.casefold()))
    by_year: dict[str, list[Event]] = {}
    for event in found:
        by_year.setdefault(event.date[:4], []).append(event)
    return Events(by_year)


def timeline(every: Events, year: str | None, page: int, year_url: Callable[..., str]) -> Timeline:
    """Every year with its first events and a link to the rest, or one page of one year (at
    10^6 triples a year holds tens of thousands of sessions: the page stays readable)."""
    years = every.years
    if year is not None and year not in every.by_year:
        raise ParameterError(f"parameter 'year' must be a year with dated resources ({', '.join(years)}); "
                             f"got {year!r}")
    if year is None:
        if page != 1:
            raise ParameterError("parameter 'page' needs a 'year': the page of every year has one page")
        groups = [Year(y, found[:SHOWN], len(found), year_url(year=y) if len(found) > SHOWN else None)
                  for y, found in every.by_year.items()]
        return Timeline(None, years, groups, 1, 1)
    found = every.by_year[year]
    pages = max(1, math.ceil(len(found) / PAGE_SIZE))
    if not 1 <= page <= pages:
        raise ParameterError(f"parameter 'page' must be between 1 and {pages}; got {page}")
    shown = found[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    return Timeline(year, years, [Year(year, shown, len(found), None)], page, pages, (page - 1) * PAGE_SIZE + 1)
