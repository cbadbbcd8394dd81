"""Explorer pages: the home page and the named queries with their parameter forms."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from cop_graph.dataset import CopDataset
from cop_graph.errors import CopGraphError
from cop_graph.formats import cell_text
from cop_graph.labels import short
from cop_graph.queries import NamedQuery, find_query, run_named

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
    classes = [(short(row["class"], base), int(row.instances))
               for row in run_named(loaded, library["instances-per-class"], {})]
    graphs = [(short(s.graph, base), s.display(loaded.config.root), s.triples) for s in loaded.files]
    return render_template("home.html", triples=len(loaded), version=loaded.version, classes=classes,
                           graphs=graphs, queries=list(library.values()))


@explorer.get("/queries/<name>")
def named_query(name: str) -> str | tuple[str, int]:
    loaded = _dataset()
    try:
        query = find_query(_library(), name)
    except CopGraphError:
        abort(404)
    values = {k: v for k, v in request.args.items() if v != ""}
    try:
        result = run_named(loaded, query, values)
    except CopGraphError as exc:
        return render_template("query.html", query=query, values=values, error=str(exc)), 400
    columns = [str(v) for v in result.vars or []]
    base = loaded.config.base
    rows = [[cell_text(row[i], base) for i in range(len(columns))] for row in result]
    return render_template("query.html", query=query, values=values, columns=columns, rows=rows)

