"""The home page: what the dataset is (from its own dcat:Dataset description), how much
of each kind it holds, the years it covers, and where to start."""

from __future__ import annotations

from dataclasses import dataclass

from cop_graph.sparql.evaluate import select
from cop_graph.store.dataset import CopDataset
from cop_graph.web.pages.listing import ClassEntry
from cop_graph.web.pages.timeline import Timeline


@dataclass(frozen=True)
class Source:
    iri: str
    label: str
    url: str


@dataclass(frozen=True)
class Entry:
    """A way into the data: a class listing, a view or a named query."""

    label: str
    url: str
    description: str


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
    classes: list[ClassEntry]
    years: list[str]
    entries: list[Entry]
    connected: list[dict]


def dataset_description(loaded: CopDataset) -> dict:
    """The dataset's title, description and sources (empty strings when the data has none)."""
    rows = select(loaded, "dataset-description")
    if not rows:
        return {"iri": None, "title": "COP graph", "description": "", "sources": []}
    first = rows[0]
    return {"iri": str(first["dataset"]), "title": str(first["title"]),
            "description": str(first.get("description", "")),
            "sources": list(dict.fromkeys(str(r["source"]) for r in rows if "source" in r))}


def home_page(loaded: CopDataset, about: dict, sources: list[Source], classes: list[ClassEntry],
              timeline: Timeline, entries: list[Entry], connected: list[dict], url: str | None) -> HomePage:
    return HomePage(about["title"], about["description"], about["iri"], url, len(loaded), len(loaded.files),
                    loaded.version, sources, classes, timeline.years, entries, connected)
