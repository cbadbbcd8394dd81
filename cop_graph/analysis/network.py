"""The COP as a network: RDF to networkx graphs, projections, measures and exports.

Projections are built from named queries (``queries/network-*.rq``) with networkx's own
bipartite projection; measures are networkx's algorithms. The CLI, the explorer and the
benchmarks all call these functions.

- ``orgs``: organisations linked when they took part in the same year of the COP (as
  members or outside experts); weight = number of such years.
- ``topics``: topics linked when one session's theme covers both; weight = sessions.
- ``org-topic``: organisations and topics (bipartite), linked when the data ties the
  organisation to a session (attendee, contributor, performer) whose theme is the topic;
  weight = sessions. Taking part in a year ties an organisation to no session: the review
  lists a year's sessions, not who attended each, so the bundled data has no such link.
- ``people``: people and the organisations they held a post or membership in.
- ``full``: every resource and every link between resources (literals left out).
- ``cop``: the whole COP at a glance: organisations linked to the yearly series they took part
  in (as members or outside experts), sessions to their series and their topics, and the
  groups that attended a session. Organisations meet a session only where the data ties
  them to it; the bundled sources never say which company attended which session.
- ``rdr``: Ranking Digital Rights' 2022 Big Tech Scorecard (MIT licence): the companies it scores
  and its governance indicators on the COP's topics (G4 human rights due diligence, G5
  stakeholder engagement and accountability, G6 remedy and appeals), bipartite; weight = the
  company's score (0-100) on the indicator. A score of 0 is no link, nor is an indicator RDR
  marks not applicable (no observation). Companies carry ``member`` (a COP member or not).
  The year is RDR's index year, 2020 or 2022 (default 2022), not a year of the COP.

A projection can be complete by construction (:func:`complete_by_construction`): everyone
linked to everyone through a shared year. Its links then say no more than the list of its
nodes, and the explorer says so in words. :func:`neighbourhood` gives the resources around
any one resource, for its page; :func:`drawn_part` the part of a large network worth drawing.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from weakref import WeakKeyDictionary

import networkx as nx
from networkx.algorithms import bipartite
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCTERMS, ORG
from rdflib.term import Node

from cop_graph.errors import NetworkError, UnknownResource
from cop_graph.files import write_atomically
from cop_graph.rdf.labels import LABEL_PROPERTIES, choose_label, primary_type, short
from cop_graph.rdf.namespaces import COP
from cop_graph.sparql.evaluate import run_named
from cop_graph.sparql.library import NamedQuery, named
from cop_graph.store.dataset import CopDataset

PROJECTIONS = ("orgs", "topics", "org-topic", "people", "full", "cop", "rdr")
MEASURES = ("degree", "weighted_degree", "betweenness", "closeness", "pagerank", "component", "community")
EXPORT_FORMATS = ("graphml", "gexf", "json")
DEFAULT_MEASURES = ("degree", "weighted_degree", "betweenness", "pagerank", "community")
# Every resource is a node of the full graph (passages and intervals most of them): there,
# betweenness and communities take minutes at 10^6 triples and say little, so by default it
# gets the measures that take linear time. Either can still be asked for by name.
FULL_DEFAULT_MEASURES = ("degree", "pagerank", "component")
RDR_YEARS = ("2020", "2022")  # the index years of RDR's 2022 Big Tech Scorecard, which the rdr projection's year names
RDR_DEFAULT_YEAR = "2022"
BETWEENNESS_BUDGET = 5_000_000  # sources x (nodes + edges) above which betweenness is estimated from a sample


# Neighbourhoods: provenance is on every resource and would swamp its picture; an n-ary
# relation (a membership) means little without its other ends.
PROVENANCE = (COP.Passage, DCTERMS.BibliographicResource)
RELATIONS = (ORG.Membership,)
NEIGHBOURHOOD_LIMIT = 150

# Why a projection can be empty where the data is not: said with the error.
EMPTY_BECAUSE = {
    "org-topic": ": the data ties no organisation to a particular session (taking part in a year ties it to "
                 "none), so no organisation is linked to a topic",
}


class EmptyProjection(NetworkError):
    """A projection without nodes for data that has some: for a year, or because the data
    lacks what it is built from (``EMPTY_BECAUSE``)."""

    def __init__(self, message: str, projection: str, year: str | None) -> None:
        super().__init__(message)
        self.projection, self.year = projection, year


@dataclass(frozen=True)
class Rows:
    """The rows of one named query as dictionaries of strings (unbound values left out)."""

    rows: list[dict[str, str]]

    @classmethod
    def of(cls, loaded: CopDataset, name: str) -> Rows:
        """Run once per loaded dataset: the years, a year's projection and the organisation-topic
        projection all read the same rows, which take seconds to compute at 10^6 triples."""
        def build() -> Rows:
            rows = [{k: str(v) for k, v in row.items()} for row in _answer(loaded, name)]
            rows.sort(key=lambda row: sorted(row.items()))  # the order nodes are added in: seeded measures need one
            return cls(rows)

        return loaded.memo("network rows", name, build=build)


def _answer(loaded: CopDataset, name: str) -> Iterator[dict[str, Node]]:
    """A named query's rows as RDF terms by variable name."""
    query = named(loaded, name)
    # The bindings themselves: a result row object per row costs more than the row's terms.
    return ({str(k): v for k, v in row.items()} for row in run_named(loaded, query, {}).bindings)


