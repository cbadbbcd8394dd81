"""The network pictures' data: a projection or a resource's neighbourhood, laid out and
sized to stay legible, for the SVG partial, the interactive view (``static/network.js``) and
the JSON twin. Each drawing is computed once per dataset (the dataset's memo).

What a picture would get wrong is said in words instead: a projection complete by
construction (everyone linked to everyone through a shared year) becomes a sentence and a
list, and an empty one says why it is empty. A large projection is drawn in part (at most
``LIMIT`` nodes, "showing N of M"), so no request ever lays out 10^5 nodes."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from rdflib import RDF, Graph, URIRef

from cop_graph.analysis import network
from cop_graph.analysis.layout import layout
from cop_graph.errors import UnknownResource
from cop_graph.rdf.labels import distinct_name, short, term_name
from cop_graph.rdf.namespaces import PREFIXES
from cop_graph.store.dataset import CopDataset
from cop_graph.web.links import resource_url
from cop_graph.web.prepared import prepared

COLOURS = {
    "org:FormalOrganization": "#1f77b4", "org:Organization": "#ff7f0e", "schema:EventSeries": "#2ca02c",
    "cop:RegularSession": "#d62728", "cop:SpecialSession": "#e377c2", "skos:Concept": "#9467bd",
    "cop:ExpertGroup": "#8c564b", "cop:GuestGroup": "#bcbd22", "org:Membership": "#17becf",
    "time:ProperInterval": "#7f7f7f", "org:OrganizationalCollaboration": "#393b79", "org:OrganizationalUnit": "#843c39",
    "org:Role": "#637939", "schema:Person": "#e6550d", "cop:Development": "#8c6d31", "cop:WorkingModality": "#7b4173",
    "cop:Passage": "#6baed6", "dcterms:BibliographicResource": "#3182bd", "time:Instant": "#969696",
    "skos:ConceptScheme": "#756bb1", "schema:Corporation": "#1f77b4", "": "#b0b0b0",
}


SPARE = ("#e7ba52", "#ad494a", "#a55194", "#5254a3", "#b5cf6b", "#17a589", "#de9ed6", "#c49c94", "#9c9ede",
         "#636363", "#cedb9c", "#e7969c", "#000000", "#7f3b08", "#4d9221")


# Which of a node's types names its kind, before the ontology's own classes: a company is
# an org:FormalOrganization and a schema:Corporation, and people say "company".
KIND_FIRST = ("schema:Person", "schema:Corporation")


# Roles a projection gives a node that say more than its type: the ICRC is an organisation,
# but in the COP it is an outside expert; a concept linked as a session's theme is a topic.
# In the rdr projection a company is a COP member or not, which its type does not say, and
# RDR's indicators are concepts of RDR's own scheme, not the COP's topics.
ROLE_KINDS = {"outside expert": ("outside expert", "org:Organization"), "topic": ("topic", "skos:Concept"),
              "COP member": ("COP member company", "schema:Corporation"),
              "other company": ("other company", "schema:Organization"), "indicator": ("RDR indicator", "skos:Concept")}


ALL_LABELS = 60  # up to this many nodes every node is labelled; above it only the LABELLED best connected


LABELLED = 40


LABEL_CHARS = 36  # room for a repeated label and the date that tells it apart


CHAR_WIDTH = 7.0  # px per character of a 12 px label, a little over the average, so estimated boxes hold the text


LABEL_HEIGHT = 15


PADDING = 12


GAP = 2  # px kept between any two nodes' boxes, so rounding the positions can never make them meet


LIMIT = 300  # nodes drawn of one projection; the rest are counted


LINK_LIMIT = 1500  # links drawn among them, the heaviest first: 300 organisations can share 40,000


NEIGHBOURHOODS_KEPT = 512  # neighbourhood drawings kept, the least recently used dropped first


TITLES = {"cop": "the whole COP", "orgs": "organisations", "topics": "topics", "org-topic": "organisations and topics",
          "people": "people and organisations", "full": "every resource",
          "rdr": "RDR scores: companies and indicators"}


NOTES = {
    "cop": "Organisations are linked to the yearly series they took part in, as members or outside experts; "
           "sessions to their series, their topics and the groups that attended them. An organisation is linked "
           "to a session only where the data ties it to one: the review says who took part in a year, not who "
           "attended which session, so no organisation is linked to a session directly.",
    "orgs": "Organisations are linked when they took part in the same year of the COP; the weight counts the years.",
    "topics": "Topics are linked when one session's theme covered both.",
    "org-topic": "An organisation is linked to a topic only where the data ties it to a session on that topic "
                 "(as attendee, contributor or performer); taking part in a year ties it to no session.",
    "people": "People are linked to the organisations they held a post or membership in.",
    "full": "Every resource and every link between resources; types and literals left out.",
    "rdr": "Ranking Digital Rights' 2022 Big Tech Scorecard (data under the MIT licence): the 14 companies it "
           "scores and its governance indicators G4 (human rights due diligence), G5 (stakeholder engagement and "
           "accountability) and G6 (remedy and appeals). A company is linked to an indicator when it scores above "
           "0 on it; the weight is the score, 0 to 100, in RDR's index year 2022 (2020 when that year is asked "
           "for; the years of the COP are not RDR's). A "
           "score of 0 or an indicator RDR marks not applicable is no link. COP members have a colour of their "
           "own. The scores measure what companies disclose in their public policies, not what they do.",
}


@dataclass(frozen=True)
class Drawing:
    """One picture's data, laid out: the same object feeds the SVG partial, the interactive
    view and the JSON twin. Cached and shared between requests, so callers must not change it.
    With a ``statement`` there is no picture: the words say what the links would, and
    ``listing`` names the nodes they are about."""

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
    left_out: dict[str, int] = field(default_factory=dict)  # kinds by short name: cop:Passage
    left_out_kinds: dict[str, int] = field(default_factory=dict)  # the same in words: source passage
    truncated: bool = False
    statement: str | None = None
    complete: bool = False
    listing: list[dict[str, Any]] = field(default_factory=list)

    @property
    def large(self) -> bool:
        return len(self.nodes) > ALL_LABELS

    @property
    def partial(self) -> bool:
        """A network drawn in part: more nodes than ``LIMIT`` or more links than ``LINK_LIMIT``."""
        return self.statement is None and (len(self.nodes) < self.summary.get("nodes", 0)
                                           or len(self.edges) < self.summary.get("edges", 0))

    def as_json(self) -> dict[str, Any]:
        node_keys = ("iri", "label", "type", "kind", "url", "x", "y", "r", "colour", "degree", "centre", "text",
                     "anchor", "show_label")
        return {"title": self.title, "projection": self.projection, "year": self.year, "resource": self.resource,
                "radius": self.radius, "summary": self.summary, "width": self.width, "height": self.height,
                "shown": {"nodes": len(self.nodes), "edges": len(self.edges)},
                "nodes": [{k: n[k] for k in node_keys} for n in self.nodes],
                "edges": [{k: e[k] for k in ("source", "target", "weight", "relation", "says")} for e in self.edges],
                "legend": self.legend, "left_out": self.left_out, "truncated": self.truncated,
                "statement": self.statement, "complete": self.complete, "listing": self.listing}


def drawing_of(graph: nx.Graph, title: str = "Network", loaded: CopDataset | None = None, limit: int | None = None,
               **context: Any) -> Drawing:
    """Lay out any network from :mod:`cop_graph.analysis.network` (nodes with label, type and IRI) and
    size it to stay legible: the more nodes, the larger the canvas; above ``ALL_LABELS``
    nodes only the best connected carry a label (every node keeps its tooltip and table row),
    and no label covers another or leaves the canvas. Above ``limit`` nodes only part is
    drawn (:func:`network.drawn_part`). With ``loaded``, nodes are named as every page names
    them (a repeated label with its date) and their kinds in words from the ontology.
    ``context`` fills the Drawing's optional fields (projection, year, resource, …)."""
    whole = network.simple_graph(graph)
    part = network.drawn_part(graph, limit) if limit is not None else list(whole)
    unnamed = [n for n in part if "label" not in graph.nodes[n]]
    if loaded is not None and unnamed:  # a projection made without labels: name only what is drawn
        for node, attributes in network.describe(loaded, unnamed).items():
            graph.nodes[node].update(attributes)
    simple = nx.Graph()  # in IRI order: the layout depends on the order it meets the nodes in
    simple.add_nodes_from(sorted(part))
    simple.add_edges_from(sorted((a, b) if a <= b else (b, a) for a, b in whole.subgraph(part).edges()))
    positions, ratio = layout(simple)
    width = max(480, min(3000, round(150 * len(simple) ** 0.5)))
    height = max(320, min(3000, round(width / ratio)))
    kinds = _kinds(loaded, graph, simple)
    names = _names(loaded, graph, simple)
    links = _links(graph, simple)
    types = {n: graph.nodes[n].get("type", "") for n in simple}
    nodes = _nodes(simple, whole, links, positions, width, height, kinds, names, types, graph.graph.get("centre"))
    width, height = _untangle(nodes)
    counts = Counter(n["kind"] for n in nodes)
    legend = [{"kind": kind, "colour": colour, "count": counts[kind]} for kind, colour in _colours(nodes).items()]
    edges = _edges(links, nodes)
    for edge in edges:  # a property by its name for people: org:member -> "member"
        edge["says"] = "; ".join(_kind_word(loaded, r) if ":" in r else r for r in edge["relation"].split("; ") if r)
    return Drawing(title=title, summary=network.summary(graph, communities=False), nodes=nodes,
                   edges=edges, legend=legend, width=width, height=height, **context)


