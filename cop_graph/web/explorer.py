"""Explorer pages: the home page."""

from __future__ import annotations

import io

from flask import Blueprint, current_app, render_template
from rdflib.query import Result

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
                           graphs=graphs, queries=list(library.values()))
