"""``/.well-known/void``: the dataset's VoID and DCAT description (VoID's well-known URI),
computed once per dataset version, with this server's SPARQL endpoint and dumps (their URLs
are this server's, so they are added per request); Turtle, N-Triples, JSON-LD, RDF/XML or
TriG by content negotiation. A browser gets the Turtle as plain text."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request, url_for
from rdflib import Graph

from cop_graph.errors import NotAcceptable
from cop_graph.publish.description import add_dumps, add_endpoint, description
from cop_graph.rdf.formats import RDF_SYNTAXES, serialize_graph
from cop_graph.rdf.namespaces import bind_prefixes
from cop_graph.store.dataset import CopDataset
from cop_graph.web.dumps import dump_links
from cop_graph.web.negotiation import GRAPH_NAMES, GRAPH_TYPES, choose, prefers_html
from cop_graph.web.prepared import prepared

void = Blueprint("void", __name__)


@void.get("/.well-known/void")
def well_known() -> Response:
    browser = prefers_html(request.accept_mimetypes) and not request.args.get("format")
    fmt = "turtle" if browser else choose(request.accept_mimetypes, GRAPH_TYPES, GRAPH_NAMES,
                                          request.args.getlist("format"))
    if fmt is None:
        raise NotAcceptable("the dataset description is available as: " + ", ".join(GRAPH_TYPES))
    loaded: CopDataset = current_app.extensions["cop_dataset"]
    endpoint = url_for("sparql.endpoint", _external=True)
    dumps = dump_links() if "dumps" in current_app.blueprints else None  # an app may mount this blueprint alone
    # written once per format and server address (the endpoint's and dumps' URLs are in it)
    text = prepared(loaded, "description text", fmt, endpoint, keep=32,
                    build=lambda: _written(loaded, fmt, endpoint, dumps))
    media_type = "text/plain" if browser else RDF_SYNTAXES[fmt][0]
    return Response(text, content_type=f"{media_type}; charset=utf-8",
                    headers={"Vary": "Accept"})


def _written(loaded: CopDataset, fmt: str, endpoint: str, dumps: list | None) -> str:
    graph = Graph()
    bind_prefixes(graph)
    graph += _cached(loaded)
    add_endpoint(graph, loaded, endpoint)
    if dumps is not None:
        add_dumps(graph, loaded, dumps)
    return serialize_graph(graph, fmt)


def _cached(loaded: CopDataset) -> Graph:
    """The description without the endpoint (which depends on the request), per dataset version."""
    return prepared(loaded, "description", build=lambda: description(loaded))