def _nodes(simple: nx.Graph, whole: nx.Graph, links: dict[tuple[str, str], dict[str, Any]],
           positions: dict[str, tuple[float, float]], width: int, height: int, kinds: dict[str, tuple[str, str]],
           names: dict[str, str], types: dict[str, str], centre: str | None) -> list[dict[str, Any]]:
    """Each node placed on the canvas, sized by its links in the whole network, best connected
    last (drawn on top); a label's text runs away from the nearer right edge."""
    degree = {n: whole.degree(n) for n in simple}
    drawn: dict[str, set[str]] = {n: set() for n in simple}
    for a, b in links:
        drawn[a].add(b)
        drawn[b].add(a)
    top = max(degree.values(), default=0) or 1
    labelled = set(sorted(simple, key=lambda n: (-degree[n], names[n]))[:LABELLED])
    nodes = []
    for n in sorted(simple, key=lambda n: (degree[n], n)):
        (x, y) = positions[n]
        x, y = 24 + x * (width - 48), 24 + y * (height - 48)
        kind, kind_type = kinds[n]
        nodes.append({
            "iri": n, "label": names[n], "type": types.get(n, ""), "kind": kind, "kind_type": kind_type,
            "url": resource_url(n), "x": x, "y": y, "degree": degree[n], "centre": n == centre,
            "r": round(4 + 8 * (degree[n] / top) ** 0.5 + (3 if n == centre else 0), 1),
            "text": _short(names[n]), "anchor": "end" if x > width * 0.7 else "start",
            "show_label": len(simple) <= ALL_LABELS or n in labelled or n == centre,
            "neighbours": sorted(names[m] for m in drawn[n])})
    return nodes


