"""Linked Data: every resource has a URL that serves its page to browsers and its
description to RDF clients. IRIs under the base live at their own path (``BASE/org/apple``
at ``/org/apple``); others at ``/resource?iri=…``. A suffix (``.ttl``, ``.jsonld``, ``.nt``,
``.rdf``, ``.json``) or ``?format=`` asks for one format; otherwise the Accept header decides."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from cop_graph.analysis.search import suggest
from cop_graph.errors import ParameterError
from cop_graph.rdf.formats import RDF_SYNTAXES, serialize_graph
from cop_graph.rdf.parsing import BAD_IRI
from cop_graph.store.dataset import CopDataset
from cop_graph.web import twin
from cop_graph.web.links import SUFFIXES, checked_iri, resource_url
from cop_graph.web.negotiation import choose
from cop_graph.web.pages.network import neighbourhood_drawing
from cop_graph.web.pages.resource import description, resource_page

resources = Blueprint("resources", __name__)

# What a resource's URL can answer; the first entry is what "*/*" gets (data, for programs).
RESOURCE_TYPES = {
    "text/turtle": "turtle",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/json": "json",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/x-turtle": "turtle",
    "text/plain": "nt",
}
FORMAT_NAMES = {"html": "html", "json": "json", "turtle": "turtle", "ttl": "turtle", "jsonld": "jsonld",
                "json-ld": "jsonld", "nt": "nt", "ntriples": "nt", "n-triples": "nt", "xml": "xml", "rdf": "xml",
                "rdfxml": "xml"}
# Each RDF format a page links to as an alternate, with its suffix.
ALTERNATES = (("Turtle", ".ttl", "turtle"), ("JSON-LD", ".jsonld", "jsonld"), ("N-Triples", ".nt", "nt"),
              ("RDF/XML", ".rdf", "xml"), ("JSON (page data)", ".json", "json"))


def _dataset() -> CopDataset:
    return current_app.extensions["cop_dataset"]


@resources.get("/resource", defaults={"suffix": ""})
@resources.get("/resource<any('.json','.ttl','.jsonld','.nt','.rdf'):suffix>")
def outside(suffix: str) -> Response:
    """A resource by its full IRI (any IRI, under the base or not)."""
    return _serve(checked_iri(request.args.get("iri", ""), "iri"), SUFFIXES.get(suffix))


@resources.get("/<path:path>")
def local(path: str) -> Response:
    """A resource under the base, at its own path."""
    base = _dataset().config.base
    fmt = None
    for suffix, name in SUFFIXES.items():
        if path.endswith(suffix):
            fmt, path = name, path[: -len(suffix)]
            break
    if BAD_IRI.search(path):
        raise ParameterError(f"the path {path!r} cannot be part of an IRI "
                             "(spaces, control characters or <>\"{}|\\^`)")
    return _serve(base + path, fmt)


def _serve(iri: str, fmt: str | None) -> Response:
    fmt = fmt or choose(request.accept_mimetypes, RESOURCE_TYPES, FORMAT_NAMES, request.args.getlist("format"))
    if fmt is None:
        return _plain(406, "406 Not Acceptable: a resource is available as: " + ", ".join(RESOURCE_TYPES))
    loaded = _dataset()
    if fmt in ("html", "json"):
        page = resource_page(loaded, iri, resource_url)
        if page is None:
            return _not_found(loaded, iri, fmt)
        alternates = [(name, resource_url(iri, suffix)) for name, suffix, _ in ALTERNATES]
        neighbourhood = neighbourhood_drawing(loaded, iri) if fmt == "html" else None
        response = twin.respond(page, "resource.html", json=fmt == "json", alternates=alternates,
                                neighbourhood=neighbourhood)
    else:
        graph = description(loaded, iri)
        if len(graph) == 0:
            return _not_found(loaded, iri, fmt)
        response = Response(serialize_graph(graph, fmt), content_type=f"{RDF_SYNTAXES[fmt][0]}; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return response


def _not_found(loaded: CopDataset, iri: str, fmt: str) -> Response:
    suggestions = _suggestions(loaded, iri)
    message = f"no resource {iri} in the graph"
    if fmt == "html":
        response = Response(render_template("not_found.html", iri=iri, suggestions=suggestions),
                            status=404, content_type="text/html; charset=utf-8")
    elif fmt == "json":
        response = jsonify({"error": message, "suggestions": suggestions})
        response.status_code = 404
    else:
        response = _plain(404, f"404 Not Found: {message}")
    response.headers["Vary"] = "Accept"
    return response


def _suggestions(loaded: CopDataset, iri: str) -> list[dict]:
    text = iri.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
    return [{"iri": hit.iri, "label": hit.label, "url": resource_url(hit.iri)} for hit in suggest(loaded, text, 5)]


def _plain(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8",
                    headers={"Vary": "Accept"})
