"""Explorer pages: the home page."""

from __future__ import annotations

import io

from flask import Blueprint, current_app, render_template
from rdflib import URIRef
from rdflib.query import Result

from cop_graph import network
from cop_graph.dataset import CopDataset
from cop_graph.engine import QueryRequest
from cop_graph.labels import short
from cop_graph.queries import NamedQuery
from cop_graph.web.results import run

explorer = Blueprint("explorer", __name__)


def _dataset() -> CopDataset:
    return current_app.extensions["cop_dataset"]


def _library() -> dict[str, NamedQuery]:
    return current_app.extensions["cop_queries"]


@explorer.get("/")
def home() -> str:
    loaded = _dataset()
    base = loaded.config.base
    library = _library()
    answer = run(QueryRequest(library["instances-per-class"].text, format="json"))
    counts = Result.parse(io.StringIO(answer.body), format="json")
    classes = [(short(row["class"], base), int(row.instances)) for row in counts]
    graphs = [(short(s.graph, base), s.display(loaded.config.root), s.triples) for s in loaded.files]
    return render_template("home.html", triples=len(loaded), version=loaded.version, classes=classes,
                           graphs=graphs, queries=list(library.values()), connected=_most_connected(loaded))


def _most_connected(loaded: CopDataset, count: int = 10) -> list[tuple[str, str, str, int]]:
    """The organisations with the most links in the organisation network, computed once per
    dataset version (the data does not change while the app runs)."""
    cache = current_app.extensions.setdefault("cop_network_cache", {})
    key = (loaded.version, "orgs")
    if key not in cache:
        graph = network.projection(loaded, "orgs")
        values = network.measure(graph, ["weighted_degree", "degree"])
        ranked = sorted(graph.nodes, key=lambda n: (-values[n]["weighted_degree"], graph.nodes[n]["label"]))
        cache[key] = [(short(URIRef(n), loaded.config.base), graph.nodes[n]["label"], graph.nodes[n]["type"],
                       values[n]["weighted_degree"]) for n in ranked[:count]]
    return cache[key]