def _box(node: dict[str, Any]) -> tuple[float, float, float, float]:
    """What a node covers on the canvas (left, top, right, bottom): its circle and its label."""
    x, y, r = node["x"], node["y"], node["r"]
    left, top, right, bottom = x - r, y - r, x + r, y + r
    if node["show_label"]:
        text = CHAR_WIDTH * len(node["text"]) + 4
        if node["anchor"] == "start":
            right = max(right, x + r + 3 + text)
        else:
            left = min(left, x - r - 3 - text)
        top, bottom = min(top, y - LABEL_HEIGHT / 2 - 1), max(bottom, y + LABEL_HEIGHT / 2 + 1)
    return left, top, right, bottom


def _untangle(nodes: list[dict[str, Any]], rounds: int = 300) -> tuple[int, int]:
    """Move nodes apart until no node's circle and label cover another's, then fit the canvas
    to what is drawn (no label cut at its edge); returns its width and height.

    First the layout is spread out when the boxes would fill more than a third of it; then
    each round sweeps the boxes left to right and parts every overlapping pair along the axis
    where they overlap least, so the layout keeps its shape. If some still meet after
    ``rounds``, the less connected node of each such pair loses its label (it keeps its
    tooltip and table row) and the rounds go on with circles. Positions are in the SVG's
    pixels, which the interactive view uses too: a label that fits at one zoom fits at every zoom."""
    _spread(nodes)
    for attempt in range(ATTEMPTS):
        overlapping = _part(nodes, rounds if attempt == 0 else rounds // 3)
        labelled = [nodes[min(i, j)] for i, j in overlapping]  # by degree: the first is the less connected
        labelled = [n for n in labelled if n["show_label"] and not n["centre"]]
        if not labelled:
            break  # none left, or circles alone that still meet: nothing left to give up
        for node in labelled:
            node["show_label"] = False
    boxes = [_box(n) for n in nodes] or [(0.0, 0.0, 0.0, 0.0)]
    left, top = min(b[0] for b in boxes) - PADDING, min(b[1] for b in boxes) - PADDING
    right, bottom = max(b[2] for b in boxes) + PADDING, max(b[3] for b in boxes) + PADDING
    for node in nodes:
        node["x"], node["y"] = round(node["x"] - left, 1), round(node["y"] - top, 1)
    return max(1, round(right - left)), max(1, round(bottom - top))


SPREAD = 3.0  # canvas area per area of the boxes drawn on it


ATTEMPTS = 8  # times the labels still in the way are given up before the picture is left as it is


def _spread(nodes: list[dict[str, Any]]) -> None:
    """Scale the layout up, keeping its shape, until the boxes cover at most 1/SPREAD of it."""
    if len(nodes) < 2:
        return
    boxes = [_box(n) for n in nodes]
    covered = sum((b[2] - b[0]) * (b[3] - b[1]) for b in boxes)
    xs, ys = [n["x"] for n in nodes], [n["y"] for n in nodes]
    wide = max(xs) - min(xs) + sum(b[2] - b[0] for b in boxes) / len(boxes)
    high = max(ys) - min(ys) + sum(b[3] - b[1] for b in boxes) / len(boxes)
    factor = (SPREAD * covered / (wide * high)) ** 0.5
    if factor > 1:
        for node in nodes:
            node["x"], node["y"] = node["x"] * factor, node["y"] * factor


def _part(nodes: list[dict[str, Any]], rounds: int) -> list[tuple[int, int]]:
    """Rounds of parting overlapping boxes; the pairs that still overlap (by index) after them."""
    overlapping: list[tuple[int, int]] = []
    for _ in range(rounds):
        boxes = sorted(((_box(n), i) for i, n in enumerate(nodes)), key=lambda b: (b[0][0], b[1]))
        overlapping = []
        for a, ((left, top, right, bottom), i) in enumerate(boxes):
            for (other_left, other_top, other_right, other_bottom), j in boxes[a + 1:]:
                if other_left >= right + GAP:
                    break
                dx = min(right, other_right) - max(left, other_left) + GAP
                dy = min(bottom, other_bottom) - max(top, other_top) + GAP
                if dx <= 0 or dy <= 0:
                    continue
                overlapping.append((i, j))
                first, second = nodes[i], nodes[j]
                if dy <= dx:
                    step = dy / 2 + 0.5
                    upper, lower = (first, second) if (first["y"], i) <= (second["y"], j) else (second, first)
                    upper["y"] -= step
                    lower["y"] += step
                else:
                    step = dx / 2 + 0.5
                    leftmost, rightmost = (first, second) if (first["x"], i) <= (second["x"], j) else (second, first)
                    leftmost["x"] -= step
                    rightmost["x"] += step
        if not overlapping:
            break
    return overlapping


def _kinds(loaded: CopDataset | None, graph: nx.Graph, simple: nx.Graph) -> dict[str, tuple[str, str]]:
    """Each node's kind in words and the type it comes from: the role the projection gives
    it where that says more (outside expert, topic), else the label the ontology gives the
    type that best names it (schema:Corporation → "company"). Without the data, the type's
    local name in words."""
    found = {}
    for node in simple:
        role = graph.nodes[node].get("role", "")
        roles = set(role.split("; ")) if role else set()
        if roles and roles <= {"outside expert", "attendee", "contributor", "performer"} and "outside expert" in roles:
            found[node] = ROLE_KINDS["outside expert"]
            continue
        if role in ROLE_KINDS:  # a topic; in the rdr projection a company or an indicator
            found[node] = ROLE_KINDS[role]
            continue
        if loaded is None:
            kind_type = graph.nodes[node].get("type", "")
        else:
            base = loaded.config.base
            types = sorted(short(t, base) for t in loaded.dataset.objects(URIRef(node), RDF.type))
            first = [t for t in KIND_FIRST if t in types]
            own = [t for t in types if t.startswith("cop:")]
            kind_type = (first or own or types or [graph.nodes[node].get("type", "")])[0]
        found[node] = (_kind_word(loaded, kind_type), kind_type)
    return found


def _kind_word(loaded: CopDataset | None, kind_type: str) -> str:
    """A type's name for people: the ontology's label for it (loaded with the data), else
    its local name in words."""
    if not kind_type:
        return "no type"
    if loaded is None:
        return term_name(Graph(), URIRef(_iri(kind_type, "")))
    return loaded.memo("network kind", kind_type, build=lambda: term_name(
        loaded.dataset, URIRef(_iri(kind_type, loaded.config.base)), loaded.config.base))


def _iri(curie: str, base: str) -> str:
    """A short form (``org:Membership``, ``<ontology/X>``) back to its IRI."""
    prefix, _, local = curie.partition(":")
    if prefix in PREFIXES and not curie.startswith("<"):
        return str(PREFIXES[prefix]) + local
    inner = curie.strip("<>")
    return inner if ":" in inner else base + inner


def _names(loaded: CopDataset | None, graph: nx.Graph, simple: nx.Graph) -> dict[str, str]:
    """Each node's name as every page gives it: where two resources share a label, what
    tells them apart ("COP Q2 Session 2 — 14 March 2022")."""
    if loaded is None:
        return {n: graph.nodes[n].get("label", n) for n in simple}
    return {n: distinct_name(loaded.dataset, URIRef(n), loaded.config.base) for n in simple}


def _colours(nodes: list[dict[str, Any]]) -> dict[str, str]:
    """One colour per kind, from its type's colour; a kind whose colour another took gets a spare."""
    kinds = sorted({(n["kind"], n["kind_type"]) for n in nodes})
    spare = iter(c for c in SPARE if c not in {COLOURS.get(t) for _, t in kinds})
    colours: dict[str, str] = {}
    for kind, kind_type in kinds:
        colour = COLOURS.get(kind_type)
        colours[kind] = colour if colour and colour not in colours.values() else next(spare, "#444444")
    for node in nodes:
        node["colour"] = colours[node["kind"]]
    return colours


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1].rstrip() + "…"


