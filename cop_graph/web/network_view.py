"""The network view: a projection laid out with networkx and drawn as SVG, nodes coloured
by type with a legend and linked to where their sources are quoted."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue

from cop_graph import network
from cop_graph.dataset import CopDataset
from cop_graph.errors import ParameterError

network_view = Blueprint("network_view", __name__)

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22")
SIZE = 900


@dataclass(frozen=True)
class Drawing:
    """One page's data: the same object feeds the SVG and the JSON twin."""

    projection: str
    year: str | None
    summary: dict
    nodes: list[dict]
    edges: list[dict]
    legend: list[tuple[str, str]]

    def as_json(self) -> dict:
        return {"projection": self.projection, "year": self.year, "summary": self.summary,
                "nodes": self.nodes, "edges": self.edges}


def drawing(loaded: CopDataset, projection: str, year: str | None) -> Drawing:
    cache = current_app.extensions.setdefault("cop_network_cache", {})
    key = (loaded.version, "drawing", projection, year)
    if key not in cache:
        graph = network.projection(loaded, projection, year)
        simple = nx.Graph(graph.to_undirected())
        positions = nx.spring_layout(simple, seed=0, k=1.5 / max(len(simple), 1) ** 0.5)
        degree = dict(simple.degree())
        types = sorted({simple.nodes[n]["type"] for n in simple})
        colour = {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(types)}
        nodes = [{"iri": n, "label": simple.nodes[n]["label"], "type": simple.nodes[n]["type"],
                  "x": _scale(positions[n][0], 40, SIZE - 260), "y": _scale(positions[n][1], 30, SIZE - 30),
                  "degree": degree[n],
                  "r": round(4 + 10 * (degree[n] / max(max(degree.values()), 1)) ** 0.5, 1),
                  "colour": colour[simple.nodes[n]["type"]]} for n in simple]
        where = {n["iri"]: n for n in nodes}
        edges = [{"source": a, "target": b, "weight": d.get("weight", 1), "x1": where[a]["x"], "y1": where[a]["y"],
                  "x2": where[b]["x"], "y2": where[b]["y"]} for a, b, d in simple.edges(data=True)]
        cache[key] = Drawing(projection, year, network.summary(graph), nodes, edges, list(colour.items()))
    return cache[key]


def _scale(value: float, low: float, high: float) -> float:
    """From the layout's [-1, 1] to the drawing, leaving room on the right for labels."""
    return round(low + (value + 1) / 2 * (high - low), 1)


@network_view.get("/network")
def view() -> ResponseReturnValue:
    loaded = current_app.extensions["cop_dataset"]
    projection = request.args.get("projection", "orgs")
    year = request.args.get("year") or None
    if projection not in network.PROJECTIONS:
        raise ParameterError(f"unknown projection {projection!r}; choose one of: {', '.join(network.PROJECTIONS)}")
    picture = drawing(loaded, projection, year)
    if request.args.get("format") == "json" or request.accept_mimetypes.best_match(
            ["text/html", "application/json"]) == "application/json":
        return jsonify(picture.as_json())
    links = {n["iri"]: url_for("library.named_query", name="provenance", resource=n["iri"]) for n in picture.nodes}
    return render_template("network.html", picture=picture, links=links, size=SIZE,
                           projections=network.PROJECTIONS, years=network.years(loaded))