def _triples(loaded: CopDataset, name: str) -> Iterator[tuple[Node, Node, Node]]:
    """The rows of a named query that selects three variables, as tuples in its SELECT order
    (hundreds of thousands of rows for the full graph: no dictionary per row)."""
    result = run_named(loaded, named(loaded, name), {})
    first, second, third = result.vars
    return ((row.get(first), row.get(second), row.get(third)) for row in result.bindings)


def years(loaded: CopDataset) -> list[str]:
    """The years for which the graph records participation or sessions."""
    found = {r["year"] for r in Rows.of(loaded, "network-organisations").rows}
    found |= {r["year"] for r in Rows.of(loaded, "network-session-topics").rows}
    return sorted(found)


def _node_attributes(graph: Graph, node: Node, base: str) -> dict[str, str]:
    return _attributes(str(node), graph.objects(node, RDF.type),
                       ((p, v) for p in LABEL_PROPERTIES for v in graph.objects(node, p)), base)


def _attributes(node: str, types: Iterable[Node], labels: Iterable[tuple[Node, Node]], base: str) -> dict[str, str]:
    """A node's label, type (this ontology's own class first) and IRI, as every export carries them."""
    return {"label": choose_label(labels) or short(URIRef(node), base), "type": _primary_type(tuple(types), base),
            "iri": node}


_primary_type = lru_cache(maxsize=4096)(primary_type)  # few kinds of node, on many nodes
_short = lru_cache(maxsize=4096)(short)  # classes and properties: few, named on many nodes and edges


def describe(loaded: CopDataset, nodes: Iterable[str]) -> dict[str, dict[str, str]]:
    """Label, type and IRI of the given nodes, as every projection's nodes carry them."""
    union, base = loaded.dataset, loaded.config.base
    return {node: _node_attributes(union, URIRef(node), base) for node in nodes}


def _label_nodes(network: nx.Graph, loaded: CopDataset) -> nx.Graph:
    union = loaded.dataset
    for node in network.nodes:
        network.nodes[node].update(_node_attributes(union, URIRef(node), loaded.config.base))
    return network


def _bipartite(edges: Iterable[tuple[str, str]]) -> nx.Graph:
    graph = nx.Graph()
    for left, right in edges:
        graph.add_node(left, bipartite=0)
        graph.add_node(right, bipartite=1)
        graph.add_edge(left, right)
    return graph


def _project(edges: list[tuple[str, str]]) -> nx.Graph:
    if not edges:  # networkx refuses to project an empty graph; a year without sessions has no topic links
        return nx.Graph()
    graph = _bipartite(edges)
    left = {a for a, _ in edges}
    return bipartite.weighted_projected_graph(graph, left)