def _links(graph: nx.Graph, simple: nx.Graph) -> dict[tuple[str, str], dict[str, Any]]:
    """The linked pairs among the drawn nodes, each with its weight and every relation or
    property between the two; at most ``LINK_LIMIT``, the heaviest first."""
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for a, b, data in graph.subgraph(simple.nodes).edges(data=True):
        key = (a, b) if a <= b else (b, a)
        pair = pairs.setdefault(key, {"weight": 0, "relations": set()})
        pair["weight"] = max(pair["weight"], data.get("weight", 1))
        pair["relations"].add(data.get("relation") or data.get("property") or "")
    kept = sorted(pairs, key=lambda k: (-pairs[k]["weight"], k))[:LINK_LIMIT]
    return {k: pairs[k] for k in sorted(kept)}


def _edges(links: dict[tuple[str, str], dict[str, Any]], nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per linked pair drawn, where the nodes ended up."""
    where = {n["iri"]: n for n in nodes}
    return [{"source": a, "target": b, "weight": p["weight"], "relation": "; ".join(sorted(p["relations"] - {""})),
             "x1": where[a]["x"], "y1": where[a]["y"], "x2": where[b]["x"], "y2": where[b]["y"],
             "stroke": round(0.6 + 0.5 * min(p["weight"], 4), 1)} for (a, b), p in links.items()]


def projection_drawing(loaded: CopDataset, projection: str, year: str | None = None) -> Drawing:
    """A projection's drawing, or its statement where a picture would mislead."""
    title = f"Network: {TITLES.get(projection, projection)}" + (f" in {year}" if year else "")
    return prepared(loaded, "projection drawing", projection, year,
                    build=lambda: _projection(loaded, projection, year, title))


def _projection(loaded: CopDataset, projection: str, year: str | None, title: str) -> Drawing:
    context = {"projection": projection, "year": year}
    try:
        graph = network.projection(loaded, projection, year, labelled=False)
    except network.EmptyProjection:
        nothing = network.summary(nx.Graph(), communities=False)
        return _said(title, nothing, _empty(loaded, projection, year), [], False, context)
    if network.complete_by_construction(graph):
        listing = _listing(loaded, graph, year)
        return _said(title, network.summary(graph, communities=False), _complete(loaded, graph, projection, year,
                                                                                 listing), listing, True, context)
    return drawing_of(graph, title, loaded, limit=LIMIT, **context)


def _said(title: str, summary: dict[str, Any], statement: str, listing: list[dict[str, Any]], complete: bool,
          context: dict[str, Any]) -> Drawing:
    return Drawing(title=title, summary=summary, nodes=[], edges=[], legend=[], width=0, height=0,
                   statement=statement, complete=complete, listing=listing, **context)


def _listing(loaded: CopDataset, graph: nx.Graph, year: str | None) -> list[dict[str, Any]]:
    """The nodes of a projection said in words: name, kind, and for organisations the years
    they took part in and as what."""
    kinds, names = _kinds(loaded, graph, graph), _names(loaded, graph, graph)
    took_part: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in network.participants(loaded, year):
        took_part[row["organisation"]][row["year"]].add(row.get("role", "member"))
    rows = []
    for node in graph:
        years = took_part.get(node, {})
        rows.append({"iri": node, "label": names[node], "kind": kinds[node][0], "url": resource_url(node),
                     "took_part": "; ".join(f"{y} ({', '.join(sorted(years[y]))})" for y in sorted(years))})
    return sorted(rows, key=lambda r: (r["label"].casefold(), r["iri"]))


def _complete(loaded: CopDataset, graph: nx.Graph, projection: str, year: str | None,
              listing: list[dict[str, Any]]) -> str:
    """The sentence that replaces a picture in which everyone is linked to everyone."""
    count, links = graph.number_of_nodes(), graph.number_of_edges()
    if projection != "orgs":
        bipartite = any("bipartite" in d for _, d in graph.nodes(data=True))
        return (f"All {count} nodes are linked to {'every node of the other kind' if bipartite else 'one another'} "
                f"({links} links): the links follow from how this projection is built, not from who met whom, so "
                "they say no more than the list below.")
    roles = Counter()
    years: Counter[str] = Counter()
    for row in listing:
        took = row["took_part"]
        roles["member" if "member" in took else "outside expert"] += 1
        years[_and([part.split(" (")[0] for part in took.split("; ")])] += 1
    who = _counted([(roles["member"], "member", "members"), (roles["outside expert"], "outside expert",
                                                              "outside experts")])
    if year is not None:
        series = sorted({_series_label(loaded, r["series"]) for r in network.participants(loaded, year)})
        return (f"All {count} organisations of {year} share the same year, and nothing more is recorded about them "
                f"together: the {who} of {' and '.join(series)} all took part in the year, and the sources list the "
                "year's sessions, not who attended each. So every organisation would be linked to every other "
                f"({links} links, density 1), which says no more than the list below.")
    shared = "; ".join(f"{n} in {y}{' only' if ' and ' not in y else ''}" for y, n in
                       sorted(years.items(), key=lambda item: (-item[1], item[0])))
    return (f"All {count} organisations share a year of the COP ({shared}): the {who} took part in the years, and "
            "the sources list each year's sessions, not who attended each. So every organisation would be linked to "
            f"every other ({links} links, density 1; the weight counts the years two share), which says no more "
            "than the list below.")


def _empty(loaded: CopDataset, projection: str, year: str | None) -> str:
    """The sentence for a projection with nothing in it, saying why."""
    when = f" in {year}" if year else ""
    if projection != "org-topic":
        return f"Nothing to draw: the {TITLES.get(projection, projection)} projection has no links{when}."
    took_part = network.participants(loaded, year)
    roles: dict[str, set[str]] = defaultdict(set)
    for row in took_part:
        roles[row["organisation"]].add(row.get("role", "member"))
    members = sum(1 for r in roles.values() if "member" in r)
    who = _counted([(members, "member", "members"), (len(roles) - members, "outside expert", "outside experts")])
    themes = network.sessions(loaded, year)
    sessions = _counted([(len({r["session"] for r in themes}), "session", "sessions")])
    topics = _counted([(len({r["topic"] for r in themes}), "topic", "topics")])
    period = f"the year {year}" if year else "each year"
    return (f"No organisation is linked to a topic{when}: the data ties no organisation to a particular session. "
            f"It records who took part in {period} ({who or 'nobody'}) and the {sessions or 'no sessions'} on "
            f"{topics or 'no topics'}, but not who attended which session; outside experts too are tied to the year, "
            "not to a session. The whole COP shows both sides: the organisations with their years, and the years "
            "with their sessions and topics.")


def _counted(parts: list[tuple[int, str, str]]) -> str:
    return _and([f"{n} {one if n == 1 else many}" for n, one, many in parts if n])


def _and(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def _series_label(loaded: CopDataset, iri: str) -> str:
    return distinct_name(loaded.dataset, URIRef(iri), loaded.config.base)


def neighbourhood(loaded: CopDataset, iri: str, radius: int = 1) -> Drawing:
    """A resource's neighbourhood; raises :class:`UnknownResource` for an IRI the graph does not hold."""
    def build() -> Drawing:
        graph = network.neighbourhood(loaded, iri, radius)
        label = distinct_name(loaded.dataset, URIRef(iri), loaded.config.base) if iri in graph else iri
        left_out = graph.graph["left_out"]
        return drawing_of(graph, f"Network: neighbourhood of {label}", loaded, resource=iri, radius=radius,
                          left_out=left_out, left_out_kinds={_kind_word(loaded, k): n for k, n in left_out.items()},
                          truncated=graph.graph["truncated"])

    return prepared(loaded, "neighbourhood drawing", iri, radius, build=build, keep=NEIGHBOURHOODS_KEPT)


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
    return prepared(loaded, "network years", build=lambda: network.years(loaded))
