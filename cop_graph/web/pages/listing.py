"""Class pages: every class with its number of instances, and the instances of one class,
paged and sorted by label or by date.

A listing shows what matters for the kind of thing it lists: sessions their date and the
topics of their theme, COP companies the years they took part and the year they joined,
organisations the years the source names them as outside experts; other classes their name
and date. Each of these columns comes from one query for the whole listing, never one per
instance, so that a listing stays fast at 10^6 triples."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

from rdflib import Literal, URIRef
from rdflib.namespace import ORG, RDFS, SDO

from cop_graph.errors import ParameterError
from cop_graph.rdf.labels import display_name, distinct_name, short
from cop_graph.rdf.namespaces import COP
from cop_graph.sparql.evaluate import run_named, select
from cop_graph.sparql.library import named
from cop_graph.store.dataset import CopDataset
from cop_graph.web.pages.values import Link, format_date
from cop_graph.web.prepared import prepared

SORTS = ("label", "date")
PAGE_SIZE = 50

# The kinds whose listings carry their own columns, by the class they list (subclasses
# included), the first that applies winning. org:Organization is what the source's outside
# experts are typed with (data/experts.ttl) and the range of cop:outsideExpert.
KINDS = ((COP.Session, "session"), (SDO.Corporation, "company"), (ORG.Organization, "organisation"))
# Column headers in people's words, in the order the table shows them.
COLUMNS = {
    "session": ("date", "session", "themes"),
    "company": ("company", "years in the COP", "joined"),
    "organisation": ("organisation", "named as outside expert in"),
    "other": ("name", "date"),
}
# The sort links in people's words: by date is by the year joined or named where the
# instances carry no date of their own.
SORT_NAMES = {
    "session": {"label": "name", "date": "date"},
    "company": {"label": "name", "date": "year joined"},
    "organisation": {"label": "name", "date": "year named"},
    "other": {"label": "name", "date": "date"},
}
# The instance fields each kind's JSON twin carries beside those every listing has.
_OWN_FIELDS = {"session": ("themes",), "company": ("years_in_cop", "joined"), "organisation": ("years_named",),
               "other": ()}
_EVERY_LISTING = ("iri", "label", "date", "when", "url")


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
class Topic:
    iri: str
    label: str
    url: str


@dataclass(frozen=True)
class Instance:
    iri: str
    label: str
    date: str | None  # ISO form, at the data's precision, for sorting and machines
    when: str | None  # the same date as people write it
    url: str
    themes: tuple[Topic, ...] = ()  # a session's topics, by label
    years_in_cop: tuple[str, ...] = ()  # a company's years as a member of the COP, in order
    joined: str | None = None  # the first of them
    years_named: tuple[str, ...] = ()  # an organisation's years as an outside expert, in order

    @property
    def first_year(self) -> str | None:
        """The year a company or an expert organisation first appears, which "sort by date"
        uses where the instance itself carries no date."""
        years = self.years_in_cop or self.years_named
        return years[0] if years else None


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
    kind: str = "other"  # "session", "company", "organisation" or "other": which columns the listing has

    @property
    def columns(self) -> tuple[str, ...]:
        return COLUMNS[self.kind]

    @property
    def sort_names(self) -> dict[str, str]:
        return SORT_NAMES[self.kind]

    def as_json(self) -> dict:
        """The page's fields with its column headers; each instance with the fields every
        listing has and its kind's own, so that a client reads only what the table shows."""
        kept = _EVERY_LISTING + _OWN_FIELDS[self.kind]
        data = asdict(self)
        data["columns"] = list(self.columns)
        data["instances"] = [{k: v for k, v in instance.items() if k in kept} for instance in data["instances"]]
        return data


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
    kind = loaded.memo("class kind", iri, keep=16, build=lambda: listing_kind(loaded, iri))
    instances = prepared(loaded, "class instances", iri, keep=16, build=lambda: _with_columns(
        loaded, kind, [_instance(loaded, row, link) for row in select(loaded, "class-instances", **{"class": iri})],
        link))
    if sort is None:
        sort = "date" if any(i.date for i in instances) else "label"
    if sort == "date":
        instances = sorted(instances, key=lambda i: (i.date is None and i.first_year is None,
                                                     i.date or i.first_year or "", i.label.casefold()))
    else:
        instances = sorted(instances, key=lambda i: (i.label.casefold(), i.iri))
    pages = max(1, math.ceil(len(instances) / PAGE_SIZE))
    if page < 1 or page > pages:
        raise ParameterError(f"parameter 'page' must be between 1 and {pages}; got {page}")
    start = (page - 1) * PAGE_SIZE
    node = URIRef(iri)
    return ClassPage(iri, short(node, base), display_name(loaded.dataset, node, base), len(instances), sort,
                     page, pages, instances[start:start + PAGE_SIZE], link(iri), kind)