def project_orgs(rows: list[dict[str, str]]) -> nx.Graph:
    network = _project([(r["organisation"], f'{r["series"]}') for r in rows])
    _roles(network, rows, "role")
    return network


def project_topics(rows: list[dict[str, str]]) -> nx.Graph:
    network = _project([(r["topic"], r["session"]) for r in rows])
    nx.set_node_attributes(network, "topic", "role")
    return network


def project_org_topic(at_sessions: list[dict[str, str]], sessions: list[dict[str, str]]) -> nx.Graph:
    """Organisations and topics, linked through the sessions the data ties each organisation
    to (``at_sessions``: organisation, session, relation); weight = such sessions. Taking part
    in a year is no tie to its sessions, so it links an organisation to no topic."""
    topics_of: dict[str, set[str]] = defaultdict(set)
    for row in sessions:
        topics_of[row["session"]].add(row["topic"])
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)  # (organisation, topic) -> sessions
    relations: dict[tuple[str, str], set[str]] = defaultdict(set)
    roles: dict[str, set[str]] = defaultdict(set)
    for row in at_sessions:
        for topic in topics_of.get(row["session"], ()):
            seen[(row["organisation"], topic)].add(row["session"])
            relations[(row["organisation"], topic)].add(row.get("relation", ""))
            roles[row["organisation"]].add(row.get("relation", ""))
    network = nx.Graph()
    network.add_nodes_from(sorted({o for o, _ in seen}), bipartite=0)
    network.add_nodes_from(sorted({t for _, t in seen}), bipartite=1)
    for pair, at in sorted(seen.items()):
        network.add_edge(*pair, weight=len(at), relation="; ".join(sorted(relations[pair] - {""})))
    for organisation, found in roles.items():
        network.nodes[organisation]["role"] = "; ".join(sorted(found - {""}))
    for topic in {t for _, t in seen}:
        network.nodes[topic]["role"] = "topic"
    return network


def project_people(rows: list[dict[str, str]]) -> nx.Graph:
    network = nx.Graph()
    for row in rows:
        network.add_node(row["person"], bipartite=0)
        network.add_node(row["organisation"], bipartite=1)
        network.add_edge(row["person"], row["organisation"], weight=1, role=row.get("role", ""))
    return network


def project_rdr(rows: list[dict[str, str]]) -> nx.Graph:
    """RDR's companies and indicators (bipartite), from the rows of one index year (company,
    indicator, score, member): each company linked to each indicator it scores above 0 on,
    weight = the score. Companies carry ``member`` (True for a COP member) and a ``role``
    ("COP member" or "other company"), indicators the role "indicator"."""
    network = nx.Graph()
    for row in rows:
        score = float(row["score"])
        if score <= 0:
            continue
        member = row.get("member") == "true"
        network.add_node(row["company"], bipartite=0, member=member, role="COP member" if member else "other company")
        network.add_node(row["indicator"], bipartite=1, role="indicator")
        network.add_edge(row["company"], row["indicator"], weight=score, relation=f"score {score:g}")
    return network


def project_cop(orgs: list[dict[str, str]], sessions: list[dict[str, str]],
                attendees: Iterable[tuple[str, str]] = (), at_sessions: Iterable[dict[str, str]] = ()) -> nx.Graph:
    """Organisations, series, sessions, topics and attending groups; each edge says which
    relation it stands for (``member``, ``outside expert``, ``part of``, ``theme``,
    ``attended by``, and for an organisation the data ties to a session, that tie).
    Organisations link to series, and to a session only where a statement puts them there."""
    network = nx.Graph()

    def link(a: str, b: str, relation: str) -> None:
        if network.has_edge(a, b):
            relation = "; ".join(sorted(set(network[a][b]["relation"].split("; ")) | {relation}))
        network.add_edge(a, b, relation=relation, weight=1)

    for row in orgs:
        link(row["organisation"], row["series"], row.get("role", "member"))
    for row in sessions:
        if row.get("series"):
            link(row["session"], row["series"], "part of")
        link(row["session"], row["topic"], "theme")
    for session, group in attendees:
        link(session, group, "attended by")
    for row in at_sessions:
        if row["session"] in network:
            link(row["organisation"], row["session"], row.get("relation", "attendee"))
    _roles(network, orgs, "role")
    _roles(network, at_sessions, "relation")
    for row in sessions:
        network.nodes[row["topic"]]["role"] = "topic"
    return network


