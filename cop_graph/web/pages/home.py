"""The home page: the COP at a glance (members per year with who joined, the latest year's
sessions in date order with their themes, the topics with their session counts, the outside
experts and the developments), the search box, and where to go next. What it shows is read
with the named queries once per dataset version."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal, URIRef

from cop_graph.rdf.labels import distinct_name, format_date
from cop_graph.sparql.evaluate import run_named, select
from cop_graph.sparql.library import named
from cop_graph.store.dataset import CopDataset
from cop_graph.web.pages.values import Link
from cop_graph.web.prepared import prepared


@dataclass(frozen=True)
class Source:
    iri: str
    label: str
    url: str


@dataclass(frozen=True)
class Entry:
    """A way into the data: a listing, a view or a named query."""

    label: str
    url: str
    description: str


@dataclass(frozen=True)
class Item:
    """One thing named on the home page, linked to its page; ``detail`` says more (a date, a
    theme, a count)."""

    iri: str
    label: str
    url: str
    detail: str = ""
    when: str | None = None  # ISO date, for a <time> element
    when_text: str | None = None  # the same date as people write it


@dataclass(frozen=True)
class YearBar:
    """One year of the members chart: the count, the companies that joined, and the bar's
    length (percent of the longest)."""

    year: str
    members: int
    joined: list[Item]
    percent: int


@dataclass(frozen=True)
class Glance:
    year: str | None  # the latest year the data covers
    members_per_year: list[YearBar] = field(default_factory=list)
    members: list[Item] = field(default_factory=list)
    sessions: list[Item] = field(default_factory=list)
    topics: list[Item] = field(default_factory=list)
    experts: list[Item] = field(default_factory=list)
    developments: list[Item] = field(default_factory=list)


@dataclass(frozen=True)
class HomePage:
    title: str
    description: str
    iri: str | None
    url: str | None
    triples: int
    graphs: int
    version: str
    sources: list[Source]
    glance: Glance
    years: list[str]
    entries: list[Entry]


def dataset_description(loaded: CopDataset) -> dict:
    """The dataset's title, description and sources (empty strings when the data has none)."""
    rows = select(loaded, "dataset-description")
    if not rows:
        return {"iri": None, "title": "COP graph", "description": "", "sources": []}
    first = rows[0]
    return {"iri": str(first["dataset"]), "title": str(first["title"]),
            "description": str(first.get("description", "")),
            "sources": list(dict.fromkeys(str(r["source"]) for r in rows if "source" in r))}


def home_page(loaded: CopDataset, about: dict, sources: list[Source], years: list[str], entries: list[Entry],
              url: str | None, link: Link) -> HomePage:
    return HomePage(about["title"], about["description"], about["iri"], url, len(loaded), len(loaded.files),
                    loaded.version, sources, glance(loaded, link), years, entries)


def glance(loaded: CopDataset, link: Link) -> Glance:
    """The COP at a glance, read once per dataset version; links made per request."""
    kept = prepared(loaded, "home glance", build=lambda: _glance(loaded))
    return Glance(kept.year, [YearBar(b.year, b.members, _linked(b.joined, link), b.percent)
                              for b in kept.members_per_year],
                  *(_linked(items, link) for items in (kept.members, kept.sessions, kept.topics, kept.experts,
                                                       kept.developments)))


def _linked(items: list[Item], link: Link) -> list[Item]:
    return [Item(i.iri, i.label, link(i.iri), i.detail, i.when, i.when_text) for i in items]


def _rows(loaded: CopDataset, name: str, **values: str) -> list[dict]:
    return [{str(k): v for k, v in row.asdict().items()}
            for row in run_named(loaded, named(loaded, name), values)]


def _glance(loaded: CopDataset) -> Glance:
    graph, base = loaded.dataset, loaded.config.base

    def item(iri: object, detail: str = "") -> Item:
        return Item(str(iri), distinct_name(graph, URIRef(str(iri)), base), "", detail)

    per_year = _members_per_year(loaded)
    if not per_year:
        return Glance(None)
    year = max(per_year)
    longest = max(len(m) for m in per_year.values()) or 1
    bars, earlier = [], set()
    for y in sorted(per_year):
        joined = sorted((item(m) for m in per_year[y] - earlier), key=lambda i: i.label.casefold()) if earlier else []
        bars.append(YearBar(y, len(per_year[y]), joined, round(100 * len(per_year[y]) / longest)))
        earlier |= per_year[y]
    members = sorted((item(m) for m in per_year[year]), key=lambda i: i.label.casefold())
    sessions = [Item(str(r["session"]), str(r["label"]), "", str(r.get("theme", "")), str(r["date"]),
                     format_date(r["date"]) or str(r["date"]))
                for r in sorted(_rows(loaded, "sessions-in-year", year=year), key=lambda r: str(r["date"]))]
    topics = sorted((item(r["topic"], f"{int(r['sessions'])} session{'s' if int(r['sessions']) != 1 else ''}")
                     for r in _rows(loaded, "topic-hierarchy") if int(r.get("sessions", 0))),
                    key=lambda i: (-int(i.detail.split()[0]), i.label.casefold()))
    experts = sorted((item(r["organisation"]) for r in _rows(loaded, "outside-experts-in-year", year=year)),
                     key=lambda i: i.label.casefold())
    developments = [item(r["development"], _when(r)) for r in _rows(loaded, "developments-in-year", year=year)]
    return Glance(year, bars, members, sessions, topics, experts, developments)


def _members_per_year(loaded: CopDataset) -> dict[str, set[str]]:
    """The members of the COP in each year its memberships name: a membership counts in every
    year from its beginning to its end (open ends reach the first or last year named). The
    COP is the collaboration at ``org/cop`` under the base, else the one with most members."""
    rows = select(loaded, "membership-years")
    if not rows:
        return {}
    by_collaboration: dict[str, list[dict]] = {}
    for row in rows:
        by_collaboration.setdefault(str(row["collaboration"]), []).append(row)
    cop = loaded.config.base + "org/cop"
    chosen = by_collaboration.get(cop) or max(by_collaboration.values(), key=len)
    spans = [(str(r["member"]), str(r["begin"])[:4] if "begin" in r else None,
              str(r["end"])[:4] if "end" in r else None) for r in chosen]
    years = sorted({y for _, begin, end in spans for y in (begin, end) if y})
    return {y: {m for m, begin, end in spans if (begin or y) <= y <= (end or y)} for y in years}


def _when(row: dict) -> str:
    """A development's date as the source gives it: its words when it has them, else the
    date at its precision."""
    written = row.get("whenAsWritten")
    if written:
        return str(written)
    date = row.get("date")
    return (format_date(date) or str(date)) if isinstance(date, Literal) else ""
