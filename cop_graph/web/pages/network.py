"""The network pictures' data: a projection or a resource's neighbourhood, laid out and
sized to stay legible, for the SVG partial and the JSON twin. Each drawing is computed once
per dataset (the dataset's memo)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from cop_graph.analysis import network
from cop_graph.analysis.layout import layout
from cop_graph.errors import UnknownResource
from cop_graph.store.dataset import CopDataset
from cop_graph.web.links import resource_url

COLOURS = {
    "org:FormalOrganization": "#1f77b4", "org:Organization": "#ff7f0e", "schema:EventSeries": "#2ca02c",
    "cop:RegularSession": "#d62728", "cop:SpecialSession": "#e377c2", "skos:Concept": "#9467bd",
    "cop:ExpertGroup": "#8c564b", "cop:GuestGroup": "#bcbd22", "org:Membership": "#17becf",
    "time:ProperInterval": "#7f7f7f", "org:OrganizationalCollaboration": "#393b79", "org:OrganizationalUnit": "#843c39",
    "org:Role": "#637939", "schema:Person": "#e6550d", "cop:Development": "#8c6d31", "cop:WorkingModality": "#7b4173",
    "cop:Passage": "#6baed6", "dcterms:BibliographicResource": "#3182bd", "time:Instant": "#969696",
    "skos:ConceptScheme": "#756bb1", "": "#b0b0b0",
}


SPARE = ("#e7ba52", "#ad494a", "#a55194", "#5254a3", "#b5cf6b", "#17a589", "#de9ed6", "#c49c94", "#9c9ede",
         "#636363", "#cedb9c", "#e7969c", "#000000", "#7f3b08", "#4d9221")


ALL_LABELS = 60  # up to this many nodes every node is labelled; above it only the LABELLED best connected


LABELLED = 40


LABEL_CHARS = 28


NEIGHBOURHOODS_KEPT = 512  # neighbourhood drawings kept, the least recently used dropped first


TITLES = {"cop": "the whole COP", "orgs": "organisations", "topics": "topics", "org-topic": "organisations and topics",
          "people": "people and organisations", "full": "every resource"}


NOTES = {
    "cop": "Organisations are linked to the yearly series they took part in, as members or outside experts; "
           "sessions to their series, their topics and the groups that attended them. The sources do not say "
           "which company attended which session, so no organisation is linked to a session directly.",
    "orgs": "Organisations are linked when they took part in the same year of the COP; the weight counts the years.",
    "topics": "Topics are linked when one session's theme covered both.",
    "org-topic": "An organisation is linked to a topic when it took part in a year whose sessions covered the topic "
                 "(year level: the sources do not say who attended which session).",
    "people": "People are linked to the organisations they held a post or membership in.",
    "full": "Every resource and every link between resources; types and literals left out.",
}


@dataclass(frozen=True)
class Drawing:
    """One picture's data, laid out: the same object feeds the SVG partial and the JSON twin.
    Cached and shared between requests, so callers must not change it."""

    title: str
    summary: dict[str, Any]
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    legend: list[dict[str, Any]]
    width: int
    height: int
    projection: str | None = None
    year: str | None = None
    resource: str | None = None
    radius: int | None = None
    left_out: dict[str, int] = field(default_factory=dict)
    truncated: bool = False

    @property
    def large(self) -> bool:
        return len(self.nodes) > ALL_LABELS

    def as_json(self) -> dict[str, Any]:
        node_keys = ("iri", "label", "type", "url", "x", "y", "r", "colour", "degree", "centre")
        return {"title": self.title, "projection": self.projection, "year": self.year, "resource": self.resource,
                "radius": self.radius, "summary": self.summary, "width": self.width, "height": self.height,
                "nodes": [{k: n[k] for k in node_keys} for n in self.nodes],
                "edges": [{k: e[k] for k in ("source", "target", "weight", "relation")} for e in self.edges],
                "legend": self.legend, "left_out": self.left_out, "truncated": self.truncated}


def drawing_of(graph: nx.Graph, title: str = "Network", **context: Any) -> Drawing:
    """Lay out any network from :mod:`cop_graph.analysis.network` (nodes with label, type and IRI) and
    size it to stay legible: the more nodes, the larger the canvas; above ``ALL_LABELS``
    nodes only the best connected carry a label (every node keeps its tooltip and table row).
    ``context`` fills the Drawing's optional fields (projection, year, resource, …)."""
    simple = nx.Graph(graph.to_undirected())
    positions, ratio = layout(simple)
    width = max(480, min(3000, round(150 * len(simple) ** 0.5)))
    height = max(320, min(3000, round(width / ratio)))
    colour = _colours(sorted({simple.nodes[n].get("type", "") for n in simple}))
    nodes = _nodes(simple, positions, width, height, colour, graph.graph.get("centre"))
    counts = Counter(n["type"] for n in nodes)
    legend = [{"type": t, "colour": c, "count": counts[t]} for t, c in colour.items()]
    return Drawing(title=title, summary=network.summary(graph), nodes=nodes, edges=_edges(graph, nodes),
                   legend=legend, width=width, height=height, **context)