def _roles(network: nx.Graph, rows: Iterable[dict[str, str]], column: str) -> None:
    """Each organisation's roles in the rows (``member``, ``outside expert``, ``attendee`` …)
    as its ``role``: what it took part as, which its type does not say."""
    for row in rows:
        node = row["organisation"]
        if node in network and row.get(column):
            found = set(filter(None, network.nodes[node].get("role", "").split("; "))) | {row[column]}
            network.nodes[node]["role"] = "; ".join(sorted(found))


def _attendees(loaded: CopDataset, sessions: list[dict[str, str]],
               organisations: list[dict[str, str]]) -> list[tuple[str, str]]:
    """The groups recorded as attending the given sessions (``schema:attendee``); an
    organisation attending is among ``organisations``, the ties of organisations to sessions."""
    wanted = {r["session"] for r in sessions}
    tied = {(r["session"], r["organisation"]) for r in organisations}
    return sorted((r["session"], r["attendee"]) for r in Rows.of(loaded, "network-attendees").rows
                  if r["session"] in wanted and (r["session"], r["attendee"]) not in tied)


def from_rdf(graph: Graph, base: str = "") -> nx.MultiDiGraph:
    """Any RDF graph (the dataset, a CONSTRUCT result) as a typed multigraph: resources as
    nodes with label, type and IRI; each link between resources as an edge with its property."""
    links = ((s, p, o) for s, p, o in graph if p != RDF.type and isinstance(s, URIRef) and isinstance(o, URIRef))
    descriptions = (t for p in (RDF.type, *LABEL_PROPERTIES) for t in graph.triples((None, p, None)))
    return _typed(links, descriptions, base)


def from_query(loaded: CopDataset, query: NamedQuery, values: dict[str, str]) -> nx.MultiDiGraph:
    """A CONSTRUCT or DESCRIBE query's graph as :func:`from_rdf` makes it, each node named and
    typed from the result and the loaded graph together (a CONSTRUCT seldom copies labels)."""
    if query.form not in ("CONSTRUCT", "DESCRIBE"):
        raise NetworkError(f"query {query.name!r} is a {query.form} query; a network is built from the graph "
                           "of a CONSTRUCT or DESCRIBE query")
    result = run_named(loaded, query, values).graph
    base = loaded.config.base
    network, both = from_rdf(result, base), (result, loaded.dataset)
    for node, attributes in network.nodes(data=True):
        attributes.update(_attributes(node, (t for g in both for t in g.objects(URIRef(node), RDF.type)),
                                      ((p, v) for g in both for p in LABEL_PROPERTIES
                                       for v in g.objects(URIRef(node), p)), base))
    if network.number_of_nodes() == 0:
        raise NetworkError(f"query {query.name!r} gave no links between resources, so no network")
    network.graph["query"] = query.name
    return network


def _full(loaded: CopDataset) -> nx.MultiDiGraph:
    """The whole loaded graph as :func:`from_rdf` makes it, from two named queries the store
    answers in one pass each (copying 10^6 statements into rdflib first takes half a minute)."""
    links = ((s, p, o) for s, p, o in _triples(loaded, "network-links")
             if isinstance(s, URIRef) and isinstance(o, URIRef))
    descriptions = _triples(loaded, "network-descriptions")
    return _typed(links, descriptions, loaded.config.base)


