"""The topic hierarchy: the SKOS tree of session themes, with the number of sessions on
each topic counting those on its narrower topics."""

from __future__ import annotations

from dataclasses import dataclass, field

from cop_graph.sparql.evaluate import run_named
from cop_graph.sparql.library import named
from cop_graph.store.dataset import CopDataset
from cop_graph.web.pages.values import Link


@dataclass
class Topic:
    iri: str
    label: str
    sessions: int
    url: str
    narrower: list[Topic] = field(default_factory=list)


@dataclass(frozen=True)
class TopicTree:
    roots: list[Topic]
    topics: int


def topic_tree(loaded: CopDataset, link: Link) -> TopicTree:
    query = named(loaded, "topic-hierarchy")
    nodes: dict[str, Topic] = {}
    broader: dict[str, str] = {}
    for row in run_named(loaded, query, {}):
        iri = str(row["topic"])
        nodes.setdefault(iri, Topic(iri, str(row["label"]), int(row["sessions"]), link(iri)))
        if row["broader"] is not None:
            broader[iri] = str(row["broader"])
    roots = []
    for iri, topic in nodes.items():
        parent = nodes.get(broader.get(iri, ""))
        (parent.narrower if parent else roots).append(topic)
    for children in [roots, *(topic.narrower for topic in nodes.values())]:
        children.sort(key=lambda t: (-t.sessions, t.label.casefold()))
    return TopicTree(roots, len(nodes))