def _nodes(simple: nx.Graph, positions: dict[str, tuple[float, float]], width: int, height: int,
           colour: dict[str, str], centre: str | None) -> list[dict[str, Any]]:
    """Each node placed on the canvas, sized by its links, best connected last (drawn on top);
    a label's text runs away from the nearer right edge."""
    degree = dict(simple.degree())
    top = max(degree.values(), default=0) or 1
    labelled = set(sorted(simple, key=lambda n: (-degree[n], simple.nodes[n].get("label", n)))[:LABELLED])
    nodes = []
    for n in sorted(simple, key=lambda n: (degree[n], n)):
        attrs, (x, y) = simple.nodes[n], positions[n]
        x, y = round(24 + x * (width - 48), 1), round(24 + y * (height - 48), 1)
        nodes.append({
            "iri": n, "label": attrs.get("label", n), "type": attrs.get("type", ""), "url": resource_url(n),
            "x": x, "y": y, "degree": degree[n], "centre": n == centre, "colour": colour[attrs.get("type", "")],
            "r": round(4 + 8 * (degree[n] / top) ** 0.5 + (3 if n == centre else 0), 1),
            "text": _short(attrs.get("label", n)), "anchor": "end" if x > width * 0.7 else "start",
            "show_label": len(simple) <= ALL_LABELS or n in labelled or n == centre,
            "neighbours": sorted(simple.nodes[m].get("label", m) for m in simple[n])})
    return nodes


def _colours(types: list[str]) -> dict[str, str]:
    spare = iter(c for c in SPARE if c not in {COLOURS.get(t) for t in types})
    return {t: COLOURS.get(t) or next(spare, "#444444") for t in types}


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1].rstrip() + "…"


def _edges(graph: nx.Graph, nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per linked pair, naming every relation or property between the two."""
    where = {n["iri"]: n for n in nodes}
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for a, b, data in graph.edges(data=True):
        key = (a, b) if a <= b else (b, a)
        pair = pairs.setdefault(key, {"weight": 0, "relations": set()})
        pair["weight"] = max(pair["weight"], data.get("weight", 1))
        pair["relations"].add(data.get("relation") or data.get("property") or "")
    return [{"source": a, "target": b, "weight": p["weight"], "relation": "; ".join(sorted(p["relations"] - {""})),
             "x1": where[a]["x"], "y1": where[a]["y"], "x2": where[b]["x"], "y2": where[b]["y"],
             "stroke": round(0.6 + 0.5 * min(p["weight"], 4), 1)} for (a, b), p in sorted(pairs.items())]


def projection_drawing(loaded: CopDataset, projection: str, year: str | None = None) -> Drawing:
    """A projection's drawing."""
    def build() -> Drawing:
        graph = network.projection(loaded, projection, year)
        title = f"Network: {TITLES.get(projection, projection)}" + (f" in {year}" if year else "")
        return drawing_of(graph, title, projection=projection, year=year)

    return loaded.memo("projection drawing", projection, year, build=build)


def neighbourhood(loaded: CopDataset, iri: str, radius: int = 1) -> Drawing:
    """A resource's neighbourhood; raises :class:`UnknownResource` for an IRI the graph does not hold."""
    def build() -> Drawing:
        graph = network.neighbourhood(loaded, iri, radius)
        label = graph.nodes[iri]["label"] if iri in graph else iri
        return drawing_of(graph, f"Network: neighbourhood of {label}", resource=iri, radius=radius,
                          left_out=graph.graph["left_out"], truncated=graph.graph["truncated"])

    return loaded.memo("neighbourhood drawing", iri, radius, build=build, keep=NEIGHBOURHOODS_KEPT)


def neighbourhood_drawing(loaded: CopDataset, iri: str, radius: int = 1) -> Drawing | None:
    """The picture for a resource's page: None when the graph does not hold the resource or
    nothing links it to another resource (a lone dot says nothing)."""
    try:
        picture = neighbourhood(loaded, iri, radius)
    except UnknownResource:
        return None
    return picture if len(picture.nodes) > 1 else None


def years(loaded: CopDataset) -> list[str]:
    """The years a network can be drawn for."""
    return loaded.memo("network years", build=lambda: network.years(loaded))