def listing_kind(loaded: CopDataset, iri: str) -> str:
    """Which columns a class's listing has: that of the first of :data:`KINDS` the class is
    or is a subclass of, else "other". The walk up rdfs:subClassOf is done here rather than
    in SPARQL, as Virtuoso 7.2 loses matches of a transitive path over a dataset."""
    above = set(loaded.dataset.transitive_objects(URIRef(iri), RDFS.subClassOf))
    return next((kind for cls, kind in KINDS if cls in above), "other")


def _instance(loaded: CopDataset, row: dict, link: Link) -> Instance:
    node = row["instance"]
    date = str(row["date"]) if row.get("date") else None
    when = format_date(_typed(date)) if date else None
    return Instance(str(node), distinct_name(loaded.dataset, node, loaded.config.base), date, when or date,
                    link(str(node)))


def _with_columns(loaded: CopDataset, kind: str, instances: list[Instance], link: Link) -> list[Instance]:
    """The instances with their kind's own columns filled in from one query for them all."""
    fill = _FILL.get(kind)
    return fill(loaded, instances, link) if fill else instances


def _session_topics(loaded: CopDataset, instances: list[Instance], link: Link) -> list[Instance]:
    """Each session's topics in label order, as the graph gives them in none; every topic is
    named once, however many sessions share it."""
    wanted = {i.iri for i in instances}
    topics: dict[str, set[str]] = {}
    for row in select(loaded, "session-topics"):
        if str(row["session"]) in wanted:
            topics.setdefault(str(row["session"]), set()).add(str(row["topic"]))
    named_topics: dict[str, Topic] = {}  # a topic is named once however many sessions cover it

    def topic(iri: str) -> Topic:
        if iri not in named_topics:
            named_topics[iri] = Topic(iri, distinct_name(loaded.dataset, URIRef(iri), loaded.config.base), link(iri))
        return named_topics[iri]

    return [replace(i, themes=tuple(sorted((topic(t) for t in topics.get(i.iri, ())),
                                            key=lambda t: (t.label.casefold(), t.iri))))
            for i in instances]


def _company_years(loaded: CopDataset, instances: list[Instance], link: Link) -> list[Instance]:
    """Years in the COP counted as the home page counts them: a membership counts in each
    year from its beginning to its end, an open end reaching the first or last year the
    COP's memberships name. Only the COP's memberships are read (``org/cop`` under the
    base), not every collaboration's."""
    spans = [(str(r["member"]), str(r["begin"])[:4] if "begin" in r else None,
              str(r["end"])[:4] if "end" in r else None) for r in select(loaded, "cop-membership-years")]
    named_years = sorted({y for _, begin, end in spans for y in (begin, end) if y})
    years: dict[str, list[str]] = {}
    for year in named_years:
        for member in sorted({m for m, begin, end in spans if (begin or year) <= year <= (end or year)}):
            years.setdefault(member, []).append(year)
    return [replace(i, years_in_cop=tuple(years.get(i.iri, ())), joined=(years.get(i.iri) or [None])[0])
            for i in instances]


def _expert_years(loaded: CopDataset, instances: list[Instance], link: Link) -> list[Instance]:
    """The years each organisation is named as an outside expert; an organisation the source
    never names so (the listing holds every org:Organization) has none."""
    years: dict[str, set[str]] = {}
    for row in select(loaded, "outside-expert-years"):
        years.setdefault(str(row["organisation"]), set()).add(str(row["year"]))
    return [replace(i, years_named=tuple(sorted(years.get(i.iri, ())))) for i in instances]


_FILL: dict[str, Callable[[CopDataset, list[Instance], Link], list[Instance]]] = {
    "session": _session_topics, "company": _company_years, "organisation": _expert_years}


def _typed(text: str) -> Literal:
    """The string of a date back as a typed literal of the precision its length shows."""
    from rdflib.namespace import XSD

    kind = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}.get(len(text), XSD.dateTime)
    return Literal(text, datatype=kind)