def _typed(links: Iterable[tuple[Node, Node, Node]], descriptions: Iterable[tuple[Node, Node, Node]],
           base: str) -> nx.MultiDiGraph:
    """Links as edges keyed by property; then each node's label and type from ``descriptions``
    (``rdf:type`` and label statements), read in one pass rather than looked up node by node."""
    network = nx.MultiDiGraph()
    network.add_edges_from((str(s), str(o), str(p), {"property": _short(p, base), "iri": str(p)}) for s, p, o in links)
    types: dict[str, list[Node]] = defaultdict(list)
    labels: dict[str, list[tuple[Node, Node]]] = defaultdict(list)
    nodes = network.nodes
    for s, p, o in descriptions:
        node = str(s)
        if node in nodes:
            if p == RDF.type:
                types[node].append(o)
            else:
                labels[node].append((p, o))
    for node, attributes in network.nodes(data=True):
        attributes.update(_attributes(node, types.get(node, ()), labels.get(node, ()), base))
    return network


def _in_year(row: dict[str, str], year: str | None) -> bool:
    if year is None:
        return True
    if "year" in row:
        return row["year"] == year
    return row.get("begin", "0000") <= year <= row.get("end", "9999")


def projection(loaded: CopDataset, name: str, year: str | None = None, labelled: bool = True) -> nx.Graph:
    """One projection of the loaded graph, for one year or all of them. ``labelled=False``
    leaves out the nodes' labels and types (a lookup per node: 20 s for the 19,000 nodes of
    ``cop`` at 10^6 triples), for a caller that names only the few it shows (:func:`describe`)."""
    if name not in PROJECTIONS:
        raise NetworkError(f"unknown projection {name!r}; choose one of: {', '.join(PROJECTIONS)}")
    if name == "rdr" and year is not None and year not in RDR_YEARS:
        raise NetworkError(f"no RDR scores for year {year}; the rdr projection's year is RDR's index year: "
                           f"{', '.join(RDR_YEARS)}")
    if year is not None and name not in ("people", "rdr") and year not in years(loaded):
        raise NetworkError(f"no data for year {year}; years with data: {', '.join(years(loaded)) or 'none'}")
    if name == "full":
        network = _full(loaded)
        if year is not None:
            network = _full_in_year(network, loaded, year)
    else:
        def pick(query: str) -> list[dict[str, str]]:
            return [r for r in Rows.of(loaded, query).rows if _in_year(r, year)]

        network = {
            "orgs": lambda: project_orgs(pick("network-organisations")),
            "topics": lambda: project_topics(pick("network-session-topics")),
            "org-topic": lambda: project_org_topic(pick("network-organisation-sessions"),
                                                   pick("network-session-topics")),
            "people": lambda: project_people(pick("network-people")),
            "cop": lambda: project_cop(pick("network-organisations"), pick("network-session-topics"),
                                       _attendees(loaded, pick("network-session-topics"),
                                                  pick("network-organisation-sessions")),
                                       pick("network-organisation-sessions")),
            "rdr": lambda: project_rdr([r for r in Rows.of(loaded, "network-rdr-scores").rows
                                        if r["year"] == (year or RDR_DEFAULT_YEAR)]),
        }[name]()
        if labelled:
            _label_nodes(network, loaded)
    if network.number_of_nodes() == 0:
        raise EmptyProjection(f"the {name} projection is empty" + (f" for {year}" if year else "")
                              + EMPTY_BECAUSE.get(name, ""), name, year)
    network.graph.update({"projection": name} if year is None else {"projection": name, "year": year})
    if name == "rdr":
        network.graph["index_year"] = year or RDR_DEFAULT_YEAR
    return network


