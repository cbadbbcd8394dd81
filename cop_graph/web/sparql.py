"""The SPARQL 1.1 Protocol endpoint at /sparql: query by GET, form POST or direct POST,
dataset parameters, content negotiation, a service description, read-only."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.datastructures import CombinedMultiDict

from cop_graph.engine import QueryRequest
from cop_graph.errors import QueryRefused
from cop_graph.web.errors import ProtocolError
from cop_graph.web.negotiation import GRAPH_NAMES, GRAPH_TYPES, choose, negotiate, prefers_html
from cop_graph.web.results import answer_response
from cop_graph.web.service import service_description

sparql = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


@dataclass(frozen=True)
class ProtocolRequest:
    query: str | None
    update: bool
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise ProtocolError(400, f"the request gives {len(values)} '{name}' parameters; give exactly one")
    return values[0] if values else None


def _protocol_request() -> ProtocolRequest:
    """Read the operation from any of the protocol's three ways of sending it."""
    config = current_app.config["COP"]
    args = request.args
    if request.method in ("GET", "HEAD"):
        source = args
        if len(request.query_string) > config.max_query_bytes * 3:  # percent-encoding triples the size
            raise ProtocolError(414, f"the request URI is too long; the query limit is {config.max_query_bytes:,} "
                                     "bytes (send long queries by POST)")
        query = _single(source.getlist("query"), "query")
    else:
        mimetype = request.mimetype
        if mimetype == FORM:
            source = CombinedMultiDict([request.form, args])  # dataset parameters may sit in the URL
            query = _single(source.getlist("query"), "query")
        elif mimetype == DIRECT:
            source = args
            if "query" in args:
                raise ProtocolError(400, "a direct POST carries the query in its body; do not also give 'query'")
            charset = request.mimetype_params.get("charset", "utf-8").lower()
            if charset not in ("utf-8", "utf8"):
                raise ProtocolError(415, f"the query must be sent as UTF-8, not {charset}")
            try:
                query = request.get_data(cache=False).decode("utf-8")
            except UnicodeDecodeError:
                raise ProtocolError(400, "the request body is not valid UTF-8") from None
        elif mimetype == UPDATE:
            return ProtocolRequest(None, True, (), ())
        else:
            raise ProtocolError(415, f"a POST must be {FORM} or {DIRECT}, not {mimetype or 'untyped'}")
    update = "update" in source or "update" in args
    return ProtocolRequest(query, update, tuple(source.getlist("default-graph-uri")),
                           tuple(source.getlist("named-graph-uri")))


@sparql.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response | str:
    operation = _protocol_request()
    if operation.update:
        raise QueryRefused("SPARQL Update is not allowed: the graph is read-only")
    if operation.query is None:
        if request.method == "POST":
            raise ProtocolError(400, "the request has no 'query' parameter")
        return _describe_service()
    if not operation.query.strip():
        raise ProtocolError(400, "the query is empty")
    config = current_app.config["COP"]
    if len(operation.query.encode("utf-8")) > config.max_query_bytes:
        raise ProtocolError(413, f"the query is over the size limit of {config.max_query_bytes:,} bytes")
    formats = negotiate(request.accept_mimetypes, request.values.getlist("format"))
    query = QueryRequest(operation.query, default_graphs=operation.default_graphs,
                         named_graphs=operation.named_graphs, negotiated=formats)
    return answer_response(query)


def _describe_service() -> Response | str:
    loaded = current_app.extensions["cop_dataset"]
    if prefers_html(request.accept_mimetypes) and not request.args.get("format"):
        library = current_app.extensions["cop_queries"]
        return render_template("sparql.html", queries=list(library.values()), prefixes=_prefix_lines())
    fmt = choose(request.accept_mimetypes, GRAPH_TYPES, GRAPH_NAMES, request.args.getlist("format"))
    if fmt is None:
        raise ProtocolError(406, f"the service description is available as: {', '.join(GRAPH_TYPES)}")
    from cop_graph.formats import RDF_SYNTAXES, serialize_graph

    graph = service_description(loaded, request.base_url, current_app.config["COP"])
    return Response(serialize_graph(graph, fmt), content_type=f"{RDF_SYNTAXES[fmt][0]}; charset=utf-8",
                    headers={"Vary": "Accept"})


def _prefix_lines() -> str:
    from cop_graph.namespaces import PREFIXES

    wanted = ("cop", "org", "schema", "skos", "prov", "time", "oa", "dcterms", "rdfs", "xsd")
    return "\n".join(f"PREFIX {p}: <{PREFIXES[p]}>" for p in wanted)
