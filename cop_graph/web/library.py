"""The named query library: /queries (HTML or JSON) and /queries/<name>, which shows a
form and results to browsers and answers other clients in any SPARQL result format."""

from __future__ import annotations

import io

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from rdflib.query import Result

from cop_graph.engine import QueryRequest
from cop_graph.errors import CopGraphError, ParameterError
from cop_graph.formats import cell_text
from cop_graph.queries import NamedQuery, find_query
from cop_graph.web.negotiation import negotiate, prefers_html
from cop_graph.web.results import answer_response, run

library = Blueprint("library", __name__)


def _queries() -> dict[str, NamedQuery]:
    return current_app.extensions["cop_queries"]


def _wants_json() -> bool:
    return request.args.get("format") == "json" or (
        request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json")


def describe(query: NamedQuery) -> dict:
    return {
        "name": query.name, "title": query.title, "description": query.description, "form": query.form,
        "parameters": [{"name": p.name, "type": p.type, "default": p.default, "description": p.description}
                       for p in query.parameters],
        "url": request.host_url.rstrip("/") + f"/queries/{query.name}",
        "sparql": query.text,
    }


@library.get("/queries")
def index() -> Response | str:
    queries = list(_queries().values())
    if _wants_json():
        return jsonify({"queries": [describe(q) for q in queries]})
    return render_template("queries.html", queries=queries)


@library.get("/queries/<name>")
def named_query(name: str) -> Response | str | tuple[str, int]:
    query = find_query(_queries(), name)
    repeated = [k for k in request.args if k != "format" and len(request.args.getlist(k)) > 1]
    if repeated:
        raise ParameterError(f"parameter {repeated[0]!r} is given more than once")
    values = {k: v for k, v in request.args.items() if k != "format" and v != ""}
    base = current_app.config["COP"].base
    if not _browser():
        bindings = query.bindings(values, base)
        formats = negotiate(request.accept_mimetypes, request.args.getlist("format"))
        return answer_response(QueryRequest(query.text, bindings, negotiated=formats))
    try:
        answer = run(QueryRequest(query.text, query.bindings(values, base), format="json"))
    except CopGraphError as exc:
        return render_template("query.html", query=query, values=values, error=str(exc)), 400
    result = Result.parse(io.StringIO(answer.body), format="json")
    columns = [str(v) for v in result.vars or []]
    rows = [[cell_text(row[i], base) for i in range(len(columns))] for row in result]
    return render_template("query.html", query=query, values=values, columns=columns, rows=rows,
                           truncated=answer.truncated)


def _browser() -> bool:
    return not request.args.get("format") and prefers_html(request.accept_mimetypes)