def neighbourhood(loaded: CopDataset, iri: str, radius: int = 1, limit: int = NEIGHBOURHOOD_LIMIT) -> nx.MultiDiGraph:
    """The resource, the resources it links to and those that link to it, up to ``radius``
    links away, with every link among them (its property on the edge, as in :func:`from_rdf`).

    What is left out, and why: literals and types (they are on the resource's page, not
    links); passages and documents unless the centre is one (every resource cites some,
    so they would swamp the picture; their count is in ``graph["left_out"]``). A membership
    costs no step: its member, organisation, role and interval are drawn with it, since a
    membership alone says nothing. Intervals stay: they carry the years. At most ``limit``
    nodes (``graph["truncated"]`` says when more were in reach). The centre is ``graph["centre"]``.
    Raises :class:`UnknownResource` when the IRI is in no statement.
    """
    graph, centre = loaded.dataset, URIRef(iri)
    if (centre, None, None) not in graph and (None, None, centre) not in graph:
        raise UnknownResource(f"no resource {iri} in the graph")
    drop = set() if any((centre, RDF.type, kind) in graph for kind in PROVENANCE) else set(PROVENANCE)
    left_out: Counter[str] = Counter()
    distance: dict[URIRef, int] = {centre: 0}  # -1: seen but left out
    queue, drawn, truncated = deque([centre]), 1, False
    while queue:  # breadth-first, where a step out of a membership is free (0-1 BFS)
        node = queue.popleft()
        free = node != centre and any((node, RDF.type, kind) in graph for kind in RELATIONS)
        step = distance[node] + (0 if free else 1)
        push = queue.appendleft if free else queue.append
        for other in _linked(graph, node) if step <= radius else ():
            if other in distance:
                if 0 <= step < distance[other]:
                    distance[other] = step
                    push(other)
                continue
            dropped = sorted(set(graph.objects(other, RDF.type)) & drop)
            if dropped:
                left_out[short(dropped[0], loaded.config.base)] += 1
                distance[other] = -1
            elif drawn >= limit:
                truncated = True
            else:
                distance[other], drawn = step, drawn + 1
                push(other)
    return _induced(loaded, [n for n, d in distance.items() if d >= 0], iri, dict(left_out), truncated)


def _linked(graph: Graph, node: URIRef) -> Iterator[URIRef]:
    """The resources a node links to or is linked from, types left out, in a stable order."""
    out = {o for p, o in graph.predicate_objects(node) if p != RDF.type and isinstance(o, URIRef)}
    into = {s for s, p in graph.subject_predicates(node) if p != RDF.type and isinstance(s, URIRef)}
    yield from sorted(out | into)


def _induced(loaded: CopDataset, nodes: list[URIRef], centre: str, left_out: dict[str, int],
             truncated: bool) -> nx.MultiDiGraph:
    graph, base = loaded.dataset, loaded.config.base
    network = nx.MultiDiGraph(centre=centre, left_out=left_out, truncated=truncated)
    inside = set(nodes)
    for node in nodes:
        network.add_node(str(node), **_node_attributes(graph, node, base))
        for p, o in graph.predicate_objects(node):
            if o in inside and p != RDF.type:
                network.add_edge(str(node), str(o), key=str(p), property=_short(p, base), iri=str(p))
    return network


def _full_in_year(network: nx.MultiDiGraph, loaded: CopDataset, year: str) -> nx.MultiDiGraph:
    """Leave out the dated resources (sessions, series, developments, memberships) that do
    not cover the year; undated resources stay."""
    elsewhere = {r["resource"] for r in Rows.of(loaded, "network-dated").rows if not _in_year(r, year)}
    network.remove_nodes_from([n for n in network if n in elsewhere])
    return network


def participants(loaded: CopDataset, year: str | None = None) -> list[dict[str, str]]:
    """Who took part in which year of the COP and as what (organisation, series, year, role):
    the rows the organisation projection is built from, for saying in words what it shows."""
    return [r for r in Rows.of(loaded, "network-organisations").rows if _in_year(r, year)]


def sessions(loaded: CopDataset, year: str | None = None) -> list[dict[str, str]]:
    """The sessions' themes (session, topic, series, year) of one year or all."""
    return [r for r in Rows.of(loaded, "network-session-topics").rows if _in_year(r, year)]


