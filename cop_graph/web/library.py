"""The named query library: /queries (HTML or JSON) and /queries/<name>, which shows a
form and results to browsers and answers other clients in any SPARQL result format."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, current_app, render_template, request, url_for

from cop_graph.errors import CopGraphError, ParameterError
from cop_graph.rdf.formats import SOURCES
from cop_graph.sparql.engine import QueryRequest
from cop_graph.sparql.library import NamedQuery, find_query
from cop_graph.web import twin
from cop_graph.web.errors import html_answer
from cop_graph.web.negotiation import negotiate, prefers_html
from cop_graph.web.params import flag
from cop_graph.web.result_view import PAGE_FORMATS, downloads, error_view, result_view, visible
from cop_graph.web.results import DOWNLOAD, answer_response, run

library = Blueprint("library", __name__)


def _queries() -> dict[str, NamedQuery]:
    return current_app.extensions["cop_queries"]


def describe(query: NamedQuery) -> dict:
    return {
        "name": query.name, "title": query.title, "description": query.description, "form": query.form,
        "parameters": [{"name": p.name, "type": p.type, "default": p.default, "description": p.description}
                       for p in query.parameters],
        "url": request.host_url.rstrip("/") + f"/queries/{query.name}",
        "sparql": query.text,
    }


@dataclass(frozen=True)
class QueryIndex:
    """The /queries page's data: every named query with its parameters and URL."""

    queries: list[dict]


@library.get("/queries.json")
@library.get("/queries")  # registered first, so url_for gives "/queries"
def index() -> Response:
    queries = list(_queries().values())
    return twin.respond(QueryIndex([describe(q) for q in queries]), "queries.html", queries=queries)


@library.get("/queries/<name>")
def named_query(name: str) -> Response:
    query = find_query(_queries(), name)
    if _browser():
        return _page(query)
    _check_repeated()
    values = _values()
    bindings = query.bindings(values, current_app.config["COP"].base)
    formats = negotiate(request.accept_mimetypes, request.args.getlist("format"))
    return answer_response(QueryRequest(query.text, bindings, negotiated=formats, sources=flag(SOURCES)),
                           name=query.name)


# Parameters of the URL, not of the query: the format, whether to answer as a file, and
# whether to give each row its sources.
NOT_QUERY_PARAMETERS = ("format", DOWNLOAD, SOURCES)


def _check_repeated() -> None:
    repeated = [k for k in request.args if k not in NOT_QUERY_PARAMETERS and len(request.args.getlist(k)) > 1]
    if repeated:
        raise ParameterError(f"parameter {repeated[0]!r} is given more than once")


def _values() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k not in NOT_QUERY_PARAMETERS and v != ""}


def _page(query: NamedQuery) -> Response:
    """The query's form with its results below, or the error above the form with the
    status other clients get for it."""
    config = current_app.config["COP"]
    values = _values()
    shown = {k: visible(v) for k, v in values.items()}
    sources = False
    try:
        sources = flag(SOURCES)  # first: the form keeps the box ticked whatever else is wrong
        _check_repeated()
        nul = next((k for k, v in values.items() if "\x00" in v), None)
        if nul is not None:
            raise ParameterError(f"parameter {nul!r} contains a NUL character (U+0000), which no value can hold")
        answer = run(QueryRequest(query.text, query.bindings(values, config.base), negotiated=PAGE_FORMATS,
                                  sources=sources))
    except CopGraphError as exc:
        error = error_view(exc)
        page = render_template("query.html", query=query, values=shown, sources=sources, error=error)
        return html_answer(page, error.status, exc)
    asked = {**values, SOURCES: "1"} if sources else values
    links = downloads(answer.form, lambda fmt: url_for("library.named_query", name=query.name, format=fmt, **asked))
    view = result_view(answer, config.base, config.max_rows, with_sources=sources)
    return html_answer(render_template("query.html", query=query, values=shown, sources=sources, result=view,
                                       downloads=links))


def _browser() -> bool:
    return not request.args.get("format") and prefers_html(request.accept_mimetypes)