def complete_by_construction(network: nx.Graph) -> bool:
    """Whether the links say nothing the list of nodes does not: every node linked to every
    other (density 1), or, in a bipartite projection, every node of a side linked to the same
    nodes of the other (each side of two or more). An organisation projection for one year is
    complete this way because everyone who took part shares the year, not because they met."""
    simple = _simple(network)
    if len(simple) < 3 or simple.number_of_edges() == 0:
        return False
    if nx.density(simple) == 1:
        return True
    sides: dict[object, list[str]] = defaultdict(list)
    for node, side in simple.nodes(data="bipartite"):
        sides[side].append(node)
    if None in sides or len(sides) != 2:
        return False
    return all(len(members) >= 2 and len({frozenset(simple[m]) for m in members}) == 1 for members in sides.values())


def drawn_part(network: nx.Graph, limit: int) -> list[str]:
    """At most ``limit`` nodes worth drawing of a network too large to draw whole: grown from
    the best-connected node, always adding the best-connected node next to those taken, so
    the part stays connected and keeps the hubs and what joins them (the best-connected
    nodes alone are often not linked to each other: topics, series). Each further component,
    largest first, starts its own growth while room is left. Ties go by IRI: same data, same part."""
    simple = _simple(network)
    if len(simple) <= limit:
        return sorted(simple)
    degree = dict(simple.degree())
    taken: list[str] = []
    for component in sorted(nx.connected_components(simple), key=lambda c: (-len(c), min(c))):
        if len(taken) >= limit:
            break
        start = min(component, key=lambda n: (-degree[n], n))
        frontier = [(-degree[start], start)]
        queued = {start}
        while frontier and len(taken) < limit:
            _, node = heapq.heappop(frontier)
            taken.append(node)
            for other in simple[node]:
                if other not in queued:
                    queued.add(other)
                    heapq.heappush(frontier, (-degree[other], other))
    return taken


def default_measures(projection: str) -> tuple[str, ...]:
    return FULL_DEFAULT_MEASURES if projection == "full" else DEFAULT_MEASURES


def measure(network: nx.Graph, names: Iterable[str]) -> dict[str, dict[str, float | int]]:
    """Per-node measures from networkx's algorithms (deterministic: seeded communities)."""
    names = list(names)
    unknown = [n for n in names if n not in MEASURES]
    if unknown:
        raise NetworkError(f"unknown measure {unknown[0]!r}; choose from: {', '.join(MEASURES)}")
    simple = _simple(network)
    values: dict[str, dict[str, float | int]] = {n: {} for n in simple}
    algorithms: dict[str, Callable[[], dict]] = {
        "degree": lambda: dict(simple.degree()),
        "weighted_degree": lambda: dict(simple.degree(weight="weight")),
        "betweenness": lambda: nx.betweenness_centrality(simple, k=_sources(simple), seed=0),
        "closeness": lambda: nx.closeness_centrality(simple),
        "pagerank": lambda: pagerank(simple),
        "component": lambda: _numbered(nx.connected_components(simple)),
        "community": lambda: _numbered(nx.community.louvain_communities(simple, weight="weight", seed=0)),
    }
    for name in names:
        for node, value in algorithms[name]().items():
            values[node][name] = round(value, 6) if isinstance(value, float) else value
    return values


def pagerank(graph: nx.Graph, damping: float = 0.85, tolerance: float = 1e-6, rounds: int = 100) -> dict[str, float]:
    """PageRank by power iteration over the weighted links, as networkx defines it (a node
    without links shares its rank with all), in plain Python: networkx's own version needs
    SciPy, some hundred megabytes for one measure on graphs of thousands of nodes."""
    count = len(graph)
    if count == 0:
        return {}
    out_weight = {n: sum(d.get("weight", 1) for _, _, d in graph.edges(n, data=True)) for n in graph}
    links = {n: [(m, d.get("weight", 1) / out_weight[n]) for _, m, d in graph.edges(n, data=True)] for n in graph}
    rank = dict.fromkeys(graph, 1.0 / count)
    for _ in range(rounds):
        shared = damping * sum(rank[n] for n in graph if out_weight[n] == 0) / count + (1 - damping) / count
        new = dict.fromkeys(graph, shared)
        for node, targets in links.items():
            for target, share in targets:
                new[target] += damping * rank[node] * share
        done = sum(abs(new[n] - rank[n]) for n in graph) < count * tolerance
        rank = new
        if done:
            return rank
    raise NetworkError(f"PageRank did not settle within {rounds} rounds")


def _sources(graph: nx.Graph) -> int | None:
    """All sources (exact betweenness) while affordable; else a seeded sample of them."""
    per_source = len(graph) + graph.number_of_edges()  # one breadth-first search
    if len(graph) * per_source <= BETWEENNESS_BUDGET:
        return None
    return min(len(graph), max(10, BETWEENNESS_BUDGET // per_source))


def _numbered(groups: Iterable[set]) -> dict[str, int]:
    ordered = sorted((sorted(g) for g in groups), key=lambda g: (-len(g), g))
    return {node: index for index, group in enumerate(ordered) for node in group}


def _simple(network: nx.Graph) -> nx.Graph:
    """The network as a simple undirected graph, which the measures are defined on; a projection
    already is one and is used as it is (a copy of 10^5 edges costs seconds). The copy of a
    multigraph is made once and kept with it, for the measures and then the summary."""
    if not network.is_directed() and not network.is_multigraph():
        return network
    if network not in _SIMPLE:
        simple = _SIMPLE[network] = nx.Graph()  # edges alone: their attributes cost more to copy than to measure
        simple.add_nodes_from(network)
        simple.add_weighted_edges_from(network.edges(data="weight", default=1))
    return _SIMPLE[network]


_SIMPLE: WeakKeyDictionary[nx.Graph, nx.Graph] = WeakKeyDictionary()


def simple_graph(network: nx.Graph) -> nx.Graph:
    """The network as the simple undirected graph its measures and pictures read (shared: do not change it)."""
    return _simple(network)


def summary(network: nx.Graph, values: dict[str, dict[str, float | int]] | None = None,
            communities: bool = True) -> dict[str, float | int]:
    """Size, density, components and communities. Communities are taken from ``values`` when
    :func:`measure` has already found them (Louvain is the costliest step at scale); the typed
    graphs (the full graph, a CONSTRUCT's) have them only then, as they have betweenness and
    communities only when asked for. ``communities=False`` leaves them out (the explorer's
    pictures: seconds at 10^6 triples for a number no picture shows)."""
    simple = _simple(network)
    found = {
        "nodes": simple.number_of_nodes(),
        "edges": simple.number_of_edges(),
        "density": round(nx.density(simple), 6),
        "components": nx.number_connected_components(simple),
    }
    measured = [v.get("community") for v in (values or {}).values()]
    if measured and None not in measured:
        found["communities"] = len(set(measured))
    elif communities and not network.is_multigraph():
        found["communities"] = len(nx.community.louvain_communities(simple, weight="weight", seed=0))
    return found


def export(network: nx.Graph, fmt: str, target: Path) -> int:
    """Write a network for Gephi, Cytoscape or pandas, atomically; labels, types and IRIs
    travel as node attributes."""
    if fmt not in EXPORT_FORMATS:
        raise NetworkError(f"unknown export format {fmt!r}; choose one of: {', '.join(EXPORT_FORMATS)}")
    writers: dict[str, Callable[[Path], None]] = {
        "graphml": lambda path: nx.write_graphml(network, path),
        "gexf": lambda path: nx.write_gexf(network, path),
        "json": lambda path: path.write_text(json.dumps(nx.node_link_data(network, edges="edges"), indent=1,
                                                        ensure_ascii=False), encoding="utf-8"),
    }
    return write_atomically(target, writers[fmt], lambda path: read(path, fmt))


def read(path: Path, fmt: str) -> nx.Graph:
    """Read an export back (used to check every export before it replaces anything)."""
    if fmt == "graphml":
        return nx.read_graphml(path)
    if fmt == "gexf":
        return nx.read_gexf(path)
    return nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")), edges="edges")
